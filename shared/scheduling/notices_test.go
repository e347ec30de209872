package scheduling_test

import (
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// Booking, moving and cancelling tell the patient at once, through the
// queue, in the clinic's name and zone and by their contact on file; a
// patient's own hold says nothing until it is confirmed, and releasing a
// hold says nothing. A notice's id follows the appointment's version, so a
// change told twice is delivered once.
func TestBookingMovingAndCancellingNotifyThePatient(t *testing.T) {
	e := newEnv(t)
	ana := e.patient(t, "ana")
	a := e.mustBook(t, map[string]any{"patientId": ana.id, "providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("09:00")})
	e.Do(t, apitest.Case{As: desk, Method: "PATCH", Path: "/api/appointments/" + a.ID, Body: map[string]any{"start": at("10:00")}, Status: 200})
	e.Do(t, action(desk, a.ID, "cancel", 200, scheduling.Cancelled))

	// The patient's own hold: nothing until the confirm, then "booked".
	var held scheduling.Appointment
	e.Do(t, apitest.Case{As: "ana", Method: "POST", Path: "/api/appointments", Body: e.holdBody(e.hygienist, e.chair1, at("14:00")), Status: 201}).Decode(t, &held)
	if n := len(e.notices()); n != 3 {
		t.Fatalf("%d notices before the hold is confirmed, want 3: %+v", n, e.notices())
	}
	e.Do(t, action("ana", held.ID, "confirm", 200, scheduling.Scheduled))
	var other scheduling.Appointment
	e.Do(t, apitest.Case{As: "ana", Method: "POST", Path: "/api/appointments", Body: e.holdBody(e.hygienist, e.chair1, at("16:00")), Status: 201}).Decode(t, &other)
	e.Do(t, action("ana", other.ID, "cancel", 200, scheduling.Cancelled))

	got := e.notices()
	want := []struct {
		template, start, previous string
	}{
		{"appointment-booked", at("09:00").Format(time.RFC3339), ""},
		{"appointment-moved", at("10:00").Format(time.RFC3339), at("09:00").Format(time.RFC3339)},
		{"appointment-cancelled", at("10:00").Format(time.RFC3339), ""},
		{"appointment-booked", at("14:00").Format(time.RFC3339), ""},
	}
	if len(got) != len(want) {
		t.Fatalf("notices %+v, want %d", got, len(want))
	}
	seen := map[string]bool{}
	for i, w := range want {
		m := got[i]
		if m.Template != w.template || m.Data["start"] != w.start || m.Data["previousStart"] != w.previous {
			t.Errorf("notice %d: %s start %s previous %q, want %s %s %q", i, m.Template, m.Data["start"], m.Data["previousStart"], w.template, w.start, w.previous)
		}
		if m.To != e.emailOf[ana.id] || m.Channel != "email" || m.ClinicID != e.clinic.ID || m.Data["clinicName"] != "Riverside" ||
			m.Data["timeZone"] != "America/New_York" || m.Data["firstName"] != "ana" {
			t.Errorf("notice %d goes to %s by %s with %v", i, m.To, m.Channel, m.Data)
		}
		if seen[m.ID] {
			t.Errorf("notice %d reuses id %s", i, m.ID)
		}
		seen[m.ID] = true
	}
	if got[0].Data["manageUrl"] != "https://clinic.test/portal" || got[2].Data["bookUrl"] != "https://clinic.test/portal/book" {
		t.Errorf("links: %v / %v", got[0].Data, got[2].Data)
	}
}
