package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/reports"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

// fakeSource is a hand-written Source over fixture lists: it honours the
// ranges and the batch size as the adapters do, and counts batches.
type fakeSource struct {
	cat          reports.Catalog
	appointments []reports.Appointment
	procedures   []reports.Procedure
	balances     []reports.Balance
	recalls      []reports.Recall
	newPatients  []reports.NewPatient
	batches      int
}

func (f *fakeSource) Catalog(context.Context, string) (reports.Catalog, error) { return f.cat, nil }

func batched[T any](f *fakeSource, list []T, n int, each func([]T) error) error {
	for len(list) > 0 {
		k := min(n, len(list))
		f.batches++
		if err := each(list[:k]); err != nil {
			return err
		}
		list = list[k:]
	}
	return nil
}

func (f *fakeSource) Appointments(_ context.Context, _ string, from, to time.Time, n int, each func([]reports.Appointment) error) error {
	var in []reports.Appointment
	for _, a := range f.appointments {
		if !a.Start.Before(from) && (to.IsZero() || a.Start.Before(to)) {
			in = append(in, a)
		}
	}
	return batched(f, in, n, each)
}

func (f *fakeSource) Procedures(_ context.Context, _ string, from, to time.Time, n int, each func([]reports.Procedure) error) error {
	var in []reports.Procedure
	for _, p := range f.procedures {
		if !p.At.Before(from) && p.At.Before(to) {
			in = append(in, p)
		}
	}
	return batched(f, in, n, each)
}

func (f *fakeSource) Balances(_ context.Context, _ string, _ time.Time, n int, each func([]reports.Balance) error) error {
	return batched(f, f.balances, n, each)
}

func (f *fakeSource) Recalls(_ context.Context, _ string, dueFrom, dueBy string, n int, each func([]reports.Recall) error) error {
	var in []reports.Recall
	for _, r := range f.recalls {
		if r.DueDate >= dueFrom && r.DueDate <= dueBy {
			in = append(in, r)
		}
	}
	return batched(f, in, n, each)
}

func (f *fakeSource) NewPatients(_ context.Context, _ string, from, to time.Time, n int, each func([]reports.NewPatient) error) error {
	var in []reports.NewPatient
	for _, p := range f.newPatients {
		if !p.CreatedAt.Before(from) && p.CreatedAt.Before(to) {
			in = append(in, p)
		}
	}
	return batched(f, in, n, each)
}

var ny = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// provider works hours in chairs, read by the scheduling engine (DST-exact).
func provider(id, name string, active bool, chairs []string, hours avail.WeeklyHours) reports.Provider {
	ap := avail.Provider{ID: id, Hours: hours}
	return reports.Provider{ID: id, Name: name, Active: active, Chairs: chairs, Working: func(from, to time.Time) []reports.Interval {
		var out []reports.Interval
		for _, iv := range avail.Working(ap, from, to, ny) {
			out = append(out, reports.Interval{Start: iv.Start, End: iv.End})
		}
		return out
	}}
}

// decoded is a report as a client reads its JSON.
type decoded struct {
	Rows   []map[string]any `json:"rows"`
	Totals map[string]any   `json:"totals"`
}

func run(t *testing.T, src *fakeSource, now time.Time, name, from, to string) (decoded, reports.Report) {
	t.Helper()
	s := &reports.Service{Source: src, Now: func() time.Time { return now }, Batch: 2}
	rep, err := s.Run(context.Background(), "clinic", name, reports.Period{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var d decoded
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return d, rep
}

func rows(t *testing.T, got []map[string]any, cols []string, want [][]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		for j, c := range cols {
			if !same(got[i][c], w[j]) {
				t.Errorf("row %d %s = %v, want %v", i, c, got[i][c], w[j])
			}
		}
	}
}

func totals(t *testing.T, got map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if !same(got[k], w) {
			t.Errorf("totals %s = %v, want %v", k, got[k], w)
		}
	}
}

// same compares a decoded JSON value with a fixture's (ints as numbers).
func same(got, want any) bool {
	switch w := want.(type) {
	case int:
		g, ok := got.(float64)
		return ok && g == float64(w)
	case float64:
		g, ok := got.(float64)
		return ok && g == w
	}
	return reflect.DeepEqual(got, want)
}

