package scheduling_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	authapp "github.com/topsmile/topsmile/functions/auth/app"
	patientsapp "github.com/topsmile/topsmile/functions/patients/app"
	schedulingapp "github.com/topsmile/topsmile/functions/scheduling/app"
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// now is a Monday morning in New York; bookings go on later days.
var now = time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)

const password = "long-enough-pass-2026"

// Callers named by their staff role.
const (
	desk  = string(identity.RoleReceptionist)
	admin = string(identity.RoleAdmin)
)

// env is the scheduling function as its composition root builds it (the
// recall hook into patients, waitlist offers into the queue, here e.outbox),
// with the auth function to sign in through and the patients function to
// read what scheduling changed there; one clinic ("Riverside", New York)
// with two providers, two chairs and a hygiene type.
type env struct {
	*apitest.Env
	fe        storetest.FunctionEnv
	clock     *clock.Fake
	st        *scheduling.Store
	patients  *patients.Store
	users     *identity.Store
	outbox    *apitest.Outbox
	logs      *apitest.Logs
	clinic    identity.Clinic
	dentist   scheduling.Provider
	hygienist scheduling.Provider
	chair1    scheduling.Operatory
	chair2    scheduling.Operatory
	cleaning  scheduling.AppointmentType

	mu      sync.Mutex
	emailOf map[string]string // patient id → e-mail on file
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{fe: storetest.NewFunctionEnv(t), clock: clock.NewFake(now), outbox: &apitest.Outbox{}, logs: &apitest.Logs{}, emailOf: map[string]string{}}
	m := e.fe.Mongo(t)
	e.users, e.patients = identity.NewStore(m, e.clock), patients.NewStore(m, e.clock)
	// The same store the function wires, for setting the clinic up.
	e.st = wire.Scheduling(m, storetest.NewRedis(t), e.clock, nil, "")
	opts := apitest.Options(e.clock, e.logs.Logger())
	e.Env = apitest.New(t, e.account,
		apitest.Build(t, e.fe.Lookup, func(c authapp.Config) (*boot.App, error) {
			return authapp.New(c, authapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
		}),
		apitest.Build(t, e.fe.Lookup, func(c schedulingapp.Config) (*boot.App, error) {
			return schedulingapp.New(c, schedulingapp.Options{Options: opts, Publisher: e.outbox})
		}),
		apitest.Build(t, e.fe.Lookup, func(c patientsapp.Config) (*boot.App, error) { return patientsapp.New(c, opts) }))
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	e.clinic, err = e.users.CreateClinic(ctx, "Riverside")
	must(err)
	e.chair1, err = e.st.CreateOperatory(ctx, e.clinic.ID, "Op 1")
	must(err)
	e.chair2, err = e.st.CreateOperatory(ctx, e.clinic.ID, "Op 2")
	must(err)
	hours := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		hours[avail.Day(d)] = []avail.Window{{Start: "08:00", End: "12:00"}, {Start: "13:00", End: "17:00"}}
	}
	mk := func(name, kind string) scheduling.Provider {
		p, err := e.st.CreateProvider(ctx, e.clinic.ID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{e.chair1.ID, e.chair2.ID}})
		must(err)
		p, err = e.st.SetHours(ctx, e.clinic.ID, p.ID, hours)
		must(err)
		return p
	}
	e.dentist, e.hygienist = mk("Dr Okafor", "dentist"), mk("Luis Fernandes", "hygienist")
	e.cleaning, err = e.st.CreateType(ctx, e.clinic.ID, scheduling.AppointmentType{Name: "Cleaning", Category: "hygiene", DurationMinutes: 60, BufferAfter: 10, BookableOnline: true})
	must(err)
	return e
}

// account makes the caller named by a staff role.
func (e *env) account(tb testing.TB, role string) (string, string) {
	return e.mustUser(tb, identity.Role(role), "").Email, password
}

