package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// testEnv is a Book on a fresh database with hand-written fakes for what
// billing reads of other groups, and the routes served without the guard
// (the caller is put in the request's context as the guard would).
type testEnv struct {
	clinic   string
	clock    *clock.Fake
	mongo    *store.Mongo
	audit    *audit.Log
	book     *Book
	deps     core.Deps
	feed     *fakeFeed
	cards    *fakeCards
	zone     *time.Location
	mu       sync.Mutex
	patients map[string]core.PatientFacts
	handler  http.Handler
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	fe := storetest.NewFunctionEnv(t)
	var ac audit.Config
	if err := config.LoadFrom(fe.Lookup, &ac); err != nil {
		t.Fatal(err)
	}
	keys, err := audit.NewKeys(ac)
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{clinic: ids.New(), clock: clock.NewFake(time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)), mongo: fe.Mongo(t),
		feed: &fakeFeed{taken: map[string]bool{}}, cards: &fakeCards{}, zone: time.UTC, patients: map[string]core.PatientFacts{}}
	e.audit = audit.New(e.mongo, e.clock, keys)
	e.deps = core.Deps{Mongo: e.mongo, Audit: e.audit, Clock: e.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Patients: e.patient, Settings: e.settings, Codes: codes, Charges: e.feed, Cards: e.cards}
	e.book = NewBook(e.deps)
	e.handler = e.routes(e.deps)
	return e
}

// routes serves Routes(d) with every policy public: the guard's checks
// are the policy table's (tested with it); these tests pin the handlers'.
func (e *testEnv) routes(d core.Deps) http.Handler {
	open := map[string]authz.Rule{}
	for pattern := range authz.Policies {
		open[pattern] = authz.Rule{Public: true}
	}
	rt := httpapi.NewRouter(d.Log)
	Routes((&authz.Guard{Policies: open}).Router(rt), d, NewBook(d))
	return rt
}

func (e *testEnv) patient(_ context.Context, clinicID, id string) (core.PatientFacts, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.patients[id]
	if !ok || clinicID != e.clinic {
		return core.PatientFacts{}, errs.E(errs.NotFound, "patient not found")
	}
	return p, nil
}

func (e *testEnv) settings(_ context.Context, clinicID string) (core.ClinicFacts, error) {
	return core.ClinicFacts{Name: "Bright Smiles Dental", TimeZone: e.zone, Currency: "USD"}, nil
}

var schedule = map[string]core.Code{
	"CLN-AD": {Code: "CLN-AD", Description: "Adult cleaning", Category: "preventive", FeeCents: 12000},
	"FIL-1":  {Code: "FIL-1", Description: "Composite filling, one surface", Category: "basic", FeeCents: 18500},
	"CRN":    {Code: "CRN", Description: "Crown", Category: "major", FeeCents: 110000},
}

func codes(_ context.Context, _ string, code string) (core.Code, error) {
	c, ok := schedule[code]
	if !ok {
		return core.Code{}, errs.E(errs.NotFound, "unknown code")
	}
	return c, nil
}

// mustPatient adds a patient (guarantor may be "").
func (e *testEnv) mustPatient(guarantor string) core.PatientFacts {
	p := core.PatientFacts{ID: ids.New(), FirstName: "Robin", LastName: "Ledger", DateOfBirth: "1980-01-02", GuarantorID: guarantor}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.patients[p.ID] = p
	return p
}

func staff(e *testEnv) authz.Principal {
	return authz.Principal{UserID: ids.New(), Role: authz.Receptionist, ClinicID: e.clinic}
}

func portal(e *testEnv, patientID string) authz.Principal {
	return authz.Principal{UserID: ids.New(), Role: authz.Patient, ClinicID: e.clinic, PatientID: patientID}
}

// do sends a request as p and answers its status and body; out (when not
// nil) receives the decoded body of a 2xx.
func (e *testEnv) do(t testing.TB, p authz.Principal, method, path string, body any, out any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r = r.WithContext(authz.WithPrincipal(r.Context(), p))
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	if out != nil && w.Code < 300 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, w.Body.String(), err)
		}
	}
	return w.Code, w.Body.Bytes()
}

// must is do that fails the test unless the status is want.
func (e *testEnv) must(t testing.TB, want int, p authz.Principal, method, path string, body, out any) []byte {
	t.Helper()
	code, raw := e.do(t, p, method, path, body, out)
	if code != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, code, want, raw)
	}
	return raw
}

func (e *testEnv) ledger(t testing.TB, patientID string) Ledger {
	t.Helper()
	var l Ledger
	e.must(t, 200, staff(e), "GET", "/api/patients/"+patientID+"/ledger", nil, &l)
	return l
}

// charge posts a charge of code at amount (0: the fee) now.
func (e *testEnv) charge(t testing.TB, patientID, code string, amount int64) Entry {
	t.Helper()
	in := map[string]any{"code": code}
	if amount > 0 {
		in["amountCents"] = amount
	}
	var out Entry
	e.must(t, 201, staff(e), "POST", "/api/patients/"+patientID+"/charges", in, &out)
	return out
}

func (e *testEnv) invoiceOf(t testing.TB, patientID string) Invoice {
	t.Helper()
	var inv Invoice
	e.must(t, 201, staff(e), "POST", "/api/invoices", map[string]any{"patientId": patientID}, &inv)
	return inv
}

// fakeFeed is clinical's charge feed: events posted by tests, taken once.
type fakeFeed struct {
	mu        sync.Mutex
	events    []core.ChargeEvent
	taken     map[string]bool
	failTaken int // Taken fails this many times first
}

func (f *fakeFeed) add(ev core.ChargeEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
}

func (f *fakeFeed) Pending(_ context.Context, _, patientID string) ([]core.ChargeEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []core.ChargeEvent
	for _, ev := range f.events {
		if ev.PatientID == patientID && !f.taken[ev.ID] {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (f *fakeFeed) Taken(_ context.Context, _, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failTaken > 0 {
		f.failTaken--
		return errs.E(errs.Unavailable, "clinical store down")
	}
	f.taken[id] = true
	return nil
}

// fakeCards is the processor: each refund call answers a refund id, the
// same one for a repeated idempotency key (as Stripe does).
type fakeCards struct {
	mu      sync.Mutex
	refunds map[string]string
	calls   int
}

func (c *fakeCards) Intent(context.Context, core.IntentInput) (core.Intent, error) {
	return core.Intent{}, errors.New("not used")
}

func (c *fakeCards) Refund(_ context.Context, intent string, amount int64, key string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refunds == nil {
		c.refunds = map[string]string{}
	}
	c.calls++
	if id, ok := c.refunds[key]; ok {
		return id, nil
	}
	id := "re_" + strconv.Itoa(len(c.refunds)+1) + "_" + intent
	c.refunds[key] = id
	return id, nil
}
