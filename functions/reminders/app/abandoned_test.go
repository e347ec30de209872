package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// The minute sweep fails a booking its request left pending (the request
// died before its last write), as the deployed function runs it.
func TestSweepFailsAbandonedBookings(t *testing.T) {
	e := newEnv(t, ny(t, "2026-12-08 12:00"), false)
	ctx := context.Background()
	at := e.Clock.Now()
	a := scheduling.Appointment{ID: ids.New(), PatientID: ids.New(), ProviderID: ids.New(), OperatoryID: ids.New(), Start: at.Add(24 * time.Hour),
		End: at.Add(25 * time.Hour), Status: scheduling.Pending, Source: "staff", History: []scheduling.Change{},
		CreatedAt: at.Add(-time.Hour), UpdatedAt: at.Add(-time.Hour)}
	if err := e.Mongo.Collection("appointments").InsertOne(ctx, e.Clinic.ID, a); err != nil {
		t.Fatal(err)
	}
	if res := e.job(t, `{"job":"sweep"}`); res.Abandoned != 1 {
		t.Fatalf("sweep: %+v", res)
	}
	var got scheduling.Appointment
	if err := e.Mongo.Collection("appointments").Get(ctx, e.Clinic.ID, a.ID, &got); err != nil || got.Status != scheduling.Failed {
		t.Fatalf("%v: %s", err, got.Status)
	}
}
