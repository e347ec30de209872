package cards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	authapp "github.com/topsmile/topsmile/functions/auth/app"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

const password = "long-enough-pass-2026"

// Webhook secrets of the tests: the current one and, during a rotation,
// the next.
const (
	secretOld = "whsec_test_old"
	secretNew = "whsec_test_new"
)

// fakePosting is the ledger as the card part sees it: invoices to read,
// and every post recorded as it came (no deduplication of its own, so a
// test sees a second effect if the webhook let one through).
type fakePosting struct {
	mu       sync.Mutex
	invoices map[string]core.InvoiceFacts // by clinic and id
	paid     []core.CardPayment
	refunded []core.CardRefund
	disputed []core.CardDispute
	// fail, when set, is returned by the next post (then cleared).
	fail error
}

func newFakePosting() *fakePosting { return &fakePosting{invoices: map[string]core.InvoiceFacts{}} }

func (f *fakePosting) put(clinicID string, inv core.InvoiceFacts) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invoices[clinicID+"/"+inv.ID] = inv
}

func (f *fakePosting) InvoiceFacts(_ context.Context, clinicID, id string) (core.InvoiceFacts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inv, ok := f.invoices[clinicID+"/"+id]
	if !ok {
		return core.InvoiceFacts{}, errInvoiceNotFound
	}
	return inv, nil
}

func (f *fakePosting) failing() error {
	err := f.fail
	f.fail = nil
	return err
}

func (f *fakePosting) CardPaid(_ context.Context, _ string, p core.CardPayment) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing(); err != nil {
		return err
	}
	f.paid = append(f.paid, p)
	return nil
}

func (f *fakePosting) CardRefunded(_ context.Context, _ string, r core.CardRefund) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing(); err != nil {
		return err
	}
	f.refunded = append(f.refunded, r)
	return nil
}

func (f *fakePosting) CardDisputed(_ context.Context, _ string, d core.CardDispute) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing(); err != nil {
		return err
	}
	f.disputed = append(f.disputed, d)
	return nil
}

func (f *fakePosting) counts() (paid, refunded, disputed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.paid), len(f.refunded), len(f.disputed)
}

// fakeCards is a processor that answers a new intent per call (as
// stripe-mock does, ignoring idempotency keys), taking a moment as a
// network call does (so racing requests overlap).
type fakeCards struct{ n atomic.Int64 }

func (c *fakeCards) Intent(_ context.Context, in core.IntentInput) (core.Intent, error) {
	time.Sleep(20 * time.Millisecond)
	n := c.n.Add(1)
	return core.Intent{ID: fmt.Sprintf("pi_fake_%d_%s", n, ids.New()), ClientSecret: "pi_fake_secret"}, nil
}

func (c *fakeCards) Retrieve(_ context.Context, id string) (core.Intent, string, error) {
	return core.Intent{ID: id, ClientSecret: "pi_fake_secret"}, "requires_payment_method", nil
}

func (c *fakeCards) Refund(context.Context, string, int64, string) (string, error) {
	return "re_fake_" + ids.New(), nil
}

// env is the auth function and a function serving the card routes and
// the webhook on a fresh database, with a caller per staff role.
type env struct {
	*apitest.Env
	Mongo    *store.Mongo
	Store    *Store
	Post     *fakePosting
	Audit    *audit.Log
	Patients *patients.Store
	Users    *identity.Store
	Clinic   identity.Clinic
	// Webhook is the card function's handler (the webhook's route is on
	// it), for deliveries as Stripe makes them.
	Webhook http.Handler
}

