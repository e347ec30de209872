package patients_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/token"
)

var testKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

const staffPassword = "long-enough-pass-2026"

// patientRoutes are the routes this package serves.
var patientRoutes = []string{
	"GET /api/patients", "POST /api/patients", "GET /api/patients/{id}",
	"PATCH /api/patients/{id}", "DELETE /api/patients/{id}", "GET /api/patients/{id}/timeline",
}

// expectedPolicies are the rules the patients routes are built for: staff
// but assistants create, change and archive; assistants read; a patient
// reads and changes (contact details only) their own record and sees a list
// of just themself.
var expectedPolicies = func() map[string]authz.Rule {
	writers := []string{authz.Admin, authz.Dentist, authz.Hygienist, authz.Receptionist}
	own := authz.Rule{Roles: authz.AllRoles, Owner: authz.OwnPatient, Param: "id"}
	return map[string]authz.Rule{
		"GET /api/patients":               {Roles: authz.AllRoles, Owner: authz.PatientFiltered},
		"POST /api/patients":              {Roles: writers},
		"GET /api/patients/{id}":          own,
		"PATCH /api/patients/{id}":        {Roles: append(slices.Clone(writers), authz.Patient), Owner: authz.OwnPatient, Param: "id"},
		"DELETE /api/patients/{id}":       {Roles: writers},
		"GET /api/patients/{id}/timeline": own,
	}
}()

// policies is authz.Policies, completed with expectedPolicies for any
// patients route the shared table does not name yet (so this package's
// tests run before the table is wired; TestPolicyTableCoversPatientRoutes
// says when it is not).
func policies(tb testing.TB) map[string]authz.Rule {
	out := maps.Clone(authz.Policies)
	for pattern, rule := range expectedPolicies {
		if _, ok := out[pattern]; !ok {
			tb.Logf("authz.Policies has no rule for %q: the test uses the expected one", pattern)
			out[pattern] = rule
		}
	}
	return out
}

type env struct {
	t        *testing.T
	svc      *identity.Service
	st       *patients.Store
	mongo    *store.Mongo
	clock    *clock.Fake
	handler  http.Handler
	clinic   identity.Clinic
	other    identity.Clinic
	timeline *fakeTimeline
	log      *slog.Logger
}

type envOption func(*patients.Deps, *store.Mongo)

// withDeadAudit makes the patients routes' audit trail unreachable.
func withDeadAudit(t *testing.T) envOption {
	return func(d *patients.Deps, _ *store.Mongo) { d.Audit = audit.New(storetest.DeadMongo(t), d.Clock) }
}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	c := clock.NewFake(time.Now())
	m := storetest.NewMongo(t)
	rdb := storetest.NewRedis(t)
	log := httpapi.NewLogger(io.Discard, nil)
	svc, err := identity.New(
		identity.Config{DataKey: testKey, AppURL: "https://clinic.example", SessionTTL: 12 * time.Hour, CookieSecure: true},
		token.Config{Keys: "k1:" + testKey, ActiveKID: "k1", AccessTTL: 10 * time.Minute},
		m, rdb, nil, c, log)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, svc: svc, st: patients.NewStore(m, c), mongo: m, clock: c, timeline: &fakeTimeline{}}
	rt := httpapi.NewRouter(log)
	identity.MountAuth(svc, rt)
	guard := *svc.Guard
	guard.Policies = policies(t)
	deps := patients.Deps{Store: e.st, Audit: svc.Audit, Timeline: []patients.TimelineSource{e.timeline}, Clock: c, Log: log}
	for _, o := range opts {
		o(&deps, m)
	}
	patients.Routes(guard.Router(rt), deps)
	e.handler = httpapi.Stack(log, rt)
	e.log = log
	ctx := context.Background()
	if e.clinic, err = svc.Store.CreateClinic(ctx, "Clinic A"); err != nil {
		t.Fatal(err)
	}
	if e.other, err = svc.Store.CreateClinic(ctx, "Clinic B"); err != nil {
		t.Fatal(err)
	}
	return e
}

// client is a browser-like caller: it keeps cookies, sends Sec-Fetch-Site:
// same-origin and echoes the CSRF cookie on state-changing requests.
type client struct {
	e       *env
	user    identity.User
	cookies map[string]string
	ip      string
}

