package localstack_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/notify"
)

const devToken = "dev-token-for-tests"

// newDevStack is the local stack with a built SPA and an outbox holding a
// password-reset link, opened by devToken.
func newDevStack(t *testing.T) http.Handler {
	t.Helper()
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("SPA-INDEX"), 0o644); err != nil {
		t.Fatal(err)
	}
	deps := newDeps(t)
	deps.DevToken = devToken
	_ = deps.Outbox.Send(t.Context(), notify.Message{ID: "m1", Channel: notify.Email, To: "ana@example.com",
		Template: "password-reset", Data: map[string]string{"resetUrl": "http://127.0.0.1:3000/reset-password?token=live"}})
	stack, err := localstack.Build(loadTemplate(t), deps, dist)
	if err != nil {
		t.Fatal(err)
	}
	return stack.Handler
}

func serve(h http.Handler, method, url string, header ...string) *httptest.ResponseRecorder {
	var body *strings.Reader
	if method == "POST" {
		body = strings.NewReader(`{"email":"admin@topsmile.local","password":"smile-admin-dev-2026"}`)
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, url, body)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The local stack answers only the names of this machine (and APP_URL's):
// a DNS-rebinding page of attacker.example resolved to 127.0.0.1 gets 403
// for the API, the SPA and the dev outbox alike, and cannot sign in even
// with an Origin that matches its Host.
func TestLocalStackAnswersOnlyItsOwnHosts(t *testing.T) {
	h := newDevStack(t)
	for _, tc := range []struct {
		name, method, url string
		header            []string
	}{
		{"API", "GET", "http://attacker.example:3000/api/health", nil},
		{"SPA", "GET", "http://attacker.example:3000/", nil},
		{"SPA route", "GET", "http://attacker.example/schedule/today", nil},
		{"dev outbox with the token", "GET", "http://attacker.example:3000/_dev/outbox", []string{"X-Dev-Token", devToken}},
		{"login with a matching Origin", "POST", "http://attacker.example:3000/api/auth/login", []string{"Origin", "http://attacker.example:3000"}},
		{"a loopback name as a subdomain", "GET", "http://localhost.attacker.example/api/health", nil},
		{"no Host", "GET", "http:///api/health", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(h, tc.method, tc.url, tc.header...)
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `"code":"forbidden"`) {
				t.Fatalf("%s %s: %d %s", tc.method, tc.url, rec.Code, rec.Body)
			}
			if strings.Contains(rec.Body.String(), "token=live") || len(rec.Result().Cookies()) > 0 {
				t.Fatalf("leaked: %s %v", rec.Body, rec.Result().Cookies())
			}
		})
	}
	for _, host := range []string{"localhost:3000", "LOCALHOST", "127.0.0.1:5173", "[::1]:3000", "clinic.test"} {
		t.Run("own host "+host, func(t *testing.T) {
			for _, path := range []string{"/api/health", "/"} {
				if rec := serve(h, "GET", "http://"+host+path); rec.Code != http.StatusOK {
					t.Fatalf("GET %s%s: %d %s", host, path, rec.Code, rec.Body)
				}
			}
		})
	}
}

// The dev outbox holds live links: it answers only with the token.
func TestDevEndpointsNeedTheDevToken(t *testing.T) {
	h := newDevStack(t)
	for _, tc := range []struct {
		name   string
		header []string
		status int
	}{
		{"no token", nil, http.StatusUnauthorized},
		{"a wrong token", []string{"X-Dev-Token", "guess"}, http.StatusForbidden},
		{"the token as a prefix", []string{"X-Dev-Token", devToken[:5]}, http.StatusForbidden},
		{"the token", []string{"X-Dev-Token", devToken}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(h, "GET", "http://127.0.0.1:3000/_dev/outbox", tc.header...)
			if rec.Code != tc.status || strings.Contains(rec.Body.String(), "token=live") != (tc.status == http.StatusOK) {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.status)
			}
		})
	}
	if rec := serve(h, "GET", "http://127.0.0.1:3000/_dev/nothing"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("an unknown dev path without the token: %d", rec.Code)
	}

	// A stack built without a token opens its dev endpoints to no one.
	deps := newDeps(t)
	stack, err := localstack.Build(loadTemplate(t), deps, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if rec := serve(stack.Handler, "GET", "http://127.0.0.1:3000/_dev/outbox", "X-Dev-Token", ""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("no token configured, none sent: %d", rec.Code)
	}
	if rec := serve(stack.Handler, "GET", "http://127.0.0.1:3000/_dev/outbox", "X-Dev-Token", "anything"); rec.Code != http.StatusForbidden {
		t.Fatalf("no token configured: %d", rec.Code)
	}
}
