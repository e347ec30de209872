package reminders_test

import (
	"context"
	"io"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/reminders"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// The fakes stand in for the other groups (their real adapters are tested
// in functions/reminders/app); the outbox, the opt-out ledger and the
// cursor are the real ones on the test databases.

type fakeClinics struct{ list []reminders.Clinic }

func (f *fakeClinics) ClinicsAfter(_ context.Context, after string, limit int) ([]reminders.Clinic, error) {
	var out []reminders.Clinic
	for _, c := range f.list {
		if c.ID > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

type fakeSchedule struct {
	mu       sync.Mutex
	visits   map[string][]reminders.Visit // by clinic
	upcoming map[string]bool              // patient ids with a visit booked
	expired  []string                     // clinics whose offers were expired
}

func (f *fakeSchedule) Visits(_ context.Context, clinicID string, from, to time.Time) ([]reminders.Visit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []reminders.Visit
	for _, v := range f.visits[clinicID] {
		if !v.Start.Before(from) && v.Start.Before(to) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (f *fakeSchedule) Visit(_ context.Context, clinicID, id string) (reminders.Visit, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.visits[clinicID] {
		if v.ID == id {
			return v, true, nil
		}
	}
	return reminders.Visit{}, false, nil
}

func (f *fakeSchedule) Upcoming(_ context.Context, _, patientID string, _ time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.upcoming[patientID], nil
}

func (f *fakeSchedule) ExpireOffers(_ context.Context, clinicID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expired = append(f.expired, clinicID)
	return nil
}

func (f *fakeSchedule) set(clinicID string, vs ...reminders.Visit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.visits[clinicID] = vs
}

type fakePeople struct {
	contacts map[string]reminders.Contact
	due      map[string][]reminders.Due // by clinic
}

func (f *fakePeople) Contact(_ context.Context, _, patientID string) (reminders.Contact, error) {
	c, ok := f.contacts[patientID]
	if !ok {
		return c, errs.E(errs.NotFound, "patient not found")
	}
	return c, nil
}

func (f *fakePeople) RecallsDue(_ context.Context, clinicID, from, to string, each func(reminders.Due) error) error {
	for _, d := range f.due[clinicID] {
		if d.DueDate >= from && d.DueDate <= to {
			if err := each(d); err != nil {
				return err
			}
		}
	}
	return nil
}

type fakeForms struct{ unsigned map[string][]reminders.Form }

func (f *fakeForms) Unsigned(_ context.Context, clinicID string, _, _ time.Time) ([]reminders.Form, error) {
	return f.unsigned[clinicID], nil
}

// env is a Runner over the fakes, with the real outbox on a fresh database
// and its queue recorded.
type env struct {
	r        *reminders.Runner
	clock    *clock.Fake
	clinics  *fakeClinics
	schedule *fakeSchedule
	people   *fakePeople
	forms    *fakeForms
	ledger   *prefs.Ledger
	queue    *apitest.Outbox
	store    *outbox.Store
}

func newEnv(t *testing.T, now time.Time) *env {
	t.Helper()
	m := storetest.NewFunctionEnv(t).Mongo(t)
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{clock: clock.NewFake(now), clinics: &fakeClinics{},
		schedule: &fakeSchedule{visits: map[string][]reminders.Visit{}, upcoming: map[string]bool{}},
		people:   &fakePeople{contacts: map[string]reminders.Contact{}, due: map[string][]reminders.Due{}},
		forms:    &fakeForms{unsigned: map[string][]reminders.Form{}}, ledger: prefs.NewLedger(m), queue: &apitest.Outbox{}}
	e.store = outbox.New(m, keys, e.clock)
	log := httpapi.NewLogger(io.Discard, nil)
	e.r = &reminders.Runner{Clinics: e.clinics, Schedule: e.schedule, People: e.people, Forms: e.forms, OptOuts: e.ledger,
		Outbox: &outbox.Publisher{Store: e.store, Queue: e.queue, Log: log}, Redis: storetest.NewRedis(t), CursorKey: "test:reminders:" + ids.New(),
		Log: log, AppURL: "https://clinic.test/"}
	return e
}

// clinic adds a New York clinic with the default rules (48/24/2 h, quiet
// 21:00-08:00, recall and consents on).
func (e *env) clinic(name string) reminders.Clinic {
	c := reminders.Clinic{ID: ids.New(), Name: name, TimeZone: "America/New_York", QuietStart: "21:00", QuietEnd: "08:00",
		ConfirmHours: 48, FirstHours: 24, SecondHours: 2, Recall: true, Consents: true}
	e.clinics.list = append(e.clinics.list, c)
	sort.Slice(e.clinics.list, func(i, j int) bool { return e.clinics.list[i].ID < e.clinics.list[j].ID })
	return c
}

// patient adds a patient reached by e-mail.
func (e *env) patient(first string) string {
	id := ids.New()
	e.people.contacts[id] = reminders.Contact{Channel: notify.Email, To: id + "@patients.example", FirstName: first}
	return id
}

func (e *env) run(t *testing.T) reminders.Report {
	t.Helper()
	rep, err := e.r.Run(context.Background(), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// sent is what reached the queue, as "template to" pairs, sorted.
func (e *env) sent() []string {
	var out []string
	for _, m := range e.queue.Messages() {
		out = append(out, m.Template+" "+m.To)
	}
	sort.Strings(out)
	return out
}

func ny(tb testing.TB, s string) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		tb.Fatal(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t.UTC()
}

func want(tb testing.TB, got []string, want ...string) {
	tb.Helper()
	sort.Strings(want)
	if !slices.Equal(got, want) {
		tb.Fatalf("sent\n  %q\nwant\n  %q", got, want)
	}
}

// Tuesday 10:00 in New York: outside quiet hours.
const tuesday = "2026-12-08 10:00"

func TestEachRuleFiresOnceWhenRunTwice(t *testing.T) {
	now := ny(t, tuesday)
	e := newEnv(t, now)
	c := e.clinic("Riverside Dental")
	unconfirmed, confirmed, tomorrow, soon, inside := e.patient("Ana"), e.patient("Ben"), e.patient("Cy"), e.patient("Di"), e.patient("Ed")
	e.schedule.set(c.ID,
		reminders.Visit{ID: ids.New(), PatientID: unconfirmed, Start: now.Add(30 * time.Hour)},                // confirmation request
		reminders.Visit{ID: ids.New(), PatientID: confirmed, Start: now.Add(30 * time.Hour), Confirmed: true}, // confirmed already: nothing
		reminders.Visit{ID: ids.New(), PatientID: tomorrow, Start: now.Add(23 * time.Hour)},                   // first reminder, no request
		reminders.Visit{ID: ids.New(), PatientID: soon, Start: now.Add(90 * time.Minute)},                     // second reminder
		reminders.Visit{ID: ids.New(), PatientID: inside, Start: now.Add(50 * time.Minute)},                   // inside 2 h/2: too late for any
	)
	first := e.run(t)
	if first.Sent != 3 || first.Clinics != 1 || !first.Complete {
		t.Fatalf("first run %+v", first)
	}
	if second := e.run(t); second.Sent != 0 {
		t.Fatalf("second run sent again: %+v", second)
	}
	want(t, e.sent(),
		"appointment-confirm-request "+unconfirmed+"@patients.example",
		"appointment-reminder "+tomorrow+"@patients.example",
		"appointment-reminder "+soon+"@patients.example")
	if len(e.schedule.expired) != 2 || e.schedule.expired[0] != c.ID {
		t.Fatalf("lapsed offers passed on for %v, want the clinic on each run", e.schedule.expired)
	}
	// What a reminder says: the clinic, its zone, the start, a link to the
	// portal; nothing of the visit's kind.
	for _, m := range e.queue.Messages() {
		if m.Data["clinicName"] != "Riverside Dental" || m.Data["timeZone"] != "America/New_York" || m.Data["manageUrl"] != "https://clinic.test/portal" ||
			m.Data["start"] == "" || m.Data["firstName"] == "" || m.ClinicID != c.ID {
			t.Fatalf("message data %+v", m)
		}
		rec, err := e.store.Get(context.Background(), c.ID, m.ID)
		if err != nil || rec.Status != outbox.Queued {
			t.Fatalf("outbox record %+v %v", rec, err)
		}
	}
	// A day on, the unconfirmed visit is 6 h away: neither its first
	// reminder (its window closed at 12 h) nor the second yet.
	e.clock.Advance(24 * time.Hour)
	e.run(t)
	e.clock.Advance(4*time.Hour + 30*time.Minute) // 1.5 h before it and before the confirmed one
	e.run(t)
	want(t, e.sent(),
		"appointment-confirm-request "+unconfirmed+"@patients.example",
		"appointment-reminder "+tomorrow+"@patients.example",
		"appointment-reminder "+soon+"@patients.example",
		"appointment-reminder "+unconfirmed+"@patients.example",
		"appointment-reminder "+confirmed+"@patients.example")
}

func TestRacingRunsSendOnce(t *testing.T) {
	now := ny(t, tuesday)
	e := newEnv(t, now)
	var visits []reminders.Visit
	var want int
	for i := 0; i < 3; i++ {
		c := e.clinic("Clinic")
		visits = visits[:0]
		for j := 0; j < 4; j++ {
			visits = append(visits, reminders.Visit{ID: ids.New(), PatientID: e.patient("P"), Start: now.Add(20 * time.Hour)})
		}
		e.schedule.set(c.ID, slices.Clone(visits)...)
		want += len(visits)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.r.Run(context.Background(), now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	msgs := e.queue.Messages()
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.ID] {
			t.Fatalf("message %s queued twice", m.ID)
		}
		seen[m.ID] = true
	}
	if len(msgs) != want {
		t.Fatalf("%d queued, want %d", len(msgs), want)
	}
}

func TestMovedVisitIsRemindedAgain(t *testing.T) {
	now := ny(t, tuesday)
	e := newEnv(t, now)
	c := e.clinic("Riverside")
	p := e.patient("Ana")
	v := reminders.Visit{ID: ids.New(), PatientID: p, Start: now.Add(20 * time.Hour)}
	e.schedule.set(c.ID, v)
	e.run(t)
	e.run(t)
	v.Start = v.Start.Add(time.Hour) // moved, still in the 24 h window
	e.schedule.set(c.ID, v)
	e.run(t)
	e.run(t)
	msgs := e.queue.Messages()
	if len(msgs) != 2 || msgs[0].ID == msgs[1].ID || msgs[1].Data["start"] != v.Start.Format(time.RFC3339) {
		t.Fatalf("after a move: %+v", msgs)
	}
	// Gone (cancelled: scheduling lists only scheduled and confirmed
	// visits): nothing more.
	e.schedule.set(c.ID)
	e.run(t)
	if n := len(e.queue.Messages()); n != 2 {
		t.Fatalf("%d messages after the visit went", n)
	}
}

// Quiet hours hold a reminder until their end on the wall clock, also on
// the night the clocks change; a reminder held until too close to the
// visit is not sent.
func TestQuietHoursAcrossDST(t *testing.T) {
	cases := []struct {
		name, now, visit string
		wantNext         string // RFC 3339 UTC; "" no message
	}{
		// Fall back: 08:00 on Sunday 1 November is 08:00 EST (13:00Z), not EDT (12:00Z).
		{"fall back", "2026-10-31 23:00", "2026-11-01 21:00", "2026-11-01T13:00:00Z"},
		// Spring forward: 08:00 on Sunday 8 March is 08:00 EDT (12:00Z), not EST (13:00Z).
		{"spring forward", "2026-03-07 23:00", "2026-03-08 21:00", "2026-03-08T12:00:00Z"},
		// The 2 h reminder of an 8:30 visit, due at 6:45: held to 8:00, 30 min before: not sent.
		{"too close to the visit", "2026-12-08 06:45", "2026-12-08 08:30", ""},
		// Outside quiet hours: at once.
		{"daytime", "2026-12-08 10:00", "2026-12-09 09:00", "now"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := ny(t, tc.now)
			e := newEnv(t, now)
			c := e.clinic("Riverside")
			v := reminders.Visit{ID: ids.New(), PatientID: e.patient("Ana"), Start: ny(t, tc.visit), Confirmed: true}
			e.schedule.set(c.ID, v)
			rep := e.run(t)
			if tc.wantNext == "" {
				if rep.Sent != 0 || len(e.queue.Messages()) != 0 {
					t.Fatalf("sent %+v", e.queue.Messages())
				}
				return
			}
			if rep.Sent != 1 {
				t.Fatalf("report %+v", rep)
			}
			if tc.wantNext == "now" {
				if len(e.queue.Messages()) != 1 {
					t.Fatal("a daytime reminder was not queued at once")
				}
				return
			}
			if n := len(e.queue.Messages()); n != 0 {
				t.Fatalf("queued during quiet hours (%d)", n)
			}
			page, err := e.store.List(context.Background(), c.ID, outbox.Filter{}, storePage())
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("outbox %+v %v", page.Items, err)
			}
			next := page.Items[0].NextAt.UTC().Format(time.RFC3339)
			if next != tc.wantNext || page.Items[0].Status != outbox.Pending {
				t.Fatalf("held until %s (%s), want %s", next, page.Items[0].Status, tc.wantNext)
			}
			// The sweep leaves it until then, and publishes it then.
			want, _ := time.Parse(time.RFC3339, tc.wantNext)
			e.clock.Set(want.Add(-time.Minute))
			if n, err := e.r.Sweep(context.Background()); err != nil || n != 0 {
				t.Fatalf("swept %d before the quiet hours ended (%v)", n, err)
			}
			e.clock.Set(want)
			if n, err := e.r.Sweep(context.Background()); err != nil || n != 1 || len(e.queue.Messages()) != 1 {
				t.Fatalf("swept %d at the end of the quiet hours (%v)", n, err)
			}
		})
	}
}

func TestOptedOutAndUnreachableGetNothing(t *testing.T) {
	now := ny(t, tuesday)
	e := newEnv(t, now)
	c := e.clinic("Riverside")
	texted, none, gone, reached := ids.New(), ids.New(), ids.New(), e.patient("Ana")
	e.people.contacts[texted] = reminders.Contact{Channel: notify.SMS, To: "+12125550147", FirstName: "Tex"}
	e.people.contacts[none] = reminders.Contact{} // prefers none, or reminders off
	if err := e.ledger.OptOut(context.Background(), c.ID, notify.SMS, "+12125550147", "sms-stop", now); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{texted, none, gone, reached} {
		e.schedule.visits[c.ID] = append(e.schedule.visits[c.ID], reminders.Visit{ID: ids.New(), PatientID: p, Start: now.Add(20 * time.Hour)})
	}
	e.run(t)
	want(t, e.sent(), "appointment-reminder "+reached+"@patients.example")
	page, err := e.store.List(context.Background(), c.ID, outbox.Filter{}, storePage())
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("outbox holds %d records (%v), want only the reachable patient's", len(page.Items), err)
	}
	// START: the next run texts them.
	if err := e.ledger.OptIn(context.Background(), c.ID, notify.SMS, "+12125550147"); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	want(t, e.sent(), "appointment-reminder "+reached+"@patients.example", "appointment-reminder +12125550147")
}

func TestRecallOncePerDueDate(t *testing.T) {
	now := ny(t, tuesday)
	e := newEnv(t, now)
	c := e.clinic("Riverside")
	due, booked, lapsed, future := e.patient("Ana"), e.patient("Ben"), e.patient("Cy"), e.patient("Di")
	e.schedule.upcoming[booked] = true
	e.people.due[c.ID] = []reminders.Due{
		{PatientID: due, DueDate: "2026-12-01"},
		{PatientID: booked, DueDate: "2026-12-08"},
		{PatientID: lapsed, DueDate: "2026-06-01"}, // long past the grace: not now
		{PatientID: future, DueDate: "2026-12-09"}, // tomorrow
	}
	e.run(t)
	e.run(t)
	want(t, e.sent(), "recall-due "+due+"@patients.example")
	if m := e.queue.Messages()[0]; m.Data["bookUrl"] != "https://clinic.test/portal/book" || m.Data["patientId"] != due {
		t.Fatalf("recall data %+v", m.Data)
	}
	// Seen, a new due date is another recall.
	e.people.due[c.ID][0].DueDate = "2026-12-05"
	e.run(t)
	if n := len(e.queue.Messages()); n != 2 {
		t.Fatalf("%d recalls after a new due date, want 2", n)
	}
}

func TestUnsignedConsentOnce(t *testing.T) {
	now := ny(t, tuesday)
	e := newEnv(t, now)
	c := e.clinic("Riverside")
	p := e.patient("Ana")
	visit := reminders.Visit{ID: ids.New(), PatientID: p, Start: now.Add(5 * 24 * time.Hour), Confirmed: true}
	e.schedule.set(c.ID, visit)
	e.forms.unsigned[c.ID] = []reminders.Form{{ID: ids.New(), PatientID: p, AppointmentID: visit.ID}, {ID: ids.New(), PatientID: p}}
	e.run(t)
	e.run(t)
	want(t, e.sent(), "consent-unsigned "+p+"@patients.example", "consent-unsigned "+p+"@patients.example")
	starts := 0
	for _, m := range e.queue.Messages() {
		if m.Data["formsUrl"] != "https://clinic.test/portal/forms" {
			t.Fatalf("consent data %+v", m.Data)
		}
		if m.Data["start"] == visit.Start.Format(time.RFC3339) {
			starts++
		}
	}
	if starts != 1 {
		t.Fatalf("%d consent reminders name the visit, want 1", starts)
	}
}

func TestRulesTurnedOff(t *testing.T) {
	now := ny(t, tuesday)
	e := newEnv(t, now)
	c := e.clinic("Riverside")
	e.clinics.list[0].ConfirmHours, e.clinics.list[0].FirstHours, e.clinics.list[0].SecondHours = 0, 0, 0
	e.clinics.list[0].Recall, e.clinics.list[0].Consents = false, false
	p := e.patient("Ana")
	e.schedule.set(c.ID, reminders.Visit{ID: ids.New(), PatientID: p, Start: now.Add(30 * time.Hour)}, reminders.Visit{ID: ids.New(), PatientID: p, Start: now.Add(20 * time.Hour)})
	e.people.due[c.ID] = []reminders.Due{{PatientID: p, DueDate: "2026-12-08"}}
	e.forms.unsigned[c.ID] = []reminders.Form{{ID: ids.New(), PatientID: p}}
	if rep := e.run(t); rep.Sent != 0 || len(e.queue.Messages()) != 0 {
		t.Fatalf("rules off, sent %+v", e.queue.Messages())
	}
}

// A run sends at most Limits.Messages and visits at most Limits.Clinics;
// the next runs carry on where it stopped, so every message goes out once
// and every clinic gets its turn.
func TestBoundedWorkMakesProgress(t *testing.T) {
	now := ny(t, tuesday)
	e := newEnv(t, now)
	const clinics, perClinic = 5, 2
	for i := 0; i < clinics; i++ {
		c := e.clinic("Clinic")
		var vs []reminders.Visit
		for j := 0; j < perClinic; j++ {
			vs = append(vs, reminders.Visit{ID: ids.New(), PatientID: e.patient("P"), Start: now.Add(20 * time.Hour)})
		}
		e.schedule.set(c.ID, vs...)
	}
	t.Run("messages", func(t *testing.T) {
		e.r.Limits = reminders.Limits{Messages: 3, Page: 2}
		var sent []int
		for i := 0; i < 6; i++ {
			sent = append(sent, e.run(t).Sent)
		}
		if !slices.Equal(sent, []int{3, 3, 3, 1, 0, 0}) {
			t.Fatalf("sent per run %v, want [3 3 3 1 0 0]", sent)
		}
		if n := len(e.queue.Messages()); n != clinics*perClinic {
			t.Fatalf("%d messages, want %d", n, clinics*perClinic)
		}
	})
	t.Run("clinics", func(t *testing.T) {
		e.r.Limits = reminders.Limits{Clinics: 2, Page: 2}
		e.schedule.mu.Lock()
		e.schedule.expired = nil
		e.schedule.mu.Unlock()
		for i := 0; i < 5; i++ { // 10 turns: each of the 5 clinics twice
			if rep := e.run(t); rep.Clinics != 2 {
				t.Fatalf("run %d visited %d clinics", i, rep.Clinics)
			}
		}
		turns := map[string]int{}
		for _, id := range e.schedule.expired {
			turns[id]++
		}
		for _, c := range e.clinics.list {
			if turns[c.ID] != 2 {
				t.Fatalf("turns per clinic %v, want 2 each", turns)
			}
		}
	})
}

func storePage() store.PageRequest { return store.PageRequest{Limit: 50} }
