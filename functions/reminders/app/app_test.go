package app_test

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/topsmile/topsmile/functions/reminders/app"
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// env is the reminders function as its composition root builds it, on the
// clinical harness's database and clock (one New York clinic with default
// rules), with the scheduling store to book through and the queue recorded.
type env struct {
	*clinicaltest.Env
	app   *boot.App
	queue *apitest.Outbox
	st    *scheduling.Store
	prov  scheduling.Provider
	chair scheduling.Operatory
}

func newEnv(t *testing.T, now time.Time, allowAt bool) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{Env: clinicaltest.New(t), queue: &apitest.Outbox{}}
	e.Clock.Set(now)
	var cfg app.Config
	if err := config.LoadFrom(e.FE.Lookup, &cfg); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, app.Options{Options: apitest.Options(e.Clock, nil), Publisher: e.queue, AllowAt: allowAt})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	e.app = a
	e.st = wire.Scheduling(e.Mongo, storetest.NewRedis(t), e.Clock, nil, "")
	if e.chair, err = e.st.CreateOperatory(ctx, e.Clinic.ID, "Op 1"); err != nil {
		t.Fatal(err)
	}
	name, kind := "Dr Okafor", "dentist"
	if e.prov, err = e.st.CreateProvider(ctx, e.Clinic.ID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{e.chair.ID}}); err != nil {
		t.Fatal(err)
	}
	hours := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		hours[avail.Day(d)] = []avail.Window{{Start: "07:00", End: "19:00"}}
	}
	if e.prov, err = e.st.SetHours(ctx, e.Clinic.ID, e.prov.ID, hours); err != nil {
		t.Fatal(err)
	}
	return e
}

var desk = scheduling.Actor{UserID: "desk", Role: "receptionist"}

func (e *env) book(t *testing.T, patientID string, start time.Time) scheduling.Appointment {
	t.Helper()
	a, err := e.st.Book(context.Background(), e.Clinic.ID, scheduling.Booking{PatientID: patientID, ProviderID: e.prov.ID, OperatoryID: e.chair.ID,
		Start: start, End: start.Add(30 * time.Minute), Source: "staff"}, desk)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) job(t *testing.T, input string) app.Result {
	t.Helper()
	out, err := e.app.Schedule(context.Background(), json.RawMessage(input))
	if err != nil {
		t.Fatalf("%s: %v", input, err)
	}
	return out.(app.Result)
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
	loc, _ := time.LoadLocation("America/New_York")
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t.UTC()
}

func equal(tb testing.TB, got []string, want ...string) {
	tb.Helper()
	sort.Strings(want)
	if len(got) != len(want) {
		tb.Fatalf("sent\n  %q\nwant\n  %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			tb.Fatalf("sent\n  %q\nwant\n  %q", got, want)
		}
	}
}

