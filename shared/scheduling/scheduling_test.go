package scheduling_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
)

func TestOverlapRules(t *testing.T) {
	// Existing: Dr Okafor in Op 1, 10:00–11:00, with a 10-minute buffer after
	// (booked through the Cleaning type) — it blocks 10:00–11:10.
	tests := []struct {
		name       string
		provider   string // "dentist" or "hygienist"
		chair      int
		start, end string
		status     int
	}{
		{"same slot", "dentist", 1, "10:00", "11:00", 409},
		{"contained", "dentist", 2, "10:15", "10:45", 409},
		{"containing", "dentist", 2, "09:30", "11:30", 409},
		{"overlaps start", "dentist", 2, "09:30", "10:05", 409},
		{"inside the buffer after", "dentist", 2, "11:00", "11:30", 409},
		{"touching before", "dentist", 2, "09:00", "10:00", 201},
		{"after the buffer", "dentist", 2, "11:10", "11:40", 201},
		{"other provider, same chair, overlapping", "hygienist", 1, "10:30", "11:00", 409},
		{"other provider, other chair", "hygienist", 2, "10:00", "11:00", 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			desk := e.as(identity.RoleReceptionist)
			r := desk.do("POST", "/api/appointments", map[string]any{"patientId": ids.New(), "providerId": e.dentist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("10:00")})
			expect(t, r, 201)
			p := e.dentist
			if tc.provider == "hygienist" {
				p = e.hygienist
			}
			o := e.chair1
			if tc.chair == 2 {
				o = e.chair2
			}
			expect(t, desk.book(ids.New(), p, o, at(tc.start), at(tc.end)), tc.status)
		})
	}
}

func TestCancelledAppointmentsFreeTheirSlot(t *testing.T) {
	e := newEnv(t)
	desk := e.as(identity.RoleReceptionist)
	var a scheduling.Appointment
	r := desk.book(ids.New(), e.dentist, e.chair1, at("09:00"), at("10:00"))
	expect(t, r, 201)
	r.decode(t, &a)
	expect(t, desk.do("POST", "/api/appointments/"+a.ID+"/cancel", map[string]string{"reason": "patient called"}), 200)
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, at("09:00"), at("10:00")), 201)
}

func TestRacingBookingsHaveExactlyOneWinner(t *testing.T) {
	e := newEnv(t)
	desks := make([]*caller, 32)
	for i := range desks {
		desks[i] = e.as(identity.RoleReceptionist)
	}
	var wg sync.WaitGroup
	codes := make(chan int, len(desks))
	for i, d := range desks {
		wg.Go(func() {
			// Half race for the provider, half for the chair (other provider).
			p := e.dentist
			if i%2 == 1 {
				p = e.hygienist
			}
			start := at("14:00").Add(time.Duration(i%3) * 5 * time.Minute)
			codes <- d.book(ids.New(), p, e.chair1, start, start.Add(30*time.Minute)).status
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[201] != 1 || count[409] != len(desks)-1 {
		t.Fatalf("outcomes %v, want exactly one 201 and the rest 409", count)
	}
}

func TestCrashBetweenWritesDoesNotBlockForever(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	desk := e.as(identity.RoleReceptionist)
	// A booking that claimed its cells and died before becoming real: its
	// appointment is stuck pending. Simulate by booking, then rewinding the
	// appointment to the pending state it had between the writes.
	var a scheduling.Appointment
	r := desk.book(ids.New(), e.dentist, e.chair1, at("15:00"), at("16:00"))
	expect(t, r, 201)
	r.decode(t, &a)
	db, _ := e.mongo.Database()
	if _, err := db.Collection("appointments").UpdateOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: "pending"}}}}); err != nil {
		t.Fatal(err)
	}
	// While the lease runs, the slot is taken (the booking may still finish).
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, at("15:00"), at("16:00")), 409)
	// After the lease the abandoned claims are stale and are cleared.
	e.clock.Advance(31 * time.Second)
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, at("15:00"), at("16:00")), 201)
	// And the abandoned booking never shows up.
	expect(t, desk.do("GET", "/api/appointments/"+a.ID, nil), 404)
}

