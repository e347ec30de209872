package main_test

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
)

// buildLocal builds this command once: the test runs it as a user would.
var buildLocal = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "topsmile-local-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "local")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{string(out)}
	}
	return bin, nil
})

type buildError struct{ out string }

func (e *buildError) Error() string { return "go build: " + e.out }

type running struct {
	cmd    *exec.Cmd
	url    string
	output *strings.Builder
	mu     *sync.Mutex
	done   chan error
}

func (r *running) Output() string { r.mu.Lock(); defer r.mu.Unlock(); return r.output.String() }

var listening = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

// start runs the local stack with embedded services (the run's MONGODB_URI
// and REDIS_URL are removed from its environment) and waits until it listens.
func start(t *testing.T, env ...string) *running {
	t.Helper()
	bin, err := buildLocal()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MONGODB_URI=") && !strings.HasPrefix(kv, "REDIS_URL=") && !strings.HasPrefix(kv, "TOPSMILE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, append([]string{"PORT=0"}, env...)...)
	stdout, _ := cmd.StdoutPipe()
	r := &running{cmd: cmd, output: &strings.Builder{}, mu: &sync.Mutex{}, done: make(chan error, 1)}
	cmd.Stderr = &syncWriter{r}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.mu.Lock()
			r.output.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		r.done <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case r.url = <-urls:
		return r
	case err := <-r.done:
		t.Fatalf("local stack exited before listening: %v\n%s", err, r.Output())
	case <-time.After(90 * time.Second):
		t.Fatalf("local stack did not listen within 90s\n%s", r.Output())
	}
	return nil
}

// stop sends SIGTERM and expects a clean, prompt exit.
func (r *running) stop(t *testing.T) {
	t.Helper()
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, r.Output())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not stop within 15s of SIGTERM")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLocalStackServesAPIAndSPAAndKeepsData(t *testing.T) {
	data, dist := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("<title>TopSmile</title>SPA-INDEX"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"TOPSMILE_DATA_DIR=" + data, "TOPSMILE_DIST_DIR=" + dist,
		"TOPSMILE_ADMIN_EMAIL=owner@clinic.example", "TOPSMILE_ADMIN_PASSWORD=correct-horse-battery"}
	r := start(t, env...)

	if code, body := get(t, r.url+"/api/health"); code != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("health: %d %s", code, body)
	}
	for _, p := range []string{"/", "/schedule/today"} {
		if code, body := get(t, r.url+p); code != 200 || !strings.Contains(body, "SPA-INDEX") {
			t.Fatalf("%s: %d %s", p, code, body)
		}
	}
	if code, body := get(t, r.url+"/api/no-such-thing"); code != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Fatalf("unknown api route: %d %s", code, body)
	}
	out := r.Output()
	if !strings.Contains(out, "admin login: owner@clinic.example") || strings.Contains(out, "correct-horse-battery") {
		t.Fatalf("admin line wrong or password printed:\n%s", out)
	}
	clinic := regexp.MustCompile(`clinic: .*\((\w+)\)`).FindStringSubmatch(out)
	if clinic == nil {
		t.Fatalf("no clinic line:\n%s", out)
	}
	r.stop(t)

	// Data survives a restart: the same first clinic, no second one.
	r2 := start(t, env...)
	if again := regexp.MustCompile(`clinic: .*\((\w+)\)`).FindStringSubmatch(r2.Output()); again == nil || again[1] != clinic[1] {
		t.Fatalf("clinic after restart = %v, want %s\n%s", again, clinic[1], r2.Output())
	}
	r2.stop(t)
}

