package scheduling_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// setLimits changes the clinic's per-patient limits in the identity store,
// as PATCH /api/clinic does, and drops the cached catalog.
func (e *env) setLimits(t *testing.T, appointments, entries int) {
	t.Helper()
	ctx := context.Background()
	c, err := e.users.Clinic(ctx, e.clinic.ID)
	if err != nil {
		t.Fatal(err)
	}
	c.Settings.MaxFutureAppointmentsPerPatient, c.Settings.MaxWaitlistEntriesPerPatient = appointments, entries
	if _, err := e.users.UpdateClinic(ctx, e.clinic.ID, nil, c.Settings); err != nil {
		t.Fatal(err)
	}
	if err := e.st.DropCatalog(ctx, e.clinic.ID); err != nil {
		t.Fatal(err)
	}
}

// holdBody is a patient's hold of a cleaning with p in o at start.
func (e *env) holdBody(p scheduling.Provider, o scheduling.Operatory, start time.Time) map[string]any {
	return map[string]any{"providerId": p.ID, "operatoryId": o.ID, "typeId": e.cleaning.ID, "start": start, "hold": true}
}

// Issue 9, defect 2: sign-up is public and a patient's booking was
// scheduled at once, so one new account could book every online slot of a
// day. A patient now books through a hold, and at most the clinic's
// maxFutureAppointmentsPerPatient (default 2) future visits, however many
// requests they race; the front desk may book past the limit.
func TestOnePatientCannotEmptyTheOnlineCalendar(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.patient(t, "ana")
	// Twelve free slots that do not overlap, all asked for at once.
	var slots []map[string]any
	for _, hhmm := range []string{"08:00", "09:10", "10:20", "13:00", "14:10", "15:20"} {
		slots = append(slots, e.holdBody(e.hygienist, e.chair1, on("2026-12-03", hhmm)), e.holdBody(e.dentist, e.chair2, on("2026-12-03", hhmm)))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[int]int{}
	var held []scheduling.Appointment
	for _, body := range slots {
		wg.Go(func() {
			r := ana.Do(t, "POST", "/api/appointments", body)
			mu.Lock()
			defer mu.Unlock()
			count[r.Status]++
			if r.Status == 201 {
				var a scheduling.Appointment
				r.Decode(t, &a)
				held = append(held, a)
			}
		})
	}
	wg.Wait()
	if count[201] != 2 || count[422] != len(slots)-2 {
		t.Fatalf("racing holds answered %v, want two 201 and the rest 422", count)
	}
	for _, a := range held {
		e.Do(t, action("ana", a.ID, "confirm", 200, scheduling.Scheduled))
	}
	more := e.holdBody(e.hygienist, e.chair1, on("2026-12-04", "08:00"))
	e.Run(t, []apitest.Case{
		{Name: "a third", As: "ana", Method: "POST", Path: "/api/appointments", Body: more, Status: 422, Want: failure(422)},
		// A patient's booking goes through a hold: none is refused.
		{Name: "without a hold", As: "ana", Method: "POST", Path: "/api/appointments", Status: 422, Want: failure(422),
			Body: map[string]any{"providerId": e.hygienist.ID, "operatoryId": e.chair2.ID, "typeId": e.cleaning.ID, "start": on("2026-12-09", "08:00")}},
		// Cancelling one frees a place.
		action("ana", held[0].ID, "cancel", 200, scheduling.Cancelled),
	})
	var third scheduling.Appointment
	e.Do(t, apitest.Case{As: "ana", Method: "POST", Path: "/api/appointments", Body: more, Status: 201}).Decode(t, &third)
	// A hold that lapses frees its place too (after the lease a confirm
	// in flight may still use).
	e.clock.Advance(6 * time.Minute)
	ana.Relogin(t)
	e.Caller(t, desk).Relogin(t)
	later := e.holdBody(e.hygienist, e.chair1, on("2026-12-04", "09:10"))
	var fourth scheduling.Appointment
	e.Do(t, apitest.Case{As: "ana", Method: "POST", Path: "/api/appointments", Body: later, Status: 201}).Decode(t, &fourth)
	e.Do(t, action("ana", fourth.ID, "confirm", 200, scheduling.Scheduled))
	// The front desk may book past the limit, and what it books counts.
	e.Do(t, book("the desk books a third", booking(ana.id, e.dentist, e.chair1, on("2026-12-07", "09:00"), on("2026-12-07", "09:30")), 201))
	e.Do(t, action("ana", fourth.ID, "cancel", 200, scheduling.Cancelled))
	e.Do(t, apitest.Case{Name: "two left, one the desk's", As: "ana", Method: "POST", Path: "/api/appointments", Body: later, Status: 422, Want: failure(422)})
	// The limit is the clinic's.
	e.setLimits(t, 3, 2)
	e.Do(t, apitest.Case{Name: "with a limit of 3", As: "ana", Method: "POST", Path: "/api/appointments", Body: later, Status: 201})
}

// Waitlist entries: a request is entered once (409, whoever adds it), and a
// patient has at most maxWaitlistEntriesPerPatient (default 2) open
// entries, counting those the desk added for them, however many requests
// they race.
func TestWaitlistEntriesAreLimitedAndNeverDuplicated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.patient(t, "ana")
	entry := func(from, to string) map[string]any {
		return map[string]any{"typeId": e.cleaning.ID, "from": from, "to": to, "expiresOn": "2026-12-31"}
	}
	join := func(name, as string, body map[string]any, status int) apitest.Case {
		c := apitest.Case{Name: name, As: as, Method: "POST", Path: "/api/waitlist", Body: body, Status: status, Want: failure(status)}
		if status == 201 {
			c.Want = map[string]any{"patientId": ana.id, "status": "waiting"}
		}
		return c
	}
	forAna := func(body map[string]any) map[string]any {
		out := map[string]any{"patientId": ana.id}
		for k, v := range body {
			out[k] = v
		}
		return out
	}
	var first scheduling.WaitlistEntry
	e.Do(t, join("mornings", "ana", entry("08:00", "12:00"), 201)).Decode(t, &first)
	var extra scheduling.WaitlistEntry
	e.Run(t, []apitest.Case{
		join("mornings again", "ana", entry("08:00", "12:00"), 409),
		join("the desk adds mornings again", desk, forAna(entry("08:00", "12:00")), 409),
		join("afternoons", "ana", entry("13:00", "17:00"), 201),
		join("a third", "ana", entry("08:00", "17:00"), 422),
	})
	// The desk may add more, and those count.
	e.Do(t, join("the desk adds a third", desk, forAna(entry("08:00", "17:00")), 201)).Decode(t, &extra)
	e.Do(t, apitest.Case{As: "ana", Method: "DELETE", Path: "/api/waitlist/" + first.ID, Status: 204})
	e.Do(t, join("two still open", "ana", entry("08:00", "12:00"), 422))
	e.Do(t, apitest.Case{As: desk, Method: "DELETE", Path: "/api/waitlist/" + extra.ID, Status: 204})
	// A removed request can be entered again.
	e.Do(t, join("mornings after removing them", "ana", entry("08:00", "12:00"), 201))

	// Racing: six different requests → two; four identical → one.
	race := func(p patient, bodies []map[string]any) map[int]int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		count := map[int]int{}
		for _, b := range bodies {
			wg.Go(func() {
				s := p.Do(t, "POST", "/api/waitlist", b).Status
				mu.Lock()
				count[s]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return count
	}
	var different, same []map[string]any
	for i := range 6 {
		different = append(different, entry(fmt.Sprintf("%02d:00", 8+i), "17:00"))
		if i < 4 {
			same = append(same, entry("09:00", "11:00"))
		}
	}
	if got := race(e.patient(t, "bo"), different); got[201] != 2 || got[422] != 4 {
		t.Errorf("six different racing entries answered %v, want two 201 and four 422", got)
	}
	if got := race(e.patient(t, "cy"), same); got[201] != 1 || got[409] != 3 {
		t.Errorf("four identical racing entries answered %v, want one 201 and three 409", got)
	}
}

// newBareClinic is a clinic on a database of its own, with nothing in it.
func newBareClinic(t *testing.T) (*store.Mongo, *clock.Fake, *identity.Store, identity.Clinic) {
	t.Helper()
	m := storetest.NewFunctionEnv(t).Mongo(t)
	c := clock.NewFake(now)
	users := identity.NewStore(m, c)
	clinic, err := users.CreateClinic(context.Background(), "Riverside")
	if err != nil {
		t.Fatal(err)
	}
	return m, c, users, clinic
}

// Settings from another group are never trusted to be in bounds: a clinic
// whose settings predate the slot and the limits (all zero) still gets
// slots on the default grid and the default limit, and nothing divides by
// zero.
func TestZeroSettingsFromOldDataFallBackToDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, c, _, clinic := newBareClinic(t)
	zero := func(context.Context, string) (scheduling.Settings, error) {
		return scheduling.Settings{TimeZone: "America/New_York"}, nil
	}
	st := scheduling.NewStore(m, storetest.NewRedis(t), zero, c)
	chair, err := st.CreateOperatory(ctx, clinic.ID, "Op 1")
	if err != nil {
		t.Fatal(err)
	}
	name, kind := "Dr Old", "dentist"
	p, err := st.CreateProvider(ctx, clinic.ID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{chair.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = st.SetHours(ctx, clinic.ID, p.ID, avail.WeeklyHours{"wednesday": {{Start: "08:00", End: "12:00"}}}); err != nil {
		t.Fatal(err)
	}
	typ, err := st.CreateType(ctx, clinic.ID, scheduling.AppointmentType{Name: "Exam", Category: "exam", DurationMinutes: 30, BookableOnline: true})
	if err != nil {
		t.Fatal(err)
	}
	slots, err := st.Availability(ctx, clinic.ID, scheduling.AvailabilityQuery{From: at("08:00"), To: at("12:00"), TypeID: typ.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 15 { // 08:00 … 11:30 every 15 minutes
		t.Fatalf("%d slots, want 15 on the default grid", len(slots))
	}
	patientID := ids.New()
	by := scheduling.Actor{UserID: patientID, Role: "patient"}
	for i := range 3 {
		_, err := st.Book(ctx, clinic.ID, scheduling.Booking{PatientID: patientID, ProviderID: p.ID, OperatoryID: chair.ID, TypeID: typ.ID,
			Start: slots[2*i].Start, Source: "portal", Hold: 5 * time.Minute, OnlineOnly: true}, by)
		switch {
		case i < 2 && err != nil:
			t.Fatalf("booking %d: %v", i+1, err)
		case i == 2 && !errs.Is(err, errs.Unprocessable):
			t.Fatalf("a third booking: %v, want the default limit of 2 (422)", err)
		}
	}
}

// The clinic's limits reach scheduling through the composition root's
// adapter.
func TestClinicLimitsReachScheduling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, c, users, clinic := newBareClinic(t)
	clinic.Settings.MaxFutureAppointmentsPerPatient, clinic.Settings.MaxWaitlistEntriesPerPatient = 5, 7
	if _, err := users.UpdateClinic(ctx, clinic.ID, nil, clinic.Settings); err != nil {
		t.Fatal(err)
	}
	got, err := wire.ClinicSettings(m, c)(ctx, clinic.ID)
	if err != nil || got.MaxFutureAppointmentsPerPatient != 5 || got.MaxWaitlistEntriesPerPatient != 7 {
		t.Fatalf("settings %+v, %v: want the clinic's limits 5 and 7", got, err)
	}
}
