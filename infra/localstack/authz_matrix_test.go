package localstack_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify/inbound"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/token"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// matrix mints sessions directly (no password hashing per cell) with the
// same keys and database as the stack under test.
type matrix struct {
	t        *testing.T
	users    *identity.Store
	sessions *identity.Sessions
	keys     *token.Keys
	sched    *scheduling.Store
	patients *patients.Store
	inbox    *inbound.Store
	outbox   *outbox.Store
	webhooks *webhooks.Store
	handler  http.Handler
	clinicA  identity.Clinic
	clinicB  identity.Clinic
	callers  map[string]identity.User // role -> caller in clinic A
	// per clinic: a provider working around the clock in one chair
	provider map[string]scheduling.Provider
	apptType map[string]scheduling.AppointmentType
	booked   int
}

func newMatrix(t *testing.T) *matrix {
	t.Helper()
	tpl := loadTemplate(t)
	deps := newDeps(t)
	deps.Env = withStripeMock(t, deps.Env)
	stack, err := localstack.Build(tpl, deps, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.NewKeys(token.Config{Keys: "k1:" + storetest.TestKey, ActiveKID: "k1", AccessTTL: 10 * time.Minute}, deps.Clock)
	if err != nil {
		t.Fatal(err)
	}
	m := &matrix{t: t, users: identity.NewStore(deps.Mongo, deps.Clock), sessions: identity.NewSessions(deps.Mongo, deps.Clock, &authz.Revoker{Redis: deps.Redis, AccessTTL: keys.AccessTTL()}), keys: keys, handler: stack.Handler, callers: map[string]identity.User{}, provider: map[string]scheduling.Provider{}, apptType: map[string]scheduling.AppointmentType{},
		sched:    scheduling.NewStore(deps.Mongo, deps.Redis, wire.ClinicSettings(deps.Mongo, deps.Clock), deps.Clock),
		patients: patients.NewStore(deps.Mongo, deps.Clock), inbox: newInbox(t, deps), outbox: newOutbox(t, deps), webhooks: newWebhooks(t, deps)}
	ctx := context.Background()
	m.clinicA, _ = m.users.CreateClinic(ctx, "A")
	m.clinicB, _ = m.users.CreateClinic(ctx, "B")
	for _, c := range []identity.Clinic{m.clinicA, m.clinicB} {
		o, err := m.sched.CreateOperatory(ctx, c.ID, "Op")
		if err != nil {
			t.Fatal(err)
		}
		name, kind := "Dr Matrix", "dentist"
		p, err := m.sched.CreateProvider(ctx, c.ID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{o.ID}})
		if err != nil {
			t.Fatal(err)
		}
		hours := avail.WeeklyHours{}
		for d := time.Sunday; d <= time.Saturday; d++ {
			hours[avail.Day(d)] = []avail.Window{{Start: "00:00", End: "24:00"}}
		}
		if m.provider[c.ID], err = m.sched.SetHours(ctx, c.ID, p.ID, hours); err != nil {
			t.Fatal(err)
		}
		if m.apptType[c.ID], err = m.sched.CreateType(ctx, c.ID, scheduling.AppointmentType{Name: "Visit", Category: "exam", DurationMinutes: 10}); err != nil {
			t.Fatal(err)
		}
	}
	for _, role := range authz.AllRoles {
		m.callers[role] = m.user(m.clinicA.ID, identity.Role(role))
	}
	return m
}

func (m *matrix) user(clinicID string, role identity.Role) identity.User {
	m.t.Helper()
	nu := identity.NewUser{Email: ids.New() + "@matrix.example", Password: "matrix-password-2026", Role: role, FirstName: "M", LastName: string(role)}
	if role == identity.RolePatient {
		nu.PatientID = m.patient(clinicID)
	}
	u, err := m.users.CreateUser(context.Background(), clinicID, nu)
	if err != nil {
		m.t.Fatal(err)
	}
	return u
}

// patient creates a patient record in clinicID and returns its id.
func (m *matrix) patient(clinicID string) string {
	m.t.Helper()
	p, err := m.patients.Create(context.Background(), clinicID, patients.Patient{ID: ids.New(), FirstName: "Pat", LastName: "Matrix", DateOfBirth: "1980-01-01", Phone: "+1 555 0100"})
	if err != nil {
		m.t.Fatal(err)
	}
	return p.ID
}

type creds struct{ access, csrf, sessionID string }

