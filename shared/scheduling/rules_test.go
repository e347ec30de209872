package scheduling_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// today is a New York wall-clock time on the test clock's day (Monday
// 2026-11-30; the clock stands at 08:00 there).
func today(hhmm string) time.Time { return on("2026-11-30", hhmm) }

// unprocessable is the Want of a 422 whose message contains text.
func unprocessable(text string) func(testing.TB, apitest.Response) {
	return func(tb testing.TB, r apitest.Response) {
		tb.Helper()
		var body struct{ Error struct{ Message string } }
		r.Decode(tb, &body)
		if !strings.Contains(body.Error.Message, text) {
			tb.Fatalf("message %q does not say %q", body.Error.Message, text)
		}
	}
}

// Issue 16, item 2: a patient booked next week could be checked in today,
// and a check-in or no-show could not be undone.
func TestCheckInOnlyOnTheDayAndUndoWithinIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tomorrow := e.mustBook(t, booking(ids.New(), e.dentist, e.chair1, on("2026-12-01", "09:00"), on("2026-12-01", "09:30")))
	early := action(desk, tomorrow.ID, "check-in", 422, "")
	early.Check = unprocessable("only be checked in on its day")
	e.Do(t, early)
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/appointments/" + tomorrow.ID, Status: 200, Want: map[string]any{"status": "scheduled"}})

	// Confirmed → checked in → undone: back to confirmed, in the history.
	a := e.mustBook(t, booking(ids.New(), e.dentist, e.chair1, today("09:00"), today("09:30")))
	e.Do(t, action(desk, a.ID, "confirm", 200, scheduling.Confirmed))
	e.Do(t, action(desk, a.ID, "check-in", 200, scheduling.CheckedIn))
	undone := action(desk, a.ID, "undo", 200, scheduling.Confirmed)
	undone.Check = func(tb testing.TB, r apitest.Response) {
		var got scheduling.Appointment
		r.Decode(tb, &got)
		last := got.History[len(got.History)-1]
		if last.Action != "undo" || last.From != "checked_in" || last.To != "confirmed" || last.By == "" || last.At.IsZero() {
			tb.Fatalf("history %+v", got.History)
		}
	}
	e.Do(t, undone)
	// Twice is a conflict: a confirmed visit has nothing to undo.
	e.Do(t, action(desk, a.ID, "undo", 409, ""))
	// It can be checked in again, and a completed visit is not undone.
	e.Do(t, action(desk, a.ID, "check-in", 200, scheduling.CheckedIn))
	e.Do(t, action(desk, a.ID, "complete", 200, scheduling.Completed))
	e.Do(t, action(desk, a.ID, "undo", 409, ""))
	// Audited like every transition: recorded before the change, and each
	// refused one recorded as not applied.
	recs, failed := e.records(t, audit.Filter{Action: "appointment.undo"}), 0
	for _, r := range recs {
		if r.PatientID != a.PatientID {
			t.Fatalf("undo record %+v does not name the patient", r)
		}
		if r.Outcome == audit.Failure {
			failed++
		}
	}
	if len(recs) != 5 || failed != 2 {
		t.Fatalf("%d undo records, %d failed: want 3 attempts of which 2 refused", len(recs), failed)
	}

	// A no-show goes back to what it was (scheduled); patients cannot undo.
	ana := e.patient(t, "Ana")
	b := e.mustBook(t, booking(ana.id, e.hygienist, e.chair2, today("10:00"), today("10:30")))
	e.Do(t, action(desk, b.ID, "no-show", 200, scheduling.NoShow))
	e.Do(t, action("Ana", b.ID, "undo", 403, ""))
	e.Do(t, action(desk, b.ID, "undo", 200, scheduling.Scheduled))

	// Not on another day: the next morning yesterday's check-in stands.
	c := e.mustBook(t, booking(ids.New(), e.hygienist, e.chair2, today("11:00"), today("11:30")))
	e.Do(t, action(desk, c.ID, "check-in", 200, scheduling.CheckedIn))
	e.clock.Set(on("2026-12-01", "07:00"))
	e.Caller(t, desk).Relogin(t)
	late := action(desk, c.ID, "undo", 422, "")
	late.Check = unprocessable("only be undone on its day")
	e.Do(t, late)
}

// Two undos of one check-in racing: exactly one applies.
func TestRacingUndosApplyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustBook(t, booking(ids.New(), e.dentist, e.chair1, today("09:00"), today("09:30")))
	e.Do(t, action(desk, a.ID, "check-in", 200, scheduling.CheckedIn))
	var wg sync.WaitGroup
	results := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = e.st.Transition(context.Background(), e.clinic.ID, a.ID, "undo", scheduling.Actor{UserID: "u", Role: desk}, scheduling.CancelReason{}, false)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range results {
		switch {
		case err == nil:
			won++
		case !errs.Is(err, errs.Conflict):
			t.Fatalf("undo: %v", err)
		}
	}
	got, err := e.st.Get(context.Background(), e.clinic.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	undos := 0
	for _, c := range got.History {
		if c.Action == "undo" {
			undos++
		}
	}
	if won != 1 || undos != 1 || got.Status != scheduling.Scheduled {
		t.Fatalf("%d undos won, %d in the history, status %s: want one, scheduled", won, undos, got.Status)
	}
}

