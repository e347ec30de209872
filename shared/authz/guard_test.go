package authz_test

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/token"
)

// Messages of the guard's answers.
const (
	signIn    = "sign in required"
	roleMsg   = "your role may not do this"
	mfaMsg    = "enrol in two-factor authentication first"
	csrfMsg   = "missing or invalid CSRF token"
	originMsg = "cross-origin request refused"
)

// guardCase is one request and the guard's answer to it. Each denial case
// is a request that would be answered 200 but for the one rule it pins.
type guardCase struct {
	name string
	role string // the caller's role; admin when empty
	req  reqFunc
	// status is the answer; a 200 carries the principal of req's claims,
	// anything else the error code and message.
	status        int
	code, message string
	// denied, when set, is the audit record the denial leaves (the route
	// pattern); ActorID, ActorRole, RequestID and Outcome are filled in.
	denied *denial
}

// reqFunc builds a case's request for the caller s.
type reqFunc = func(tb testing.TB, g *testGuard, s token.Subject) request

// get and send are same-origin requests of s with a valid token (and, for
// an unsafe method, a valid CSRF token).
func get(path string) reqFunc {
	return send(http.MethodGet, path)
}

func send(method, path string) reqFunc {
	return func(tb testing.TB, g *testGuard, s token.Subject) request {
		access, c := g.mustIssue(tb, s)
		return g.browser(method, path, access, c)
	}
}

// forged is GET /api/clinic with the valid token of s changed by edit and
// signed again by hand (forge) with the guard's own key and algorithm.
func forged(edit func(h map[string]any, c *token.Claims)) reqFunc {
	return forgedWith(sha256.New, nil, edit)
}

// forgedWith is forged signed with an HMAC of mac over key (the guard's key
// when nil), or not signed at all when mac is nil.
func forgedWith(mac func() hash.Hash, key []byte, edit func(h map[string]any, c *token.Claims)) reqFunc {
	return func(tb testing.TB, g *testGuard, s token.Subject) request {
		_, c := g.mustIssue(tb, s)
		h := map[string]any{"alg": "HS256", "typ": "JWT", "kid": "k1"}
		edit(h, &c)
		k := key
		if k == nil {
			k = testKey(tb)
		}
		return g.browser(http.MethodGet, "/api/clinic", forge(tb, h, c, mac, k), c)
	}
}

// issuedAt moves a token's issue, not-before and expiry times by d.
func issuedAt(d time.Duration) func(h map[string]any, c *token.Claims) {
	return func(_ map[string]any, c *token.Claims) {
		at := c.IssuedAt.Add(d)
		c.IssuedAt, c.NotBefore, c.ExpiresAt = jwt.NewNumericDate(at), jwt.NewNumericDate(at), jwt.NewNumericDate(at.Add(10*time.Minute))
	}
}

// revoked is GET /api/clinic with a token that revoke puts on the deny-list.
func revoked(revoke func(g *testGuard, c token.Claims) error) reqFunc {
	return func(tb testing.TB, g *testGuard, s token.Subject) request {
		r := get("/api/clinic")(tb, g, s)
		if err := revoke(g, r.claims); err != nil {
			tb.Fatal(err)
		}
		return r
	}
}

