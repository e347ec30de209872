package scheduling_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store"
)

// trail is the clinic's audit trail with the functions' keys.
func (e *env) trail(t *testing.T) *audit.Log {
	t.Helper()
	var cfg audit.Config
	if err := config.LoadFrom(e.fe.Lookup, &cfg); err != nil {
		t.Fatal(err)
	}
	keys, err := audit.NewKeys(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return audit.New(e.fe.Mongo(t), e.clock, keys)
}

// records are the clinic's audit records matching f, oldest first.
func (e *env) records(t *testing.T, f audit.Filter) []audit.Record {
	t.Helper()
	page, err := e.trail(t).List(context.Background(), e.clinic.ID, f, store.PageRequest{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(page.Items)
	return page.Items
}

// Appointment and waitlist lists are one audit record each, naming every
// patient they returned.
func TestListReadsNameThePatientsReturned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.patient(t, "ana")
	others := []string{ids.New(), ids.New()}
	e.mustBook(t, booking(others[0], e.dentist, e.chair1, at("09:00"), at("09:30")))
	e.mustBook(t, booking(ana.id, e.dentist, e.chair1, at("10:00"), at("10:30")))
	e.mustBook(t, booking(others[1], e.hygienist, e.chair2, at("10:00"), at("10:30")))
	e.mustBook(t, booking(ana.id, e.hygienist, e.chair2, at("11:00"), at("11:30")))
	for _, p := range []string{others[1], ana.id} {
		e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/waitlist", Status: 201,
			Body: map[string]any{"patientId": p, "typeId": e.cleaning.ID, "from": "08:00", "to": "17:00", "expiresOn": "2026-12-31"}})
	}

	e.Caller(t, desk).MustJSON(t, "GET", "/api/appointments?from="+at("00:00").Format(time.RFC3339), nil, 200, &struct{}{})
	ana.MustJSON(t, "GET", "/api/appointments", nil, 200, &struct{}{})
	e.Caller(t, desk).MustJSON(t, "GET", "/api/waitlist", nil, 200, &struct{}{})
	ana.MustJSON(t, "GET", "/api/waitlist", nil, 200, &struct{}{})

	for _, tc := range []struct {
		action string
		want   [][]string // per read, oldest first: the desk's, then ana's
	}{
		{"appointment.list", [][]string{{others[0], ana.id, others[1]}, {ana.id}}},
		{"waitlist.list", [][]string{{others[1], ana.id}, {ana.id}}},
	} {
		recs := e.records(t, audit.Filter{Action: tc.action})
		if len(recs) != len(tc.want) {
			t.Fatalf("%s: %d records, want %d", tc.action, len(recs), len(tc.want))
		}
		for i, r := range recs {
			if !slices.Equal(r.PatientIDs, tc.want[i]) || r.Outcome != audit.Success {
				t.Errorf("%s read %d lists %v, want %v", tc.action, i, r.PatientIDs, tc.want[i])
			}
		}
	}
	// The patient's trail shows every list that returned them.
	var lists []string
	for _, r := range e.records(t, audit.Filter{PatientID: others[1]}) {
		lists = append(lists, r.Action)
	}
	if !slices.Contains(lists, "appointment.list") || !slices.Contains(lists, "waitlist.list") {
		t.Errorf("trail of a listed patient: %v", lists)
	}
}

// A lapsed offer is passed on by the system, whoever's read of the
// waitlist sets the sweep off: the trail names the system (with the
// request that set it off), and so does the released hold's history.
func TestLapsedOffersArePassedOnAsTheSystem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana, bo := e.patient(t, "ana"), e.patient(t, "bo")
	var entry scheduling.WaitlistEntry
	e.Do(t, apitest.Case{As: "ana", Method: "POST", Path: "/api/waitlist", Status: 201,
		Body: map[string]any{"typeId": e.cleaning.ID, "from": "08:00", "to": "12:00", "expiresOn": "2026-12-31"}}).Decode(t, &entry)
	a := e.mustBook(t, map[string]any{"patientId": ids.New(), "providerId": e.dentist.ID, "operatoryId": e.chair2.ID, "typeId": e.cleaning.ID, "start": at("10:00")})
	e.Do(t, action(desk, a.ID, "cancel", 200, scheduling.Cancelled))
	var offered struct{ Items []scheduling.WaitlistEntry }
	ana.MustJSON(t, "GET", "/api/waitlist", nil, 200, &offered)
	if len(offered.Items) != 1 || offered.Items[0].Offer == nil {
		t.Fatalf("ana's waitlist %+v", offered.Items)
	}
	hold := offered.Items[0].Offer.AppointmentID

	// The offer lapses; another patient's read of their own list sweeps.
	e.clock.Advance(31 * time.Minute)
	bo.Relogin(t)
	r := bo.Do(t, "GET", "/api/waitlist", nil)
	if r.Status != 200 {
		t.Fatalf("bo's read: %d %s", r.Status, r.Body)
	}
	lapses := e.records(t, audit.Filter{Action: "waitlist.offer-lapse"})
	if len(lapses) != 1 {
		t.Fatalf("lapse records %+v", lapses)
	}
	l := lapses[0]
	if l.ActorID != "system" || l.ActorRole != "system" || l.PatientID != ana.id || l.Resource != "waitlist/"+entry.ID ||
		l.Outcome != audit.Success || l.IP != "" || l.RequestID == "" || l.RequestID != r.Header.Get("X-Request-Id") {
		t.Fatalf("lapse record %+v (bo's request %s)", l, r.Header.Get("X-Request-Id"))
	}
	for _, rec := range e.records(t, audit.Filter{PatientID: ana.id}) {
		if rec.RequestID == l.RequestID && rec.ActorRole == "patient" && rec.Action != "waitlist.list" {
			t.Errorf("bo's request recorded %+v about ana as bo", rec)
		}
	}
	var h scheduling.Appointment
	e.Caller(t, desk).Relogin(t)
	e.Caller(t, desk).MustJSON(t, "GET", "/api/appointments/"+hold, nil, 200, &h)
	last := h.History[len(h.History)-1]
	if h.Status != scheduling.Cancelled || last.Action != "cancel" || last.By != "system" || last.ByRole != "system" {
		t.Fatalf("released hold %s, last change %+v", h.Status, last)
	}
	if v, err := e.trail(t).Verify(context.Background(), e.clinic.ID); err != nil || !v.OK {
		t.Fatalf("chain: %+v %v", v, err)
	}
}