// The appointments of three New York days around the spring-forward night
// (2026-03-08: 02:00 EST jumps to 03:00 EDT), bucketed by the local date
// of their start, not the UTC one.
func TestAppointmentsReportDSTAndLateCancel(t *testing.T) {
	src := &fakeSource{cat: reports.Catalog{Location: ny}, appointments: []reports.Appointment{
		// 2026-03-06 23:30 EST: before the period (from = 03-07 00:00 EST = 05:00Z).
		{ID: "a0", Start: utc("2026-03-07T04:30:00Z"), End: utc("2026-03-07T05:00:00Z"), Status: "completed"},
		// 03-07 23:30 EST (UTC date 03-08): day 03-07, completed.
		{ID: "a1", Start: utc("2026-03-08T04:30:00Z"), End: utc("2026-03-08T05:00:00Z"), Status: "completed"},
		// 03-08 01:30 EST: no-show.
		{ID: "a2", Start: utc("2026-03-08T06:30:00Z"), End: utc("2026-03-08T07:00:00Z"), Status: "no_show"},
		// 03-08 03:30 EDT (an hour of real time after a2): cancelled late.
		{ID: "a3", Start: utc("2026-03-08T07:30:00Z"), End: utc("2026-03-08T08:00:00Z"), Status: "cancelled", LateCancel: true},
		// 03-08 10:00 EDT: cancelled in good time.
		{ID: "a4", Start: utc("2026-03-08T14:00:00Z"), End: utc("2026-03-08T14:30:00Z"), Status: "cancelled"},
		// 03-08 11:00 EDT: completed.
		{ID: "a5", Start: utc("2026-03-08T15:00:00Z"), End: utc("2026-03-08T15:30:00Z"), Status: "completed"},
		// 03-09 20:30 EDT (UTC date 03-10): day 03-09, scheduled.
		{ID: "a6", Start: utc("2026-03-10T00:30:00Z"), End: utc("2026-03-10T01:00:00Z"), Status: "scheduled"},
		// 03-09: a patient's hold, never a booking.
		{ID: "a7", Start: utc("2026-03-09T14:00:00Z"), End: utc("2026-03-09T14:30:00Z"), Status: "held"},
		// 03-09 20:30 EDT... the day after the period: 03-10 00:30 EDT.
		{ID: "a8", Start: utc("2026-03-10T04:30:00Z"), End: utc("2026-03-10T05:00:00Z"), Status: "completed"},
	}}
	d, _ := run(t, src, utc("2026-03-10T12:00:00Z"), "appointments", "2026-03-07", "2026-03-09")
	cols := []string{"date", "booked", "completed", "noShows", "cancelled", "lateCancels", "completionRate", "noShowRate", "lateCancelRate"}
	rows(t, d.Rows, cols, [][]any{
		// a1: 1 booked, 1 completed → 1/1.
		{"2026-03-07", 1, 1, 0, 0, 0, 1.0, 0.0, 0.0},
		// a2..a5: 4 booked; 1 completed, 1 no-show, 2 cancelled of which
		// 1 late → each 1/4.
		{"2026-03-08", 4, 1, 1, 2, 1, 0.25, 0.25, 0.25},
		// a6 (a7 is a hold): 1 booked, nothing done yet → 0/1.
		{"2026-03-09", 1, 0, 0, 0, 0, 0.0, 0.0, 0.0},
	})
	// 6 booked, 2 completed (2/6 = 0.3333), 1 no-show and 1 late cancel
	// (1/6 = 0.1667 each).
	totals(t, d.Totals, map[string]any{"booked": 6, "completed": 2, "noShows": 1, "cancelled": 2, "lateCancels": 1,
		"completionRate": 0.3333, "noShowRate": 0.1667, "lateCancelRate": 0.1667})
	// 8 appointments in the period's range (a1..a8 minus a0 and a8 = 7
	// read), in batches of 2: 4 batches.
	if src.batches != 4 {
		t.Errorf("%d batches, want 4", src.batches)
	}
}

