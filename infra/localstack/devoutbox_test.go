package localstack_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/infra/localstack"
)

// The dev outbox viewer is a static page anyone on this machine may load
// (the data behind it still needs the token); its script is a file of the
// same origin, so the pages' policy, which runs no inline script, lets it
// run; and the SPA learns where it is from a meta tag that holds no token.
func TestDevOutboxViewer(t *testing.T) {
	h := newDevStack(t)

	page := serve(h, "GET", "http://127.0.0.1:3000"+localstack.DevOutboxViewPath)
	if page.Code != http.StatusOK || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("viewer: %d %s", page.Code, page.Header().Get("Content-Type"))
	}
	csp := page.Header().Get("Content-Security-Policy")
	if script := regexp.MustCompile(`script-src [^;]*`).FindString(csp); script != "script-src 'self'" {
		t.Fatalf("viewer CSP: %q", csp)
	}
	scripts := regexp.MustCompile(`<script([^>]*)>([^<]*)</script>`).FindAllStringSubmatch(page.Body.String(), -1)
	if len(scripts) != 1 || !strings.Contains(scripts[0][1], `src="/_dev/outbox/view.js"`) || strings.TrimSpace(scripts[0][2]) != "" {
		t.Fatalf("the viewer must load one same-origin script and inline none: %q", scripts)
	}
	if strings.Contains(page.Body.String(), devToken) || strings.Contains(page.Body.String(), "token=live") {
		t.Fatal("the viewer page carries no token and no message")
	}

	js := serve(h, "GET", "http://127.0.0.1:3000/_dev/outbox/view.js")
	if js.Code != http.StatusOK || !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js.Body.String(), "X-Dev-Token") || strings.Contains(js.Body.String(), "innerHTML") {
		t.Fatalf("viewer script: %d %s", js.Code, js.Header().Get("Content-Type"))
	}

	// The data still needs the token.
	if rec := serve(h, "GET", "http://127.0.0.1:3000/_dev/outbox"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("outbox without a token: %d", rec.Code)
	}
	if rec := serve(h, "GET", "http://127.0.0.1:3000/_dev/outbox", "X-Dev-Token", devToken); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "password-reset") {
		t.Fatalf("outbox with the token: %d %s", rec.Code, rec.Body)
	}

	for _, path := range []string{"/", "/messages", "/pay/inv1"} {
		spa := serve(h, "GET", "http://127.0.0.1:3000"+path)
		if spa.Code != http.StatusOK || !strings.Contains(spa.Body.String(), `<meta name="topsmile-dev-outbox" content="/_dev/outbox/view">`) {
			t.Fatalf("%s: the SPA names the viewer: %d %s", path, spa.Code, spa.Body)
		}
	}
}

// The meta tag goes inside the head, and only where the caller asks for it
// (a stack that sends through real SMTP/Twilio has no outbox to link).
func TestSPAHeadExtra(t *testing.T) {
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("<html><head><title>T</title></HEAD><body>INDEX</body></html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	with := serve(localstack.SPA(dist, localstack.DevOutboxMeta), "GET", "/schedule")
	if got := with.Body.String(); got != "<html><head><title>T</title>"+localstack.DevOutboxMeta+"</HEAD><body>INDEX</body></html>" {
		t.Fatalf("with the meta: %q", got)
	}
	if ct := with.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %q", ct)
	}
	if got := serve(localstack.SPA(dist), "GET", "/schedule").Body.String(); strings.Contains(got, "topsmile-dev-outbox") {
		t.Fatalf("without: %q", got)
	}
}
