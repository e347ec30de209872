package apitest

import (
	"io"
	"net/http"
	"testing"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/httpapi"
)

func TestDiffComparesOnWantsKeys(t *testing.T) {
	got := map[string]any{"id": "x1", "name": "Ana", "tags": []any{map[string]any{"k": "a", "v": 1.0}}, "at": nil}
	for _, tc := range []struct {
		name  string
		want  any
		equal bool
	}{
		{"a subset of keys", map[string]any{"name": "Ana"}, true},
		{"nested subset", map[string]any{"tags": []map[string]any{{"k": "a"}}}, true},
		{"Go numbers compare with JSON numbers", map[string]any{"tags": []map[string]int{{"v": 1}}}, true},
		{"present", map[string]any{"id": Present}, true},
		{"present is not null", map[string]any{"at": Present}, false},
		{"null", map[string]any{"at": nil}, true},
		{"missing key", map[string]any{"email": "a@b"}, false},
		{"wrong value", map[string]any{"name": "Bea"}, false},
		{"shorter list", map[string]any{"tags": []any{}}, false},
		{"longer list", map[string]any{"tags": []any{map[string]any{}, map[string]any{}}}, false},
		{"a struct by its JSON names", struct {
			Name string `json:"name"`
		}{"Ana"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := Diff(tc.want, got); (d == "") != tc.equal {
				t.Fatalf("equal %v, want %v:\n%s", d == "", tc.equal, d)
			}
		})
	}
	if d := Diff(Error("invalid", "b", "a"), map[string]any{"error": map[string]any{"code": "invalid", "message": "m",
		"fields": []any{map[string]any{"field": "a", "message": "x"}, map[string]any{"field": "b", "message": "y"}}}}, IgnoreOrder); d != "" {
		t.Fatalf("IgnoreOrder: %s", d)
	}
}

func TestPathMatch(t *testing.T) {
	for _, tc := range []struct {
		req, cookie string
		want        bool
	}{
		{"/api/auth/refresh", "/api/auth", true},
		{"/api/auth", "/api/auth", true},
		{"/api/authx", "/api/auth", false},
		{"/api/patients", "/api/auth", false},
		{"/anything", "/", true},
		{"/api/x", "/api/", true},
	} {
		if got := pathMatch(tc.req, tc.cookie); got != tc.want {
			t.Errorf("pathMatch(%q, %q) = %v", tc.req, tc.cookie, got)
		}
	}
}

// app is a function serving routes under the common middleware; each
// answers its name.
func app(name string, routes ...string) *boot.App {
	log := httpapi.NewLogger(io.Discard, nil)
	rt := httpapi.NewRouter(log)
	for _, r := range routes {
		rt.HandleFunc(r, func(w http.ResponseWriter, req *http.Request) error {
			if c, err := req.Cookie(authz.CSRFCookie); req.Method != http.MethodGet && (err != nil || req.Header.Get(authz.CSRFHeader) != c.Value) {
				httpapi.WriteJSON(w, http.StatusForbidden, map[string]string{"from": name, "csrf": "missing"})
				return nil
			}
			http.SetCookie(w, &http.Cookie{Name: authz.CSRFCookie, Value: "tok-" + name, Path: "/"})
			http.SetCookie(w, &http.Cookie{Name: "scoped", Value: name, Path: "/api/a"})
			httpapi.WriteJSON(w, http.StatusOK, map[string]string{"from": name, "scoped": cookie(req, "scoped")})
			return nil
		})
	}
	return boot.NewHTTP(log, rt)
}

func cookie(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

func TestEnvServesEachRouteByItsAppAsABrowser(t *testing.T) {
	e := New(t, nil, app("a", "GET /api/a/x", "POST /api/a/x"), app("b", "GET /api/b/{id}"))
	c := e.Client()
	e.Run(t, []Case{
		{Name: "a's route", Method: "GET", Path: "/api/a/x", Status: 200, Want: map[string]any{"from": "a", "scoped": ""}},
		{Name: "b's route", Method: "GET", Path: "/api/b/1", Status: 200, Want: map[string]any{"from": "b"}},
		{Name: "no route: the contract's 404", Method: "GET", Path: "/api/c", Status: 404, Want: Error("not_found")},
		{Name: "another method: its app's 405", Method: "DELETE", Path: "/api/b/1", Status: 405, Want: Error("method_not_allowed"),
			Check: func(tb testing.TB, r Response) {
				if r.Header.Get("Allow") == "" {
					tb.Error("no Allow header")
				}
			}},
	})
	// The client keeps cookies by path and echoes the CSRF cookie.
	Case{Method: "POST", Path: "/api/a/x", Status: 403, Want: map[string]any{"csrf": "missing"}}.Send(t, c)
	Case{Method: "GET", Path: "/api/b/1", Status: 200, Want: map[string]any{"scoped": ""}}.Send(t, c)
	Case{Method: "GET", Path: "/api/a/x", Status: 200, Want: map[string]any{"scoped": "b"}}.Send(t, c)
	Case{Method: "POST", Path: "/api/a/x", Status: 200, Want: map[string]any{"from": "a"}}.Send(t, c)
	if c.Cookie(authz.CSRFCookie) != "tok-a" {
		t.Fatalf("csrf cookie %q", c.Cookie(authz.CSRFCookie))
	}
	c.NoCSRF = true
	Case{Method: "POST", Path: "/api/a/x", Status: 403}.Send(t, c)
	// A cross-site request is refused by the app's middleware.
	if r := c.Clone().Do(t, "POST", "/api/a/x", nil, "Sec-Fetch-Site", "cross-site"); r.Status != 403 || r.Error(t).Code != "forbidden" {
		t.Fatalf("cross-site: %d %s", r.Status, r.Body)
	}
}
