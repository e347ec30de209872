package scheduling_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/platform"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/token"
)

var testKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

// now is a Monday morning in New York; bookings go on later days.
var now = time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)

type env struct {
	t         *testing.T
	ids       *identity.Service
	st        *scheduling.Store
	mongo     *store.Mongo
	clock     *clock.Fake
	handler   http.Handler
	clinic    identity.Clinic
	dentist   scheduling.Provider
	hygienist scheduling.Provider
	chair1    scheduling.Operatory
	chair2    scheduling.Operatory
	cleaning  scheduling.AppointmentType
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFake(now)
	m := storetest.NewMongo(t)
	rdb := storetest.NewRedis(t)
	log := httpapi.NewLogger(io.Discard, nil)
	svc, err := identity.New(identity.Config{DataKey: testKey, AppURL: "https://x", SessionTTL: time.Hour, CookieSecure: true},
		token.Config{Keys: "k1:" + testKey, ActiveKID: "k1", AccessTTL: 10 * time.Minute}, m, rdb, nil, c, log)
	if err != nil {
		t.Fatal(err)
	}
	st := scheduling.NewStore(m, rdb, platform.ClinicSettings(m, c), c)
	rt := httpapi.NewRouter(log)
	scheduling.Routes(svc.Guard.Router(rt), scheduling.Deps{Store: st, Audit: svc.Audit, Log: log})
	e := &env{t: t, ids: svc, st: st, mongo: m, clock: c, handler: httpapi.Stack(log, rt)}
	if e.clinic, err = svc.Store.CreateClinic(ctx, "Riverside"); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	e.chair1, err = st.CreateOperatory(ctx, e.clinic.ID, "Op 1")
	must(err)
	e.chair2, err = st.CreateOperatory(ctx, e.clinic.ID, "Op 2")
	must(err)
	hours := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		hours[avail.Day(d)] = []avail.Window{{Start: "08:00", End: "12:00"}, {Start: "13:00", End: "17:00"}}
	}
	mk := func(name, kind string) scheduling.Provider {
		p, err := st.CreateProvider(ctx, e.clinic.ID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{e.chair1.ID, e.chair2.ID}})
		must(err)
		p, err = st.SetHours(ctx, e.clinic.ID, p.ID, hours)
		must(err)
		return p
	}
	e.dentist, e.hygienist = mk("Dr Okafor", "dentist"), mk("Luis Fernandes", "hygienist")
	e.cleaning, err = st.CreateType(ctx, e.clinic.ID, scheduling.AppointmentType{Name: "Cleaning", Category: "hygiene", DurationMinutes: 60, BufferAfter: 10, BookableOnline: true})
	must(err)
	return e
}

// at is a New York wall-clock time on 2026-12-02 (a Wednesday).
func at(hhmm string) time.Time {
	loc, _ := time.LoadLocation("America/New_York")
	t, _ := time.ParseInLocation("2006-01-02 15:04", "2026-12-02 "+hhmm, loc)
	return t.UTC()
}

type caller struct {
	e                     *env
	access, csrf, patient string
	user                  identity.User
	session               string
}

// renew issues a fresh access token at the fake clock's current time.
func (c *caller) renew() {
	access, _, err := c.e.ids.Keys.IssueAccess(token.Subject{UserID: c.user.ID, Role: string(c.user.Role), ClinicID: c.user.ClinicID, SessionID: c.session, PatientID: c.user.PatientID})
	if err != nil {
		c.e.t.Fatal(err)
	}
	c.access = access
}

func (e *env) as(role identity.Role) *caller {
	e.t.Helper()
	nu := identity.NewUser{Email: ids.New() + "@x.example", Password: "long-enough-pass-2026", Role: role, FirstName: "T", LastName: string(role)}
	if role == identity.RolePatient {
		nu.PatientID = ids.New()
	}
	u, err := e.ids.Store.CreateUser(context.Background(), e.clinic.ID, nu)
	if err != nil {
		e.t.Fatal(err)
	}
	sess, _, err := e.ids.Sessions.Create(context.Background(), u, identity.SessionLimits{Absolute: time.Hour, Idle: time.Hour}, false, "test", "10.0.0.1")
	if err != nil {
		e.t.Fatal(err)
	}
	access, _, err := e.ids.Keys.IssueAccess(token.Subject{UserID: u.ID, Role: string(u.Role), ClinicID: u.ClinicID, SessionID: sess.ID, PatientID: u.PatientID})
	if err != nil {
		e.t.Fatal(err)
	}
	return &caller{e: e, access: access, csrf: e.ids.Keys.CSRF(sess.ID), patient: u.PatientID, user: u, session: sess.ID}
}

type response struct {
	status int
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (c *caller) do(method, path string, body any) response {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req := httptest.NewRequest(method, "http://clinic.example"+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: authz.AccessCookie, Value: c.access})
	req.AddCookie(&http.Cookie{Name: authz.CSRFCookie, Value: c.csrf})
	req.Header.Set(authz.CSRFHeader, c.csrf)
	rec := httptest.NewRecorder()
	c.e.handler.ServeHTTP(rec, req)
	return response{rec.Code, rec.Body.Bytes()}
}

func (c *caller) book(patientID string, p scheduling.Provider, o scheduling.Operatory, start, end time.Time) response {
	return c.do("POST", "/api/appointments", map[string]any{"patientId": patientID, "providerId": p.ID, "operatoryId": o.ID, "start": start, "end": end})
}

func expect(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
}
