package localstack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/billing/cards/cardstest"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
)

// withStripeMock is env with the card processor pointed at a stripe-mock of
// the test's own, so the pay route of an allowed caller answers an intent
// rather than 503 "not configured".
func withStripeMock(t *testing.T, env config.Lookup) config.Lookup {
	t.Helper()
	base := cardstest.StripeMock(t)
	return func(key string) (string, bool) {
		switch key {
		case "STRIPE_SECRET_KEY":
			return cardstest.SecretKey, true
		case "STRIPE_API_BASE":
			return base, true
		}
		return env(key)
	}
}

// isBillingRoute reports whether path names a billing resource of its own
// (the patient's billing routes go through the patients fixture, the
// estimate through the treatment plans').
func isBillingRoute(path string) bool {
	for _, prefix := range []string{"/api/insurance/plans/{id}", "/api/coverage/{id}", "/api/invoices/{id}", "/api/payments/{id}"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// billingTarget fills a billing route's {id} with a real resource of
// clinic, made through the API by that clinic's staff: an insurance plan, a
// coverage, an invoice, or a cash payment (for the refund route). The
// invoice the read and pay routes name is of the caller's own patient
// record when the caller is a patient of that clinic, so a patient allowed
// on the route reaches the handler with their own invoice.
func (m *matrix) billingTarget(path string, caller identity.User, clinic string) string {
	m.t.Helper()
	desk := m.mint(m.staffOf(clinic, identity.RoleReceptionist))
	var id string
	switch {
	case strings.HasPrefix(path, "/api/insurance/plans/{id}"):
		id = m.insurancePlan(&desk)
	case strings.HasPrefix(path, "/api/coverage/{id}"):
		// A staff route: any patient of the clinic's will do (one active
		// primary each, so a fresh one per cell).
		id = m.create(&desk, "/api/patients/"+m.patient(clinic)+"/coverage", map[string]any{
			"planId": m.insurancePlan(&desk), "priority": "primary", "relationship": "self", "memberId": "MTX-" + ids.New()[18:],
			"subscriber":    map[string]any{"name": "Pat Matrix", "dateOfBirth": "1980-01-01"},
			"effectiveDate": time.Now().AddDate(-1, 0, 0).Format(time.DateOnly),
		})["id"].(string)
	case strings.HasPrefix(path, "/api/invoices/{id}/void"):
		// Voiding changes the invoice: a fresh one per cell, of a charge
		// the desk posts to a patient of its own (a staff route).
		patientID := m.patient(clinic)
		m.create(&desk, "/api/patients/"+patientID+"/charges", map[string]any{"code": m.feeCode(clinic)})
		id = m.create(&desk, "/api/invoices", map[string]any{"patientId": patientID})["id"].(string)
	case strings.HasPrefix(path, "/api/invoices/{id}"):
		id = m.sharedInvoice(caller, clinic)
	case strings.HasPrefix(path, "/api/payments/{id}"):
		paid := m.create(&desk, "/api/patients/"+m.patient(clinic)+"/payments", map[string]any{"amountCents": 1000, "method": "cash"})
		id = paid["payment"].(map[string]any)["id"].(string)
	}
	return strings.Replace(path, "{id}", id, 1)
}

// fixtureInvoices are the invoices the read and pay routes' cells share,
// one per clinic and patient (those routes leave the invoice as it is: a
// repeated pay click reuses its intent), and fixturePatients each clinic's
// patient whose invoice staff callers are given.
var fixtureInvoices, fixturePatients = map[string]string{}, map[string]string{}

// sharedInvoice is an open invoice of clinic: the caller's own when the
// caller is a patient of that clinic. It is made once, the way the practice
// bills treatment: a dentist plans an item, presents the plan, the desk
// records the patient's acceptance, the dentist completes the item
// (clinical posts its charge, which the ledger takes) and the desk
// invoices it.
func (m *matrix) sharedInvoice(caller identity.User, clinic string) string {
	m.t.Helper()
	patientID, ok := fixturePatients[clinic]
	if !ok {
		patientID = m.patient(clinic)
		fixturePatients[clinic] = patientID
	}
	if caller.PatientID != "" && caller.ClinicID == clinic {
		patientID = caller.PatientID
	}
	if id, ok := fixtureInvoices[clinic+"/"+patientID]; ok {
		return id
	}
	dentist := m.mint(m.staffOf(clinic, identity.RoleDentist))
	desk := m.mint(m.staffOf(clinic, identity.RoleReceptionist))
	plan := m.create(&dentist, "/api/patients/"+patientID+"/treatment-plans", map[string]any{"title": "Matrix plan",
		"items": []any{map[string]any{"code": m.feeCode(clinic)}}})
	planID := plan["id"].(string)
	item := plan["items"].([]any)[0].(map[string]any)["id"].(string)
	m.create(&dentist, "/api/treatment-plans/"+planID+"/present", map[string]any{})
	m.create(&desk, "/api/treatment-plans/"+planID+"/accept", map[string]any{"signature": "Pat Matrix"})
	m.create(&dentist, "/api/treatment-plans/"+planID+"/items/"+item+"/complete", map[string]any{})
	id := m.create(&desk, "/api/invoices", map[string]any{"patientId": patientID})["id"].(string)
	fixtureInvoices[clinic+"/"+patientID] = id
	return id
}

// insurancePlan creates an insurance plan as c and returns its id.
func (m *matrix) insurancePlan(c *creds) string {
	m.t.Helper()
	return m.create(c, "/api/insurance/plans", map[string]any{
		"carrier": map[string]any{"name": "Matrix Mutual"}, "name": "Matrix PPO", "benefitYearStartMonth": 1,
		"coverage": map[string]any{"diagnostic": 100, "preventive": 100, "basic": 80, "major": 50},
	})["id"].(string)
}

// fixtureCodes is the procedure code each clinic's billing fixtures are
// planned with, made once per clinic.
var fixtureCodes = map[string]string{}

func (m *matrix) feeCode(clinic string) string {
	m.t.Helper()
	if code, ok := fixtureCodes[clinic]; ok {
		return code
	}
	admin := m.mint(m.staffOf(clinic, identity.RoleAdmin))
	code := "MB-" + strings.ToUpper(ids.New()[16:])
	m.create(&admin, "/api/procedure-codes", map[string]any{"code": code, "description": "Matrix cleaning", "category": "preventive", "feeCents": 9000})
	fixtureCodes[clinic] = code
	return code
}