func (m *matrix) mint(u identity.User) creds {
	m.t.Helper()
	sess, _, err := m.sessions.Create(context.Background(), u, identity.SessionLimits{Absolute: time.Hour, Idle: time.Hour}, false, "matrix", "10.0.0.1")
	if err != nil {
		m.t.Fatal(err)
	}
	access, _, err := m.keys.IssueAccess(token.Subject{UserID: u.ID, Role: string(u.Role), ClinicID: u.ClinicID, SessionID: sess.ID, PatientID: u.PatientID})
	if err != nil {
		m.t.Fatal(err)
	}
	return creds{access: access, csrf: m.keys.CSRF(sess.ID), sessionID: sess.ID}
}

func (m *matrix) call(c *creds, method, path string) int {
	var body io.Reader
	if method != http.MethodGet && method != http.MethodDelete {
		body = strings.NewReader(`{}`)
	}
	req := httptest.NewRequest(method, "http://localhost:3000"+path, body)
	req.RemoteAddr = "10.1.2.3:4000"
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", "http://localhost:3000") // the live socket demands the SPA's origin
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c != nil {
		req.AddCookie(&http.Cookie{Name: authz.AccessCookie, Value: c.access})
		req.AddCookie(&http.Cookie{Name: authz.CSRFCookie, Value: c.csrf})
		req.Header.Set(authz.CSRFHeader, c.csrf)
	}
	rec := httptest.NewRecorder()
	m.handler.ServeHTTP(rec, req)
	return rec.Code
}

// target fills a route's {id} for a scenario: a resource of the caller's own
// clinic, or the same kind of resource in another clinic.
func (m *matrix) target(path string, caller identity.User, otherClinic bool) string {
	clinic := m.clinicA.ID
	if otherClinic {
		clinic = m.clinicB.ID
	}
	switch {
	case strings.HasPrefix(path, "/api/users/{id}"):
		return strings.Replace(path, "{id}", m.user(clinic, identity.RoleReceptionist).ID, 1)
	case path == "/api/auth/sessions/{id}":
		owner := caller
		if otherClinic {
			owner = m.user(clinic, caller.Role)
		}
		return strings.Replace(path, "{id}", m.mint(owner).sessionID, 1)
	case strings.HasPrefix(path, "/api/patients/{id}"), strings.HasPrefix(path, "/api/fhir/Patient/{id}"):
		id := m.patient(clinic)
		if caller.PatientID != "" && !otherClinic {
			id = caller.PatientID
		}
		return strings.Replace(path, "{id}", id, 1)
	case strings.HasPrefix(path, "/api/providers/{id}"):
		return strings.Replace(path, "{id}", m.provider[clinic].ID, 1)
	case path == "/api/operatories/{id}":
		return strings.Replace(path, "{id}", m.provider[clinic].Operatories[0], 1)
	case path == "/api/appointment-types/{id}":
		return strings.Replace(path, "{id}", m.apptType[clinic].ID, 1)
	case strings.HasPrefix(path, "/api/appointments/{id}"):
		// The caller's own appointment when the caller is a patient.
		patientID := ids.New()
		if caller.PatientID != "" && !otherClinic {
			patientID = caller.PatientID
		}
		p := m.provider[clinic]
		m.booked++
		start := time.Now().UTC().Truncate(time.Hour).Add(48*time.Hour + time.Duration(m.booked)*15*time.Minute)
		a, err := m.sched.Book(context.Background(), clinic, scheduling.Booking{PatientID: patientID, ProviderID: p.ID, OperatoryID: p.Operatories[0],
			Start: start, End: start.Add(10 * time.Minute), Source: "staff"}, scheduling.Actor{UserID: "matrix", Role: "system"})
		if err != nil {
			m.t.Fatal(err)
		}
		return strings.Replace(path, "{id}", a.ID, 1)
	case strings.HasPrefix(path, "/api/waitlist/{id}"):
		patientID := ids.New()
		if caller.PatientID != "" && !otherClinic {
			patientID = caller.PatientID
		}
		typeID := m.apptType[clinic].ID
		e, err := m.sched.AddToWaitlist(context.Background(), clinic, scheduling.WaitlistInput{PatientID: &patientID, TypeID: &typeID, ExpiresOn: ptr("2099-01-01")})
		if err != nil {
			m.t.Fatal(err)
		}
		return strings.Replace(path, "{id}", e.ID, 1)
	case strings.HasPrefix(path, "/api/perio-exams/{id}"), strings.HasPrefix(path, "/api/treatment-plans/{id}"),
		strings.HasPrefix(path, "/api/notes/{id}"), strings.HasPrefix(path, "/api/prescriptions/{id}"),
		strings.HasPrefix(path, "/api/consent-templates/{id}"), strings.HasPrefix(path, "/api/consents/{id}"), strings.HasPrefix(path, "/api/documents/{id}"):
		return m.clinicalTarget(path, caller, clinic)
	case strings.HasPrefix(path, "/api/inbox/{id}"):
		return m.inboxTarget(path, clinic)
	case strings.HasPrefix(path, "/api/notifications/{id}"):
		return m.notificationTarget(path, clinic)
	case strings.HasPrefix(path, "/api/webhook-endpoints/{id}"):
		return m.webhookTarget(path, clinic)
	case path == "/api/reports/{name}":
		return "/api/reports/appointments?from=2026-03-01&to=2026-03-07"
	case isBillingRoute(path):
		return m.billingTarget(path, caller, clinic)
	case strings.Contains(path, "{"):
		m.t.Fatalf("matrix has no fixture for %s: add one", path)
	}
	return path
}

