package scheduling_test

import (
	"slices"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// The waitlist as deployed: offers go through the queue (e.outbox) to the
// e-mail the patients group has on file, with links to the portal.
func TestWaitlistFillsAFreedSlotOneOfferAtATime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana, bo, cy := e.patient(t, "ana"), e.patient(t, "bo"), e.patient(t, "cy")
	join := func(p patient, urgency int, from string) scheduling.WaitlistEntry {
		t.Helper()
		var out scheduling.WaitlistEntry
		e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/waitlist", Status: 201,
			Body: map[string]any{"patientId": p.id, "typeId": e.cleaning.ID, "urgency": urgency, "from": from, "to": "17:00", "expiresOn": "2026-12-31"},
			Want: map[string]any{"patientId": p.id, "status": "waiting", "urgency": urgency, "from": from}}).Decode(t, &out)
		return out
	}
	offers := func(want ...string) {
		t.Helper()
		if got := e.offeredTo(t); !slices.Equal(got, want) {
			t.Fatalf("offers went to %v, want %v", got, want)
		}
	}
	joinAna := join(ana, 3, "08:00")
	e.clock.Advance(time.Minute)
	joinBo := join(bo, 5, "08:00") // most urgent
	join(cy, 5, "16:00")           // urgent but only late afternoon: no match
	slot := map[string]any{"patientId": ids.New(), "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("09:00")}
	a := e.mustBook(t, slot)
	cancel := action(desk, a.ID, "cancel", 200, scheduling.Cancelled)
	cancel.Body = map[string]string{"reason": "other", "reasonText": "moved away"}
	e.Do(t, cancel)
	offers(bo.id) // only Bo: the most urgent match
	e.Run(t, []apitest.Case{
		{Name: "Bo's offer", As: "bo", Method: "GET", Path: "/api/waitlist", Status: 200, Want: map[string]any{"items": []any{
			map[string]any{"id": joinBo.ID, "status": "offered", "offer": map[string]any{"start": at("09:00"), "providerId": e.hygienist.ID}}}}},
		// The offered slot is held: nobody else can book it meanwhile.
		book("the held slot", slot, 409),
		// Ana cannot answer Bo's offer.
		{Name: "Ana answers Bo's offer", As: "ana", Method: "PATCH", Path: "/api/waitlist/" + joinBo.ID, Body: map[string]string{"answer": "accept"}, Status: 404, Want: failure(404)},
		// Bo declines: the slot goes to the next in line, Ana.
		{Name: "Bo declines", As: "bo", Method: "PATCH", Path: "/api/waitlist/" + joinBo.ID, Body: map[string]string{"answer": "decline"}, Status: 200,
			Want: map[string]any{"id": joinBo.ID, "status": "waiting"}},
	})
	offers(bo.id, ana.id)
	e.Do(t, apitest.Case{As: "ana", Method: "GET", Path: "/api/waitlist", Status: 200, Want: map[string]any{"items": []any{
		map[string]any{"id": joinAna.ID, "status": "offered", "offer": map[string]any{"start": at("09:00")}}}}})
	// Ana's offer lapses: it passes on; Bo declined this slot, so nobody else.
	e.clock.Advance(31 * time.Minute)
	e.Caller(t, desk).Relogin(t)
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/waitlist", Status: 200, Check: func(tb testing.TB, r apitest.Response) {
		var list struct{ Items []scheduling.WaitlistEntry }
		r.Decode(tb, &list)
		for _, it := range list.Items {
			if it.Status != scheduling.Waiting || it.Offer != nil {
				tb.Errorf("entry %s is %s with offer %v after the lapse", it.PatientID, it.Status, it.Offer)
			}
		}
		if len(list.Items) != 3 {
			tb.Errorf("%d entries, want all 3 still waiting", len(list.Items))
		}
	}})
	offers(bo.id, ana.id) // a declined slot is not offered again
	// The slot is free again for the front desk.
	e.Do(t, book("the freed slot", slot, 201))
}

func TestAcceptingAnOfferBooksTheSlot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.patient(t, "ana")
	var entry scheduling.WaitlistEntry
	// A patient joins for themself, at the practice's default urgency.
	e.Do(t, apitest.Case{As: "ana", Method: "POST", Path: "/api/waitlist", Status: 201,
		Body: map[string]any{"typeId": e.cleaning.ID, "from": "08:00", "to": "12:00", "expiresOn": "2026-12-31"},
		Want: map[string]any{"patientId": ana.id, "status": "waiting", "urgency": 3}}).Decode(t, &entry)
	a := e.mustBook(t, map[string]any{"patientId": ids.New(), "providerId": e.dentist.ID, "operatoryId": e.chair2.ID, "typeId": e.cleaning.ID, "start": at("10:00")})
	e.Do(t, action(desk, a.ID, "cancel", 200, scheduling.Cancelled))
	msgs := e.offers()
	if len(msgs) != 1 {
		t.Fatalf("offers %+v", msgs)
	}
	link := "https://clinic.test/portal/offers/" + entry.ID
	if m := msgs[0]; m.To != e.emailOf[ana.id] || m.Channel != "email" || m.Data["acceptUrl"] != link+"?answer=accept" || m.Data["declineUrl"] != link+"?answer=decline" ||
		m.Data["start"] != at("10:00").Format(time.RFC3339) {
		t.Fatalf("offer message %+v", m)
	}
	var offered struct{ Items []scheduling.WaitlistEntry }
	ana.MustJSON(t, "GET", "/api/waitlist", nil, 200, &offered)
	if len(offered.Items) != 1 || offered.Items[0].Offer == nil {
		t.Fatalf("ana's waitlist %+v", offered.Items)
	}
	held := offered.Items[0].Offer.AppointmentID
	e.Run(t, []apitest.Case{
		{Name: "accept", As: "ana", Method: "PATCH", Path: "/api/waitlist/" + entry.ID, Body: map[string]string{"answer": "accept"}, Status: 200,
			Want: map[string]any{"id": entry.ID, "status": "booked"}},
		{Name: "booked", As: "ana", Method: "GET", Path: "/api/appointments/" + held, Status: 200,
			Want: map[string]any{"status": "scheduled", "patientId": ana.id, "start": at("10:00"), "source": "waitlist"}},
		// Answering twice is refused.
		{Name: "answer again", As: "ana", Method: "PATCH", Path: "/api/waitlist/" + entry.ID, Body: map[string]string{"answer": "decline"}, Status: 409, Want: failure(409)},
	})
}
