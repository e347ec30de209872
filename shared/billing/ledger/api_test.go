package ledger_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/billing/billingtest"
	"github.com/topsmile/topsmile/shared/billing/ledger"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

// The money path through the whole billing function: a completed item is
// a charge on the next ledger read, the desk invoices it, takes a payment
// and refunds part of it, and the account balances to the cent; every
// read and write of the account is on the trail with the patient named.
func TestLedgerThroughTheFunction(t *testing.T) {
	e := billingtest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	e.MustCompleted(t, p, billingtest.Item{Code: "FIL-C1", Tooth: "3", Surfaces: []string{"O"}}, billingtest.Item{Code: "PRV-CLN"})
	desk := e.Staff(t, "receptionist")
	var l ledger.Ledger
	desk.MustJSON(t, "GET", "/api/patients/"+p.ID+"/ledger", nil, http.StatusOK, &l)
	if len(l.Items) != 2 || l.BalanceCents != 16000+10500 || l.Aging.Current != l.BalanceCents {
		t.Fatalf("ledger after two completed items: %+v", l)
	}
	desk.MustJSON(t, "GET", "/api/patients/"+p.ID+"/ledger", nil, http.StatusOK, &l)
	if len(l.Items) != 2 {
		t.Fatalf("a second read took the charges again: %d items", len(l.Items))
	}
	var inv ledger.Invoice
	desk.MustJSON(t, "POST", "/api/invoices", map[string]any{"patientId": p.ID}, http.StatusCreated, &inv)
	if inv.AmountCents != 26500 || len(inv.Lines) != 2 || inv.Number == "" || inv.Status != "open" {
		t.Fatalf("invoice %+v", inv)
	}
	var pay ledger.PaymentAnswer
	desk.MustJSON(t, "POST", "/api/patients/"+p.ID+"/payments",
		map[string]any{"amountCents": 30000, "method": "card_terminal", "reference": "term 0042", "invoiceId": inv.ID}, http.StatusCreated, &pay)
	if pay.AppliedCents != 26500 || pay.CreditCents != 3500 || pay.Invoice.Status != "paid" {
		t.Fatalf("payment %+v", pay)
	}
	desk.MustDo(t, "POST", "/api/payments/"+pay.Payment.ID+"/refund", map[string]any{"amountCents": 3500, "reason": "overpaid at the terminal"}, http.StatusCreated)
	desk.MustJSON(t, "GET", "/api/patients/"+p.ID+"/ledger", nil, http.StatusOK, &l)
	if l.BalanceCents != 0 || l.CreditCents != 0 || len(l.Items) != 4 {
		t.Fatalf("ledger after pay and refund: %+v", l)
	}
	r := desk.MustDo(t, "GET", "/api/patients/"+p.ID+"/statement", nil, http.StatusOK)
	if !bytes.HasPrefix([]byte(r.Body), []byte("%PDF-")) {
		t.Fatalf("statement is not a PDF")
	}
	acts := e.Actions(t, e.Clinic.ID, p.ID)
	for _, want := range []string{"ledger.read", "invoice.create", "payment.post", "refund.post", "statement.read"} {
		if !slices.Contains(acts, want) {
			t.Fatalf("trail of the patient lacks %s: %v", want, acts)
		}
	}
	for _, rec := range e.AuditRecords(t, e.Clinic.ID, audit.Filter{PatientID: p.ID}) {
		if bytes.Contains([]byte(rec.Detail), []byte(p.LastName)) {
			t.Fatalf("audit detail names the patient: %q", rec.Detail)
		}
	}
}