// A New York week from the spring-forward Sunday: open minutes come from
// the providers' hours in real time.
func TestUtilizationReportDSTWeek(t *testing.T) {
	src := &fakeSource{cat: reports.Catalog{Location: ny,
		Chairs: []reports.Chair{{ID: "op2", Name: "Chair 2", Active: true}, {ID: "op1", Name: "Chair 1", Active: true}, {ID: "op3", Name: "Chair 3"}},
		Providers: []reports.Provider{
			// Sunday 01:00–04:00 on 03-08 is 2 h (120 min) of real time;
			// Monday 09:00–12:00 is 180 min. Chair 1 only.
			provider("pa", "Dr Avery", true, []string{"op1"}, avail.WeeklyHours{"sunday": {{Start: "01:00", End: "04:00"}}, "monday": {{Start: "09:00", End: "12:00"}}}),
			// Monday 11:00–13:00 (120 min) in chairs 1 and 2.
			provider("pb", "Hana Brook", true, []string{"op1", "op2"}, avail.WeeklyHours{"monday": {{Start: "11:00", End: "13:00"}}}),
			// Inactive: opens nothing.
			provider("pc", "Gone", false, []string{"op2"}, avail.WeeklyHours{"tuesday": {{Start: "08:00", End: "18:00"}}}),
		}},
		appointments: []reports.Appointment{
			// Chair 1, Sun 03:00–03:30 EDT: 30 min.
			{ID: "b1", ChairID: "op1", Start: utc("2026-03-08T07:00:00Z"), End: utc("2026-03-08T07:30:00Z"), Status: "completed"},
			// Chair 1, Mon 09:00–10:00 EDT, a no-show (it held the chair): 60 min.
			{ID: "b2", ChairID: "op1", Start: utc("2026-03-09T13:00:00Z"), End: utc("2026-03-09T14:00:00Z"), Status: "no_show"},
			// Chair 1, Mon 10:00–10:30, cancelled: not booked time.
			{ID: "b3", ChairID: "op1", Start: utc("2026-03-09T14:00:00Z"), End: utc("2026-03-09T14:30:00Z"), Status: "cancelled"},
			// Chair 2, Mon 11:00–12:30 EDT: 90 min.
			{ID: "b4", ChairID: "op2", Start: utc("2026-03-09T15:00:00Z"), End: utc("2026-03-09T16:30:00Z"), Status: "scheduled"},
			// Chair 2, Sat 03-07 22:00–23:00 EST: ends before the period.
			{ID: "b5", ChairID: "op2", Start: utc("2026-03-08T03:00:00Z"), End: utc("2026-03-08T04:00:00Z"), Status: "completed"},
		}}
	d, _ := run(t, src, utc("2026-03-20T12:00:00Z"), "utilization", "2026-03-08", "2026-03-14")
	rows(t, d.Rows, []string{"operatoryId", "operatory", "openMinutes", "bookedMinutes", "utilization"}, [][]any{
		// Open: Sunday 120 + Monday 09:00–13:00 (Avery's 09–12 ∪ Brook's
		// 11–13) 240 = 360; booked 30 + 60 = 90; 90/360 = 0.25.
		{"op1", "Chair 1", 360, 90, 0.25},
		// Open: Brook's Monday 120; booked 90; 90/120 = 0.75.
		{"op2", "Chair 2", 120, 90, 0.75},
		// Chair 3 is inactive and unbooked: no row.
	})
	// 180 / 480 = 0.375.
	totals(t, d.Totals, map[string]any{"openMinutes": 480, "bookedMinutes": 180, "utilization": 0.375})
}