type response struct {
	status int
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) apiError(t *testing.T) httpapi.ErrorDetail {
	t.Helper()
	var e httpapi.ErrorBody
	r.decode(t, &e)
	return e.Error
}

func (c *client) do(method, path string, body any) response {
	c.e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				c.e.t.Fatal(err)
			}
			rd = strings.NewReader(string(b))
		}
	}
	req := httptest.NewRequest(method, "http://clinic.example"+path, rd)
	req.RemoteAddr = c.ip + ":40000"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for name, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	if method != http.MethodGet {
		req.Header.Set(authz.CSRFHeader, c.cookies[authz.CSRFCookie])
	}
	rec := httptest.NewRecorder()
	c.e.handler.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return response{status: rec.Code, body: rec.Body.Bytes()}
}

// signIn creates a user of role in clinicID (linked to patientID for role
// patient) and signs them in through POST /api/auth/login.
func (e *env) signIn(clinicID string, role identity.Role, patientID string) *client {
	e.t.Helper()
	u, err := e.svc.Store.CreateUser(context.Background(), clinicID, identity.NewUser{
		Email: ids.New() + "@people.example", Password: staffPassword, Role: role, FirstName: "Test", LastName: string(role), PatientID: patientID,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	c := &client{e: e, user: u, cookies: map[string]string{},
		ip: fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), rand.IntN(254)+1)}
	r := c.do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword})
	if r.status != http.StatusOK {
		e.t.Fatalf("login as %s: %d %s", role, r.status, r.body)
	}
	return c
}

// staff signs in a new user of role in the main clinic.
func (e *env) staff(role identity.Role) *client { return e.signIn(e.clinic.ID, role, "") }

// mustPatient stores a patient in clinicID straight through the store.
func (e *env) mustPatient(clinicID string, p patients.Patient) patients.Patient {
	e.t.Helper()
	if p.DateOfBirth == "" {
		p.DateOfBirth = "1985-04-12"
	}
	if p.Phone == "" && p.Email == "" {
		p.Email = ids.New() + "@mail.example"
	}
	out, err := e.st.Create(context.Background(), clinicID, p)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// auditRecords returns clinicID's audit records about patientID, oldest first.
func (e *env) auditRecords(clinicID string, f audit.Filter) []audit.Record {
	e.t.Helper()
	page, err := e.svc.Audit.List(context.Background(), clinicID, f, store.PageRequest{Limit: store.MaxLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.Reverse(page.Items)
	return page.Items
}

func expectStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}

// fakeTimeline is a TimelineSource that plays by the same rule a clinical
// source would: notes are not for the front desk.
type fakeTimeline struct {
	mu      sync.Mutex
	entries map[string][]patients.TimelineEntry
	asked   []string
	err     error
}

func (f *fakeTimeline) Timeline(_ context.Context, p authz.Principal, patientID string) ([]patients.TimelineEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, patientID)
	if f.err != nil {
		return nil, f.err
	}
	var out []patients.TimelineEntry
	for _, e := range f.entries[patientID] {
		if e.Kind == "note" && (p.Role == authz.Receptionist || p.Role == authz.Patient) {
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

func (f *fakeTimeline) set(patientID string, entries ...patients.TimelineEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.entries == nil {
		f.entries = map[string][]patients.TimelineEntry{}
	}
	f.entries[patientID] = entries
}

func (f *fakeTimeline) askedFor() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}

// newEnvWithSources serves e's store and identity again with extra
// timeline sources after e's fake one.
func newEnvWithSources(t *testing.T, e *env, extra ...patients.TimelineSource) *env {
	t.Helper()
	e2 := *e
	rt := httpapi.NewRouter(e.log)
	identity.MountAuth(e.svc, rt)
	guard := *e.svc.Guard
	guard.Policies = policies(t)
	patients.Routes(guard.Router(rt), patients.Deps{Store: e.st, Audit: e.svc.Audit,
		Timeline: append([]patients.TimelineSource{e.timeline}, extra...), Clock: e.clock, Log: e.log})
	e2.handler = httpapi.Stack(e.log, rt)
	return &e2
}
