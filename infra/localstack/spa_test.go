package localstack_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/infra/localstack"
)

func TestSPA(t *testing.T) {
	dist := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dist, "assets"), 0o755))
	must(os.WriteFile(filepath.Join(dist, "index.html"), []byte("<html>INDEX</html>"), 0o644))
	must(os.WriteFile(filepath.Join(dist, "assets", "app-abc123.js"), []byte("console.log(1)"), 0o644))
	h := localstack.SPA(dist)
	tests := []struct {
		path, want string
		status     int
		cache      string
	}{
		{"/", "INDEX", 200, "no-cache"},
		{"/patients/123", "INDEX", 200, "no-cache"}, // client route survives a reload
		{"/assets/app-abc123.js", "console.log", 200, "immutable"},
		{"/assets/missing.js", "", 404, ""},
		{"/../../etc/passwd", "", 400, ""}, // no escape from dist
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) || !strings.Contains(rec.Header().Get("Cache-Control"), tc.cache) {
			t.Errorf("%s: %d %q cache %q", tc.path, rec.Code, rec.Body.String(), rec.Header().Get("Cache-Control"))
		}
	}
	rec := httptest.NewRecorder()
	localstack.SPA(t.TempDir()).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "make dev") {
		t.Errorf("unbuilt front end: %d %s", rec.Code, rec.Body)
	}
}
