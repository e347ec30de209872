// Package clinicaltest is the clinical group's API test harness: the auth
// and clinical functions as their composition roots build them, on a fresh
// database with two clinics, a caller per role, and patients to chart. Test
// tooling only: no Lambda links it.
package clinicaltest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	authapp "github.com/topsmile/topsmile/functions/auth/app"
	clinicalapp "github.com/topsmile/topsmile/functions/clinical/app"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// Password is every test account's password.
const Password = "long-enough-pass-2026"

// Env is the harness. Callers named by a staff role ("dentist",
// "hygienist", …) are users of Clinic, signed in once per Env; Patient(t, p)
// signs in a portal account linked to patient p.
type Env struct {
	*apitest.Env
	FE       storetest.FunctionEnv
	Clock    *clock.Fake
	Mongo    *store.Mongo
	Patients *patients.Store
	Users    *identity.Store
	Audit    *audit.Log
	// Seal is the key set the clinical function seals free text under.
	Seal   *seal.Keys
	Clinic identity.Clinic
	Other  identity.Clinic

	mu       sync.Mutex
	accounts map[string]identity.User
}

// Extra builds one more function on the harness's environment and clock
// (the billing harness adds the billing function this way).
type Extra func(tb testing.TB, lookup config.Lookup, c *clock.Fake) *boot.App

// New builds the harness; the clock starts at now (set it with Clock.Set).
func New(t testing.TB) *Env {
	t.Helper()
	return NewWith(t)
}

// NewWith is New serving the extra functions too.
func NewWith(t testing.TB, extras ...Extra) *Env {
	t.Helper()
	e := &Env{FE: storetest.NewFunctionEnv(t), Clock: clock.NewFake(time.Now()), accounts: map[string]identity.User{}}
	e.Mongo = e.FE.Mongo(t)
	e.Patients, e.Users = patients.NewStore(e.Mongo, e.Clock), identity.NewStore(e.Mongo, e.Clock)
	e.Audit = audit.New(e.Mongo, e.Clock, mustAuditKeys(t, e.FE))
	var sc seal.Config
	if err := config.LoadFrom(e.FE.Lookup, &sc); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.Seal, err = seal.New(sc); err != nil {
		t.Fatal(err)
	}
	auth := apitest.Build(t, e.FE.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: apitest.Options(e.Clock, nil), Publisher: &apitest.Outbox{}})
	})
	clin := apitest.Build(t, e.FE.Lookup, func(c clinicalapp.Config) (*boot.App, error) {
		return clinicalapp.New(c, apitest.Options(e.Clock, nil))
	})
	apps := []*boot.App{auth, clin}
	for _, x := range extras {
		apps = append(apps, x(t, e.FE.Lookup, e.Clock))
	}
	e.Env = apitest.New(t, e.account, apps...)
	ctx := context.Background()
	if e.Clinic, err = e.Users.CreateClinic(ctx, "Clinic A"); err != nil {
		t.Fatal(err)
	}
	if e.Other, err = e.Users.CreateClinic(ctx, "Clinic B"); err != nil {
		t.Fatal(err)
	}
	return e
}

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

func (e *Env) account(tb testing.TB, role string) (string, string) {
	u := e.MustUser(tb, e.Clinic.ID, identity.Role(role), "")
	e.mu.Lock()
	defer e.mu.Unlock()
	e.accounts[role] = u
	return u.Email, Password
}

// Staff is the signed-in caller of role in Clinic.
func (e *Env) Staff(t testing.TB, role string) *apitest.Client {
	t.Helper()
	return e.Caller(t, role)
}

// User is the account behind Staff(t, role).
func (e *Env) User(t testing.TB, role string) identity.User {
	t.Helper()
	e.Caller(t, role)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.accounts[role]
}

// MustUser creates an account of role in clinicID (linked to patientID for
// a patient).
func (e *Env) MustUser(tb testing.TB, clinicID string, role identity.Role, patientID string) identity.User {
	tb.Helper()
	u, err := e.Users.CreateUser(context.Background(), clinicID, identity.NewUser{
		Email: ids.New() + "@people.example", Password: Password, Role: role, FirstName: "Test", LastName: string(role), PatientID: patientID,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// SignIn signs in a new account of role in clinicID.
func (e *Env) SignIn(t testing.TB, clinicID string, role identity.Role, patientID string) *apitest.Client {
	t.Helper()
	u := e.MustUser(t, clinicID, role, patientID)
	return e.Login(t, u.Email, Password)
}

// PortalOf signs in a portal account of patient p (of Clinic).
func (e *Env) PortalOf(t testing.TB, p patients.Patient) *apitest.Client {
	t.Helper()
	return e.SignIn(t, p.ClinicID, identity.RolePatient, p.ID)
}

// MustPatient stores a patient in clinicID (defaults filled in).
func (e *Env) MustPatient(t testing.TB, clinicID string, p patients.Patient) patients.Patient {
	t.Helper()
	if p.ID == "" {
		p.ID = ids.New()
	}
	if p.FirstName == "" {
		p.FirstName, p.LastName = "Robin", "Chart"
	}
	if p.DateOfBirth == "" {
		p.DateOfBirth = "1985-04-12"
	}
	if p.Phone == "" && p.Email == "" {
		p.Email = ids.New() + "@mail.example"
	}
	out, err := e.Patients.Create(context.Background(), clinicID, p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// AuditRecords are clinicID's audit records matching f, oldest first.
func (e *Env) AuditRecords(t testing.TB, clinicID string, f audit.Filter) []audit.Record {
	t.Helper()
	page, err := e.Audit.List(context.Background(), clinicID, f, store.PageRequest{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(page.Items)
	return page.Items
}

// Actions are the actions of clinicID's trail that touched patientID, oldest
// first.
func (e *Env) Actions(t testing.TB, clinicID, patientID string) []string {
	t.Helper()
	var out []string
	for _, r := range e.AuditRecords(t, clinicID, audit.Filter{PatientID: patientID}) {
		out = append(out, r.Action)
	}
	return out
}

// RawDocs are the stored documents of collection matching filter, as the
// database holds them (for the no-plaintext-at-rest tests).
func (e *Env) RawDocs(t testing.TB, collection string, filter bson.D) []bson.Raw {
	t.Helper()
	db, err := e.Mongo.Database()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cur, err := db.Collection(collection).Find(ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	var out []bson.Raw
	if err := cur.All(ctx, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
