package patients_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	authapp "github.com/topsmile/topsmile/functions/auth/app"
	patientsapp "github.com/topsmile/topsmile/functions/patients/app"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

const staffPassword = "long-enough-pass-2026"

// patientRoutes are the routes this package serves.
var patientRoutes = []string{
	"GET /api/patients", "POST /api/patients", "GET /api/patients/{id}",
	"PATCH /api/patients/{id}", "DELETE /api/patients/{id}", "GET /api/patients/{id}/timeline",
	"GET /api/patients/{id}/communication", "PUT /api/patients/{id}/communication",
}

// expectedPolicies are the rules the patients routes are built for: staff
// but assistants create, change and archive; assistants read; a patient
// reads and changes (contact details only) their own record and sees a list
// of just themself.
var expectedPolicies = func() map[string]authz.Rule {
	writers := []string{authz.Admin, authz.Dentist, authz.Hygienist, authz.Receptionist}
	own := authz.Rule{Roles: authz.AllRoles, Owner: authz.OwnPatient, Param: "id"}
	return map[string]authz.Rule{
		"GET /api/patients":                    {Roles: authz.AllRoles, Owner: authz.PatientFiltered},
		"POST /api/patients":                   {Roles: writers},
		"GET /api/patients/{id}":               own,
		"PATCH /api/patients/{id}":             {Roles: append(slices.Clone(writers), authz.Patient), Owner: authz.OwnPatient, Param: "id"},
		"DELETE /api/patients/{id}":            {Roles: writers},
		"GET /api/patients/{id}/timeline":      own,
		"GET /api/patients/{id}/communication": own,
		"PUT /api/patients/{id}/communication": {Roles: append(slices.Clone(writers), authz.Patient), Owner: authz.OwnPatient, Param: "id"},
	}
}()

// env is the auth and patients functions as their composition roots build
// them, on a fresh database with two clinics. Callers named by a staff role
// are users of the first clinic.
type env struct {
	*apitest.Env
	fe       storetest.FunctionEnv
	clock    *clock.Fake
	st       *patients.Store
	users    *identity.Store
	audit    *audit.Log
	clinic   identity.Clinic
	other    identity.Clinic
	timeline *fakeTimeline

	mu       sync.Mutex
	accounts map[string]identity.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{fe: storetest.NewFunctionEnv(t), clock: clock.NewFake(time.Now()), timeline: &fakeTimeline{}, accounts: map[string]identity.User{}}
	m := e.fe.Mongo(t)
	e.st, e.users, e.audit = patients.NewStore(m, e.clock), identity.NewStore(m, e.clock), audit.New(m, e.clock, mustAuditKeys(t, e.fe))
	pat := apitest.Build(t, e.fe.Lookup, func(c patientsapp.Config) (*boot.App, error) {
		return patientsapp.New(c, apitest.Options(e.clock, nil))
	})
	e.Env = apitest.New(t, e.account, e.auth(t), pat)
	ctx := context.Background()
	var err error
	if e.clinic, err = e.users.CreateClinic(ctx, "Clinic A"); err != nil {
		t.Fatal(err)
	}
	if e.other, err = e.users.CreateClinic(ctx, "Clinic B"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) auth(t *testing.T) *boot.App {
	return apitest.Build(t, e.fe.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: apitest.Options(e.clock, nil), Publisher: &apitest.Outbox{}})
	})
}

// mustAuditKeys are the trail's keys the functions of fe use.
func mustAuditKeys(tb testing.TB, fe storetest.FunctionEnv) *audit.Keys {
	tb.Helper()
	var cfg audit.Config
	if err := config.LoadFrom(fe.Lookup, &cfg); err != nil {
		tb.Fatal(err)
	}
	keys, err := audit.NewKeys(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return keys
}

// withDeps serves the patients routes of e's database again with Deps the
// composition root does not let a test choose: e.st (whose test hooks
// apply), e.timeline as the timeline, then change's edits.
func (e *env) withDeps(t *testing.T, change func(*patients.Deps)) *apitest.Env {
	t.Helper()
	pat := apitest.Build(t, e.fe.Lookup, func(c patientsapp.Config) (*boot.App, error) {
		g, err := authz.Open(c.Config, c.Security, c, apitest.Options(e.clock, nil))
		if err != nil {
			return nil, err
		}
		d := patients.Deps{Store: e.st, Audit: g.Audit, Clock: g.Clock, Log: g.Log, Timeline: []patients.TimelineSource{e.timeline}}
		change(&d)
		patients.Routes(g.Routes(), d)
		return g.App(), nil
	})
	return apitest.New(t, e.account, e.auth(t), pat)
}

// account makes the caller named by a staff role: a user of that role in
// the first clinic.
func (e *env) account(tb testing.TB, role string) (string, string) {
	u := e.mustUser(tb, e.clinic.ID, identity.Role(role), "")
	e.mu.Lock()
	defer e.mu.Unlock()
	e.accounts[role] = u
	return u.Email, staffPassword
}

// user is the account of the caller named role.
func (e *env) user(t *testing.T, role identity.Role) identity.User {
	t.Helper()
	e.Caller(t, string(role))
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.accounts[string(role)]
}

func (e *env) mustUser(tb testing.TB, clinicID string, role identity.Role, patientID string) identity.User {
	tb.Helper()
	u, err := e.users.CreateUser(context.Background(), clinicID, identity.NewUser{
		Email: ids.New() + "@people.example", Password: staffPassword, Role: role, FirstName: "Test", LastName: string(role), PatientID: patientID,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// signIn signs in a new user of role in clinicID (linked to patientID for
// role patient).
func (e *env) signIn(t *testing.T, clinicID string, role identity.Role, patientID string) (*apitest.Client, identity.User) {
	t.Helper()
	u := e.mustUser(t, clinicID, role, patientID)
	return e.Login(t, u.Email, staffPassword), u
}

// staff is the caller named role: a user of the main clinic, signed in once
// per env.
func (e *env) staff(t *testing.T, role identity.Role) *apitest.Client {
	t.Helper()
	return e.Caller(t, string(role))
}

// mustPatient stores a patient in clinicID straight through the store.
func (e *env) mustPatient(t *testing.T, clinicID string, p patients.Patient) patients.Patient {
	t.Helper()
	if p.DateOfBirth == "" {
		p.DateOfBirth = "1985-04-12"
	}
	if p.Phone == "" && p.Email == "" {
		p.Email = ids.New() + "@mail.example"
	}
	out, err := e.st.Create(context.Background(), clinicID, p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// auditRecords returns clinicID's audit records matching f, oldest first.
func (e *env) auditRecords(t *testing.T, clinicID string, f audit.Filter) []audit.Record {
	t.Helper()
	page, err := e.audit.List(context.Background(), clinicID, f, store.PageRequest{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(page.Items)
	return page.Items
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

func (f *fakeTimeline) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeTimeline) askedFor() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}