func TestProductionReport(t *testing.T) {
	src := &fakeSource{cat: reports.Catalog{Location: ny, Providers: []reports.Provider{{ID: "pb", Name: "Hana Brook"}, {ID: "pa", Name: "Dr Avery"}}},
		procedures: []reports.Procedure{
			{ID: "c1", ProviderID: "pa", Code: "D1110", Category: "preventive", AmountCents: 12000, At: utc("2026-03-02T15:00:00Z")},
			{ID: "c2", ProviderID: "pa", Code: "D2391", Category: "basic", AmountCents: 15000, At: utc("2026-03-10T15:00:00Z")},
			// 03-31 23:30 EDT (UTC 04-01): in March.
			{ID: "c3", ProviderID: "pa", Code: "D2392", Category: "basic", AmountCents: 10000, At: utc("2026-04-01T03:30:00Z")},
			{ID: "c4", ProviderID: "pb", Code: "D1110", Category: "preventive", AmountCents: 8000, At: utc("2026-03-05T15:00:00Z")},
			// No provider, a code the schedule lost.
			{ID: "c5", Code: "X1", AmountCents: 5000, At: utc("2026-03-06T15:00:00Z")},
			// 02-28 23:30 EST (UTC 03-01): February.
			{ID: "c6", ProviderID: "pa", Code: "D2391", Category: "basic", AmountCents: 9999, At: utc("2026-03-01T04:30:00Z")},
		}}
	d, _ := run(t, src, utc("2026-04-02T12:00:00Z"), "production", "2026-03-01", "2026-03-31")
	rows(t, d.Rows, []string{"providerId", "provider", "category", "procedures", "amountCents"}, [][]any{
		{"pa", "Dr Avery", "basic", 2, 25000}, // c2 15000 + c3 10000
		{"pa", "Dr Avery", "preventive", 1, 12000},
		{"pb", "Hana Brook", "preventive", 1, 8000},
		{"", "Unassigned", "uncategorised", 1, 5000},
	})
	// 25000 + 12000 + 8000 + 5000 = 50000 over 5 procedures.
	totals(t, d.Totals, map[string]any{"procedures": 5, "amountCents": 50000})
	byCat := d.Totals["byCategory"].(map[string]any)
	for cat, want := range map[string]int{"basic": 25000, "preventive": 20000, "uncategorised": 5000} {
		if got := byCat[cat].(map[string]any)["amountCents"]; !same(got, want) {
			t.Errorf("byCategory %s = %v, want %d", cat, got, want)
		}
	}
	byProv := d.Totals["byProvider"].(map[string]any)
	for id, want := range map[string]int{"pa": 37000, "pb": 8000, "": 5000} {
		if got := byProv[id].(map[string]any)["amountCents"]; !same(got, want) {
			t.Errorf("byProvider %q = %v, want %d", id, got, want)
		}
	}
}

func TestAgingReport(t *testing.T) {
	src := &fakeSource{cat: reports.Catalog{Location: ny}, balances: []reports.Balance{
		{PatientID: "p1", Name: "Ann Lee", Aging: reports.Aging{Current: 1000, Days61: 500}},
		{PatientID: "p2", Name: "Bo Chan"}, // settled: no row
		{PatientID: "p3", Name: "Cy Diaz", Aging: reports.Aging{Days90: 2500}},
	}}
	d, rep := run(t, src, utc("2026-03-10T12:00:00Z"), "ar-aging", "", "")
	rows(t, d.Rows, []string{"patientId", "patient", "0-30", "31-60", "61-90", "90+", "totalCents"}, [][]any{
		{"p1", "Ann Lee", 1000, 0, 500, 0, 1500},
		{"p3", "Cy Diaz", 0, 0, 0, 2500, 2500},
	})
	totals(t, d.Totals, map[string]any{"0-30": 1000, "31-60": 0, "61-90": 500, "90+": 2500, "totalCents": 4000, "patients": 2})
	if !reflect.DeepEqual(rep.PatientIDs, []string{"p1", "p3"}) {
		t.Errorf("audited patients %v", rep.PatientIDs)
	}
}

