package app_test

import (
	"context"
	"testing"
	"time"

	adminapp "github.com/topsmile/topsmile/functions/admin/app"
	authapp "github.com/topsmile/topsmile/functions/auth/app"
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/reports"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

const password = "long-enough-pass-2026"

// counting passes a Source through, counting the appointment batches and
// the largest.
type counting struct {
	reports.Source
	batches, largest int
}

func (c *counting) Appointments(ctx context.Context, clinicID string, from, to time.Time, n int, each func([]reports.Appointment) error) error {
	return c.Source.Appointments(ctx, clinicID, from, to, n, func(list []reports.Appointment) error {
		c.batches++
		c.largest = max(c.largest, len(list))
		return each(list)
	})
}

// The reports over the real stores (FerretDB, Redis) through the admin
// function as it is built: a New York clinic (the default zone), 120
// appointments on one day, a patient's ledger and a completed procedure.
func TestReportsOverTheStores(t *testing.T) {
	ctx := context.Background()
	// 2026-03-20 12:00Z = 08:00 EDT.
	clk := clock.NewFake(time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	fe := storetest.NewFunctionEnv(t)
	m := fe.Mongo(t)
	users := identity.NewStore(m, clk)
	clinic, err := users.CreateClinic(ctx, "Riverside")
	if err != nil {
		t.Fatal(err)
	}
	sched := wire.Scheduling(m, storetest.NewRedis(t), clk, nil, "")
	chair, err := sched.CreateOperatory(ctx, clinic.ID, "Op 1")
	if err != nil {
		t.Fatal(err)
	}
	// 120 appointments of 10 minutes on Monday 2026-03-09 from 08:00 EDT
	// (12:00Z): i%5 == 0 a no-show, else i%7 == 0 cancelled late, the
	// others completed.
	var docs []any
	noShows, late := 0, 0
	for i := range 120 {
		start := time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * 5 * time.Minute)
		a := scheduling.Appointment{ID: ids.New(), PatientID: ids.New(), ProviderID: "p", OperatoryID: chair.ID, Start: start, End: start.Add(10 * time.Minute),
			Status: scheduling.Completed, Source: "staff", History: []scheduling.Change{}, CreatedAt: start, UpdatedAt: start}
		switch {
		case i%5 == 0:
			a.Status = scheduling.NoShow
			noShows++
		case i%7 == 0:
			a.Status, a.LateCancel = scheduling.Cancelled, true
			late++
		}
		docs = append(docs, a)
	}
	if err := m.Collection("appointments").InsertMany(ctx, clinic.ID, docs); err != nil {
		t.Fatal(err)
	}
	// noShows: i = 0, 5, …, 115 → 24. late: multiples of 7 below 120 that
	// are not multiples of 5 (7 … 119: 17 of them, less 35, 70, 105) → 14.
	if noShows != 24 || late != 14 {
		t.Fatalf("fixture: %d no-shows, %d late", noShows, late)
	}

	t.Run("batches", func(t *testing.T) {
		src := &counting{Source: adminapp.ReportSource(m, sched, clk)}
		s := &reports.Service{Source: src, Now: clk.Now, Batch: 25}
		rep, err := s.Run(ctx, clinic.ID, "appointments", reports.Period{From: "2026-03-09", To: "2026-03-09"})
		if err != nil {
			t.Fatal(err)
		}
		// 120 read 25 at a time: 5 batches, none over 25.
		if src.batches != 5 || src.largest > 25 {
			t.Errorf("%d batches, largest %d; want 5 of at most 25", src.batches, src.largest)
		}
		// booked 120, completed 120 - 24 - 14 = 82.
		if got := rep.Rows[0][1:6]; got[0] != int64(120) || got[1] != int64(82) || got[2] != int64(24) || got[4] != int64(14) {
			t.Errorf("row %v", rep.Rows[0])
		}
	})

	// A patient's ledger: a charge of 100.00 on 2026-01-05 (74 days
	// before 03-20: 26 in January, 28 in February, 20 in March), a payment
	// of 30.00 on 03-01 and a charge of 50.00 on 03-15 (5 days). The
	// payment pays the oldest first: 70.00 is 61-90 days old, 50.00 0-30.
	pat, err := patients.NewStore(m, clk).Create(ctx, clinic.ID, patients.Patient{ID: ids.New(), FirstName: "Ann", LastName: "Lee", DateOfBirth: "1980-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	entry := func(kind string, cents int64, when string) any {
		amount := max(cents, -cents)
		return map[string]any{"_id": ids.New(), "patientId": pat.ID, "kind": kind, "amountCents": amount, "effectCents": cents, "at": at(when), "postedAt": at(when)}
	}
	if err := m.Collection("ledger_entries").InsertMany(ctx, clinic.ID, []any{
		entry("charge", 10000, "2026-01-05T15:00:00Z"), entry("patient_payment", -3000, "2026-03-01T15:00:00Z"), entry("charge", 5000, "2026-03-15T15:00:00Z"),
	}); err != nil {
		t.Fatal(err)
	}
	// A completed procedure on 03-09 (a code the fee schedule lacks).
	if err := m.Collection("charge_events").InsertOne(ctx, clinic.ID, map[string]any{"_id": ids.New(), "patientId": pat.ID, "planId": "pl", "itemId": "it",
		"code": "D1110", "amountCents": int64(12000), "providerId": "p", "at": at("2026-03-09T15:00:00Z"), "status": "taken"}); err != nil {
		t.Fatal(err)
	}

	opts := apitest.Options(clk, nil)
	env := apitest.New(t, func(tb testing.TB, role string) (string, string) {
		u, err := users.CreateUser(ctx, clinic.ID, identity.NewUser{Email: ids.New() + "@staff.example", Password: password, Role: identity.Role(role), FirstName: "T", LastName: role})
		if err != nil {
			tb.Fatal(err)
		}
		return u.Email, password
	}, apitest.Build(t, fe.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	}), apitest.Build(t, fe.Lookup, func(c adminapp.Config) (*boot.App, error) {
		return adminapp.New(c, adminapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	}))

	env.Run(t, []apitest.Case{
		{Name: "appointments", As: "dentist", Method: "GET", Path: "/api/reports/appointments?from=2026-03-08&to=2026-03-09", Status: 200,
			Want: map[string]any{"rows": []any{
				map[string]any{"date": "2026-03-08", "booked": 0, "completionRate": nil},
				// 82/120 = 0.6833, 24/120 = 0.2, 14/120 = 0.1167.
				map[string]any{"date": "2026-03-09", "booked": 120, "completed": 82, "noShows": 24, "lateCancels": 14,
					"completionRate": 0.6833, "noShowRate": 0.2, "lateCancelRate": 0.1167},
			}}},
		{Name: "ar-aging", As: "admin", Method: "GET", Path: "/api/reports/ar-aging", Status: 200,
			Want: map[string]any{"rows": []any{map[string]any{"patientId": pat.ID, "patient": "Ann Lee", "0-30": 5000, "31-60": 0, "61-90": 7000, "90+": 0, "totalCents": 12000}},
				"totals": map[string]any{"totalCents": 12000, "patients": 1}}},
		{Name: "production", As: "admin", Method: "GET", Path: "/api/reports/production?from=2026-03-01&to=2026-03-31", Status: 200,
			Want: map[string]any{"rows": []any{map[string]any{"providerId": "p", "category": "uncategorised", "procedures": 1, "amountCents": 12000}},
				"totals": map[string]any{"amountCents": 12000}}},
		{Name: "production-daily", As: "admin", Method: "GET", Path: "/api/reports/production-daily?from=2026-03-08&to=2026-03-09", Status: 200,
			Want: map[string]any{"rows": []any{map[string]any{"date": "2026-03-08", "amountCents": 0}, map[string]any{"date": "2026-03-09", "procedures": 1, "amountCents": 12000}},
				"totals": map[string]any{"amountCents": 12000}}},
		// Ann Lee was created now: 2026-03-20 08:00 EDT.
		{Name: "new-patients", As: "dentist", Method: "GET", Path: "/api/reports/new-patients?from=2026-03-19&to=2026-03-20", Status: 200,
			Want: map[string]any{"rows": []any{map[string]any{"date": "2026-03-19", "newPatients": 0}, map[string]any{"date": "2026-03-20", "newPatients": 1}},
				"totals": map[string]any{"newPatients": 1}}},
		{Name: "the front desk may not", As: "receptionist", Method: "GET", Path: "/api/reports/production?from=2026-03-01&to=2026-03-31", Status: 403},
		{Name: "no period", As: "admin", Method: "GET", Path: "/api/reports/appointments", Status: 400, Want: apitest.Error("invalid", "from", "to")},
		{Name: "over 366 days", As: "admin", Method: "GET", Path: "/api/reports/utilization?from=2025-01-01&to=2026-03-01", Status: 400, Want: apitest.Error("invalid", "to")},
		{Name: "no such report", As: "admin", Method: "GET", Path: "/api/reports/payroll?from=2026-03-01&to=2026-03-02", Status: 404},
	})

	t.Run("csv", func(t *testing.T) {
		r := env.Caller(t, "admin").Do(t, "GET", "/api/reports/appointments?from=2026-03-08&to=2026-03-09", nil, "Accept", "text/csv")
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="appointments-2026-03-08-2026-03-09.csv"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		want := "date,booked,completed,noShows,cancelled,lateCancels,completionRate,noShowRate,lateCancelRate\r\n" +
			"2026-03-08,0,0,0,0,0,,,\r\n" +
			"2026-03-09,120,82,24,14,14,0.6833,0.2,0.1167\r\n"
		if string(r.Body) != want {
			t.Errorf("csv:\n%q\nwant\n%q", r.Body, want)
		}
	})
}
