package scheduling_test

import (
	"context"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// A booking whose request died before its last write (the database gone,
// the process killed) stays pending; the sweep fails it once it is older
// than any request could be, in every clinic, and leaves a booking still
// under way, and every other status, alone.
func TestAbandonedBookingsAreFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	m := e.fe.Mongo(t)
	other, err := e.users.CreateClinic(ctx, "Hillside")
	if err != nil {
		t.Fatal(err)
	}
	start := e.clock.Now().Add(48 * time.Hour)
	put := func(clinicID string, status scheduling.Status, age time.Duration) string {
		t.Helper()
		a := scheduling.Appointment{ID: ids.New(), PatientID: ids.New(), ProviderID: e.dentist.ID, OperatoryID: e.chair1.ID,
			Start: start, End: start.Add(30 * time.Minute), Status: status, Source: "staff", History: []scheduling.Change{},
			CreatedAt: e.clock.Now().Add(-age), UpdatedAt: e.clock.Now().Add(-age)}
		start = start.Add(time.Hour)
		if err := m.Collection("appointments").InsertOne(ctx, clinicID, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	dead := put(e.clinic.ID, scheduling.Pending, 10*time.Minute)
	deadThere := put(other.ID, scheduling.Pending, time.Hour)
	running := put(e.clinic.ID, scheduling.Pending, 20*time.Second)
	booked := put(e.clinic.ID, scheduling.Scheduled, time.Hour)

	n, err := e.st.FailAbandoned(ctx)
	if err != nil || n != 2 {
		t.Fatalf("failed %d: %v", n, err)
	}
	want := map[string]scheduling.Status{dead: scheduling.Failed, deadThere: scheduling.Failed, running: scheduling.Pending, booked: scheduling.Scheduled}
	for id, status := range want {
		clinicID := e.clinic.ID
		if id == deadThere {
			clinicID = other.ID
		}
		var got scheduling.Appointment
		if err := m.Collection("appointments").Get(ctx, clinicID, id, &got); err != nil {
			t.Fatal(err)
		}
		if got.Status != status {
			t.Errorf("%s: %s, want %s", id, got.Status, status)
		}
	}
	if n, err := e.st.FailAbandoned(ctx); err != nil || n != 0 {
		t.Errorf("a second sweep failed %d more: %v", n, err)
	}
}
