package scheduling_test

import (
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// The desk works the waitlist from an entry: book it into a chosen time,
// or offer the patient a chosen time now.

// join puts p on the waitlist for the cleaning, any provider, all day.
func (e *env) join(t *testing.T, p patient, urgency int) scheduling.WaitlistEntry {
	t.Helper()
	var out scheduling.WaitlistEntry
	e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/waitlist", Status: 201,
		Body: map[string]any{"patientId": p.id, "typeId": e.cleaning.ID, "urgency": urgency, "from": "08:00", "to": "17:00", "expiresOn": "2026-12-31"}}).Decode(t, &out)
	return out
}

func offerCase(name, as, entryID string, body map[string]any, status int) apitest.Case {
	c := apitest.Case{Name: name, As: as, Method: "POST", Path: "/api/waitlist/" + entryID + "/offer", Body: body, Status: status, Want: failure(status)}
	if status == 200 {
		c.Want = map[string]any{"id": entryID, "status": "offered", "offer": map[string]any{"start": body["start"], "providerId": body["providerId"]}}
	}
	return c
}

func TestTheDeskOffersAWaitingPatientATimeNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana, bo := e.patient(t, "ana"), e.patient(t, "bo")
	anaEntry := e.join(t, ana, 3)
	boEntry := e.join(t, bo, 2)
	slot := map[string]any{"providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "start": at("09:00")}
	e.Run(t, []apitest.Case{
		// A patient cannot make offers, not even to themself.
		offerCase("by the patient", "ana", anaEntry.ID, slot, 403),
		offerCase("off the grid", desk, anaEntry.ID, map[string]any{"providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "start": at("09:03")}, 400),
		offerCase("offer ana 9:00", desk, anaEntry.ID, slot, 200),
		// The time is held for Ana: nobody else gets it meanwhile.
		book("the held time", map[string]any{"patientId": ids.New(), "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("09:00")}, 409),
		offerCase("the same time to bo", desk, boEntry.ID, slot, 409),
		// An entry with an offer out is not offered a second time.
		offerCase("ana again", desk, anaEntry.ID, map[string]any{"providerId": e.dentist.ID, "operatoryId": e.chair2.ID, "start": at("11:00")}, 409),
	})
	// Told as a freed slot's offer is: one message, with the portal's links.
	msgs := e.offers()
	link := "https://clinic.test/portal/offers/" + anaEntry.ID
	if len(msgs) != 1 || msgs[0].To != e.emailOf[ana.id] || msgs[0].Data["acceptUrl"] != link+"?answer=accept" || msgs[0].Data["start"] != at("09:00").Format(time.RFC3339) {
		t.Fatalf("offers %+v", msgs)
	}
	// Recorded before it is made, and a refusal as not applied.
	made, refused := false, false
	for _, r := range e.records(t, audit.Filter{Action: "waitlist.offer"}) {
		made = made || r.Resource == "waitlist/"+anaEntry.ID && r.PatientID == ana.id && r.Outcome == audit.Success
		refused = refused || r.Resource == "waitlist/"+boEntry.ID && r.PatientID == bo.id && r.Outcome == audit.Failure
	}
	if !made || !refused {
		t.Fatalf("waitlist.offer records: made %v, refused %v", made, refused)
	}
	// Ana declines: as with any offer the time passes to the next in line.
	e.Do(t, apitest.Case{Name: "ana declines", As: "ana", Method: "PATCH", Path: "/api/waitlist/" + anaEntry.ID, Body: map[string]string{"answer": "decline"}, Status: 200,
		Want: map[string]any{"id": anaEntry.ID, "status": "waiting"}})
	if got := e.offeredTo(t); len(got) != 2 || got[1] != bo.id {
		t.Fatalf("offers went to %v, want ana then bo", got)
	}
	if st := e.entryStatus(t, boEntry.ID); st != scheduling.Offered {
		t.Fatalf("bo's entry is %s", st)
	}
	e.noDoubleBooking(t, "2026-12-02")
}

func TestBookingAWaitlistedPatientTakesThemOffTheList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana, bo := e.patient(t, "ana"), e.patient(t, "bo")
	entry := e.join(t, ana, 3)
	boEntry := e.join(t, bo, 3)
	body := func(patientID, entryID, start string) map[string]any {
		return map[string]any{"patientId": patientID, "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID,
			"start": at(start), "waitlistEntryId": entryID}
	}
	asAna := book("the patient names an entry", body(ana.id, entry.ID, "09:00"), 400)
	asAna.As = "ana"
	e.Run(t, []apitest.Case{
		book("bo into ana's entry", body(bo.id, entry.ID, "09:00"), 400),
		book("an entry of no one", body(ana.id, ids.New(), "09:00"), 404),
		asAna,
	})
	if st := e.entryStatus(t, entry.ID); st != scheduling.Waiting {
		t.Fatalf("after refused bookings ana's entry is %s", st)
	}
	a := e.mustBook(t, body(ana.id, entry.ID, "09:00"))
	if st := e.entryStatus(t, entry.ID); st != scheduling.Booked {
		t.Fatalf("after booking ana's entry is %s", st)
	}
	e.Run(t, []apitest.Case{
		{Name: "the visit", As: desk, Method: "GET", Path: "/api/appointments/" + a.ID, Status: 200,
			Want: map[string]any{"status": "scheduled", "patientId": ana.id, "typeId": e.cleaning.ID, "start": at("09:00")}},
		{Name: "off the list", As: desk, Method: "GET", Path: "/api/waitlist", Status: 200,
			Want: map[string]any{"items": []any{map[string]any{"id": boEntry.ID}}}},
		// Booked once: the entry books nothing more.
		book("ana's entry again", body(ana.id, entry.ID, "11:00"), 409),
		// A taken time leaves the patient waiting.
		book("bo into ana's time", body(bo.id, boEntry.ID, "09:00"), 409),
	})
	if st := e.entryStatus(t, boEntry.ID); st != scheduling.Waiting {
		t.Fatalf("after a taken time bo's entry is %s", st)
	}
	recs := e.records(t, audit.Filter{Action: "waitlist.book"})
	if len(recs) == 0 || recs[len(recs)-1].Resource != "waitlist/"+boEntry.ID || recs[len(recs)-1].Outcome != audit.Failure {
		t.Fatalf("waitlist.book records %+v", recs)
	}
}
