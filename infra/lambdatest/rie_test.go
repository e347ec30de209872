package lambdatest

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// functionTimeout is the Lambda timeout the RIE enforces. Its default is 300s,
// which would let one hung function stall the whole run for five minutes.
const functionTimeout = 30 * time.Second

// buildDir holds the bootstrap binaries of this test run (see TestMain).
var buildDir string

// TestMain owns the build directory so every test and benchmark of the run
// shares one build of each function; t.TempDir would be per test.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "topsmile-lambdatest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "lambdatest:", err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// testEnv is what `make test` provides: the RIE and the run's databases.
type testEnv struct {
	rie      string // path to aws-lambda-rie
	mongoURI string
	redisURL string
}

// requireEnv fails rather than skips: a green `make test` must mean the
// binaries really ran under the emulator.
func requireEnv(tb testing.TB) testEnv {
	tb.Helper()
	get := func(key string) string {
		v := os.Getenv(key)
		if v == "" {
			tb.Fatalf("%s is not set: run the Go tests with `make test` (it installs aws-lambda-rie and starts MongoDB and Redis)", key)
		}
		return v
	}
	return testEnv{rie: get("AWS_LAMBDA_RIE"), mongoURI: get("MONGODB_URI"), redisURL: get("REDIS_URL")}
}

// builds maps a package and GOARCH to its sync.OnceValues build, so
// parallel tests asking for the same binary wait for the one build.
var builds sync.Map

// buildFunction builds functions/<name> for the host once per test run: as
// SAM does (static, lambda.norpc, stripped) but for this machine's GOARCH,
// since the RIE runs the binary natively. It returns the path of the
// bootstrap, in a folder named after the function.
func buildFunction(tb testing.TB, name string) string {
	tb.Helper()
	return buildBootstrap(tb, "functions/"+name, runtime.GOARCH)
}

// buildBootstrap builds the main package at pkg (a folder of this module,
// e.g. functions/health or infra/bare) for linux/goarch with the Makefile's
// Lambda flags, once per test run and GOARCH, into
// <buildDir>/<goarch>/<last element of pkg>/bootstrap.
func buildBootstrap(tb testing.TB, pkg, goarch string) string {
	tb.Helper()
	root := mustRepoRoot(tb)
	once, _ := builds.LoadOrStore(pkg+"@"+goarch, sync.OnceValues(func() (string, error) {
		out := filepath.Join(buildDir, goarch, filepath.Base(pkg), "bootstrap")
		// pkg is a folder, built from the module's root, so this does not
		// depend on the module's name or on where the tests were started.
		cmd := exec.Command("go", "build",
			"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
			"-o", out, "./"+pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
		if output, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s (GOARCH=%s): %v\n%s", pkg, goarch, err, output)
		}
		return out, nil
	}))
	path, err := once.(func() (string, error))()
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// syncBuffer collects the RIE's output (its own log, the START/END/REPORT
// lines and the function's stdout/stderr). It is safe to read while the
// process still writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// rieProcess is one running emulator, i.e. one Lambda execution environment.
type rieProcess struct {
	invokeURL string
	logs      *syncBuffer

	cmd      *exec.Cmd
	exited   chan struct{} // closed once cmd.Wait returns
	stopOnce sync.Once
}

// startRIE runs bootstrapPath under the RIE with env and returns the URL to
// POST events to. The emulator stops when the test ends; its output is
// logged only if the test failed.
func startRIE(tb testing.TB, bootstrapPath string, env map[string]string) (invokeURL string) {
	tb.Helper()
	return launchRIE(tb, bootstrapPath, env).invokeURL
}

// launchRIE is startRIE for callers that must stop the emulator before the
// test ends (the cold-start benchmark starts one per iteration).
func launchRIE(tb testing.TB, bootstrapPath string, env map[string]string) *rieProcess {
	tb.Helper()
	rie := requireEnv(tb).rie
	addr, apiAddr := reserveAddr(tb), reserveAddr(tb)

	// The RIE forwards its whole environment to the function, so it gets only
	// PATH, Lambda's own variables and env: nothing leaks in from the
	// developer's shell (AWS_LAMBDA_MAX_CONCURRENCY, for one, would switch the
	// RIE into another mode). Beware that the RIE also reads LOG_LEVEL for
	// its own logs.
	vars := map[string]string{
		"PATH":                        os.Getenv("PATH"),
		"AWS_LAMBDA_FUNCTION_NAME":    filepath.Base(filepath.Dir(bootstrapPath)),
		"AWS_LAMBDA_FUNCTION_TIMEOUT": strconv.Itoa(int(functionTimeout.Seconds())), // whole seconds: the RIE panics on "30s"
	}
	for k, v := range env {
		vars[k] = v
	}
	environ := make([]string, 0, len(vars))
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}

	p := &rieProcess{
		invokeURL: "http://" + addr + "/2015-03-31/functions/function/invocations",
		logs:      &syncBuffer{},
		exited:    make(chan struct{}),
	}
	// --runtime-api-address: the Runtime API the function polls defaults to
	// the fixed 127.0.0.1:9001, so two emulators (parallel tests, a `sam
	// local` on the same machine) would collide on it.
	p.cmd = exec.Command(rie,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", apiAddr,
		bootstrapPath)
	p.cmd.Dir = filepath.Dir(bootstrapPath) // the function's cwd, as /var/task in Lambda
	p.cmd.Env = environ
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	// A function process that outlives the RIE would keep the output pipe
	// open and block Wait forever.
	p.cmd.WaitDelay = 2 * time.Second
	if err := p.cmd.Start(); err != nil {
		releaseAddr(addr, apiAddr)
		tb.Fatalf("start %s: %v", rie, err)
	}
	go func() {
		_ = p.cmd.Wait()
		releaseAddr(addr, apiAddr)
		close(p.exited)
	}()
	tb.Cleanup(func() {
		p.stop()
		if tb.Failed() {
			tb.Logf("RIE output (%s):\n%s", filepath.Base(filepath.Dir(bootstrapPath)), p.logs)
		}
	})

	// The RIE starts the function on the first invoke, not now, so a
	// listening port is all there is to wait for.
	if err := p.waitListening(addr, 10*time.Second); err != nil {
		tb.Fatal(err)
	}
	return p
}