// TestAuthorizationMatrix walks every route of template.yaml × every role ×
// (own clinic, other clinic) against the policy table: a role the policy
// does not list gets 403; an allowed role gets past the guard; another
// clinic's resource is 404. A route without a policy fails Build (deny by
// default), and a policy without a route is stale.
func TestAuthorizationMatrix(t *testing.T) {
	m := newMatrix(t)
	tpl := loadTemplate(t)
	var patterns []string
	cells := 0
	for _, r := range tpl.Routes {
		patterns = append(patterns, r.Pattern())
		rule, ok := authz.Policies[r.Pattern()]
		if !ok {
			t.Errorf("%s has no policy", r.Pattern())
			continue
		}
		if rule.Public {
			// No session needed; the guard must not demand one.
			if code := m.call(nil, r.Method, samplePath(r.Path)); code == 403 && !signedByTwilio(r.Pattern()) {
				t.Errorf("public %s answered 403", r.Pattern())
			}
			cells++
			continue
		}
		if code := m.call(nil, r.Method, samplePath(r.Path)); code != 401 {
			t.Errorf("%s without a session: %d, want 401", r.Pattern(), code)
		}
		for _, role := range authz.AllRoles {
			for _, other := range []bool{false, true} {
				if other && (!strings.Contains(r.Path, "{") || r.Path == "/api/reports/{name}") {
					continue // nothing of another clinic to name (a report is of the caller's clinic)
				}
				cells++
				caller := m.callers[role]
				c := m.mint(caller)
				path := m.target(r.Path, caller, other)
				code := m.call(&c, r.Method, path)
				name := fmt.Sprintf("%s as %s (other clinic: %v)", r.Pattern(), role, other)
				switch {
				case !rule.Allows(role):
					if code != 403 {
						t.Errorf("%s: %d, want 403", name, code)
					}
				case other:
					if code != 404 {
						t.Errorf("%s: %d, want 404", name, code)
					}
				case code == 401 || code == 403 || code == 405:
					t.Errorf("%s: %d, want the handler to answer", name, code)
				}
			}
		}
	}
	// Another patient's anything is 404 for a patient, on every route that
	// names a patient.
	patient := m.callers[authz.Patient]
	for _, r := range tpl.Routes {
		rule := authz.Policies[r.Pattern()]
		if rule.Owner != authz.OwnPatient || !rule.Allows(authz.Patient) {
			continue
		}
		cells++
		c := m.mint(patient)
		path := strings.Replace(r.Path, "{"+rule.Param+"}", m.patient(m.clinicA.ID), 1)
		if code := m.call(&c, r.Method, path); code != 404 {
			t.Errorf("%s as a patient naming another patient: %d, want 404", r.Pattern(), code)
		}
	}
	for p := range authz.Policies {
		if !slices.Contains(patterns, p) {
			t.Errorf("policy for %q, which template.yaml does not route", p)
		}
	}
	t.Logf("authorization matrix: %d routes, %d roles, %d cells", len(tpl.Routes), len(authz.AllRoles), cells)
}

// TestGuardRefusesUnlistedRoute: deny by default at registration.
func TestGuardRefusesUnlistedRoute(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("registering a route without a policy did not panic")
		}
	}()
	g := &authz.Guard{Policies: authz.Policies}
	g.Router(httpapi.NewRouter(httpapi.NewLogger(io.Discard, nil))).HandleFunc("GET /api/secret", func(http.ResponseWriter, *http.Request) error { return nil })
}

func ptr[T any](v T) *T { return &v }