// Who may call what: the front desk and admins work the account,
// clinicians do not see it, a patient reads only their own (and, as
// guarantor, their family's) and another clinic's records are 404.
func TestLedgerAccess(t *testing.T) {
	e := billingtest.New(t)
	parent := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	child := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Sam", LastName: "Chart", GuarantorID: parent.ID})
	stranger := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	e.MustCompleted(t, child, billingtest.Item{Code: "PRV-CLN"})
	var inv ledger.Invoice
	e.Staff(t, "receptionist").MustJSON(t, "POST", "/api/invoices", map[string]any{"patientId": child.ID}, http.StatusCreated, &inv)
	other := e.SignIn(t, e.Other.ID, identity.Role("receptionist"), "")
	charge := map[string]any{"code": "PRV-CLN"}
	cases := []struct {
		name   string
		caller *apitest.Client
		method string
		path   string
		body   any
		status int
	}{
		{"admin reads the ledger", e.Staff(t, "admin"), "GET", "/api/patients/" + child.ID + "/ledger", nil, 200},
		{"dentist is refused the ledger", e.Staff(t, "dentist"), "GET", "/api/patients/" + child.ID + "/ledger", nil, 403},
		{"hygienist may not post a charge", e.Staff(t, "hygienist"), "POST", "/api/patients/" + child.ID + "/charges", charge, 403},
		{"receptionist posts a charge", e.Staff(t, "receptionist"), "POST", "/api/patients/" + child.ID + "/charges", charge, 201},
		{"patient may not post a payment", e.PortalOf(t, child), "POST", "/api/patients/" + child.ID + "/payments",
			map[string]any{"amountCents": 100, "method": "cash"}, 403},
		{"patient reads their ledger", e.PortalOf(t, child), "GET", "/api/patients/" + child.ID + "/ledger", nil, 200},
		{"guarantor reads the family ledger", e.PortalOf(t, parent), "GET", "/api/patients/" + child.ID + "/ledger", nil, 200},
		{"guarantor reads the family invoice", e.PortalOf(t, parent), "GET", "/api/invoices/" + inv.ID, nil, 200},
		{"stranger's ledger read is 404", e.PortalOf(t, stranger), "GET", "/api/patients/" + child.ID + "/ledger", nil, 404},
		{"stranger's invoice read is 404", e.PortalOf(t, stranger), "GET", "/api/invoices/" + inv.ID, nil, 404},
		{"stranger's statement is 404", e.PortalOf(t, stranger), "GET", "/api/patients/" + child.ID + "/statement", nil, 404},
		{"other clinic's ledger is 404", other, "GET", "/api/patients/" + child.ID + "/ledger", nil, 404},
		{"other clinic's invoice is 404", other, "GET", "/api/invoices/" + inv.ID, nil, 404},
		{"other clinic cannot invoice the patient", other, "POST", "/api/invoices", map[string]any{"patientId": child.ID}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.caller.MustDo(t, c.method, c.path, c.body, c.status)
		})
	}
	var list struct{ Items []ledger.Invoice }
	e.PortalOf(t, parent).MustJSON(t, "GET", "/api/invoices", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != inv.ID {
		t.Fatalf("guarantor's invoices %+v", list.Items)
	}
	e.PortalOf(t, stranger).MustJSON(t, "GET", "/api/invoices", nil, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Fatalf("stranger's invoices %+v", list.Items)
	}
}

// A desk payment sent twice with one Idempotency-Key (a double click, a
// retry after a timeout) posts once and answers the same; the key reused
// for another amount is 409 and posts nothing; without a key two sends are
// two payments; a malformed key is 400.
func TestDeskPaymentsWithAnIdempotencyKeyPostOnce(t *testing.T) {
	e := billingtest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	e.MustCompleted(t, p, billingtest.Item{Code: "PRV-CLN"})
	desk := e.Staff(t, "receptionist")
	var inv ledger.Invoice
	desk.MustJSON(t, "POST", "/api/invoices", map[string]any{"patientId": p.ID}, http.StatusCreated, &inv)
	path := "/api/patients/" + p.ID + "/payments"
	body := map[string]any{"amountCents": 4000, "method": "cash", "invoiceId": inv.ID}
	first := desk.Do(t, "POST", path, body, ledger.HeaderIdempotencyKey, "desk-7f3a")
	again := desk.Do(t, "POST", path, body, ledger.HeaderIdempotencyKey, "desk-7f3a")
	if first.Status != http.StatusCreated || again.Status != http.StatusOK {
		t.Fatalf("first %d %s, again %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	var a, b ledger.PaymentAnswer
	first.Decode(t, &a)
	again.Decode(t, &b)
	if a.Payment.ID != b.Payment.ID || a.AppliedCents != 4000 || b.AppliedCents != 4000 || b.Invoice.PaidCents != 4000 {
		t.Fatalf("answers differ: %+v vs %+v", a, b)
	}
	other := map[string]any{"amountCents": 5000, "method": "cash", "invoiceId": inv.ID}
	for key, want := range map[string]int{"desk-7f3a": http.StatusConflict, "has space": http.StatusBadRequest} {
		if r := desk.Do(t, "POST", path, other, ledger.HeaderIdempotencyKey, key); r.Status != want {
			t.Fatalf("key %q for another payment: %d %s, want %d", key, r.Status, r.Body, want)
		}
	}
	desk.MustDo(t, "POST", path, map[string]any{"amountCents": 100, "method": "cash"}, http.StatusCreated)
	desk.MustDo(t, "POST", path, map[string]any{"amountCents": 100, "method": "cash"}, http.StatusCreated)
	var l ledger.Ledger
	desk.MustJSON(t, "GET", "/api/patients/"+p.ID+"/ledger", nil, http.StatusOK, &l)
	if len(l.Items) != 4 || l.BalanceCents != 10500-4000-200 {
		t.Fatalf("ledger: %d items, balance %d", len(l.Items), l.BalanceCents)
	}
}
