package localstack_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store"
)

// Issue 16, item 14: the demo seed started tomorrow, so "today" was empty
// on make dev, and one patient had three new-patient exams in a day. It
// now books today too, the earlier visits checked in or completed, visit
// types with the providers that take them, each patient new once.
func TestSeedBooksTodayAsTheDayHasGone(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	// A Wednesday in the practice's zone, at three points of the day.
	tests := []struct {
		name string
		at   time.Time
		want []scheduling.Status // today has some of each
	}{
		{"midday", time.Date(2026, 12, 2, 12, 30, 0, 0, ny), []scheduling.Status{scheduling.CheckedIn, scheduling.Completed, scheduling.Scheduled}},
		{"after closing", time.Date(2026, 12, 2, 20, 0, 0, 0, ny), []scheduling.Status{scheduling.CheckedIn, scheduling.Completed}},
		{"before opening", time.Date(2026, 12, 2, 6, 0, 0, 0, ny), []scheduling.Status{scheduling.CheckedIn, scheduling.Scheduled}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkSeed(t, tc.at, tc.want)
		})
	}
}

func checkSeed(t *testing.T, now time.Time, want []scheduling.Status) {
	deps := newDeps(t)
	ny := now.Location()
	deps.Clock = clock.NewFake(now)
	ctx := context.Background()
	if err := localstack.Bootstrap(ctx, deps, localstack.BootstrapOptions{Seed: true, Out: io.Discard}); err != nil {
		t.Fatal(err)
	}
	clinic, err := identity.NewStore(deps.Mongo, deps.Clock).FirstClinic(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := wire.Scheduling(deps.Mongo, deps.Redis, deps.Clock, nil, "")
	cat, err := st.Catalog(ctx, clinic.ID)
	if err != nil {
		t.Fatal(err)
	}
	kindOf, typeOf := map[string]string{}, map[string]scheduling.AppointmentType{}
	for _, p := range cat.Providers {
		kindOf[p.ID] = p.Kind
	}
	for _, ty := range cat.Types {
		typeOf[ty.ID] = ty
		if len(ty.ProviderKinds) == 0 {
			t.Errorf("type %s names no provider kinds", ty.Name)
		}
	}
	day := func(offset int) []scheduling.Appointment {
		t.Helper()
		from := time.Date(2026, 12, 2+offset, 0, 0, 0, 0, ny)
		var all []scheduling.Appointment
		page := store.PageRequest{Limit: 100}
		for {
			got, err := st.List(ctx, clinic.ID, scheduling.ListFilter{From: from, To: from.AddDate(0, 0, 1)}, page)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, got.Items...)
			if got.NextCursor == nil {
				return all
			}
			page.Cursor = *got.NextCursor
		}
	}
	byStatus := map[scheduling.Status]int{}
	for _, a := range day(0) {
		byStatus[a.Status]++
		switch {
		case a.Status == scheduling.Completed && a.End.After(now):
			t.Errorf("completed before its end: %+v", a)
		case a.Status == scheduling.CheckedIn && (a.History[len(a.History)-1].At.After(a.Start) || a.History[len(a.History)-1].At.After(now)):
			t.Errorf("checked in after its start or in the future: %+v", a.History)
		case a.Status == scheduling.Scheduled && !a.Start.After(now):
			t.Errorf("started but not checked in: %+v", a)
		}
	}
	for _, s := range want {
		if byStatus[s] == 0 {
			t.Fatalf("today's appointments by status %v: want some %s", byStatus, s)
		}
	}
	t.Logf("today by status: %v", byStatus)
	newPatient := map[string]int{}
	total := 0
	for offset := 0; offset <= 7; offset++ {
		for _, a := range day(offset) {
			total++
			ty := typeOf[a.TypeID]
			if len(ty.ProviderKinds) > 0 && ty.ProviderKinds[0] != kindOf[a.ProviderID] {
				t.Errorf("a %s with a %s", ty.Name, kindOf[a.ProviderID])
			}
			if ty.Name == "New patient exam" {
				newPatient[a.PatientID]++
			}
		}
	}
	for id, n := range newPatient {
		if n > 1 {
			t.Errorf("patient %s has %d new-patient exams", id, n)
		}
	}
	t.Logf("%d appointments, %d new patients", total, len(newPatient))
	if total < 50 {
		t.Fatalf("%d appointments seeded over today and the week after, want a full-looking week", total)
	}

	// The four weeks before: visits ended as visits do, none sharing a
	// chair at once, none in the future.
	past := map[scheduling.Status]int{}
	var taken []scheduling.Appointment
	for offset := -30; offset < 0; offset++ {
		for _, a := range day(offset) {
			past[a.Status]++
			if a.End.After(now) || a.History[0].At.After(a.Start) || a.Version != len(a.History) {
				t.Errorf("a past visit out of time or with a broken history: %+v", a)
			}
			for _, b := range taken {
				if b.OperatoryID == a.OperatoryID && a.Start.Before(b.End) && b.Start.Before(a.End) {
					t.Errorf("chair %s double-booked: %s and %s", a.OperatoryID, a.ID, b.ID)
				}
			}
			taken = append(taken, a)
		}
	}
	t.Logf("the past 30 days by status: %v", past)
	if past[scheduling.Completed] < 100 || past[scheduling.NoShow] == 0 || past[scheduling.Cancelled] == 0 || past[scheduling.Scheduled] != 0 {
		t.Errorf("the past 30 days by status %v: want a month of completed visits with some no-shows and late cancellations", past)
	}
}
