package authz_test

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"hash"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/token"
)

// host is the API's own origin: same-origin requests come from here.
const host = "clinic.test"

// testGuard is a real guarded router behind httpapi.Stack (so cross-origin
// protection applies), on a real Redis and Mongo.
type testGuard struct {
	sec     *authz.Security
	handler http.Handler
	clock   *clock.Fake
	rdb     *redis.Client
}

// routes are the guarded routes the tests call, each with a real policy.
var routes = []string{
	"GET /api/clinic",        // every role
	"PATCH /api/clinic",      // admins; unsafe, so CSRF applies
	"GET /api/users",         // admins only
	"GET /api/patients/{id}", // staff, and a patient for their own id
	"GET /api/auth/me",       // open to an MFA-pending token
	"POST /api/auth/logout",  // every role; unsafe
}

func newTestGuard(tb testing.TB) *testGuard {
	tb.Helper()
	return newTestGuardWith(tb, storetest.NewMongo(tb), storetest.NewRedis(tb))
}

// newTestGuardWith builds the guard on m and rdb (a dead one for the
// dependency-down tests). Every route answers the principal it was given.
func newTestGuardWith(tb testing.TB, m *store.Mongo, rdb *redis.Client) *testGuard {
	tb.Helper()
	c := clock.NewFake(time.Now())
	log := httpapi.NewLogger(io.Discard, nil)
	sec, err := authz.NewSecurity(authz.Config{
		Token: token.Config{Keys: "k1:" + storetest.TestKey, ActiveKID: "k1", AccessTTL: 10 * time.Minute},
		Audit: audit.Config{Keys: "a1:" + storetest.TestKey, ActiveKID: "a1"},
	}, m, rdb, c, log)
	if err != nil {
		tb.Fatal(err)
	}
	rt := httpapi.NewRouter(log)
	guarded := sec.Guard.Router(rt)
	for _, pattern := range routes {
		guarded.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) error {
			httpapi.WriteJSON(w, http.StatusOK, authz.MustPrincipal(r.Context()))
			return nil
		})
	}
	return &testGuard{sec: sec, handler: httpapi.Stack(log, rt), clock: c, rdb: rdb}
}

// newSubject is a caller of role with ids of its own (tests share Redis, so
// nobody else's deny-list entry or rate counter can touch it).
func newSubject(role string) token.Subject {
	s := token.Subject{UserID: ids.New(), Role: role, ClinicID: ids.New(), SessionID: ids.New()}
	if role == authz.Patient {
		s.PatientID = ids.New()
	}
	return s
}

// mustIssue signs an access token for s with the guard's own keys.
func (g *testGuard) mustIssue(tb testing.TB, s token.Subject) (string, token.Claims) {
	tb.Helper()
	raw, c, err := g.sec.Keys.IssueAccess(s)
	if err != nil {
		tb.Fatal(err)
	}
	return raw, c
}

// request is one call to the guarded handler. A zero access sends no
// cookie; CSRF values are sent only when set.
type request struct {
	// claims are those of the token in access, when it has any: a 200
	// answers their principal.
	claims       token.Claims
	method, path string
	access       string
	csrfCookie   string
	csrfHeader   string
	// site is Sec-Fetch-Site; "" sends none (a non-browser client).
	site   string
	origin string
}

// browser is a same-origin request from the SPA with access, a token with
// claims c, as its cookie; for an unsafe method it carries a valid CSRF token
// for c's session.
func (g *testGuard) browser(method, path, access string, c token.Claims) request {
	r := request{claims: c, method: method, path: path, access: access, site: "same-origin"}
	if method != http.MethodGet {
		r.csrfCookie = g.sec.Keys.CSRF(c.SessionID)
		r.csrfHeader = r.csrfCookie
	}
	return r
}