func TestStatusMachine(t *testing.T) {
	tests := []struct {
		path   []string
		status int // of the last action
	}{
		{[]string{"confirm"}, 200},
		{[]string{"check-in"}, 200},
		{[]string{"check-in", "complete"}, 200},
		{[]string{"complete"}, 409},
		{[]string{"confirm", "check-in", "complete", "cancel"}, 409},
		{[]string{"no-show"}, 200},
		{[]string{"no-show", "check-in"}, 409},
		{[]string{"cancel", "confirm"}, 409},
		{[]string{"cancel", "cancel"}, 409},
		{[]string{"check-in", "no-show"}, 409},
	}
	for _, tc := range tests {
		t.Run(joinPath(tc.path), func(t *testing.T) {
			e := newEnv(t)
			desk := e.as(identity.RoleReceptionist)
			var a scheduling.Appointment
			r := desk.book(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30"))
			expect(t, r, 201)
			r.decode(t, &a)
			var last response
			for _, action := range tc.path {
				last = desk.do("POST", "/api/appointments/"+a.ID+"/"+action, nil)
			}
			expect(t, last, tc.status)
		})
	}
}

func joinPath(p []string) string {
	out := ""
	for i, s := range p {
		if i > 0 {
			out += "→"
		}
		out += s
	}
	return out
}

func TestMoveKeepsHistoryAndFreesTheOldSlot(t *testing.T) {
	e := newEnv(t)
	desk := e.as(identity.RoleReceptionist)
	var a scheduling.Appointment
	r := desk.book(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30"))
	expect(t, r, 201)
	r.decode(t, &a)
	// Into someone else's slot: 409, and nothing changes.
	expect(t, desk.book(ids.New(), e.dentist, e.chair2, at("10:00"), at("10:30")), 201)
	expect(t, desk.do("PATCH", "/api/appointments/"+a.ID, map[string]any{"start": at("10:00")}), 409)
	// Outside hours (lunch): 422.
	expect(t, desk.do("PATCH", "/api/appointments/"+a.ID, map[string]any{"start": at("12:00")}), 422)
	r = desk.do("PATCH", "/api/appointments/"+a.ID, map[string]any{"start": at("11:00"), "operatoryId": e.chair2.ID})
	expect(t, r, 200)
	var moved scheduling.Appointment
	r.decode(t, &moved)
	if !moved.Start.Equal(at("11:00")) || !moved.End.Equal(at("11:30")) || moved.OperatoryID != e.chair2.ID {
		t.Fatalf("moved %+v", moved)
	}
	last := moved.History[len(moved.History)-1]
	if last.Action != "move" || last.From == "" || last.To == "" || last.By == "" {
		t.Fatalf("history %+v", moved.History)
	}
	// The old slot is free again.
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30")), 201)
}

func TestBookingRules(t *testing.T) {
	e := newEnv(t)
	desk := e.as(identity.RoleReceptionist)
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, at("12:15"), at("12:45")), 422) // lunch
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, at("16:45"), at("17:15")), 422) // past closing
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, at("09:02"), at("09:30")), 400) // off the 5-minute grid
	past := now.Add(-time.Hour).Truncate(5 * time.Minute)
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, past, past.Add(30*time.Minute)), 422)
	// Time off.
	admin := e.as(identity.RoleAdmin)
	expect(t, admin.do("POST", "/api/providers/"+e.dentist.ID+"/time-off", map[string]string{"from": "2026-12-02", "to": "2026-12-02", "reason": "conference"}), 201)
	expect(t, desk.book(ids.New(), e.dentist, e.chair1, at("09:00"), at("09:30")), 422)
	expect(t, desk.book(ids.New(), e.hygienist, e.chair1, at("09:00"), at("09:30")), 201)
}

func TestPatientsSeeAndCancelOnlyTheirOwn(t *testing.T) {
	e := newEnv(t)
	desk := e.as(identity.RoleReceptionist)
	ana, bo := e.as(identity.RolePatient), e.as(identity.RolePatient)
	var mine, theirs scheduling.Appointment
	r := desk.book(ana.patient, e.dentist, e.chair1, at("09:00"), at("09:30"))
	expect(t, r, 201)
	r.decode(t, &mine)
	r = desk.book(bo.patient, e.dentist, e.chair1, at("10:00"), at("10:30"))
	expect(t, r, 201)
	r.decode(t, &theirs)
	expect(t, ana.do("GET", "/api/appointments/"+mine.ID, nil), 200)
	expect(t, ana.do("GET", "/api/appointments/"+theirs.ID, nil), 404)
	expect(t, ana.do("POST", "/api/appointments/"+theirs.ID+"/cancel", nil), 404)
	var list struct{ Items []scheduling.Appointment }
	r = ana.do("GET", "/api/appointments?patientId="+bo.patient, nil)
	expect(t, r, 200)
	r.decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != mine.ID {
		t.Fatalf("patient list %+v", list.Items)
	}
	// Staff-only moves.
	expect(t, ana.do("POST", "/api/appointments/"+mine.ID+"/check-in", nil), 403)
	expect(t, ana.do("PATCH", "/api/appointments/"+mine.ID, map[string]any{"start": at("11:00")}), 403)
	// Within the notice window a patient must call; staff record a late cancel.
	e.clock.Set(at("08:00").Add(-2 * time.Hour))
	ana.renew()
	desk.renew()
	expect(t, ana.do("POST", "/api/appointments/"+mine.ID+"/cancel", nil), 422)
	r = desk.do("POST", "/api/appointments/"+mine.ID+"/cancel", map[string]string{"reason": "sick"})
	expect(t, r, 200)
	var cancelled scheduling.Appointment
	r.decode(t, &cancelled)
	if !cancelled.LateCancel || cancelled.CancelReason != "sick" {
		t.Fatalf("late cancel not recorded: %+v", cancelled)
	}
}