// Issue 16, item 3: a cleaning was booked with a dentist, and "any
// provider" offered a hygienist for emergencies.
func TestTypesNameTheProviderKindsThatTakeThem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mkType := func(name, category string, kinds []string) scheduling.AppointmentType {
		t.Helper()
		var out scheduling.AppointmentType
		e.Do(t, apitest.Case{As: admin, Method: "POST", Path: "/api/appointment-types", Status: 201,
			Body: map[string]any{"name": name, "category": category, "durationMinutes": 30, "providerKinds": kinds},
			Want: map[string]any{"name": name, "providerKinds": kinds}}).Decode(t, &out)
		return out
	}
	hygiene := mkType("Hygiene visit", "hygiene", []string{"hygienist"})
	emergency := mkType("Emergency", "emergency", []string{"dentist"})
	e.Do(t, apitest.Case{Name: "unknown kind", As: admin, Method: "POST", Path: "/api/appointment-types", Status: 400,
		Body: map[string]any{"name": "X", "category": "other", "durationMinutes": 30, "providerKinds": []string{"surgeon"}},
		Want: apitest.Error("invalid", "providerKinds")})
	e.Do(t, apitest.Case{Name: "no kinds: any", As: desk, Method: "GET", Path: "/api/appointment-types", Status: 200,
		Want: map[string]any{"items": apitest.Present}})

	providersOffered := func(typeID string) map[string]bool {
		t.Helper()
		var out struct{ Items []struct{ ProviderID string } }
		e.Caller(t, desk).MustJSON(t, "GET", "/api/availability?from="+at("08:00").Format(time.RFC3339)+"&to="+at("17:00").Format(time.RFC3339)+"&typeId="+typeID, nil, 200, &out)
		seen := map[string]bool{}
		for _, s := range out.Items {
			seen[s.ProviderID] = true
		}
		return seen
	}
	if got := providersOffered(hygiene.ID); !got[e.hygienist.ID] || got[e.dentist.ID] {
		t.Fatalf("hygiene visit offered with %v, want the hygienist only", got)
	}
	if got := providersOffered(emergency.ID); !got[e.dentist.ID] || got[e.hygienist.ID] {
		t.Fatalf("emergency offered with %v, want the dentist only", got)
	}
	if got := providersOffered(e.cleaning.ID); !got[e.dentist.ID] || !got[e.hygienist.ID] {
		t.Fatalf("a type naming no kinds offered with %v, want both", got)
	}

	withDentist := book("a hygiene visit with the dentist", map[string]any{"patientId": ids.New(), "providerId": e.dentist.ID, "operatoryId": e.chair1.ID,
		"typeId": hygiene.ID, "start": at("09:00")}, 422)
	withDentist.Check = unprocessable("is for a hygienist")
	e.Do(t, withDentist)
	var a scheduling.Appointment
	e.Do(t, book("with the hygienist", map[string]any{"patientId": ids.New(), "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID,
		"typeId": hygiene.ID, "start": at("09:00")}, 201)).Decode(t, &a)
	// Nor moved to a dentist.
	e.Do(t, apitest.Case{Name: "moved to the dentist", As: desk, Method: "PATCH", Path: "/api/appointments/" + a.ID,
		Body: map[string]any{"providerId": e.dentist.ID}, Status: 422, Want: failure(422)})
}