func (e *env) mustUser(tb testing.TB, role identity.Role, patientID string) identity.User {
	tb.Helper()
	u, err := e.users.CreateUser(context.Background(), e.clinic.ID, identity.NewUser{
		Email: ids.New() + "@x.example", Password: password, Role: role, FirstName: "T", LastName: string(role), PatientID: patientID})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// patient is a signed-in patient called name, with a record in the
// patients group (e-mail only, so offers go by e-mail) and named as a
// caller.
type patient struct {
	*apitest.Client
	id string
}

func (e *env) patient(t *testing.T, name string) patient {
	t.Helper()
	rec, err := e.patients.Create(context.Background(), e.clinic.ID, patients.Patient{FirstName: name, LastName: "Patient", DateOfBirth: "1990-01-01",
		Email: strings.ToLower(name) + "." + ids.New() + "@patients.example"})
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.emailOf[rec.ID] = rec.Email
	e.mu.Unlock()
	c := e.Login(t, e.mustUser(t, identity.RolePatient, rec.ID).Email, password)
	e.SetCaller(name, c)
	return patient{c, rec.ID}
}

// offeredTo are the patients the waitlist offers went to, in order.
func (e *env) offeredTo(t *testing.T) []string {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	byEmail := map[string]string{}
	for id, email := range e.emailOf {
		byEmail[email] = id
	}
	out := []string{}
	for _, m := range e.offers() {
		if m.ClinicID != e.clinic.ID || byEmail[m.To] == "" {
			t.Fatalf("message %+v is no offer to a patient of the clinic", m)
		}
		out = append(out, byEmail[m.To])
	}
	return out
}

// offers are the waitlist offers published, oldest first (bookings,
// moves and cancellations publish their own notices beside them).
func (e *env) offers() []notify.Message {
	var out []notify.Message
	for _, m := range e.outbox.Messages() {
		if m.Template == "waitlist-offer" {
			out = append(out, m)
		}
	}
	return out
}

// notices are the appointment notices published, oldest first.
func (e *env) notices() []notify.Message {
	var out []notify.Message
	for _, m := range e.outbox.Messages() {
		if strings.HasPrefix(m.Template, "appointment-") {
			out = append(out, m)
		}
	}
	return out
}

// on is a New York wall-clock time on date.
func on(date, hhmm string) time.Time {
	loc, _ := time.LoadLocation("America/New_York")
	t, _ := time.ParseInLocation("2006-01-02 15:04", date+" "+hhmm, loc)
	return t.UTC()
}

// at is a New York wall-clock time on 2026-12-02 (a Wednesday).
func at(hhmm string) time.Time { return on("2026-12-02", hhmm) }

// booking is the body of a staff booking with an explicit end.
func booking(patientID string, p scheduling.Provider, o scheduling.Operatory, start, end time.Time) map[string]any {
	return map[string]any{"patientId": patientID, "providerId": p.ID, "operatoryId": o.ID, "start": start, "end": end}
}

// book is the case of the front desk booking body, answering status
// (for a 201, the appointment as asked for; otherwise the error).
func book(name string, body map[string]any, status int) apitest.Case {
	c := apitest.Case{Name: name, As: desk, Method: "POST", Path: "/api/appointments", Body: body, Status: status}
	if status != 201 {
		c.Want = failure(status)
		return c
	}
	want := map[string]any{"id": apitest.Present, "status": "scheduled"}
	for _, k := range []string{"patientId", "providerId", "operatoryId", "typeId", "start", "end"} {
		if v, ok := body[k]; ok {
			want[k] = v
		}
	}
	c.Want = want
	return c
}

// failure is the Want of an error answer with status.
func failure(status int) map[string]any {
	return apitest.Error(map[int]string{400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict", 422: "unprocessable"}[status])
}

// mustBook books body at the front desk and returns the appointment.
func (e *env) mustBook(t *testing.T, body map[string]any) scheduling.Appointment {
	t.Helper()
	var a scheduling.Appointment
	e.Do(t, book("", body, 201)).Decode(t, &a)
	return a
}

// action is the case of caller as taking action on appointment id, wanting
// status and, when it succeeds, the appointment in the status after.
func action(as, id, action string, status int, after scheduling.Status) apitest.Case {
	c := apitest.Case{Name: action, As: as, Method: "POST", Path: "/api/appointments/" + id + "/" + action, Status: status}
	c.Want = failure(status)
	if status == 200 {
		c.Want = map[string]any{"id": id, "status": string(after)}
	}
	return c
}