var guardCases = []guardCase{
	// What passes.
	{name: "valid GET: the principal is in context", req: get("/api/clinic"), status: 200},
	{name: "valid PATCH with its CSRF token", req: send(http.MethodPatch, "/api/clinic"), status: 200},
	{name: "valid POST with its CSRF token", role: authz.Patient, req: send(http.MethodPost, "/api/auth/logout"), status: 200},
	{name: "patient reads their own record", role: authz.Patient, status: 200,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			return get("/api/patients/"+s.PatientID)(tb, g, s)
		}},
	{name: "MFA-pending token on an enrolment route", status: 200,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			s.MFAPending = true
			return get("/api/auth/me")(tb, g, s)
		}},
	{name: "hand-signed HS256 token with kid k1 (control for the forgeries)", status: 200,
		req: forged(func(map[string]any, *token.Claims) {})},

	// Authentication: one 401 whatever is wrong.
	{name: "no cookie", status: 401, code: "unauthorized", message: signIn,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			r := get("/api/clinic")(tb, g, s)
			r.access = ""
			return r
		}},
	{name: "refresh token (opaque) as access token", status: 401, code: "unauthorized", message: signIn,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			r := get("/api/clinic")(tb, g, s)
			r.access = ids.Token(32)
			return r
		}},
	{name: "signed with another key under kid k1", status: 401, code: "unauthorized", message: signIn,
		req: forgedWith(sha256.New, []byte("another-32-byte-key-of-the-forger!"), func(map[string]any, *token.Claims) {})},
	{name: "expired", status: 401, code: "unauthorized", message: signIn, req: forged(issuedAt(-time.Hour))},
	{name: "issued in the future", status: 401, code: "unauthorized", message: signIn, req: forged(issuedAt(time.Hour))},
	{name: "alg none, no signature", status: 401, code: "unauthorized", message: signIn,
		req: forgedWith(nil, nil, func(h map[string]any, _ *token.Claims) { h["alg"] = "none" })},
	{name: "HS512 with the right key", status: 401, code: "unauthorized", message: signIn,
		req: forgedWith(sha512.New, nil, func(h map[string]any, _ *token.Claims) { h["alg"] = "HS512" })},
	{name: "RS256 header over an HMAC of the key (algorithm confusion)", status: 401, code: "unauthorized", message: signIn,
		req: forged(func(h map[string]any, _ *token.Claims) { h["alg"] = "RS256" })},
	{name: "unknown kid", status: 401, code: "unauthorized", message: signIn,
		req: forged(func(h map[string]any, _ *token.Claims) { h["kid"] = "k9" })},
	{name: "missing kid", status: 401, code: "unauthorized", message: signIn,
		req: forged(func(h map[string]any, _ *token.Claims) { delete(h, "kid") })},
	{name: "wrong issuer", status: 401, code: "unauthorized", message: signIn,
		req: forged(func(_ map[string]any, c *token.Claims) { c.Issuer = "someone-else" })},
	{name: "wrong audience", status: 401, code: "unauthorized", message: signIn,
		req: forged(func(_ map[string]any, c *token.Claims) { c.Audience = jwt.ClaimStrings{"another-api"} })},
	{name: "typ refresh instead of access", status: 401, code: "unauthorized", message: signIn,
		req: forged(func(_ map[string]any, c *token.Claims) { c.Type = "refresh" })},
	{name: "revoked by jti (logout)", status: 401, code: "unauthorized", message: signIn,
		req: revoked(func(g *testGuard, c token.Claims) error {
			return g.sec.Revoker.Token(context.Background(), c.ID, c.ExpiresAt.Time)
		})},
	{name: "revoked by session", status: 401, code: "unauthorized", message: signIn,
		req: revoked(func(g *testGuard, c token.Claims) error {
			return g.sec.Revoker.Session(context.Background(), c.SessionID)
		})},
	{name: "revoked by user (disabled)", status: 401, code: "unauthorized", message: signIn,
		req: revoked(func(g *testGuard, c token.Claims) error {
			return g.sec.Revoker.User(context.Background(), c.Subject)
		})},

	// Authorization: denials are audited.
	{name: "role not allowed", role: authz.Receptionist, req: get("/api/users"),
		status: 403, code: "forbidden", message: roleMsg, denied: &denial{Resource: "GET /api/users", Detail: roleMsg}},
	{name: "patient names another patient's id", role: authz.Patient, status: 404, code: "not_found", message: "not found",
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			return get("/api/patients/"+otherPatient)(tb, g, s)
		},
		denied: &denial{Resource: "GET /api/patients/{id}", PatientID: otherPatient, Detail: "not found"}},
	{name: "MFA-pending token on a non-enrolment route", status: 403, code: "forbidden", message: mfaMsg,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			s.MFAPending = true
			return get("/api/clinic")(tb, g, s)
		},
		denied: &denial{Resource: "GET /api/clinic", Detail: mfaMsg}},
	{name: "unsafe method without the CSRF header", status: 403, code: "forbidden", message: csrfMsg,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			r := send(http.MethodPatch, "/api/clinic")(tb, g, s)
			r.csrfHeader = ""
			return r
		},
		denied: &denial{Resource: "PATCH /api/clinic", Detail: csrfMsg}},
	{name: "CSRF header differs from the cookie", status: 403, code: "forbidden", message: csrfMsg,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			r := send(http.MethodPatch, "/api/clinic")(tb, g, s)
			r.csrfHeader = g.sec.Keys.CSRF(s.SessionID) // valid for the session, but not the cookie
			return r
		},
		denied: &denial{Resource: "PATCH /api/clinic", Detail: csrfMsg}},
	{name: "CSRF token of another session in header and cookie", status: 403, code: "forbidden", message: csrfMsg,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			r := send(http.MethodPatch, "/api/clinic")(tb, g, s)
			r.csrfCookie = g.sec.Keys.CSRF(ids.New())
			r.csrfHeader = r.csrfCookie
			return r
		},
		denied: &denial{Resource: "PATCH /api/clinic", Detail: csrfMsg}},

	// Cross-site requests never reach the guard (httpapi.Stack refuses them).
	{name: "cross-site POST (Sec-Fetch-Site)", role: authz.Patient, status: 403, code: "forbidden", message: originMsg,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			r := send(http.MethodPost, "/api/auth/logout")(tb, g, s)
			r.site = "cross-site"
			return r
		}},
	{name: "POST from a foreign Origin", role: authz.Patient, status: 403, code: "forbidden", message: originMsg,
		req: func(tb testing.TB, g *testGuard, s token.Subject) request {
			r := send(http.MethodPost, "/api/auth/logout")(tb, g, s)
			r.site, r.origin = "", "https://evil.example"
			return r
		}},
}