func TestLocalStackDevDefaultsAndNoSeed(t *testing.T) {
	r := start(t, "TOPSMILE_DATA_DIR="+t.TempDir(), "TOPSMILE_SEED=false", "TOPSMILE_DIST_DIR="+t.TempDir())
	out := r.Output()
	if !strings.Contains(out, "admin login: admin@topsmile.local / ") {
		t.Fatalf("dev default admin not printed:\n%s", out)
	}
	if strings.Contains(out, "demo ") {
		t.Fatalf("seeded although TOPSMILE_SEED=false:\n%s", out)
	}
	// Without a front-end build the root says how to make one.
	if code, body := get(t, r.url+"/"); code != 503 || !strings.Contains(body, "make dev") {
		t.Fatalf("/ without build: %d %s", code, body)
	}
	// A dev token is made and printed with the logins; the outbox answers
	// only with it.
	m := regexp.MustCompile(`(?m)^dev token: ([\w-]{16,}) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no dev token printed:\n%s", out)
	}
	for token, want := range map[string]int{"": 401, "wrong-" + m[1]: 403, m[1]: 200} {
		if code, body := request(t, "GET", r.url+"/_dev/outbox", "", "X-Dev-Token", token); code != want {
			t.Errorf("/_dev/outbox with X-Dev-Token %q: %d %s, want %d", token, code, body, want)
		}
	}
	r.stop(t)
}

// request sends method url with body and the header name/value pairs; a
// "Host" pair sets the request's Host.
func request(t *testing.T, method, url, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
		} else if header[i+1] != "" {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// syncWriter appends the stack's stderr (JSON logs) to the captured output.
type syncWriter struct{ r *running }

func (w *syncWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.output.Write(p)
}

// The admin the stack was started with can sign in for real.
func TestLocalStackAdminCanSignIn(t *testing.T) {
	r := start(t, "TOPSMILE_DATA_DIR="+t.TempDir(), "TOPSMILE_SEED=false", "TOPSMILE_DIST_DIR="+t.TempDir(),
		"TOPSMILE_ADMIN_EMAIL=owner@clinic.example", "TOPSMILE_ADMIN_PASSWORD=correct-horse-battery",
		// The functions' own settings reach them through the local stack.
		"ACCESS_TOKEN_TTL=2m", "SESSION_TTL=45m", "TOPSMILE_DEV_TOKEN=chosen-dev-token-2026")
	// A chosen dev token is not printed, and opens the outbox.
	if out := r.Output(); strings.Contains(out, "chosen-dev-token-2026") || !strings.Contains(out, "dev token: from TOPSMILE_DEV_TOKEN") {
		t.Fatalf("dev token line:\n%s", out)
	}
	if code, _ := request(t, "GET", r.url+"/_dev/outbox", "", "X-Dev-Token", "chosen-dev-token-2026"); code != 200 {
		t.Fatalf("/_dev/outbox with the chosen token: %d", code)
	}
	// A DNS-rebinding page (attacker.example resolved to 127.0.0.1) cannot
	// sign in, even with an Origin that matches its Host.
	login := `{"email":"owner@clinic.example","password":"correct-horse-battery"}`
	if code, body := request(t, "POST", r.url+"/api/auth/login", login, "Host", "attacker.example"+strings.TrimPrefix(r.url, "http://127.0.0.1"),
		"Origin", "http://attacker.example"+strings.TrimPrefix(r.url, "http://127.0.0.1"), "Content-Type", "application/json"); code != 403 {
		t.Fatalf("login through a foreign Host: %d %s", code, body)
	}
	for _, path := range []string{"/", "/api/health", "/_dev/outbox"} {
		if code, _ := request(t, "GET", r.url+path, "", "Host", "attacker.example", "X-Dev-Token", "chosen-dev-token-2026"); code != 403 {
			t.Errorf("GET %s through a foreign Host: %d", path, code)
		}
	}
	req, _ := http.NewRequest("POST", r.url+"/api/auth/login", strings.NewReader(`{"email":"owner@clinic.example","password":"correct-horse-battery"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"role":"admin"`) {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	var access string
	ages := map[string]int{}
	for _, c := range resp.Cookies() {
		ages[c.Name] = c.MaxAge
		if c.Name == authz.AccessCookie {
			access = c.Value
		}
	}
	if ages[authz.AccessCookie] != 120 || ages[authz.RefreshCookie] < 45*60-5 || ages[authz.RefreshCookie] > 45*60 {
		t.Fatalf("cookie lifetimes %v: want ts_access 120 s (ACCESS_TOKEN_TTL) and ts_refresh 2700 s (SESSION_TTL)", ages)
	}
	req, _ = http.NewRequest("GET", r.url+"/api/users", nil)
	req.AddCookie(&http.Cookie{Name: authz.AccessCookie, Value: access})
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/users as the admin: %d", resp.StatusCode)
	}
	r.stop(t)
}