func TestRecallReport(t *testing.T) {
	src := &fakeSource{cat: reports.Catalog{Location: ny, HygieneTypes: []string{"hyg"}},
		recalls: []reports.Recall{
			{PatientID: "r0", Name: "Early", DueDate: "2026-02-27"}, // before the period
			{PatientID: "r1", Name: "Ann", DueDate: "2026-03-05"},
			{PatientID: "r2", Name: "Bo", DueDate: "2026-03-08"},
			{PatientID: "r3", Name: "Cy", DueDate: "2026-03-15"},
			{PatientID: "r4", Name: "Di", DueDate: "2026-03-20"},
			{PatientID: "r5", Name: "Ed", DueDate: "2026-03-25"},
		},
		appointments: []reports.Appointment{
			// r1: a hygiene visit booked for 03-20 (and a later one).
			{ID: "h1", PatientID: "r1", TypeID: "hyg", Start: utc("2026-03-20T14:00:00Z"), Status: "confirmed"},
			{ID: "h2", PatientID: "r1", TypeID: "hyg", Start: utc("2026-09-20T14:00:00Z"), Status: "scheduled"},
			// r4: an exam, not a hygiene visit.
			{ID: "h3", PatientID: "r4", TypeID: "exam", Start: utc("2026-03-21T14:00:00Z"), Status: "scheduled"},
			// r5: a cancelled hygiene visit.
			{ID: "h4", PatientID: "r5", TypeID: "hyg", Start: utc("2026-03-22T14:00:00Z"), Status: "cancelled"},
			// r2: a hygiene visit before today (03-09) that did not happen.
			{ID: "h5", PatientID: "r2", TypeID: "hyg", Start: utc("2026-03-09T14:00:00Z"), Status: "no_show"},
		}}
	// Now: 2026-03-10 11:00 EDT, so today is 03-10.
	d, _ := run(t, src, utc("2026-03-10T15:00:00Z"), "recall", "2026-03-01", "2026-03-31")
	rows(t, d.Rows, []string{"patientId", "dueDate", "status", "nextVisit"}, [][]any{
		{"r1", "2026-03-05", "scheduled", "2026-03-20"}, // next of h1, h2
		{"r2", "2026-03-08", "overdue", ""},             // due before 03-10, nothing booked
		{"r3", "2026-03-15", "due", ""},
		{"r4", "2026-03-20", "due", ""}, // an exam is no recall visit
		{"r5", "2026-03-25", "due", ""}, // the booked one was cancelled
	})
	// 1 of 5 scheduled: 0.2.
	totals(t, d.Totals, map[string]any{"patients": 5, "scheduled": 1, "due": 3, "overdue": 1, "scheduledRate": 0.2})
}

// Production per New York date: a charge late in the evening belongs to
// its local date, not the UTC one.
func TestProductionDailyReport(t *testing.T) {
	src := &fakeSource{cat: reports.Catalog{Location: ny}, procedures: []reports.Procedure{
		// 02-27 23:30 EST: before the period.
		{ID: "c0", AmountCents: 1111, At: utc("2026-02-28T04:30:00Z")},
		// 02-28 23:30 EST (UTC 03-01).
		{ID: "c1", AmountCents: 9999, At: utc("2026-03-01T04:30:00Z")},
		// 03-02 10:00 EST, twice.
		{ID: "c2", ProviderID: "pa", AmountCents: 12000, At: utc("2026-03-02T15:00:00Z")},
		{ID: "c3", ProviderID: "pb", AmountCents: 8000, At: utc("2026-03-02T15:30:00Z")},
		// 03-03 00:00 EST: after the period.
		{ID: "c4", AmountCents: 7000, At: utc("2026-03-03T05:00:00Z")},
	}}
	d, _ := run(t, src, utc("2026-03-10T12:00:00Z"), "production-daily", "2026-02-28", "2026-03-02")
	rows(t, d.Rows, []string{"date", "procedures", "amountCents"}, [][]any{
		{"2026-02-28", 1, 9999},
		{"2026-03-01", 0, 0},
		{"2026-03-02", 2, 20000},
	})
	totals(t, d.Totals, map[string]any{"procedures": 3, "amountCents": 29999})
}