func (p *rieProcess) waitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-p.exited:
			return fmt.Errorf("RIE exited before listening on %s: %v", addr, p.cmd.ProcessState)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("RIE not listening on %s after %v: %v", addr, timeout, err)
		}
		// Short: the benchmark's cold-start time includes this wait.
		time.Sleep(2 * time.Millisecond)
	}
}

// stop ends the emulator as Lambda ends an environment: SIGTERM, on which
// the RIE forwards SIGTERM to the function, gives it a short deadline (about
// 600ms; aws-lambda-go runs its shutdown hooks but never exits by itself, so
// the deadline always runs out) and SIGKILLs it. SIGKILL for the RIE too if
// it lingers.
func (p *rieProcess) stop() {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
}

// reservedPorts are the ports handed to emulators still running in this
// process. The kernel readily hands out a just-closed port again, and an
// emulator binds its ports only after it starts (the Runtime API one only on
// the first invoke), so without this two parallel tests can be given the same
// port and one would send its events to the other's emulator.
var (
	reservedMu    sync.Mutex
	reservedPorts = map[string]bool{}
)

// reserveAddr returns a loopback address whose port was free a moment ago and
// is not reserved; release it once its user has stopped.
func reserveAddr(tb testing.TB) string {
	tb.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		reservedMu.Lock()
		taken := reservedPorts[addr]
		reservedPorts[addr] = true
		reservedMu.Unlock()
		if !taken {
			return addr
		}
	}
	tb.Fatal("no free loopback port")
	return ""
}

func releaseAddr(addrs ...string) {
	reservedMu.Lock()
	defer reservedMu.Unlock()
	for _, a := range addrs {
		delete(reservedPorts, a)
	}
}

var invokeClient = &http.Client{Timeout: functionTimeout + 10*time.Second}

