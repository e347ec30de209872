package lambdatest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"
)

// What every function is, and how it is configured when deployed, comes from
// the two files a new function is added to: the Makefile's FUNCTIONS list
// (logical id -> functions/<folder>) and template.yaml (its environment and
// events). So the size test, the deployed-config test and `make bench` cover
// a new function without edits here, unless it reads a variable no function
// read before (then deployedEnv says which value to add).

// repoRoot is the folder holding go.mod, found from the package's folder
// (where `go test` runs).
var repoRoot = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test's folder")
		}
		dir = parent
	}
})

func mustRepoRoot(tb testing.TB) string {
	tb.Helper()
	root, err := repoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	return root
}

// lambdaFunction is one entry of the Makefile's FUNCTIONS list.
type lambdaFunction struct {
	ID     string // logical id in template.yaml, e.g. HealthFunction
	Folder string // functions/<Folder>
}

// functionsLine matches `FUNCTIONS := A=a B=b`, continuation lines included.
var functionsLine = regexp.MustCompile(`(?m)^FUNCTIONS[ \t]*:?=((?:[^\n]*\\\n)*[^\n]*)`)

// makefileFunctions reads the FUNCTIONS list, the one place the Makefile
// (and so `sam build`) names every function.
func makefileFunctions(tb testing.TB) []lambdaFunction {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(mustRepoRoot(tb), "Makefile"))
	if err != nil {
		tb.Fatal(err)
	}
	m := functionsLine.FindSubmatch(b)
	if m == nil {
		tb.Fatal("Makefile: no FUNCTIONS := LogicalId=folder … line")
	}
	var out []lambdaFunction
	for _, pair := range strings.Fields(strings.ReplaceAll(string(m[1]), "\\\n", " ")) {
		id, folder, ok := strings.Cut(pair, "=")
		if !ok || id == "" || folder == "" {
			tb.Fatalf("Makefile FUNCTIONS: %q is not LogicalId=folder", pair)
		}
		out = append(out, lambdaFunction{ID: id, Folder: folder})
	}
	if len(out) == 0 {
		tb.Fatal("Makefile FUNCTIONS is empty")
	}
	return out
}