func TestPatientHoldBlocksThenExpiresOrConfirms(t *testing.T) {
	e := newEnv(t)
	ana, bo := e.as(identity.RolePatient), e.as(identity.RolePatient)
	hold := func(c *caller) response {
		return c.do("POST", "/api/appointments", map[string]any{"providerId": e.hygienist.ID, "operatoryId": e.chair1.ID, "typeId": e.cleaning.ID, "start": at("13:00"), "hold": true})
	}
	var h scheduling.Appointment
	r := hold(ana)
	expect(t, r, 201)
	r.decode(t, &h)
	if h.Status != scheduling.Held || h.PatientID != ana.patient || h.Source != "portal" {
		t.Fatalf("hold %+v", h)
	}
	expect(t, hold(bo), 409)
	// The hold lapses by itself.
	e.clock.Advance(6 * time.Minute)
	expect(t, ana.do("POST", "/api/appointments/"+h.ID+"/confirm", nil), 409)
	var h2 scheduling.Appointment
	r = hold(bo)
	expect(t, r, 201)
	r.decode(t, &h2)
	r = bo.do("POST", "/api/appointments/"+h2.ID+"/confirm", nil)
	expect(t, r, 200)
	var booked scheduling.Appointment
	r.decode(t, &booked)
	if booked.Status != scheduling.Scheduled {
		t.Fatalf("confirmed hold is %s", booked.Status)
	}
	// Types not bookable online are refused to patients.
	admin := e.as(identity.RoleAdmin)
	var surgery scheduling.AppointmentType
	r = admin.do("POST", "/api/appointment-types", map[string]any{"name": "Extraction", "category": "surgery", "durationMinutes": 60})
	expect(t, r, 201)
	r.decode(t, &surgery)
	expect(t, ana.do("POST", "/api/appointments", map[string]any{"providerId": e.dentist.ID, "operatoryId": e.chair2.ID, "typeId": surgery.ID, "start": at("15:00"), "hold": true}), 400)
}

func TestAvailabilityReflectsBookings(t *testing.T) {
	e := newEnv(t)
	desk := e.as(identity.RoleReceptionist)
	q := "/api/availability?from=" + at("08:00").Format(time.RFC3339) + "&to=" + at("12:00").Format(time.RFC3339) + "&typeId=" + e.cleaning.ID + "&providerId=" + e.dentist.ID
	var before, after struct {
		Items []struct {
			Start       time.Time
			End         time.Time
			ProviderID  string
			OperatoryID string
		}
	}
	r := desk.do("GET", q, nil)
	expect(t, r, 200)
	r.decode(t, &before)
	// Starts every 15 min from 08:00 to 11:00: the visit itself must fit the
	// window; its buffer only has to be clear of other bookings.
	if len(before.Items) != 13 {
		t.Fatalf("before: %d slots, want 13", len(before.Items))
	}
	first := before.Items[0]
	var a scheduling.Appointment
	rr := desk.do("POST", "/api/appointments", map[string]any{"patientId": ids.New(), "providerId": first.ProviderID, "operatoryId": first.OperatoryID, "typeId": e.cleaning.ID, "start": first.Start})
	expect(t, rr, 201)
	rr.decode(t, &a)
	r = desk.do("GET", q, nil)
	r.decode(t, &after)
	for _, s := range after.Items {
		if s.Start.Before(a.End.Add(10*time.Minute)) && s.End.Add(10*time.Minute).After(a.Start) && s.OperatoryID == a.OperatoryID {
			t.Fatalf("slot %v overlaps the booking in the same chair", s)
		}
	}
	// Every offered slot can actually be booked.
	for _, s := range after.Items[:3] {
		expect(t, desk.do("POST", "/api/appointments", map[string]any{"patientId": ids.New(), "providerId": s.ProviderID, "operatoryId": s.OperatoryID, "typeId": e.cleaning.ID, "start": s.Start}), 201)
		break
	}
}

// Query times are RFC 3339 with an offset, as everywhere in the API; a "+"
// sent unescaped (form-decoded to a space) still reads as the offset it was.
func TestQueryTimesNeedAnOffset(t *testing.T) {
	e := newEnv(t)
	desk := e.as(identity.RoleReceptionist)
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
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/appointments?from=", "/api/availability?duration=30&to=2026-12-02T23:00:00Z&from="} {
				r := desk.do("GET", path+tc.from, nil)
				expect(t, r, tc.status)
				if tc.status == 400 {
					var out struct {
						Error struct {
							Fields []struct{ Field string } `json:"fields"`
						} `json:"error"`
					}
					r.decode(t, &out)
					if len(out.Error.Fields) != 1 || out.Error.Fields[0].Field != "from" {
						t.Fatalf("%s: fields %s, want from", path, r.body)
					}
				}
			}
		})
	}
}
