package scheduling_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// offers records what the waitlist would send.
type offers struct {
	mu   sync.Mutex
	sent []scheduling.Offer
	to   []string
}

func (o *offers) OfferSlot(_ context.Context, _ string, e scheduling.WaitlistEntry, off scheduling.Offer) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, off)
	o.to = append(o.to, e.PatientID)
	return nil
}

var _ scheduling.Notifier = (*offers)(nil)

func TestWaitlistFillsAFreedSlotOneOfferAtATime(t *testing.T) {
	e := newEnv(t)
	sent := &offers{}
	e.st.WithWaitlistOffers(sent, 30*time.Minute)
	desk := e.as(identity.RoleReceptionist)
	ana, bo, cy := e.as(identity.RolePatient), e.as(identity.RolePatient), e.as(identity.RolePatient)

	join := func(c *caller, urgency int, from string) scheduling.WaitlistEntry {
		var out scheduling.WaitlistEntry
		r := desk.do("POST", "/api/waitlist", map[string]any{"patientId": c.patient, "typeId": e.cleaning.ID, "urgency": urgency, "from": from, "to": "17:00", "expiresOn": "2026-12-31"})
		expect(t, r, 201)
		r.decode(t, &out)
		return out
	}
	joinAna := join(ana, 3, "08:00")
	e.clock.Advance(time.Minute)
	joinBo := join(bo, 5, "08:00") // most urgent
	join(cy, 5, "16:00")           // urgent but only late afternoon: no match
	_ = joinAna

	var a scheduling.Appointment
	r := desk.do("POST", "/api/appointments", map[string]any{"patientId": ids.New(), "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("09:00")})
	expect(t, r, 201)
	r.decode(t, &a)
	expect(t, desk.do("POST", "/api/appointments/"+a.ID+"/cancel", map[string]string{"reason": "moved away"}), 200)

	if len(sent.to) != 1 || sent.to[0] != bo.patient {
		t.Fatalf("offers went to %v, want only Bo (most urgent match)", sent.to)
	}
	// The offered slot is held: nobody else can book it meanwhile.
	expect(t, desk.do("POST", "/api/appointments", map[string]any{"patientId": ids.New(), "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("09:00")}), 409)
	// Ana cannot answer Bo's offer.
	expect(t, ana.do("PATCH", "/api/waitlist/"+joinBo.ID, map[string]string{"answer": "accept"}), 404)
	// Bo declines: the slot goes to the next in line, Ana.
	expect(t, bo.do("PATCH", "/api/waitlist/"+joinBo.ID, map[string]string{"answer": "decline"}), 200)
	if len(sent.to) != 2 || sent.to[1] != ana.patient {
		t.Fatalf("after decline, offers went to %v", sent.to)
	}
	// Ana's offer lapses: it passes on; Bo declined this slot, so nobody else.
	e.clock.Advance(31 * time.Minute)
	desk.renew()
	expect(t, desk.do("GET", "/api/waitlist", nil), 200)
	if len(sent.to) != 2 {
		t.Fatalf("a declined slot was offered again: %v", sent.to)
	}
	// The slot is free again for the front desk.
	expect(t, desk.do("POST", "/api/appointments", map[string]any{"patientId": ids.New(), "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("09:00")}), 201)
}

func TestAcceptingAnOfferBooksTheSlot(t *testing.T) {
	e := newEnv(t)
	sent := &offers{}
	e.st.WithWaitlistOffers(sent, 30*time.Minute)
	desk := e.as(identity.RoleReceptionist)
	ana := e.as(identity.RolePatient)
	var entry scheduling.WaitlistEntry
	r := ana.do("POST", "/api/waitlist", map[string]any{"typeId": e.cleaning.ID, "from": "08:00", "to": "12:00", "expiresOn": "2026-12-31"})
	expect(t, r, 201)
	r.decode(t, &entry)
	if entry.PatientID != ana.patient {
		t.Fatalf("patient joined as %s", entry.PatientID)
	}
	var a scheduling.Appointment
	r = desk.do("POST", "/api/appointments", map[string]any{"patientId": ids.New(), "providerId": e.dentist.ID, "operatoryId": e.chair2.ID, "typeId": e.cleaning.ID, "start": at("10:00")})
	expect(t, r, 201)
	r.decode(t, &a)
	expect(t, desk.do("POST", "/api/appointments/"+a.ID+"/cancel", nil), 200)
	if len(sent.sent) != 1 {
		t.Fatalf("offers %v", sent.sent)
	}
	r = ana.do("PATCH", "/api/waitlist/"+entry.ID, map[string]string{"answer": "accept"})
	expect(t, r, 200)
	var booked scheduling.Appointment
	r = ana.do("GET", "/api/appointments/"+sent.sent[0].AppointmentID, nil)
	expect(t, r, 200)
	r.decode(t, &booked)
	if booked.Status != scheduling.Scheduled || booked.PatientID != ana.patient || !booked.Start.Equal(at("10:00")) {
		t.Fatalf("accepted offer: %+v", booked)
	}
	// Answering twice is refused.
	expect(t, ana.do("PATCH", "/api/waitlist/"+entry.ID, map[string]string{"answer": "decline"}), 409)
}
