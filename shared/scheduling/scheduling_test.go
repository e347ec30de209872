package scheduling_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

func TestOverlapRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Existing, each case on a day of its own: Dr Okafor in Op 1,
	// 10:00–11:00, with a 10-minute buffer after (booked through the
	// Cleaning type) — it blocks 10:00–11:10.
	tests := []struct {
		name       string
		provider   scheduling.Provider
		chair      scheduling.Operatory
		start, end string
		status     int
	}{
		{"same slot", e.dentist, e.chair1, "10:00", "11:00", 409},
		{"contained", e.dentist, e.chair2, "10:15", "10:45", 409},
		{"containing", e.dentist, e.chair2, "09:30", "11:30", 409},
		{"overlaps start", e.dentist, e.chair2, "09:30", "10:05", 409},
		{"inside the buffer after", e.dentist, e.chair2, "11:00", "11:30", 409},
		{"touching before", e.dentist, e.chair2, "09:00", "10:00", 201},
		{"after the buffer", e.dentist, e.chair2, "11:10", "11:40", 201},
		{"other provider, same chair, overlapping", e.hygienist, e.chair1, "10:30", "11:00", 409},
		{"other provider, other chair", e.hygienist, e.chair2, "10:00", "11:00", 201},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			day := fmt.Sprintf("2026-12-%02d", 3+i)
			e.Do(t, book("existing", map[string]any{"patientId": ids.New(), "providerId": e.dentist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": on(day, "10:00")}, 201))
			e.Do(t, book(tc.name, booking(ids.New(), tc.provider, tc.chair, on(day, tc.start), on(day, tc.end)), tc.status))
		})
	}
}

func TestCancelledAppointmentsFreeTheirSlot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustBook(t, booking(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30")))
	cancel := action(desk, a.ID, "cancel", 200, scheduling.Cancelled)
	cancel.Body = map[string]string{"reason": "patient_request"}
	cancel.Want.(map[string]any)["cancelReason"] = "patient_request"
	e.Do(t, cancel)
	e.Do(t, book("again", booking(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30")), 201))
}

func TestRacingBookingsHaveExactlyOneWinner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	desks := []*apitest.Client{e.Caller(t, desk), e.Caller(t, admin)}
	const n = 32
	var wg sync.WaitGroup
	codes := make(chan int, n)
	for i := range n {
		wg.Go(func() {
			// Half race for the provider, half for the chair (other provider).
			p := e.dentist
			if i%2 == 1 {
				p = e.hygienist
			}
			start := at("14:00").Add(time.Duration(i%3) * 5 * time.Minute)
			codes <- desks[i%len(desks)].Do(t, "POST", "/api/appointments", booking(ids.New(), p, e.chair1, start, start.Add(30*time.Minute))).Status
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[201] != 1 || count[409] != n-1 {
		t.Fatalf("outcomes %v, want exactly one 201 and the rest 409", count)
	}
	var list struct{ Items []scheduling.Appointment }
	e.Caller(t, desk).MustJSON(t, "GET", "/api/appointments?from="+at("13:00").Format(time.RFC3339)+"&to="+at("17:00").Format(time.RFC3339), nil, 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d appointments stored, want the winner only", len(list.Items))
	}
}

func TestCrashBetweenWritesDoesNotBlockForever(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	// A booking that claimed its cells and died before becoming real: its
	// appointment is stuck pending. Simulate by booking, then rewinding the
	// appointment to the pending state it had between the writes.
	a := e.mustBook(t, booking(ids.New(), e.dentist, e.chair1, at("15:00"), at("16:00")))
	db, err := e.fe.Mongo(t).Database()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("appointments").UpdateOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "pending"}}}}); err != nil {
		t.Fatal(err)
	}
	// While the lease runs, the slot is taken (the booking may still finish).
	e.Do(t, book("during the lease", booking(ids.New(), e.dentist, e.chair1, at("15:00"), at("16:00")), 409))
	// After the lease the abandoned claims are stale and are cleared.
	e.clock.Advance(31 * time.Second)
	e.Do(t, book("after the lease", booking(ids.New(), e.dentist, e.chair1, at("15:00"), at("16:00")), 201))
	// And the abandoned booking never shows up.
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/appointments/" + a.ID, Status: 404, Want: failure(404)})
}

// step is one action of a status-machine path and what it answers.
type step struct {
	action string
	status int
	after  scheduling.Status // the appointment's status after the step
}

func TestStatusMachine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name  string
		steps []step
	}{
		{"confirm", []step{{"confirm", 200, scheduling.Confirmed}}},
		{"check-in", []step{{"check-in", 200, scheduling.CheckedIn}}},
		{"check-in→complete", []step{{"check-in", 200, scheduling.CheckedIn}, {"complete", 200, scheduling.Completed}}},
		{"complete before check-in", []step{{"complete", 409, scheduling.Scheduled}}},
		{"confirm→check-in→complete→cancel", []step{{"confirm", 200, scheduling.Confirmed}, {"check-in", 200, scheduling.CheckedIn},
			{"complete", 200, scheduling.Completed}, {"cancel", 409, scheduling.Completed}}},
		{"no-show", []step{{"no-show", 200, scheduling.NoShow}}},
		{"no-show→check-in", []step{{"no-show", 200, scheduling.NoShow}, {"check-in", 409, scheduling.NoShow}}},
		{"cancel→confirm", []step{{"cancel", 200, scheduling.Cancelled}, {"confirm", 409, scheduling.Cancelled}}},
		{"cancel→cancel", []step{{"cancel", 200, scheduling.Cancelled}, {"cancel", 409, scheduling.Cancelled}}},
		{"check-in→no-show", []step{{"check-in", 200, scheduling.CheckedIn}, {"no-show", 409, scheduling.CheckedIn}}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Each path on an appointment of its own, today (check-in is
			// only on the appointment's day).
			p, chair := e.dentist, e.chair1
			if i%2 == 1 {
				p, chair = e.hygienist, e.chair2
			}
			start := on("2026-11-30", "09:00").Add(time.Duration(i/2) * 30 * time.Minute)
			a := e.mustBook(t, booking(ids.New(), p, chair, start, start.Add(30*time.Minute)))
			for _, s := range tc.steps {
				e.Do(t, action(desk, a.ID, s.action, s.status, s.after))
				e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/appointments/" + a.ID, Status: 200, Want: map[string]any{"status": string(s.after)}})
			}
		})
	}
}