// New patients per New York date across the spring-forward night,
// bucketed by the local date of their creation, read 2 at a time.
func TestNewPatientsReportDST(t *testing.T) {
	src := &fakeSource{cat: reports.Catalog{Location: ny}, newPatients: []reports.NewPatient{
		// 03-06 23:59 EST: before the period (03-07 00:00 EST = 05:00Z).
		{PatientID: "p0", CreatedAt: utc("2026-03-07T04:59:00Z")},
		// 03-07 00:00 EST: the period's first instant.
		{PatientID: "p1", CreatedAt: utc("2026-03-07T05:00:00Z")},
		// 03-07 23:30 EST (UTC date 03-08): still 03-07.
		{PatientID: "p2", CreatedAt: utc("2026-03-08T04:30:00Z")},
		// 03-08 01:59 EST and 03:00 EDT, a minute of real time apart.
		{PatientID: "p3", CreatedAt: utc("2026-03-08T06:59:00Z")},
		{PatientID: "p4", CreatedAt: utc("2026-03-08T07:00:00Z")},
		// 03-08 23:59 EDT (UTC 03-09 03:59): 03-08.
		{PatientID: "p5", CreatedAt: utc("2026-03-09T03:59:00Z")},
		// 03-09: none. 03-10 00:00 EDT = 04:00Z: after the period.
		{PatientID: "p6", CreatedAt: utc("2026-03-10T04:00:00Z")},
	}}
	d, _ := run(t, src, utc("2026-03-10T12:00:00Z"), "new-patients", "2026-03-07", "2026-03-09")
	rows(t, d.Rows, []string{"date", "newPatients"}, [][]any{
		{"2026-03-07", 2}, // p1, p2
		{"2026-03-08", 3}, // p3, p4, p5
		{"2026-03-09", 0},
	})
	totals(t, d.Totals, map[string]any{"newPatients": 5})
	// p1..p5 in batches of 2: 3 batches.
	if src.batches != 3 {
		t.Errorf("%d batches, want 3", src.batches)
	}
}

func TestCSVShape(t *testing.T) {
	src := &fakeSource{cat: reports.Catalog{Location: ny}, balances: []reports.Balance{
		{PatientID: "p1", Name: `O'Neil, "Jo"`, Aging: reports.Aging{Current: 1000}},
	}}
	_, rep := run(t, src, utc("2026-03-10T12:00:00Z"), "ar-aging", "", "")
	var b bytes.Buffer
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	// Header row, then RFC 4180: a field with a comma or quote is quoted,
	// its quotes doubled; CRLF line ends.
	want := "patientId,patient,0-30,31-60,61-90,90+,totalCents\r\n" + `p1,"O'Neil, ""Jo""",1000,0,0,0,1000` + "\r\n"
	if b.String() != want {
		t.Errorf("csv:\n%q\nwant\n%q", b.String(), want)
	}
	// A rate over nothing is an empty cell (null in JSON).
	src = &fakeSource{cat: reports.Catalog{Location: ny}}
	_, rep = run(t, src, utc("2026-03-10T12:00:00Z"), "appointments", "2026-03-01", "2026-03-01")
	b.Reset()
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(b.String(), "\r\n"); len(lines) != 3 || lines[1] != "2026-03-01,0,0,0,0,0,,," {
		t.Errorf("csv: %q", b.String())
	}
}

func TestParsePeriod(t *testing.T) {
	cases := []struct {
		name, from, to string
		optional       bool
		fields         []string
	}{
		{"ok", "2026-03-01", "2026-03-31", false, nil},
		{"a leap year's 366 days", "2028-01-01", "2028-12-31", false, nil},
		{"367 days", "2026-01-01", "2027-01-02", false, []string{"to"}},
		{"missing", "", "", false, []string{"from", "to"}},
		{"malformed", "2026-3-1", "tomorrow", false, []string{"from", "to"}},
		{"backwards", "2026-03-02", "2026-03-01", false, []string{"to"}},
		{"aging needs none", "", "", true, nil},
		{"but checks what it is given", "2026-13-01", "", true, []string{"from", "to"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := reports.ParsePeriod(url.Values{"from": {c.from}, "to": {c.to}}, c.optional)
			if c.fields == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			var got []string
			for _, f := range e.Fields {
				if len(got) == 0 || got[len(got)-1] != f.Field {
					got = append(got, f.Field)
				}
			}
			if !reflect.DeepEqual(got, c.fields) {
				t.Errorf("fields %v, want %v", got, c.fields)
			}
		})
	}
}
