package scheduling_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// An offer's lifecycle is one state machine with its held appointment:
// only a hold that is still held is released or offered onward, and
// confirming the hold is accepting the offer. These tests attack it from
// every side a patient or the front desk can reach; each ends by checking
// that no provider or chair has two overlapping live appointments.

// offered is one freed slot held for first, with second next in line.
type offered struct {
	first, second           patient
	firstEntry, secondEntry scheduling.WaitlistEntry
	slot                    map[string]any // the freed slot as the desk books it
	hold                    string         // the held appointment offered to first
}

// offerSlot puts two new patients (first more urgent) on the waitlist for
// the cleaning at start only, books that slot for someone else and cancels
// it, so that it is offered to first.
func (e *env) offerSlot(t *testing.T, names [2]string, start time.Time) offered {
	t.Helper()
	loc, _ := time.LoadLocation("America/New_York")
	local := start.In(loc)
	o := offered{first: e.patient(t, names[0]), second: e.patient(t, names[1])}
	join := func(p patient, urgency int) scheduling.WaitlistEntry {
		t.Helper()
		var out scheduling.WaitlistEntry
		e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/waitlist", Status: 201,
			Body: map[string]any{"patientId": p.id, "typeId": e.cleaning.ID, "urgency": urgency, "providerIds": []string{e.hygienist.ID},
				"from": local.Format("15:04"), "to": local.Add(time.Hour).Format("15:04"), "expiresOn": local.Format(time.DateOnly)}}).Decode(t, &out)
		return out
	}
	o.firstEntry, o.secondEntry = join(o.first, 5), join(o.second, 4)
	o.slot = map[string]any{"patientId": ids.New(), "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": start}
	a := e.mustBook(t, o.slot)
	e.Do(t, action(desk, a.ID, "cancel", 200, scheduling.Cancelled))
	o.hold = e.offerOf(t, o.first)
	if o.hold == "" {
		t.Fatalf("the freed slot was not offered to %s", names[0])
	}
	return o
}

// offerOf is the appointment offered to p on their open offer, or "".
func (e *env) offerOf(t *testing.T, p patient) string {
	t.Helper()
	var list struct{ Items []scheduling.WaitlistEntry }
	p.MustJSON(t, "GET", "/api/waitlist", nil, 200, &list)
	for _, it := range list.Items {
		if it.Status == scheduling.Offered && it.Offer != nil {
			return it.Offer.AppointmentID
		}
	}
	return ""
}

// entryStatus is the entry's status as stored.
func (e *env) entryStatus(t *testing.T, id string) string {
	t.Helper()
	got, err := e.st.WaitlistEntryByID(context.Background(), e.clinic.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return got.Status
}

// appointmentStatus is the appointment's status as the desk reads it.
func (e *env) appointmentStatus(t *testing.T, id string) scheduling.Status {
	t.Helper()
	var a scheduling.Appointment
	e.Caller(t, desk).MustJSON(t, "GET", "/api/appointments/"+id, nil, 200, &a)
	return a.Status
}

// noDoubleBooking fails t when two appointments that still hold their time
// overlap, buffers included, for one provider or one chair on day (a New
// York date).
func (e *env) noDoubleBooking(t *testing.T, day string) {
	t.Helper()
	var list struct{ Items []scheduling.Appointment }
	e.Caller(t, desk).MustJSON(t, "GET", "/api/appointments?limit=200&from="+on(day, "00:00").Format(time.RFC3339)+"&to="+on(day, "23:59").Format(time.RFC3339), nil, 200, &list)
	var live []scheduling.Appointment
	for _, a := range list.Items {
		if a.Status != scheduling.Cancelled && !(a.Status == scheduling.Held && a.HoldExpiresAt != nil && !e.clock.Now().Before(*a.HoldExpiresAt)) {
			live = append(live, a)
		}
	}
	for i, a := range live {
		for _, b := range live[i+1:] {
			aStart, aEnd := a.Start.Add(-time.Duration(a.BufferBefore)*time.Minute), a.End.Add(time.Duration(a.BufferAfter)*time.Minute)
			bStart, bEnd := b.Start.Add(-time.Duration(b.BufferBefore)*time.Minute), b.End.Add(time.Duration(b.BufferAfter)*time.Minute)
			if aStart.Before(bEnd) && bStart.Before(aEnd) && (a.ProviderID == b.ProviderID || a.OperatoryID == b.OperatoryID) {
				t.Errorf("double booking: %s (%s, patient %s) and %s (%s, patient %s) overlap at %s", a.ID, a.Status, a.PatientID, b.ID, b.Status, b.PatientID, a.Start)
			}
		}
	}
}

// The attack of issue 9: confirm the held appointment directly, then
// decline the offer. The decline used to strip the slot claims from what
// was now a real appointment and offer the same time to the next patient,
// who accepted: two scheduled visits for one provider and chair.
func TestConfirmingAHeldOfferThenDecliningItCannotDoubleBook(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := e.offerSlot(t, [2]string{"bo", "ana"}, at("09:00"))
	bo, ana := o.first, o.second
	if r := bo.Do(t, "POST", "/api/appointments/"+o.hold+"/confirm", map[string]any{}); r.Status != 200 {
		t.Fatalf("confirm the hold: %d %s", r.Status, r.Body)
	}
	// Confirming the held appointment is accepting the offer.
	if got := e.entryStatus(t, o.firstEntry.ID); got != scheduling.Booked {
		t.Errorf("bo's entry is %s after confirming the held slot, want booked", got)
	}
	if r := bo.Do(t, "PATCH", "/api/waitlist/"+o.firstEntry.ID, map[string]string{"answer": "decline"}); r.Status != http.StatusConflict {
		t.Errorf("declining an accepted offer: %d %s, want 409", r.Status, r.Body)
	}
	if got := e.appointmentStatus(t, o.hold); got != scheduling.Scheduled {
		t.Errorf("bo's visit is %s after the decline, want scheduled", got)
	}
	// The time is bo's: nobody else is offered it, nor can book it.
	if next := e.offerOf(t, ana); next != "" {
		t.Errorf("the slot bo booked was offered to ana (%s)", next)
		if r := ana.Do(t, "PATCH", "/api/waitlist/"+o.secondEntry.ID, map[string]string{"answer": "accept"}); r.Status == 200 {
			t.Errorf("and ana accepted it")
		}
	}
	e.Do(t, book("the booked slot", o.slot, 409))
	e.noDoubleBooking(t, "2026-12-02")
}

// DELETE of an entry whose offer was accepted (through the appointment)
// takes the entry off the list and leaves the visit alone: it used to
// cancel the now-scheduled appointment, skipping the cancellation-notice
// rule.
func TestRemovingAnEntryWhoseOfferWasAcceptedKeepsTheVisit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := e.offerSlot(t, [2]string{"bo", "ana"}, at("10:00"))
	if r := o.first.Do(t, "POST", "/api/appointments/"+o.hold+"/confirm", map[string]any{}); r.Status != 200 {
		t.Fatalf("confirm the hold: %d %s", r.Status, r.Body)
	}
	if r := o.first.Do(t, "DELETE", "/api/waitlist/"+o.firstEntry.ID, nil); r.Status != http.StatusNoContent {
		t.Fatalf("remove the entry: %d %s", r.Status, r.Body)
	}
	if got := e.appointmentStatus(t, o.hold); got != scheduling.Scheduled {
		t.Errorf("bo's visit is %s after removing the entry, want scheduled", got)
	}
	if next := e.offerOf(t, o.second); next != "" {
		t.Errorf("bo's visit was offered to ana (%s)", next)
	}
	e.noDoubleBooking(t, "2026-12-02")
}