// Issue 16, item 5: notes on an appointment and preset cancellation reasons.
func TestNotesAndCancellationReasons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := booking(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30"))
	body["notes"] = "Prefers the left chair; anxious about needles."
	c := book("with notes", body, 201)
	c.Want.(map[string]any)["notes"] = body["notes"]
	var a scheduling.Appointment
	e.Do(t, c).Decode(t, &a)
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/appointments/" + a.ID, Status: 200, Want: map[string]any{"notes": body["notes"]}})
	e.Do(t, apitest.Case{As: desk, Method: "PATCH", Path: "/api/appointments/" + a.ID, Body: map[string]any{"notes": "Bring X-rays."}, Status: 200,
		Want: map[string]any{"notes": "Bring X-rays."}})
	long := booking(ids.New(), e.dentist, e.chair1, at("10:00"), at("10:30"))
	long["notes"] = strings.Repeat("n", 1001)
	e.Do(t, apitest.Case{Name: "notes too long", As: desk, Method: "POST", Path: "/api/appointments", Body: long, Status: 400, Want: apitest.Error("invalid", "notes")})
	e.Do(t, apitest.Case{Name: "PATCH notes too long", As: desk, Method: "PATCH", Path: "/api/appointments/" + a.ID, Body: map[string]any{"notes": long["notes"]},
		Status: 400, Want: apitest.Error("invalid", "notes")})

	tests := []struct {
		name   string
		body   map[string]any
		status int
		want   map[string]any // on 200: the appointment's reason fields
	}{
		{"no reason: patient_request", nil, 200, map[string]any{"cancelReason": "patient_request"}},
		{"a preset", map[string]any{"reason": "illness"}, 200, map[string]any{"cancelReason": "illness"}},
		{"other with a text", map[string]any{"reason": "other", "reasonText": "Moved to Boston"}, 200,
			map[string]any{"cancelReason": "other", "cancelReasonText": "Moved to Boston"}},
		{"other without a text", map[string]any{"reason": "other"}, 400, nil},
		{"other with a text too long", map[string]any{"reason": "other", "reasonText": strings.Repeat("r", 201)}, 400, nil},
		{"not on the list", map[string]any{"reason": "sick"}, 400, nil},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := on("2026-12-03", "08:00").Add(time.Duration(i) * 30 * time.Minute)
			appt := e.mustBook(t, booking(ids.New(), e.dentist, e.chair1, start, start.Add(30*time.Minute)))
			c := apitest.Case{As: desk, Method: "POST", Path: "/api/appointments/" + appt.ID + "/cancel", Status: tc.status}
			if tc.body != nil {
				c.Body = tc.body
			}
			if tc.status != 200 {
				field := "reason"
				if tc.body["reason"] == "other" {
					field = "reasonText"
				}
				c.Want = apitest.Error("invalid", field)
				e.Do(t, c)
				e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/appointments/" + appt.ID, Status: 200, Want: map[string]any{"status": "scheduled"}})
				return
			}
			c.Want = tc.want
			c.Check = func(tb testing.TB, r apitest.Response) {
				var got scheduling.Appointment
				r.Decode(tb, &got)
				last := got.History[len(got.History)-1]
				if last.Action != "cancel" || last.Reason != tc.want["cancelReason"] || last.ReasonText != got.CancelReasonText {
					tb.Fatalf("history %+v", got.History)
				}
			}
			e.Do(t, c)
		})
	}
	// A patient releasing their own hold (the portal sends its own words)
	// is not refused.
	ana := e.patient(t, "Ana")
	var h scheduling.Appointment
	e.Do(t, apitest.Case{As: "Ana", Method: "POST", Path: "/api/appointments", Body: e.holdBody(e.hygienist, e.chair2, at("13:00")), Status: 201}).Decode(t, &h)
	e.Do(t, apitest.Case{As: "Ana", Method: "POST", Path: "/api/appointments/" + h.ID + "/cancel", Body: map[string]any{"reason": "patient chose another time"},
		Status: 200, Want: map[string]any{"status": "cancelled", "cancelReason": "patient_request", "patientId": ana.id}})
}

// Issue 16, item 10: no online slot sooner than the clinic's minimum
// booking notice (default 2 hours); staff are not limited.
func TestPatientsBookNoSoonerThanTheNotice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.patient(t, "Ana")
	q := "/api/availability?from=" + today("08:00").Format(time.RFC3339) + "&to=" + today("12:00").Format(time.RFC3339) + "&typeId=" + e.cleaning.ID
	earliest := func(as string) time.Time {
		t.Helper()
		var out struct{ Items []struct{ Start time.Time } }
		e.Caller(t, as).MustJSON(t, "GET", q, nil, 200, &out)
		if len(out.Items) == 0 {
			t.Fatalf("%s: no slots", as)
		}
		return out.Items[0].Start
	}
	// The clock is at 08:00: staff see 08:00, a patient 10:00 at the soonest.
	if got := earliest(desk); !got.Equal(today("08:00")) {
		t.Fatalf("staff's first slot %v, want 08:00", got)
	}
	if got := earliest("Ana"); !got.Equal(today("10:00")) {
		t.Fatalf("a patient's first slot %v, want 10:00 (two hours' notice)", got)
	}
	soon := apitest.Case{Name: "hold inside the notice", As: "Ana", Method: "POST", Path: "/api/appointments", Body: e.holdBody(e.hygienist, e.chair2, today("09:45")), Status: 422}
	soon.Check = unprocessable("at least 2 hours from now")
	e.Do(t, soon)
	e.Do(t, apitest.Case{Name: "hold at the notice", As: "Ana", Method: "POST", Path: "/api/appointments", Body: e.holdBody(e.hygienist, e.chair2, today("10:00")), Status: 201,
		Want: map[string]any{"status": "held", "patientId": ana.id}})
	e.Do(t, book("staff inside the notice", booking(ids.New(), e.dentist, e.chair1, today("08:30"), today("09:00")), 201))

	// The clinic's setting reaches scheduling: no notice, and patients see 08:00 too.
	ctx := context.Background()
	cl, err := e.users.Clinic(ctx, e.clinic.ID)
	if err != nil {
		t.Fatal(err)
	}
	cl.Settings.MinBookingNoticeMinutes = 0
	if _, err := e.users.UpdateClinic(ctx, e.clinic.ID, nil, cl.Settings); err != nil {
		t.Fatal(err)
	}
	if err := e.st.DropCatalog(ctx, e.clinic.ID); err != nil {
		t.Fatal(err)
	}
	if got := earliest("Ana"); !got.Equal(today("08:00")) {
		t.Fatalf("with no notice a patient's first slot is %v, want 08:00", got)
	}
}