// otherPatient is a patient id that no test caller owns.
var otherPatient = ids.New()

func TestGuard(t *testing.T) {
	g := newTestGuard(t)
	for _, tc := range guardCases {
		t.Run(tc.name, func(t *testing.T) {
			role := tc.role
			if role == "" {
				role = authz.Admin
			}
			s := newSubject(role)
			r := tc.req(t, g, s)
			requestID := "req-" + ids.New()
			w := g.do(t, r, requestID)

			if tc.status == http.StatusOK {
				wantPrincipal(t, w, r.claims)
			} else {
				wantError(t, w, tc.status, tc.code, tc.message, requestID)
			}
			if tc.denied != nil {
				want := *tc.denied
				want.ActorID, want.ActorRole, want.RequestID, want.Outcome = s.UserID, s.Role, requestID, audit.Denied
				if diff := cmp.Diff([]denial{want}, g.denials(t, s)); diff != "" {
					t.Errorf("authz.denied audit records (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// wantPrincipal checks a 200 that answers the principal of claims c.
func wantPrincipal(tb testing.TB, w *httptest.ResponseRecorder, c token.Claims) {
	tb.Helper()
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("status = %d, want 200 (body %s)", res.StatusCode, body)
	}
	var got authz.Principal
	if err := json.Unmarshal(body, &got); err != nil {
		tb.Fatal(err)
	}
	want := authz.Principal{
		UserID: c.Subject, Role: c.Role, ClinicID: c.ClinicID, SessionID: c.SessionID, PatientID: c.PatientID,
		TokenID: c.ID, ExpiresAt: c.ExpiresAt.Time, MFAPending: c.MFAPending,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("principal in context (-want +got):\n%s", diff)
	}
}

func TestRedisDownIs503(t *testing.T) {
	g := newTestGuardWith(t, storetest.NewMongo(t), storetest.DeadRedis(t))
	for _, method := range []string{http.MethodGet, http.MethodPatch} {
		t.Run(method, func(t *testing.T) {
			requestID := "req-" + ids.New()
			w := g.do(t, send(method, "/api/clinic")(t, g, newSubject(authz.Admin)), requestID)
			wantError(t, w, http.StatusServiceUnavailable, "unavailable", "cache unavailable", requestID)
		})
	}
}

func TestUnauditedDenialIs503(t *testing.T) {
	g := newTestGuardWith(t, storetest.DeadMongo(t), storetest.NewRedis(t))

	requestID := "req-" + ids.New()
	w := g.do(t, get("/api/users")(t, g, newSubject(authz.Receptionist)), requestID)
	wantError(t, w, http.StatusServiceUnavailable, "unavailable", "database unavailable", requestID)

	// Only a denial needs the trail: an allowed request passes.
	r := get("/api/users")(t, g, newSubject(authz.Admin))
	wantPrincipal(t, g.do(t, r, "req-"+ids.New()), r.claims)
}

// TestRateLimit: the guard applies ratelimit.GeneralPerUser per user.
func TestRateLimit(t *testing.T) {
	g := newTestGuard(t)
	lim := ratelimit.GeneralPerUser
	s := newSubject(authz.Dentist)
	r := get("/api/clinic")(t, g, s)

	start := time.Now()
	allowed := 0
	for ; allowed < 3*lim.Burst; allowed++ {
		if w := g.do(t, r, "req-"+ids.New()); w.Code != http.StatusOK {
			break
		}
	}
	// GCRA: Burst at once, then one per Period/Rate while the loop ran.
	refill := int(time.Since(start)/(lim.Period/time.Duration(lim.Rate))) + 1
	if allowed < lim.Burst || allowed > lim.Burst+refill {
		t.Fatalf("%d requests allowed before the limit, want %d to %d", allowed, lim.Burst, lim.Burst+refill)
	}

	requestID := "req-" + ids.New()
	w := g.do(t, r, requestID)
	secs := int((lim.Period/time.Duration(lim.Rate) + time.Second - 1) / time.Second)
	if got := w.Header().Get("Retry-After"); got != strconv.Itoa(secs) {
		t.Errorf("Retry-After = %q, want %d", got, secs)
	}
	wantError(t, w, http.StatusTooManyRequests, "rate_limited", fmt.Sprintf("too many attempts; try again in %d second", secs), requestID)

	// The budget is the user's, whatever the session.
	other := s
	other.SessionID = ids.New()
	if w := g.do(t, get("/api/clinic")(t, g, other), "req-"+ids.New()); w.Code != http.StatusTooManyRequests {
		t.Errorf("same user, another session: status %d, want 429", w.Code)
	}
	// Another user has a budget of their own.
	r = get("/api/clinic")(t, g, newSubject(authz.Dentist))
	wantPrincipal(t, g.do(t, r, "req-"+ids.New()), r.claims)
}

// TestRouteWithoutPolicyPanics: deny by default, at registration.
func TestRouteWithoutPolicyPanics(t *testing.T) {
	g := newTestGuard(t)
	rt := httpapi.NewRouter(httpapi.NewLogger(io.Discard, nil))
	defer func() {
		v := recover()
		if v == nil {
			t.Fatal("registering a route without a policy did not panic")
		}
		if msg := fmt.Sprint(v); !strings.Contains(msg, "GET /api/secret") {
			t.Errorf("panic %q does not name the route", msg)
		}
	}()
	g.sec.Guard.Router(rt).HandleFunc("GET /api/secret", func(http.ResponseWriter, *http.Request) error { return nil })
}