// Removing an entry with an open offer releases the hold and offers the
// time to the next in line.
func TestRemovingAnEntryWithAnOpenOfferPassesTheSlotOn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := e.offerSlot(t, [2]string{"bo", "ana"}, at("10:00"))
	if r := o.first.Do(t, "DELETE", "/api/waitlist/"+o.firstEntry.ID, nil); r.Status != http.StatusNoContent {
		t.Fatalf("remove the entry: %d %s", r.Status, r.Body)
	}
	if got := e.appointmentStatus(t, o.hold); got != scheduling.Cancelled {
		t.Errorf("the hold is %s after its entry was removed, want cancelled", got)
	}
	next := e.offerOf(t, o.second)
	if next == "" {
		t.Fatal("the released slot was not offered to ana")
	}
	e.Do(t, apitest.Case{As: "ana", Method: "PATCH", Path: "/api/waitlist/" + o.secondEntry.ID, Body: map[string]string{"answer": "accept"}, Status: 200,
		Want: map[string]any{"status": "booked"}})
	e.noDoubleBooking(t, "2026-12-02")
}

// The front desk (or the patient) cancelling the held appointment ends the
// offer: the entry waits again (that time declined) and the time goes to
// the next in line; the first patient's late accept is refused.
func TestCancellingAnOfferedHoldPassesTheOfferOn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	o := e.offerSlot(t, [2]string{"bo", "ana"}, at("11:00"))
	e.Do(t, action(desk, o.hold, "cancel", 200, scheduling.Cancelled))
	if got := e.entryStatus(t, o.firstEntry.ID); got != scheduling.Waiting {
		t.Errorf("bo's entry is %s after the desk cancelled the hold, want waiting", got)
	}
	e.Do(t, apitest.Case{As: "bo", Method: "PATCH", Path: "/api/waitlist/" + o.firstEntry.ID, Body: map[string]string{"answer": "accept"}, Status: 409, Want: failure(409)})
	if next := e.offerOf(t, o.second); next == "" {
		t.Error("the cancelled hold's time was not offered to ana")
	} else {
		e.Do(t, apitest.Case{As: "ana", Method: "PATCH", Path: "/api/waitlist/" + o.secondEntry.ID, Body: map[string]string{"answer": "accept"}, Status: 200})
	}
	e.noDoubleBooking(t, "2026-12-02")
}