// do sends r with requestID as X-Request-Id.
func (g *testGuard) do(tb testing.TB, r request, requestID string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(r.method, "http://"+host+r.path, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(httpapi.HeaderRequestID, requestID)
	if r.access != "" {
		req.AddCookie(&http.Cookie{Name: authz.AccessCookie, Value: r.access})
	}
	if r.csrfCookie != "" {
		req.AddCookie(&http.Cookie{Name: authz.CSRFCookie, Value: r.csrfCookie})
	}
	if r.csrfHeader != "" {
		req.Header.Set(authz.CSRFHeader, r.csrfHeader)
	}
	if r.site != "" {
		req.Header.Set("Sec-Fetch-Site", r.site)
	}
	if r.origin != "" {
		req.Header.Set("Origin", r.origin)
	}
	w := httptest.NewRecorder()
	g.handler.ServeHTTP(w, req)
	return w
}

// mustErrorBody decodes the contract's error shape, refusing any other field.
func mustErrorBody(tb testing.TB, w *httptest.ResponseRecorder) httpapi.ErrorBody {
	tb.Helper()
	var body httpapi.ErrorBody
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		tb.Fatalf("status %d: body is not the contract's error shape: %v", w.Code, err)
	}
	return body
}

// wantError checks status and the decoded error body.
func wantError(tb testing.TB, w *httptest.ResponseRecorder, status int, code, message, requestID string) {
	tb.Helper()
	if w.Code != status {
		tb.Errorf("status = %d, want %d (body %s)", w.Code, status, w.Body.String())
	}
	want := httpapi.ErrorBody{Error: httpapi.ErrorDetail{Code: code, Message: message, RequestID: requestID}}
	if diff := cmp.Diff(want, mustErrorBody(tb, w)); diff != "" {
		tb.Errorf("error body (-want +got):\n%s", diff)
	}
}

// denial is the part of an audit record a denial test pins.
type denial struct {
	ActorID, ActorRole, Resource, PatientID, RequestID, Detail string
	Outcome                                                    audit.Outcome
}

// denials lists the authz.denied records of s's clinic by s.
func (g *testGuard) denials(tb testing.TB, s token.Subject) []denial {
	tb.Helper()
	page, err := g.sec.Audit.List(context.Background(), s.ClinicID, audit.Filter{ActorID: s.UserID, Action: "authz.denied"}, store.PageRequest{Limit: 50})
	if err != nil {
		tb.Fatal(err)
	}
	out := []denial{}
	for _, r := range page.Items {
		out = append(out, denial{ActorID: r.ActorID, ActorRole: r.ActorRole, Resource: r.Resource, PatientID: r.PatientID,
			RequestID: r.RequestID, Detail: r.Detail, Outcome: r.Outcome})
	}
	return out
}

// testKey is the guard's HMAC key (kid k1).
func testKey(tb testing.TB) []byte {
	tb.Helper()
	k, err := base64.StdEncoding.DecodeString(storetest.TestKey)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// forge builds a JWT by hand: header and claims as given, signed with an
// HMAC of mac over key (no signature when mac is nil). It lets a test change
// exactly one thing about an otherwise valid token.
func forge(tb testing.TB, header map[string]any, claims any, mac func() hash.Hash, key []byte) string {
	tb.Helper()
	part := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := part(header) + "." + part(claims)
	if mac == nil {
		return input + "."
	}
	m := hmac.New(mac, key)
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// counter is a go-redis hook counting what reaches the server: each
// command outside a pipeline is one round trip, each pipeline is one.
type counter struct {
	mu         sync.Mutex
	dials      int
	roundTrips int
	commands   []string
}

func (c *counter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.mu.Lock()
		c.dials++
		c.mu.Unlock()
		return next(ctx, network, addr)
	}
}

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.mu.Lock()
		c.roundTrips++
		c.commands = append(c.commands, cmd.Name())
		c.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.mu.Lock()
		c.roundTrips++
		for _, cmd := range cmds {
			c.commands = append(c.commands, cmd.Name())
		}
		c.mu.Unlock()
		return next(ctx, cmds)
	}
}

// take returns the counts so far and starts again from zero.
func (c *counter) take() (dials, roundTrips int, commands []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dials, roundTrips, commands = c.dials, c.roundTrips, c.commands
	c.dials, c.roundTrips, c.commands = 0, 0, nil
	return dials, roundTrips, commands
}