// invoke sends event to the function behind invokeURL, as the Lambda service
// would, and decodes its answer into R.
func invoke[R any](tb testing.TB, invokeURL string, event any) R {
	tb.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		tb.Fatal(err)
	}
	// The emulator accepts connections a moment before it serves them, and on
	// a busy machine an early connection is sometimes reset: retry only such
	// transport errors (nothing was invoked), never an answer.
	var res *http.Response
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(tb.Context(), http.MethodPost, invokeURL, bytes.NewReader(payload))
		if err != nil {
			tb.Fatal(err)
		}
		res, err = invokeClient.Do(req)
		if err == nil {
			break
		}
		if attempt == 3 || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)) {
			tb.Fatalf("invoke: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("invoke: read answer: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("invoke: RIE answered %s: %s", res.Status, body)
	}
	// A handler error or panic also comes back as 200 from the RIE, with
	// Lambda's error document as the body.
	var fnErr struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(body, &fnErr) == nil && fnErr.ErrorType != "" {
		tb.Fatalf("invoke: function error %s: %s", fnErr.ErrorType, fnErr.ErrorMessage)
	}
	var resp R
	if err := json.Unmarshal(body, &resp); err != nil {
		tb.Fatalf("invoke: decode %T from %s: %v", resp, body, err)
	}
	return resp
}

// healthEnv is the health function's configuration against the run's databases.
func healthEnv(env testEnv) map[string]string {
	return map[string]string{"MONGODB_URI": env.mongoURI, "REDIS_URL": env.redisURL}
}

// healthRequest is GET /api/health as API Gateway's HTTP API (payload 2.0)
// delivers it; requestID, if not empty, is the client's X-Request-Id.
func healthRequest(requestID string) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{
		"accept":            "application/json",
		"host":              "api.topsmile.example",
		"user-agent":        "lambdatest/1.0",
		"x-forwarded-for":   "203.0.113.5",
		"x-forwarded-port":  "443",
		"x-forwarded-proto": "https",
	}
	if requestID != "" {
		headers["x-request-id"] = requestID
	}
	now := time.Now()
	return events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "GET /api/health",
		RawPath:  "/api/health",
		Headers:  headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     "GET /api/health",
			AccountID:    "123456789012",
			Stage:        "$default",
			RequestID:    "apigw-req-1",
			APIID:        "a1b2c3d4e5",
			DomainName:   "api.topsmile.example",
			DomainPrefix: "api",
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    http.MethodGet,
				Path:      "/api/health",
				Protocol:  "HTTP/1.1",
				SourceIP:  "203.0.113.5",
				UserAgent: "lambdatest/1.0",
			},
		},
	}
}