// The scheduling, patients and consents the function reads are the real
// ones: a booked visit is reminded once, a moved one again, a cancelled
// one never; a patient who turned reminders off gets none; a recall due
// without a visit booked is told once; an unsigned consent is reminded of
// once, a signed one never.
func TestRemindersOverTheRealGroups(t *testing.T) {
	ctx := context.Background()
	now := ny(t, "2026-12-08 12:00") // a Tuesday
	e := newEnv(t, now, false)
	mk := func(first string, mod func(*patients.Patient)) patients.Patient {
		p := patients.Patient{FirstName: first, LastName: "Patient", Email: first + "." + ids.New() + "@patients.example"}
		if mod != nil {
			mod(&p)
		}
		return e.MustPatient(t, e.Clinic.ID, p)
	}
	ana, bo, quiet, cy, di := mk("Ana", nil), mk("Bo", nil),
		mk("Quiet", func(p *patients.Patient) { p.Communication = &patients.Communication{AppointmentReminders: false} }), mk("Cy", nil), mk("Di", nil)

	// Consents sent 25 h ago: Ana's still unsigned, Bo's signed.
	e.Clock.Set(now.Add(-25 * time.Hour))
	var tpl struct{ ID string }
	e.Staff(t, "admin").MustJSON(t, "POST", "/api/consent-templates", map[string]any{"title": "Privacy", "kind": "privacy", "body": "We keep your records private."}, 201, &tpl)
	var unsigned, signed struct{ ID string }
	e.Staff(t, "dentist").MustJSON(t, "POST", "/api/patients/"+ana.ID+"/consents", map[string]any{"templateId": tpl.ID}, 201, &unsigned)
	e.Staff(t, "dentist").MustJSON(t, "POST", "/api/patients/"+bo.ID+"/consents", map[string]any{"templateId": tpl.ID}, 201, &signed)
	e.PortalOf(t, bo).MustDo(t, "POST", "/api/consents/"+signed.ID+"/sign", map[string]any{"signature": "Bo Patient"}, 200)
	e.Clock.Set(now)

	visit := e.book(t, ana.ID, now.Add(20*time.Hour)) // Wed 08:00: the 24 h reminder
	cancelled := e.book(t, bo.ID, now.Add(21*time.Hour))
	if _, err := e.st.Transition(ctx, e.Clinic.ID, cancelled.ID, "cancel", desk, scheduling.CancelReason{Code: "patient_request"}, false); err != nil {
		t.Fatal(err)
	}
	e.book(t, quiet.ID, now.Add(22*time.Hour))
	// Recalls due today: Cy has no visit booked, Di has one in a week.
	for _, p := range []patients.Patient{cy, di} {
		if err := e.Patients.RecordHygieneVisit(ctx, e.Clinic.ID, p.ID, "2026-06-08", 6); err != nil {
			t.Fatal(err)
		}
	}
	e.book(t, di.ID, now.Add(7*24*time.Hour))

	first := e.job(t, `{"job":"reminders"}`)
	second := e.job(t, `{"job":"reminders"}`)
	if first.Report == nil || first.Report.Sent != 3 || first.Report.Failed != 0 || second.Report.Sent != 0 {
		t.Fatalf("runs %+v then %+v", first.Report, second.Report)
	}
	equal(t, e.sent(), "appointment-reminder "+ana.Email, "recall-due "+cy.Email, "consent-unsigned "+ana.Email)
	for _, m := range e.queue.Messages() {
		if m.Template == "appointment-reminder" && (m.Data["start"] != visit.Start.UTC().Format(time.RFC3339) || m.Data["firstName"] != "Ana" ||
			m.Data["clinicName"] != e.Clinic.Name || m.Data["manageUrl"] != "https://clinic.test/portal") {
			t.Fatalf("reminder data %+v", m.Data)
		}
	}

	// Moved an hour later: reminded of the new time, once.
	later := visit.Start.Add(time.Hour)
	if _, err := e.st.Reschedule(ctx, e.Clinic.ID, visit.ID, scheduling.Move{Start: &later}, desk); err != nil {
		t.Fatal(err)
	}
	e.job(t, `{"job":"reminders"}`)
	e.job(t, `{"job":"reminders"}`)
	equal(t, e.sent(), "appointment-reminder "+ana.Email, "appointment-reminder "+ana.Email, "recall-due "+cy.Email, "consent-unsigned "+ana.Email)
	if last := e.queue.Last(); last.Data["start"] != later.UTC().Format(time.RFC3339) {
		t.Fatalf("the moved visit's reminder says %s", last.Data["start"])
	}
}

func TestJobs(t *testing.T) {
	now := ny(t, "2026-12-08 12:00")
	t.Run("deployed", func(t *testing.T) {
		e := newEnv(t, now, false)
		if res := e.job(t, `{"job":"sweep"}`); res.Report != nil || res.Job != "sweep" {
			t.Fatalf("sweep ran the rules: %+v", res)
		}
		for _, bad := range []string{`{"job":"nap"}`, `{}`, `[]`, `{"job":"reminders","at":"2026-12-09T12:00:00Z"}`} {
			if _, err := e.app.Schedule(context.Background(), json.RawMessage(bad)); err == nil {
				t.Errorf("%s accepted", bad)
			}
		}
	})
	t.Run("as of an instant, locally", func(t *testing.T) {
		e := newEnv(t, now, true)
		p := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Ana", LastName: "Patient", Email: "ana." + ids.New() + "@patients.example"})
		e.book(t, p.ID, now.Add(3*24*time.Hour)) // Fri 12:00
		if res := e.job(t, `{"job":"reminders"}`); res.Report.Sent != 0 {
			t.Fatalf("3 days ahead: %+v", res.Report)
		}
		// As of Thursday 13:00 (23 h before), the 24 h reminder is due.
		res := e.job(t, `{"job":"reminders","at":"`+now.Add(49*time.Hour).Format(time.RFC3339)+`"}`)
		if res.Report.Sent != 1 || !res.AsOf.Equal(now.Add(49*time.Hour)) {
			t.Fatalf("as of Thursday: %+v", res)
		}
		equal(t, e.sent(), "appointment-reminder "+p.Email)
		if _, err := e.app.Schedule(context.Background(), json.RawMessage(`{"job":"reminders","at":"tomorrow"}`)); err == nil {
			t.Fatal("a malformed instant accepted")
		}
	})
}