// samTemplate is the part of template.yaml read here. Decoded as plain YAML:
// the intrinsic-function tags (!Sub, !Ref) leave their scalars as strings,
// and only the variables' names matter. Resources stay nodes so that other
// resource types' properties need not fit the function's shape.
type samTemplate struct {
	Globals struct {
		Function templateProperties `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]yaml.Node `yaml:"Resources"`
}

type templateFunction struct {
	Type       string             `yaml:"Type"`
	Properties templateProperties `yaml:"Properties"`
}

type templateProperties struct {
	MemorySize  int `yaml:"MemorySize"`
	Environment struct {
		Variables map[string]any `yaml:"Variables"`
	} `yaml:"Environment"`
	Events map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			Path   string `yaml:"Path"`
			Method string `yaml:"Method"`
			Input  string `yaml:"Input"` // a ScheduleV2 event's
		} `yaml:"Properties"`
	} `yaml:"Events"`
}

var loadTemplate = sync.OnceValues(func() (*samTemplate, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	var tpl samTemplate
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		return nil, fmt.Errorf("template.yaml: %w", err)
	}
	return &tpl, nil
})

func mustTemplate(tb testing.TB) *samTemplate {
	tb.Helper()
	tpl, err := loadTemplate()
	if err != nil {
		tb.Fatal(err)
	}
	return tpl
}

// templateFunc is the serverless function id of template.yaml.
func templateFunc(tb testing.TB, id string) templateFunction {
	tb.Helper()
	var fn templateFunction
	node, ok := mustTemplate(tb).Resources[id]
	if ok {
		if err := node.Decode(&fn); err != nil {
			tb.Fatalf("template.yaml %s: %v", id, err)
		}
	}
	if fn.Type != "AWS::Serverless::Function" {
		tb.Fatalf("template.yaml has no function %s (the Makefile's FUNCTIONS lists it)", id)
	}
	return fn
}

// testKey is 32 bytes, base64: a valid JWT and data key.
var testKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

// testValue is what a variable the template sets is set to here: the run's
// databases for the connection strings, well-formed test secrets for the
// dynamic references. Publishers get a queue URL; nothing is sent to it.
func testValue(env testEnv, name string) (string, bool) {
	v, ok := map[string]string{
		"STAGE":                   "dev",
		"LOG_LEVEL":               "info",
		"MONGODB_URI":             env.mongoURI,
		"REDIS_URL":               env.redisURL,
		"JWT_KEYS":                "k1:" + testKey,
		"JWT_ACTIVE_KID":          "k1",
		"AUDIT_KEYS":              "a1:" + testKey,
		"AUDIT_ACTIVE_KID":        "a1",
		"PHI_KEYS":                "p1:" + testKey,
		"PHI_ACTIVE_KID":          "p1",
		"DATA_KEY":                testKey,
		"ORIGIN_SECRET":           "origin-secret-for-tests",
		"APP_URL":                 "https://clinic.example",
		"NOTIFICATIONS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/topsmile-notifications",
		"LIVE_QUEUE_URL":          "https://sqs.eu-west-1.amazonaws.com/123456789012/topsmile-live",
		"LIVE_ENDPOINT":           "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
		"S3_BUCKET":               "topsmile-documents-test",
		"STRIPE_SECRET_KEY":       "sk_test_123",
		"STRIPE_PUBLISHABLE_KEY":  "pk_test_123",
		"STRIPE_WEBHOOK_SECRET":   "whsec_old_test,whsec_new_test",
		"SMTP_URL":                "smtp://mailer:mail-pass@127.0.0.1:2525",
		"MAIL_FROM":               "TopSmile <no-reply@clinic.example>",
		"TWILIO_ACCOUNT_SID":      "AC00000000000000000000000000000000",
		"TWILIO_AUTH_TOKEN":       "twilio-token-for-tests",
		"TWILIO_FROM":             "+15005550006",
		"PUBLIC_URL":              "https://clinic.example",
	}[name]
	return v, ok
}

// lambdaProvided are variables Lambda itself sets in every execution
// environment (the role's credentials among them); the AWS SDK reads them.
func lambdaProvided(memoryMB int) map[string]string {
	return map[string]string{
		"AWS_REGION":                      "eu-west-1",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"AWS_ACCESS_KEY_ID":               "test",
		"AWS_SECRET_ACCESS_KEY":           "test",
		"AWS_SESSION_TOKEN":               "test",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(memoryMB),
		"TZ":                              ":UTC",
	}
}

// deployedEnv is the environment function id gets when deployed, as
// template.yaml declares it (Globals merged under the function's own
// variables) plus what Lambda provides, with test values against the run's
// databases. A variable without a test value fails the test, naming it.
func deployedEnv(tb testing.TB, env testEnv, id string) map[string]string {
	tb.Helper()
	tpl, res := mustTemplate(tb), templateFunc(tb, id)
	memory := tpl.Globals.Function.MemorySize
	if res.Properties.MemorySize != 0 {
		memory = res.Properties.MemorySize
	}
	out := lambdaProvided(memory)
	for _, vars := range []map[string]any{tpl.Globals.Function.Environment.Variables, res.Properties.Environment.Variables} {
		for name := range vars {
			v, ok := testValue(env, name)
			if !ok {
				tb.Fatalf("template.yaml gives %s the variable %s, which has no test value: add one to testValue in infra/lambdatest/deployed_test.go", id, name)
			}
			out[name] = v
		}
	}
	if _, ok := out["MONGODB_URI"]; ok {
		// The deployed default is "topsmile"; this run's own database instead.
		out["MONGODB_DATABASE"] = "lambdatest"
	}
	return out
}

// startEvent is the first event a start of a function is sent: cheap and
// the same kind of work for every function, so first-answer times compare
// process start, init and the adapter rather than request handling. (The
// health function's only route pings both databases: that is its answer.)
type startEvent struct {
	kind    string // "HttpApi", "SQS" or "ScheduleV2"
	payload any
}

// firstEvent picks, from the function's events in template.yaml, an HTTP API
// request without credentials (a GET without path parameters if there is
// one, else the first route by name with its parameters filled in), an
// empty SQS batch for a queue consumer, or the first schedule's input (by
// event name) for a scheduled function.
func firstEvent(tb testing.TB, id string) startEvent {
	tb.Helper()
	res := templateFunc(tb, id)
	names := make([]string, 0, len(res.Properties.Events))
	for name := range res.Properties.Events {
		names = append(names, name)
	}
	slices.Sort(names)
	var route, fallback string
	for _, name := range names {
		ev := res.Properties.Events[name]
		switch ev.Type {
		case "SQS":
			return startEvent{kind: "SQS", payload: events.SQSEvent{Records: []events.SQSMessage{}}}
		case "ScheduleV2":
			return startEvent{kind: "ScheduleV2", payload: json.RawMessage(ev.Properties.Input)}
		case "HttpApi":
			method := strings.ToUpper(ev.Properties.Method)
			if method == "" || method == "ANY" {
				method = http.MethodGet
			}
			if method == http.MethodGet && !strings.Contains(ev.Properties.Path, "{") && route == "" {
				route = method + " " + ev.Properties.Path
			}
			if fallback == "" {
				fallback = method + " " + ev.Properties.Path
			}
		}
	}
	if route == "" {
		route = fallback
	}
	if route == "" {
		tb.Fatalf("%s: no HttpApi, SQS or ScheduleV2 event in template.yaml; teach firstEvent its event type", id)
	}
	method, path, _ := strings.Cut(route, " ")
	path = regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(path, "x")
	return startEvent{kind: "HttpApi", payload: apiRequest(method, path, "")}
}

// answerFirst sends ev and fails unless the function answered as a correctly
// configured one does: an HTTP status below 500, no failed SQS items, or a
// scheduled job without an error.
func answerFirst(tb testing.TB, invokeURL, id string, ev startEvent) {
	tb.Helper()
	switch ev.kind {
	case "SQS":
		if resp := invoke[events.SQSEventResponse](tb, invokeURL, ev.payload); len(resp.BatchItemFailures) != 0 {
			tb.Fatalf("%s: empty batch answered failures %v", id, resp.BatchItemFailures)
		}
	case "ScheduleV2":
		invoke[json.RawMessage](tb, invokeURL, ev.payload) // a function error fails the test
	default:
		req := ev.payload.(events.APIGatewayV2HTTPRequest)
		if resp := invoke[events.APIGatewayV2HTTPResponse](tb, invokeURL, req); resp.StatusCode >= 500 {
			tb.Fatalf("%s: %s answered %d: %s", id, req.RouteKey, resp.StatusCode, resp.Body)
		}
	}
}

// TestFunctionsStartWithDeployedConfig starts every function the Makefile
// builds under the RIE with exactly the variables template.yaml gives it, and
// checks it answers: a required variable missing from the template fails
// here, not at the first deploy. It is also the cold-start benchmark's
// harness, kept working by make test.
func TestFunctionsStartWithDeployedConfig(t *testing.T) {
	env := requireEnv(t)
	for _, fn := range makefileFunctions(t) {
		t.Run(fn.ID, func(t *testing.T) {
			t.Parallel()
			fnEnv := deployedEnv(t, env, fn.ID)
			ev := firstEvent(t, fn.ID)
			answerFirst(t, startRIE(t, buildFunction(t, fn.Folder), fnEnv), fn.ID, ev)
		})
	}
}

// sizeLimit is the project's ceiling for a deployed bootstrap: the package
// is downloaded and mapped on every cold start.
const sizeLimit = 15 << 20

// TestBootstrapSize builds every function as SAM does (linux/arm64, static,
// lambda.norpc, stripped) and fails if one is over 15 MiB. The size is
// deterministic, unlike a cold-start time, so it can be a test.
func TestBootstrapSize(t *testing.T) {
	for _, fn := range makefileFunctions(t) {
		t.Run(fn.ID, func(t *testing.T) {
			t.Parallel()
			info, err := os.Stat(buildBootstrap(t, "functions/"+fn.Folder, "arm64"))
			if err != nil {
				t.Fatal(err)
			}
			if info.Size() > sizeLimit {
				t.Errorf("functions/%s: bootstrap is %.1f MiB (linux/arm64, stripped), over the %d MiB limit; `go version -m` and `GODEBUG=inittrace=1` show what it pulls in",
					fn.Folder, mib(info.Size()), sizeLimit>>20)
			}
		})
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
