package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// Client is a browser on the SPA's origin: it keeps the cookies the API
// sets (by path, deleting expired ones), sends Origin and Sec-Fetch-Site:
// same-origin, and echoes the CSRF cookie (__Host-csrf_token, or
// csrf_token from a COOKIE_SECURE=false server) in X-CSRF-Token on
// state-changing requests. Each client has its own address, so the per-IP
// limits count it apart. Safe for concurrent use.
type Client struct {
	env *Env
	// IP is the address the API sees (RemoteAddr).
	IP string
	// NoCSRF leaves X-CSRF-Token off (the cookie is still sent).
	NoCSRF bool

	mu      sync.Mutex
	cookies map[string]*http.Cookie
	// login is the body of the last sign-in, for Relogin.
	login map[string]string
}

// Client is a new signed-out client.
func (e *Env) Client() *Client {
	// A /64 of its own in the documentation range: IPv6 limits key on the /64.
	ip := fmt.Sprintf("2001:db8:%x:%x::1", rand.Uint32N(1<<16), rand.Uint32N(1<<16))
	return &Client{env: e, IP: ip, cookies: map[string]*http.Cookie{}}
}

// Clone is another device holding c's cookies (a copied, or stolen,
// session), with an address of its own.
func (c *Client) Clone() *Client { return c.CloneTo(c.env) }

// CloneTo is Clone on another Env (the same API served differently: with a
// dependency down, say).
func (c *Client) CloneTo(e *Env) *Client {
	out := e.Client()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.cookies {
		ck := *v
		out.cookies[k] = &ck
	}
	return out
}

// Cookie is the value of the cookie name ("" when there is none).
func (c *Client) Cookie(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ck, ok := c.cookies[name]; ok {
		return ck.Value
	}
	return ""
}

// HasCookie reports whether the client holds the cookie name.
func (c *Client) HasCookie(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.cookies[name]
	return ok
}

// SetCookie sets the cookie name to value, on the path it has (or "/").
func (c *Client) SetCookie(name, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	path := "/"
	if ck, ok := c.cookies[name]; ok {
		path = ck.Path
	}
	c.cookies[name] = &http.Cookie{Name: name, Value: value, Path: path}
}

// Response is what the API answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends method path with body (nil: none; a string or []byte as is;
// anything else as JSON) and the header name/value pairs, which replace
// the client's own headers of the same name.
func (c *Client) Do(tb testing.TB, method, path string, body any, header ...string) Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("apitest: encode body of %s %s: %v", method, path, err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, Origin+path, rd)
	req.RemoteAddr = "[" + c.IP + "]:40000"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	unsafe := method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
	if unsafe {
		req.Header.Set("Origin", Origin)
	}
	c.mu.Lock()
	for _, ck := range c.cookies {
		if pathMatch(req.URL.Path, ck.Path) {
			req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		}
	}
	ck, ok := c.cookies[authz.CSRFCookie]
	if !ok {
		ck, ok = c.cookies[authz.CookieName(authz.CSRFCookie, false)]
	}
	if ok && unsafe && !c.NoCSRF {
		req.Header.Set(authz.CSRFHeader, ck.Value)
	}
	c.mu.Unlock()
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	c.env.Handler.ServeHTTP(rec, req)
	res := rec.Result()
	c.mu.Lock()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
			continue
		}
		if ck.Path == "" {
			ck.Path = "/"
		}
		c.cookies[ck.Name] = ck
	}
	c.mu.Unlock()
	return Response{Status: rec.Code, Header: maps.Clone(rec.Header()), Body: rec.Body.Bytes()}
}

// pathMatch is RFC 6265's path-match of a request path and a cookie path.
func pathMatch(reqPath, cookiePath string) bool {
	if cookiePath == "" || cookiePath == "/" || reqPath == cookiePath {
		return true
	}
	return strings.HasPrefix(reqPath, strings.TrimSuffix(cookiePath, "/")+"/")
}

// MustDo is Do that fails the test unless the answer has status.
func (c *Client) MustDo(tb testing.TB, method, path string, body any, status int) Response {
	tb.Helper()
	r := c.Do(tb, method, path, body)
	if r.Status != status {
		tb.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, status, r.Body)
	}
	return r
}

// MustJSON is MustDo that decodes the answer into out.
func (c *Client) MustJSON(tb testing.TB, method, path string, body any, status int, out any) {
	tb.Helper()
	c.MustDo(tb, method, path, body, status).Decode(tb, out)
}

// Login signs c in through POST /api/auth/login (with a second factor when
// totp is given) and fails the test unless it answers 200.
func (c *Client) Login(tb testing.TB, email, password string, totp ...string) Response {
	tb.Helper()
	body := map[string]string{"email": email, "password": password}
	if len(totp) > 0 {
		body["totp"] = totp[0]
	}
	r := c.MustDo(tb, http.MethodPost, "/api/auth/login", body, http.StatusOK)
	c.mu.Lock()
	c.login = body
	c.mu.Unlock()
	return r
}

// Relogin signs c in again as its last Login did: a new session, for a
// test whose clock has moved past the old one's limits.
func (c *Client) Relogin(tb testing.TB) {
	tb.Helper()
	c.mu.Lock()
	body := c.login
	c.mu.Unlock()
	if body == nil {
		tb.Fatal("apitest: Relogin of a client that never signed in")
	}
	c.MustDo(tb, http.MethodPost, "/api/auth/login", body, http.StatusOK)
}

// Decode unmarshals the body into v.
func (r Response) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("apitest: decode %s: %v", r.Body, err)
	}
}

// JSON is the body decoded into maps, slices, strings, float64s and bools.
func (r Response) JSON(tb testing.TB) any {
	tb.Helper()
	if len(r.Body) == 0 {
		return nil
	}
	var v any
	r.Decode(tb, &v)
	return v
}

// Error is the body's error.
func (r Response) Error(tb testing.TB) httpapi.ErrorDetail {
	tb.Helper()
	var e httpapi.ErrorBody
	r.Decode(tb, &e)
	return e.Error
}