// newEnv builds the harness with processor cards (nil: none configured).
func newEnv(t *testing.T, cards core.Cards) *env {
	t.Helper()
	fe := storetest.NewFunctionEnv(t)
	c := clock.Real{}
	e := &env{Mongo: fe.Mongo(t), Post: newFakePosting()}
	e.Store = NewStore(e.Mongo, c)
	e.Patients, e.Users = patients.NewStore(e.Mongo, c), identity.NewStore(e.Mongo, c)
	auth := apitest.Build(t, fe.Lookup, func(cfg authapp.Config) (*boot.App, error) {
		return authapp.New(cfg, authapp.Options{Options: apitest.Options(c, nil), Publisher: &apitest.Outbox{}})
	})
	type fnConfig struct {
		boot.Config
		Security authz.Config
	}
	app := apitest.Build(t, fe.Lookup, func(cfg fnConfig) (*boot.App, error) {
		g, err := authz.Open(cfg.Config, cfg.Security, cfg, apitest.Options(c, nil))
		if err != nil {
			return nil, err
		}
		e.Audit = g.Audit
		d := core.Deps{Mongo: g.Mongo, Audit: g.Audit, Clock: c, Log: g.Log, Cards: cards,
			Settings: func(context.Context, string) (core.ClinicFacts, error) {
				return core.ClinicFacts{Name: "Clinic A", TimeZone: time.UTC, Currency: "USD"}, nil
			}}
		Routes(g.Routes(), d, e.Post, e.Store)
		WebhookRoutes(g.Routes(), d, e.Post, e.Store, []string{secretOld, secretNew})
		return g.App(), nil
	})
	e.Webhook = app.Handler
	e.Env = apitest.New(t, e.account, auth, app)
	var err error
	if e.Clinic, err = e.Users.CreateClinic(context.Background(), "Clinic A"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) account(tb testing.TB, role string) (string, string) {
	u := e.mustUser(tb, e.Clinic.ID, identity.Role(role), "")
	return u.Email, password
}

func (e *env) mustUser(tb testing.TB, clinicID string, role identity.Role, patientID string) identity.User {
	tb.Helper()
	u, err := e.Users.CreateUser(context.Background(), clinicID, identity.NewUser{
		Email: ids.New() + "@people.example", Password: password, Role: role, FirstName: "Test", LastName: string(role), PatientID: patientID,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// mustPatient stores a patient of the clinic (guarantorID may be "").
func (e *env) mustPatient(t testing.TB, guarantorID string) patients.Patient {
	t.Helper()
	p, err := e.Patients.Create(context.Background(), e.Clinic.ID, patients.Patient{ID: ids.New(), FirstName: "Robin", LastName: "Card",
		DateOfBirth: "1985-04-12", Email: ids.New() + "@mail.example", GuarantorID: guarantorID})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// portal signs in a portal account of patient p.
func (e *env) portal(t testing.TB, p patients.Patient) *apitest.Client {
	t.Helper()
	u := e.mustUser(t, e.Clinic.ID, identity.RolePatient, p.ID)
	return e.Login(t, u.Email, password)
}

// invoice puts an open invoice of patientID (guarantorID) in the fake
// ledger.
func (e *env) invoice(patientID, guarantorID string, balance int64) core.InvoiceFacts {
	inv := core.InvoiceFacts{ID: ids.New(), PatientID: patientID, GuarantorID: guarantorID,
		AmountCents: balance, BalanceCents: balance, Status: core.InvoiceOpen, Version: 1}
	e.Post.put(e.Clinic.ID, inv)
	return inv
}

func intentPath(invoiceID string) string { return "/api/invoices/" + invoiceID + "/payment-intent" }

// deliver posts body to the webhook as Stripe does (no cookie, no Origin),
// signed with header (when not "").
func (e *env) deliver(t testing.TB, body []byte, header string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://clinic.test/api/webhooks/stripe", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if header != "" {
		r.Header.Set("Stripe-Signature", header)
	}
	w := httptest.NewRecorder()
	e.Webhook.ServeHTTP(w, r)
	return w
}

// signed delivers body signed with secret now.
func (e *env) signed(t testing.TB, body []byte, secret string) *httptest.ResponseRecorder {
	t.Helper()
	return e.deliver(t, body, SignatureHeader(secret, body, time.Now()))
}

// mustRecord records an intent of invoice inv as the payment-intent route
// would have.
func (e *env) mustRecord(t testing.TB, inv core.InvoiceFacts) IntentRecord {
	t.Helper()
	rec := IntentRecord{ID: "pi_" + ids.New(), ClinicID: e.Clinic.ID, InvoiceID: inv.ID, PatientID: inv.PatientID,
		AmountCents: inv.BalanceCents, Currency: "USD", Key: IntentKey(e.Clinic.ID, inv), Status: IntentCreated}
	if err := e.Store.Record(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

var errLedgerDown = errors.New("ledger down")