// Every answer a patient and the desk can give to one offer, all at once,
// round after round: whatever wins, one provider and chair have at most
// one live appointment at the time, and the entry agrees with the hold.
func TestRacingOfferAnswersNeverDoubleBook(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	starts := []string{"08:00", "09:10", "10:20", "13:00", "14:10", "15:20"}
	for round, hhmm := range starts {
		o := e.offerSlot(t, [2]string{fmt.Sprintf("bo%d", round), fmt.Sprintf("ana%d", round)}, at(hhmm))
		bo := o.first
		calls := []func() int{
			func() int { return bo.Do(t, "POST", "/api/appointments/"+o.hold+"/confirm", map[string]any{}).Status },
			func() int {
				return bo.Do(t, "PATCH", "/api/waitlist/"+o.firstEntry.ID, map[string]string{"answer": "accept"}).Status
			},
			func() int {
				return bo.Do(t, "PATCH", "/api/waitlist/"+o.firstEntry.ID, map[string]string{"answer": "decline"}).Status
			},
		}
		switch round % 3 {
		case 1:
			calls = append(calls, func() int { return bo.Do(t, "DELETE", "/api/waitlist/"+o.firstEntry.ID, nil).Status })
		case 2:
			calls = append(calls, func() int {
				return e.Caller(t, desk).Do(t, "POST", "/api/appointments/"+o.hold+"/cancel", map[string]any{}).Status
			})
		}
		var wg sync.WaitGroup
		codes := make([]int, len(calls))
		for i, call := range calls {
			wg.Go(func() { codes[i] = call() })
		}
		wg.Wait()
		for i, c := range codes {
			if c >= 500 || !slices.Contains([]int{200, 204, 409}, c) {
				t.Errorf("round %d: call %d answered %d", round, i, c)
			}
		}
		// Whoever is offered the time next accepts it.
		if next := e.offerOf(t, o.second); next != "" {
			o.second.Do(t, "PATCH", "/api/waitlist/"+o.secondEntry.ID, map[string]string{"answer": "accept"})
		}
		hold, entry := e.appointmentStatus(t, o.hold), e.entryStatus(t, o.firstEntry.ID)
		switch {
		case hold == scheduling.Scheduled && entry != scheduling.Booked && entry != scheduling.Removed:
			t.Errorf("round %d (%v): the hold is scheduled but bo's entry is %s", round, codes, entry)
		case hold == scheduling.Cancelled && entry == scheduling.Booked && round%3 != 2: // the desk may cancel the visit once booked
			t.Errorf("round %d (%v): the hold is cancelled but bo's entry is booked", round, codes)
		case hold == scheduling.Held:
			t.Errorf("round %d (%v): the hold is still held after every answer", round, codes)
		}
	}
	e.noDoubleBooking(t, "2026-12-02")
}

// A confirm that read the hold just before it lapsed may write just after:
// until then nobody may take its time, neither a new booking nor the
// sweep that passes lapsed offers on. (The confirm is stopped between its
// version claim and its write, and the clock moved past the expiry.)
func TestConfirmRacingTheHoldsExpiryCannotDoubleBook(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		race func(t *testing.T, e *env, o offered) // runs while the confirm is stopped
	}{
		{"a desk booking", func(t *testing.T, e *env, o offered) {
			if r := e.Caller(t, desk).Do(t, "POST", "/api/appointments", o.slot); r.Status != http.StatusConflict {
				t.Errorf("booking the slot while the hold's confirm is in flight: %d %s, want 409", r.Status, r.Body)
			}
		}},
		{"the lapsed-offer sweep", func(t *testing.T, e *env, o offered) {
			if r := e.Caller(t, desk).Do(t, "GET", "/api/waitlist", nil); r.Status != 200 {
				t.Errorf("sweep: %d %s", r.Status, r.Body)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			o := e.offerSlot(t, [2]string{"bo", "ana"}, at("09:00"))
			var h scheduling.Appointment
			e.Caller(t, desk).MustJSON(t, "GET", "/api/appointments/"+o.hold, nil, 200, &h)
			// A second before the hold lapses, bo confirms; the confirm
			// stops after its claim while the clock passes the expiry.
			e.clock.Set(h.HoldExpiresAt.Add(-time.Second))
			e.Caller(t, desk).Relogin(t)
			o.second.Relogin(t)
			var once sync.Once
			e.st.Versions().SetAfterClaim(func(kind, id string, _ int) error {
				if kind == "appointments" && id == o.hold {
					once.Do(func() {
						e.clock.Set(h.HoldExpiresAt.Add(time.Second))
						tc.race(t, e, o)
					})
				}
				return nil
			})
			if _, err := e.st.Transition(context.Background(), e.clinic.ID, o.hold, "confirm", scheduling.Actor{UserID: "bo", Role: "patient"}, scheduling.CancelReason{}, false); err != nil {
				t.Fatalf("confirm: %v", err)
			}
			e.st.Versions().SetAfterClaim(nil)
			if next := e.offerOf(t, o.second); next != "" {
				t.Errorf("the confirmed slot was offered to ana (%s)", next)
				o.second.Do(t, "PATCH", "/api/waitlist/"+o.secondEntry.ID, map[string]string{"answer": "accept"})
			}
			e.noDoubleBooking(t, "2026-12-02")
		})
	}
}