// The complete transition runs the recall hook the function wires into the
// patients group: a completed hygiene visit moves the patient's recall, once.
func TestCompletingAHygieneVisitMovesTheRecallOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ana := e.patient(t, "Ana")
	visit := func(patientID string, typ scheduling.AppointmentType, start time.Time) {
		t.Helper()
		a := e.mustBook(t, map[string]any{"patientId": patientID, "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": typ.ID, "start": start})
		// Check-in is on the visit's day.
		e.clock.Set(start.Add(-30 * time.Minute))
		e.Caller(t, desk).Relogin(t)
		e.Do(t, action(desk, a.ID, "check-in", 200, scheduling.CheckedIn))
		e.Do(t, action(desk, a.ID, "complete", 200, scheduling.Completed))
	}
	recall := func(due, last string) apitest.Case {
		return apitest.Case{As: desk, Method: "GET", Path: "/api/patients/" + ana.id, Status: 200,
			Want: map[string]any{"recall": map[string]any{"intervalMonths": 6, "lastHygieneVisit": last, "dueDate": due}}}
	}
	visit(ana.id, e.cleaning, on("2026-12-02", "16:00"))
	e.Do(t, recall("2027-06-02", "2026-12-02"))
	if n := e.logs.Count("recall update failed"); n != 0 {
		t.Fatalf("%d recall failures logged", n)
	}
	if got, err := e.patients.Get(ctx, e.clinic.ID, ana.id); err != nil || got.Version != 1 {
		t.Fatalf("record version %d, %v: want one change", got.Version, err)
	}
	// A visit of another category leaves the recall alone.
	exam, err := e.st.CreateType(ctx, e.clinic.ID, scheduling.AppointmentType{Name: "Exam", Category: "exam", DurationMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	visit(ana.id, exam, on("2026-12-09", "09:00"))
	e.Do(t, recall("2027-06-02", "2026-12-02"))
	// The hook runs once per completion: when it fails (no patient record
	// behind the appointment) the completion stands and one failure is
	// logged.
	visit(ids.New(), e.cleaning, on("2026-12-10", "09:00"))
	if n := e.logs.Count("recall update failed"); n != 1 {
		t.Fatalf("%d recall failures logged for one completion, want 1", n)
	}
}

func TestMoveKeepsHistoryAndFreesTheOldSlot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustBook(t, booking(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30")))
	move := func(name string, body map[string]any, status int) apitest.Case {
		return apitest.Case{Name: name, As: desk, Method: "PATCH", Path: "/api/appointments/" + a.ID, Body: body, Status: status, Want: failure(status)}
	}
	moved := move("moved", map[string]any{"start": at("11:00"), "operatoryId": e.chair2.ID}, 200)
	moved.Want = map[string]any{"id": a.ID, "start": at("11:00"), "end": at("11:30"), "operatoryId": e.chair2.ID, "providerId": e.dentist.ID}
	moved.Check = func(tb testing.TB, r apitest.Response) {
		var got scheduling.Appointment
		r.Decode(tb, &got)
		last := got.History[len(got.History)-1]
		if last.Action != "move" || last.From == "" || last.To == "" || last.By == "" {
			tb.Fatalf("history %+v", got.History)
		}
	}
	e.Run(t, []apitest.Case{
		book("someone else at 10:00", booking(ids.New(), e.dentist, e.chair2, at("10:00"), at("10:30")), 201),
		// Into someone else's slot: 409, and nothing changes.
		move("into a taken slot", map[string]any{"start": at("10:00")}, 409),
		{Name: "unchanged", As: desk, Method: "GET", Path: "/api/appointments/" + a.ID, Status: 200,
			Want: map[string]any{"start": at("09:00"), "operatoryId": e.chair1.ID}},
		// Outside hours (lunch): 422.
		move("into lunch", map[string]any{"start": at("12:00")}, 422),
		moved,
		// The old slot is free again.
		book("the old slot", booking(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30")), 201),
	})
}

func TestBookingRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	past := now.Add(-time.Hour).Truncate(5 * time.Minute)
	e.Run(t, []apitest.Case{
		book("lunch", booking(ids.New(), e.dentist, e.chair1, at("12:15"), at("12:45")), 422),
		book("past closing", booking(ids.New(), e.dentist, e.chair1, at("16:45"), at("17:15")), 422),
		book("off the 5-minute grid", booking(ids.New(), e.dentist, e.chair1, at("09:02"), at("09:30")), 400),
		book("in the past", booking(ids.New(), e.dentist, e.chair1, past, past.Add(30*time.Minute)), 422),
		{Name: "time off", As: admin, Method: "POST", Path: "/api/providers/" + e.dentist.ID + "/time-off",
			Body: map[string]string{"from": "2026-12-02", "to": "2026-12-02", "reason": "conference"}, Status: 201},
		book("during time off", booking(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30")), 422),
		book("another provider that day", booking(ids.New(), e.hygienist, e.chair1, at("09:00"), at("09:30")), 201),
	})
}

func TestPatientsSeeAndCancelOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana, bo := e.patient(t, "ana"), e.patient(t, "bo")
	mine := e.mustBook(t, booking(ana.id, e.dentist, e.chair1, at("09:00"), at("09:30")))
	theirs := e.mustBook(t, booking(bo.id, e.dentist, e.chair1, at("10:00"), at("10:30")))
	e.Run(t, []apitest.Case{
		{Name: "own", As: "ana", Method: "GET", Path: "/api/appointments/" + mine.ID, Status: 200, Want: map[string]any{"id": mine.ID, "patientId": ana.id}},
		{Name: "another's", As: "ana", Method: "GET", Path: "/api/appointments/" + theirs.ID, Status: 404, Want: failure(404)},
		action("ana", theirs.ID, "cancel", 404, ""),
		{Name: "another's, unchanged", As: desk, Method: "GET", Path: "/api/appointments/" + theirs.ID, Status: 200, Want: map[string]any{"status": "scheduled"}},
		// A patient's list is their own, whatever they ask for.
		{Name: "list", As: "ana", Method: "GET", Path: "/api/appointments?patientId=" + bo.id, Status: 200,
			Want: map[string]any{"items": []any{map[string]any{"id": mine.ID}}}},
		// Staff-only moves.
		action("ana", mine.ID, "check-in", 403, ""),
		{Name: "move", As: "ana", Method: "PATCH", Path: "/api/appointments/" + mine.ID, Body: map[string]any{"start": at("11:00")}, Status: 403, Want: failure(403)},
	})
	// Within the notice window a patient must call; staff record a late cancel.
	e.clock.Set(at("08:00").Add(-2 * time.Hour))
	ana.Relogin(t)
	e.Caller(t, desk).Relogin(t)
	late := action(desk, mine.ID, "cancel", 200, scheduling.Cancelled)
	late.Body = map[string]string{"reason": "illness"}
	late.Want.(map[string]any)["lateCancel"], late.Want.(map[string]any)["cancelReason"] = true, "illness"
	e.Run(t, []apitest.Case{action("ana", mine.ID, "cancel", 422, ""), late})
}

func TestPatientHoldBlocksThenExpiresOrConfirms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana, bo := e.patient(t, "ana"), e.patient(t, "bo")
	hold := func(who string, status int) apitest.Case {
		return apitest.Case{Name: who + " holds", As: who, Method: "POST", Path: "/api/appointments", Status: status, Want: failure(status),
			Body: map[string]any{"providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("13:00"), "hold": true}}
	}
	first := hold("ana", 201)
	first.Want = map[string]any{"status": "held", "patientId": ana.id, "source": "portal", "holdExpiresAt": apitest.Present}
	var h scheduling.Appointment
	e.Do(t, first).Decode(t, &h)
	e.Do(t, hold("bo", 409))
	// The hold lapses by itself.
	e.clock.Advance(6 * time.Minute)
	e.Do(t, action("ana", h.ID, "confirm", 409, ""))
	second := hold("bo", 201)
	second.Want = map[string]any{"status": "held", "patientId": bo.id}
	var h2 scheduling.Appointment
	e.Do(t, second).Decode(t, &h2)
	e.Do(t, action("bo", h2.ID, "confirm", 200, scheduling.Scheduled))
	// Types not bookable online are refused to patients.
	var surgery scheduling.AppointmentType
	e.Do(t, apitest.Case{As: admin, Method: "POST", Path: "/api/appointment-types", Body: map[string]any{"name": "Extraction", "category": "surgery", "durationMinutes": 60},
		Status: 201, Want: map[string]any{"name": "Extraction", "bookableOnline": false}}).Decode(t, &surgery)
	e.Do(t, apitest.Case{As: "ana", Method: "POST", Path: "/api/appointments", Status: 400, Want: failure(400),
		Body: map[string]any{"providerId": e.dentist.ID, "operatoryId": e.chair2.ID, "typeId": surgery.ID, "start": at("15:00"), "hold": true}})
}

func TestAvailabilityReflectsBookings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.Caller(t, desk)
	q := "/api/availability?from=" + at("08:00").Format(time.RFC3339) + "&to=" + at("12:00").Format(time.RFC3339) + "&typeId=" + e.cleaning.ID + "&providerId=" + e.dentist.ID
	type slots struct {
		Items []struct {
			Start       time.Time
			End         time.Time
			ProviderID  string
			OperatoryID string
		}
	}
	var before, after slots
	c.MustJSON(t, "GET", q, nil, 200, &before)
	// Starts every 15 min from 08:00 to 11:00: the visit itself must fit the
	// window; its buffer only has to be clear of other bookings.
	if len(before.Items) != 13 {
		t.Fatalf("before: %d slots, want 13", len(before.Items))
	}
	first := before.Items[0]
	a := e.mustBook(t, map[string]any{"patientId": ids.New(), "providerId": first.ProviderID, "operatoryId": first.OperatoryID, "typeId": e.cleaning.ID, "start": first.Start})
	c.MustJSON(t, "GET", q, nil, 200, &after)
	if len(after.Items) == 0 {
		t.Fatal("no slot left: the other chair is free")
	}
	for _, s := range after.Items {
		if s.Start.Before(a.End.Add(10*time.Minute)) && s.End.Add(10*time.Minute).After(a.Start) && s.OperatoryID == a.OperatoryID {
			t.Fatalf("slot %v overlaps the booking in the same chair", s)
		}
	}
	// An offered slot can actually be booked.
	s := after.Items[0]
	e.Do(t, book("an offered slot", map[string]any{"patientId": ids.New(), "providerId": s.ProviderID, "operatoryId": s.OperatoryID, "typeId": e.cleaning.ID, "start": s.Start}, 201))
}

// Query times are RFC 3339 with an offset, as everywhere in the API; a "+"
// sent unescaped (form-decoded to a space) still reads as the offset it was.
func TestQueryTimesNeedAnOffset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var cases []apitest.Case
	for _, tc := range []struct {
		name, from string
		status     int
	}{
		{"UTC", "2026-12-02T13:00:00Z", 200},
		{"negative offset", "2026-12-02T08:00:00-05:00", 200},
		{"unescaped plus offset", "2026-12-02T14:00:00+01:00", 200},
		{"no offset", "2026-12-02T08:00:00", 400},
		{"date only", "2026-12-02", 400},
	} {
		for _, path := range []string{"/api/appointments?from=", "/api/availability?duration=30&to=2026-12-02T23:00:00Z&from="} {
			c := apitest.Case{Name: tc.name + " " + strings.Split(path, "?")[0], As: desk, Method: "GET", Path: path + tc.from, Status: tc.status,
				Want: map[string]any{"items": apitest.Present}, Check: someSlots}
			switch {
			case tc.status == 400:
				c.Want, c.Check = apitest.Error("invalid", "from"), nil
			case strings.HasPrefix(path, "/api/appointments"):
				c.Want, c.Check = map[string]any{"items": []any{}}, nil
			}
			cases = append(cases, c)
		}
	}
	e.Run(t, cases)
}

// someSlots checks an availability answer offers slots of the practice.
func someSlots(tb testing.TB, r apitest.Response) {
	var out struct{ Items []struct{ ProviderID string } }
	r.Decode(tb, &out)
	if len(out.Items) == 0 || out.Items[0].ProviderID == "" {
		tb.Fatalf("no slots: %s", r.Body)
	}
}
