package billingtest_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/billing/billingtest"
	"github.com/topsmile/topsmile/shared/patients"
)

// The harness's completed item is a pending charge event of the patient,
// at the fee schedule's price: what the ledger takes.
func TestCompletedItemsPostPendingCharges(t *testing.T) {
	e := billingtest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	e.MustCompleted(t, p, billingtest.Item{Code: "FIL-C1", Tooth: "3", Surfaces: []string{"O"}}, billingtest.Item{Code: "PRV-CLN"})
	docs := e.RawDocs(t, "charge_events", bson.D{{Key: "patientId", Value: p.ID}})
	if len(docs) != 2 {
		t.Fatalf("%d charge events, want 2", len(docs))
	}
	total := int64(0)
	for _, d := range docs {
		if d.Lookup("status").StringValue() != "pending" {
			t.Fatalf("event %s is %s", d.Lookup("_id"), d.Lookup("status"))
		}
		total += d.Lookup("amountCents").Int64()
	}
	if total != 16000+10500 {
		t.Fatalf("charged %d cents, want %d", total, 16000+10500)
	}
}