// healthBody is the wire contract of GET /api/health, decoded on its own
// rather than through shared/health so a renamed JSON field fails here.
type healthBody struct {
	Status string `json:"status"`
	Checks map[string]struct {
		Status string `json:"status"`
	} `json:"checks"`
	Error *struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"requestId"`
	} `json:"error"`
}

func decodeHealth(tb testing.TB, resp events.APIGatewayV2HTTPResponse) healthBody {
	tb.Helper()
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			tb.Fatalf("base64 body: %v", err)
		}
	}
	var hb healthBody
	if err := json.Unmarshal(body, &hb); err != nil {
		tb.Fatalf("health body %q: %v", body, err)
	}
	return hb
}

// header finds a response header by name, case-insensitively, in Headers or
// MultiValueHeaders: the proxy adapter may use either.
func header(resp events.APIGatewayV2HTTPResponse, name string) string {
	for k, v := range resp.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func assertHeaders(tb testing.TB, resp events.APIGatewayV2HTTPResponse, want map[string]string) {
	tb.Helper()
	for name, v := range want {
		if got := header(resp, name); got != v {
			tb.Errorf("header %s = %q, want %q", name, got, v)
		}
	}
}

func TestHealthUnderRIE(t *testing.T) {
	env := requireEnv(t)
	bootstrap := buildFunction(t, "health")

	t.Run("healthy", func(t *testing.T) {
		t.Parallel()
		url := startRIE(t, bootstrap, healthEnv(env))
		// Twice: the cold start, then a warm environment reusing its clients.
		for _, phase := range []string{"cold", "warm"} {
			resp := invoke[events.APIGatewayV2HTTPResponse](t, url, healthRequest("rie-test-1"))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d, want 200; body %s", phase, resp.StatusCode, resp.Body)
			}
			hb := decodeHealth(t, resp)
			if hb.Status != "ok" {
				t.Errorf("%s: status %q, want ok", phase, hb.Status)
			}
			for _, name := range []string{"mongodb", "redis"} {
				if got := hb.Checks[name].Status; got != "up" {
					t.Errorf("%s: checks.%s.status = %q, want up", phase, name, got)
				}
			}
			assertHeaders(t, resp, map[string]string{
				"X-Request-Id":           "rie-test-1",
				"Cache-Control":          "no-store",
				"X-Content-Type-Options": "nosniff",
			})
		}
	})

	t.Run("redis down", func(t *testing.T) {
		t.Parallel()
		fnEnv := healthEnv(env)
		fnEnv["REDIS_URL"] = "redis://127.0.0.1:1" // nothing listens on port 1
		resp := invoke[events.APIGatewayV2HTTPResponse](t, startRIE(t, bootstrap, fnEnv), healthRequest("rie-test-2"))
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503; body %s", resp.StatusCode, resp.Body)
		}
		hb := decodeHealth(t, resp)
		if hb.Status != "unavailable" {
			t.Errorf("status %q, want unavailable", hb.Status)
		}
		if got := hb.Checks["redis"].Status; got != "down" {
			t.Errorf("checks.redis.status = %q, want down", got)
		}
		if hb.Error == nil {
			t.Fatalf("no error object in %s", resp.Body)
		}
		if hb.Error.Code != "unavailable" || !strings.Contains(hb.Error.Message, "redis") {
			t.Errorf("error = {code %q, message %q}, want code unavailable and a message naming redis", hb.Error.Code, hb.Error.Message)
		}
		if hb.Error.RequestID != "rie-test-2" {
			t.Errorf("error.requestId = %q, want rie-test-2", hb.Error.RequestID)
		}
		assertHeaders(t, resp, map[string]string{
			"X-Request-Id":           "rie-test-2",
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
		})
	})

	t.Run("request id from API Gateway", func(t *testing.T) {
		t.Parallel()
		resp := invoke[events.APIGatewayV2HTTPResponse](t, startRIE(t, bootstrap, healthEnv(env)), healthRequest(""))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200; body %s", resp.StatusCode, resp.Body)
		}
		assertHeaders(t, resp, map[string]string{"X-Request-Id": "apigw-req-1"})
	})
}

// sqsRecord is one message as the SQS event source mapping delivers it.
func sqsRecord(messageID, body string) events.SQSMessage {
	sent := strconv.FormatInt(time.Now().UnixMilli(), 10)
	return events.SQSMessage{
		MessageId:     messageID,
		ReceiptHandle: "AQEB" + messageID,
		Body:          body,
		Md5OfBody:     fmt.Sprintf("%x", md5.Sum([]byte(body))),
		Attributes: map[string]string{
			"ApproximateReceiveCount":          "1",
			"SentTimestamp":                    sent,
			"SenderId":                         "AIDAEXAMPLE",
			"ApproximateFirstReceiveTimestamp": sent,
		},
		MessageAttributes: map[string]events.SQSMessageAttribute{},
		EventSource:       "aws:sqs",
		EventSourceARN:    "arn:aws:sqs:us-east-1:123456789012:topsmile-notifications",
		AWSRegion:         "us-east-1",
	}
}

func TestNotificationsUnderRIE(t *testing.T) {
	env := requireEnv(t)
	url := startRIE(t, buildFunction(t, "notifications"), map[string]string{"REDIS_URL": env.redisURL})

	const validID, malformedID = "0f1e2d3c-0000-4000-8000-000000000001", "0f1e2d3c-0000-4000-8000-000000000002"
	event := events.SQSEvent{Records: []events.SQSMessage{
		// Well formed, but no channel has a sender yet, so it must fail (and
		// be retried, then reach the DLQ) rather than be dropped.
		sqsRecord(validID, `{"id":"n-1","clinicId":"c-1","channel":"email","to":"a@b.c","template":"x"}`),
		sqsRecord(malformedID, `{"id":`),
	}}
	resp := invoke[events.SQSEventResponse](t, url, event)

	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	slices.Sort(failed)
	if want := []string{validID, malformedID}; !slices.Equal(failed, want) {
		t.Errorf("batchItemFailures = %q, want %q", failed, want)
	}
}
