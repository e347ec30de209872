package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	adminapp "github.com/topsmile/topsmile/functions/admin/app"
	authapp "github.com/topsmile/topsmile/functions/auth/app"
	twilioapp "github.com/topsmile/topsmile/functions/twiliowebhook/app"
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/inbound"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/notify/twilio"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// The numbers of the test: each clinic's texting number, and patients'.
const (
	numberA   = "+15005550006"
	numberB   = "+15005550007"
	publicURL = "https://clinic.test" // storetest's PUBLIC_URL
	staffPass = "inbox-staff-password-2026"
)

// env is the twilio-webhook, auth and admin functions as their composition
// roots build them, on a fresh database with two clinics that text.
type env struct {
	*apitest.Env
	t        *testing.T
	fe       storetest.FunctionEnv
	m        *store.Mongo
	clock    *clock.Fake
	keys     *seal.Keys
	users    *identity.Store
	patients *patients.Store
	sched    *scheduling.Store
	ledger   *prefs.Ledger
	outbox   *outbox.Store
	clinicA  identity.Clinic
	clinicB  identity.Clinic
	sids     atomic.Int64
	live     *liveEvents
}

// liveEvents keeps what the webhook tells the open schedules.
type liveEvents struct {
	mu  sync.Mutex
	got []live.Event
}

func (l *liveEvents) PublishLive(_ context.Context, _ string, ev live.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, ev)
	return nil
}

func (l *liveEvents) events() []live.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]live.Event(nil), l.got...)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, fe: storetest.NewFunctionEnv(t), clock: clock.NewFake(time.Now().UTC().Truncate(time.Hour)), live: &liveEvents{}}
	e.m = e.fe.Mongo(t)
	var err error
	if e.keys, err = seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"}); err != nil {
		t.Fatal(err)
	}
	e.users, e.patients, e.ledger = identity.NewStore(e.m, e.clock), patients.NewStore(e.m, e.clock), prefs.NewLedger(e.m)
	e.sched = wire.Scheduling(e.m, storetest.NewRedis(t), e.clock, nil, "")
	e.outbox = outbox.New(e.m, e.keys, e.clock)
	opts := apitest.Options(e.clock, nil)
	hook := apitest.Build(t, e.fe.Lookup, func(c twilioapp.Config) (*boot.App, error) {
		return twilioapp.New(c, twilioapp.Options{Options: opts, Live: e.live})
	})
	auth := apitest.Build(t, e.fe.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	})
	admin := apitest.Build(t, e.fe.Lookup, func(c adminapp.Config) (*boot.App, error) {
		return adminapp.New(c, adminapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	})
	e.Env = apitest.New(t, e.account, hook, auth, admin)
	e.clinicA, e.clinicB = e.clinic("Riverside Family Dental", numberA), e.clinic("Hilltop Dental", numberB)
	return e
}

func (e *env) clinic(name, number string) identity.Clinic {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.users.CreateClinic(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	st := c.Settings
	st.SMSNumber = number
	if c, err = e.users.UpdateClinic(ctx, c.ID, nil, st); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// account makes a staff user of clinic A whose role is name.
func (e *env) account(tb testing.TB, name string) (string, string) {
	tb.Helper()
	email := name + "-" + ids.New() + "@inbox.example"
	if _, err := e.users.CreateUser(context.Background(), e.clinicA.ID, identity.NewUser{Email: email, Password: staffPass,
		Role: identity.Role(name), FirstName: "In", LastName: name}); err != nil {
		tb.Fatal(err)
	}
	return email, staffPass
}

func (e *env) patient(clinicID, first, phone string) string {
	e.t.Helper()
	p, err := e.patients.Create(context.Background(), clinicID, patients.Patient{ID: ids.New(), FirstName: first, LastName: "Texter",
		DateOfBirth: "1985-05-05", Phone: phone})
	if err != nil {
		e.t.Fatal(err)
	}
	return p.ID
}

// book books patientID at clinicID in hours from now, on a provider who
// works around the clock (one per clinic and call: no overlaps).
func (e *env) book(clinicID, patientID string, hours int) scheduling.Appointment {
	e.t.Helper()
	ctx := context.Background()
	o, err := e.sched.CreateOperatory(ctx, clinicID, "Op "+ids.New())
	if err != nil {
		e.t.Fatal(err)
	}
	name, kind := "Dr "+ids.New(), "dentist"
	p, err := e.sched.CreateProvider(ctx, clinicID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{o.ID}})
	if err != nil {
		e.t.Fatal(err)
	}
	week := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		week[avail.Day(d)] = []avail.Window{{Start: "00:00", End: "24:00"}}
	}
	if _, err := e.sched.SetHours(ctx, clinicID, p.ID, week); err != nil {
		e.t.Fatal(err)
	}
	start := e.clock.Now().Add(time.Duration(hours) * time.Hour)
	a, err := e.sched.Book(ctx, clinicID, scheduling.Booking{PatientID: patientID, ProviderID: p.ID, OperatoryID: o.ID,
		Start: start, End: start.Add(30 * time.Minute), Source: "staff"}, scheduling.Actor{UserID: "test", Role: "system"})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) status(clinicID, id string) scheduling.Status {
	e.t.Helper()
	a, err := e.sched.Get(context.Background(), clinicID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.Status
}

// sid is a fresh Twilio-style MessageSid ("SM" and 32 hex digits).
func (e *env) sid() string { return fmt.Sprintf("SM%032x", e.sids.Add(1)) }

// signed is a POST of form to path as Twilio sends it: to API Gateway's
// host (not the public one it signed), X-Twilio-Signature over signURL +
// path, no browser headers.
func signed(path string, form url.Values, signURL string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://abc123.execute-api.us-east-1.amazonaws.com"+path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Twilio-Signature", inbound.Sign(storetest.TwilioAuthToken, signURL+path, form))
	r.RemoteAddr = "54.172.60.1:443"
	return r
}

func (e *env) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.Handler.ServeHTTP(w, r)
	return w
}

// text posts an inbound text from → to, signed; it answers the TwiML.
func (e *env) text(from, to, body, sid string) string {
	e.t.Helper()
	w := e.serve(signed(inbound.InboundPath, url.Values{"From": {from}, "To": {to}, "Body": {body}, "MessageSid": {sid},
		"AccountSid": {"AC" + strings.Repeat("a", 32)}, "NumMedia": {"0"}}, publicURL))
	if w.Code != http.StatusOK {
		e.t.Fatalf("inbound %q: %d %s", body, w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/xml; charset=utf-8" {
		e.t.Fatalf("inbound: Content-Type %q", ct)
	}
	return w.Body.String()
}

func (e *env) count(coll string, filter bson.D) int64 {
	e.t.Helper()
	db, err := e.m.Database()
	if err != nil {
		e.t.Fatal(err)
	}
	n, err := db.Collection(coll).CountDocuments(context.Background(), filter)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// The signature is checked against PUBLIC_URL + the path and the posted
// form, through the real handler, before anything is read or written:
// every failure is 403 in the contract's shape and leaves no trace.
func TestSignatureTable(t *testing.T) {
	e := newEnv(t)
	e.patient(e.clinicA.ID, "Sam", "+12125550111")
	form := func(sid string) url.Values {
		return url.Values{"From": {"+12125550111"}, "To": {numberA}, "Body": {"Running late, sorry"}, "MessageSid": {sid}}
	}
	for _, tc := range []struct {
		name string
		req  func(sid string) *http.Request
	}{
		{"one parameter changed after signing", func(sid string) *http.Request {
			r := signed(inbound.InboundPath, form(sid), publicURL)
			changed := form(sid)
			changed.Set("Body", "Running late, sorry!")
			r.Body = httptestBody(changed)
			return r
		}},
		{"signed for http, not https", func(sid string) *http.Request {
			return signed(inbound.InboundPath, form(sid), "http://clinic.test")
		}},
		{"signed for another host", func(sid string) *http.Request {
			return signed(inbound.InboundPath, form(sid), "https://other.test")
		}},
		{"signed for the other route", func(sid string) *http.Request {
			r := signed(twilio.StatusPath, form(sid), publicURL)
			r.URL.Path = inbound.InboundPath
			return r
		}},
		{"signed with another token", func(sid string) *http.Request {
			r := signed(inbound.InboundPath, form(sid), publicURL)
			r.Header.Set("X-Twilio-Signature", inbound.Sign("someone-elses-token", publicURL+inbound.InboundPath, form(sid)))
			return r
		}},
		{"no signature", func(sid string) *http.Request {
			r := signed(inbound.InboundPath, form(sid), publicURL)
			r.Header.Del("X-Twilio-Signature")
			return r
		}},
		{"status callback, one parameter changed", func(sid string) *http.Request {
			f := url.Values{"MessageSid": {sid}, "MessageStatus": {"delivered"}}
			r := signed(twilio.StatusPath, f, publicURL)
			f.Set("MessageStatus", "failed")
			r.Body = httptestBody(f)
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.serve(tc.req(e.sid()))
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `"code":"forbidden"`) {
				t.Fatalf("%d %s, want 403 in the contract's shape", w.Code, w.Body)
			}
		})
	}
	if n := e.count(inbound.ClaimCollection, bson.D{}) + e.count(inbound.InboxCollection, bson.D{}); n != 0 {
		t.Fatalf("refused posts wrote %d records", n)
	}
	t.Run("good", func(t *testing.T) {
		sid := e.sid()
		if got := e.text("+12125550111", numberA, "Running late, sorry", sid); !strings.Contains(got, "Thanks, Riverside Family Dental got your message.") {
			t.Fatalf("reply %s", got)
		}
		if n := e.count(inbound.InboxCollection, bson.D{{Key: "_id", Value: sid}}); n != 1 {
			t.Fatalf("inbox holds %d of the message", n)
		}
	})
}

func httptestBody(f url.Values) *readCloser { return &readCloser{strings.NewReader(f.Encode())} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// Status callbacks raise a text's delivery status and never lower it (a
// late "sent" after "delivered"); what we do not know is acknowledged
// and changes nothing; Twilio's 21610 (the recipient replied STOP to
// Twilio) opts the number out at the record's clinic.
func TestStatusCallbacks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sent := func(to string) (outbox.Record, string) {
		t.Helper()
		m := notify.Message{ID: ids.New(), ClinicID: e.clinicA.ID, Channel: notify.SMS, To: to, Template: "appointment-reminder",
			Data: map[string]string{"clinicName": "Riverside"}}
		if _, _, err := e.outbox.Insert(ctx, m, time.Time{}); err != nil {
			t.Fatal(err)
		}
		sid := e.sid()
		if err := e.outbox.Settle(ctx, e.clinicA.ID, m.ID, outbox.Sent, "", sid); err != nil {
			t.Fatal(err)
		}
		r, err := e.outbox.Get(ctx, e.clinicA.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r, sid
	}
	callback := func(sid, status string, extra ...string) {
		t.Helper()
		f := url.Values{"MessageSid": {sid}, "MessageStatus": {status}, "AccountSid": {"AC" + strings.Repeat("a", 32)}}
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		if w := e.serve(signed(twilio.StatusPath, f, publicURL)); w.Code != http.StatusOK {
			t.Fatalf("status %s: %d %s", status, w.Code, w.Body)
		}
	}
	delivery := func(r outbox.Record) string {
		t.Helper()
		got, err := e.outbox.Get(ctx, r.ClinicID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Delivery
	}
	for _, tc := range []struct {
		name  string
		order []string
		want  string
	}{
		{"in order", []string{"queued", "sent", "delivered"}, "delivered"},
		{"a late sent after delivered", []string{"delivered", "sent", "queued"}, "delivered"},
		{"failed stays failed", []string{"failed", "sent", "delivered"}, "failed"},
		{"an unknown status changes nothing", []string{"sent", "teleported"}, "sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, sid := sent("+12125550121")
			for _, s := range tc.order {
				callback(sid, s)
			}
			if got := delivery(r); got != tc.want {
				t.Fatalf("delivery %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("an unknown sid is acknowledged", func(t *testing.T) {
		callback("SM"+strings.Repeat("f", 32), "delivered")
		callback("", "delivered")
	})
	t.Run("21610 opts the number out at the record's clinic", func(t *testing.T) {
		r, sid := sent("+12125550122")
		callback(sid, "undelivered", "ErrorCode", "21610")
		for _, c := range []struct {
			clinic string
			want   bool
		}{{e.clinicA.ID, true}, {e.clinicB.ID, false}} {
			out, err := e.ledger.OptedOut(ctx, c.clinic, notify.SMS, r.To)
			if err != nil {
				t.Fatal(err)
			}
			if out != c.want {
				t.Fatalf("opted out at %s: %v, want %v", c.clinic, out, c.want)
			}
		}
		if got := delivery(r); got != "undelivered" {
			t.Fatalf("delivery %q", got)
		}
	})
}

// C confirms the sender's next unconfirmed visit at the clinic that owns
// the number texted, and only that patient's: not a visit of another
// patient of the clinic, nor one of a patient of another clinic with the
// same number.
func TestConfirmByText(t *testing.T) {
	e := newEnv(t)
	const phone = "+12125550131"
	jordan := e.patient(e.clinicA.ID, "Jordan", phone)
	other := e.patient(e.clinicA.ID, "Riley", "+12125550132")
	elsewhere := e.patient(e.clinicB.ID, "Jordan", phone)
	first, second := e.book(e.clinicA.ID, jordan, 48), e.book(e.clinicA.ID, jordan, 72)
	sooner := e.book(e.clinicA.ID, other, 24)       // the clinic's next visit, not Jordan's
	theirs := e.book(e.clinicB.ID, elsewhere, 30)   // the same number at another clinic
	past := e.book(e.clinicA.ID, jordan, 1)         // confirmed below, then in the past
	e.clock.Advance(2 * time.Hour)                  // past has started: not "upcoming"
	reply := e.text(phone, numberA, " c ", e.sid()) // Twilio-style: case and spaces
	if !strings.Contains(reply, "is confirmed") || !strings.Contains(reply, "Riverside Family Dental") {
		t.Fatalf("reply %s", reply)
	}
	for _, c := range []struct {
		name       string
		clinic, id string
		want       scheduling.Status
	}{
		{"Jordan's next visit", e.clinicA.ID, first.ID, scheduling.Confirmed},
		{"Jordan's later visit", e.clinicA.ID, second.ID, scheduling.Scheduled},
		{"another patient's sooner visit", e.clinicA.ID, sooner.ID, scheduling.Scheduled},
		{"the same number at another clinic", e.clinicB.ID, theirs.ID, scheduling.Scheduled},
		{"a visit already started", e.clinicA.ID, past.ID, scheduling.Scheduled},
	} {
		if got := e.status(c.clinic, c.id); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	a, err := e.sched.Get(context.Background(), e.clinicA.ID, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Version <= first.Version {
		t.Errorf("version %d after the confirm, was %d", a.Version, first.Version)
	}
	// The open schedules hear of it at once (ids and version only).
	if evs := e.live.events(); len(evs) == 0 || evs[len(evs)-1].Type != live.AppointmentUpdated || evs[len(evs)-1].ID != first.ID || evs[len(evs)-1].Version != a.Version {
		t.Errorf("live events %+v, want appointment.updated %s v%d", evs, first.ID, a.Version)
	}
	// The next C confirms the next one; then there is none to confirm.
	e.text(phone, numberA, "YES", e.sid())
	if got := e.status(e.clinicA.ID, second.ID); got != scheduling.Confirmed {
		t.Fatalf("second visit %s after a second reply", got)
	}
	if reply := e.text(phone, numberA, "Confirm.", e.sid()); !strings.Contains(reply, "We couldn&#39;t find an upcoming visit to confirm; please call Riverside Family Dental.") {
		t.Fatalf("reply with nothing to confirm: %s", reply)
	}
	if reply := e.text("+19175550100", numberA, "C", e.sid()); !strings.Contains(reply, "couldn&#39;t find") {
		t.Fatalf("reply to an unknown number: %s", reply)
	}
	// A text to a number no clinic has: nothing stored, nothing confirmed.
	if reply := e.text(phone, "+15005550999", "C", e.sid()); reply != emptyTwiML {
		t.Fatalf("reply for an unknown clinic number: %s", reply)
	}
	if got := e.status(e.clinicB.ID, theirs.ID); got != scheduling.Scheduled {
		t.Fatalf("another clinic's visit %s", got)
	}
}

// A stored number without its country code (a record whose phone did not
// parse) is still the sender's.
func TestConfirmFindsANationalNumber(t *testing.T) {
	e := newEnv(t)
	id := e.patient(e.clinicA.ID, "Kai", "212-555-0141")
	a := e.book(e.clinicA.ID, id, 30)
	e.text("+12125550141", numberA, "C", e.sid())
	if got := e.status(e.clinicA.ID, a.ID); got != scheduling.Confirmed {
		t.Fatalf("%s, want confirmed", got)
	}
}

// STOP opts the number out of texts at that clinic, START opts it back in;
// both answer empty TwiML (Twilio sends its own compliance replies), and
// YES from an opted-out number is Twilio's opt-in, not a confirmation.
func TestStopThenStart(t *testing.T) {
	e := newEnv(t)
	const phone = "+12125550151"
	id := e.patient(e.clinicA.ID, "Ari", phone)
	a := e.book(e.clinicA.ID, id, 30)
	out := func(clinicID string) bool {
		t.Helper()
		v, err := e.ledger.OptedOut(context.Background(), clinicID, notify.SMS, phone)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, step := range []struct {
		body    string
		wantOut bool
	}{
		{"STOP", true}, {"start", false}, {"unsubscribe", true}, {"YES", false}, {"Quit!", true}, {"UNSTOP", false},
	} {
		if reply := e.text(phone, numberA, step.body, e.sid()); reply != emptyTwiML {
			t.Fatalf("%s: reply %s", step.body, reply)
		}
		if got := out(e.clinicA.ID); got != step.wantOut {
			t.Fatalf("after %s: opted out %v, want %v", step.body, got, step.wantOut)
		}
		if out(e.clinicB.ID) {
			t.Fatalf("after %s: opted out at the other clinic", step.body)
		}
	}
	if got := e.status(e.clinicA.ID, a.ID); got != scheduling.Scheduled {
		t.Fatalf("the opt-in YES confirmed the visit: %s", got)
	}
}

// The same MessageSid posted twice (Twilio's retry) is acted on once,
// whatever it says; the second post answers empty TwiML.
func TestSameMessageSidActsOnce(t *testing.T) {
	e := newEnv(t)
	const phone = "+12125550161"
	id := e.patient(e.clinicA.ID, "Noa", phone)
	first, second := e.book(e.clinicA.ID, id, 30), e.book(e.clinicA.ID, id, 60)
	sid := e.sid()
	e.text(phone, numberA, "C", sid)
	if reply := e.text(phone, numberA, "C", sid); reply != emptyTwiML {
		t.Fatalf("duplicate answered %s", reply)
	}
	if e.status(e.clinicA.ID, first.ID) != scheduling.Confirmed || e.status(e.clinicA.ID, second.ID) != scheduling.Scheduled {
		t.Fatal("a duplicate confirmed a second visit")
	}
	other := e.sid()
	e.text(phone, numberA, "Can I bring my son?", other)
	e.text(phone, numberA, "Can I bring my son?", other)
	if n := e.count(inbound.InboxCollection, bson.D{}); n != 1 {
		t.Fatalf("inbox holds %d messages, want 1", n)
	}
}

// failingPatients fails its first n lookups as a database that is down.
type failingPatients struct {
	n    atomic.Int64
	next inbound.Patients
}

func (f *failingPatients) PatientsByPhone(ctx context.Context, clinicID, number string) ([]string, error) {
	if f.n.Add(-1) >= 0 {
		return nil, errs.Wrap(errs.Unavailable, errors.New("connection refused"), "database unavailable")
	}
	return f.next.PatientsByPhone(ctx, clinicID, number)
}

type patientIDs struct{ st *patients.Store }

func (p patientIDs) PatientsByPhone(ctx context.Context, clinicID, number string) ([]string, error) {
	list, err := p.st.ByPhone(ctx, clinicID, number)
	var out []string
	for _, x := range list {
		out = append(out, x.ID)
	}
	return out, err
}

type clinicsOf struct{ st *identity.Store }

func (c clinicsOf) ClinicByNumber(ctx context.Context, number string) (inbound.Clinic, error) {
	cl, err := c.st.ClinicBySMSNumber(ctx, number)
	return inbound.Clinic{ID: cl.ID, Name: cl.Name, TimeZone: cl.Settings.TimeZone}, err
}

// A reply whose processing fails (the database went away mid-way) is 503
// with its claim given back, so Twilio's retry of the same MessageSid is
// processed, once.
func TestFailedReplyIsProcessedOnRetry(t *testing.T) {
	e := newEnv(t)
	const phone = "+12125550171"
	e.patient(e.clinicA.ID, "Lee", phone)
	fail := &failingPatients{next: patientIDs{e.patients}}
	fail.n.Store(1)
	rt := (&authz.Guard{Policies: authz.Policies}).Router(httpapi.NewRouter(httpapi.NewLogger(io.Discard, nil)))
	inbound.WebhookRoutes(rt, &inbound.Webhook{
		Validator: twilio.NewValidator(publicURL, storetest.TwilioAuthToken), Deliveries: e.outbox, OptOuts: e.ledger,
		Inbox: inbound.NewStore(e.m, e.keys, e.clock), Clinics: clinicsOf{e.users}, Patients: fail,
		Claims: inbound.NewClaims(e.m), Clock: e.clock,
	})
	sid := e.sid()
	post := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		rt.Router.ServeHTTP(w, signed(inbound.InboundPath, url.Values{"From": {phone}, "To": {numberA}, "Body": {"Is parking free?"}, "MessageSid": {sid}}, publicURL))
		return w
	}
	if w := post(); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("first post: %d %s, want 503", w.Code, w.Body)
	}
	if n := e.count(inbound.ClaimCollection, bson.D{}) + e.count(inbound.InboxCollection, bson.D{}); n != 0 {
		t.Fatalf("a failed post left %d records", n)
	}
	if w := post(); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "got your message") {
		t.Fatalf("retry: %d %s", w.Code, w.Body)
	}
	if w := post(); w.Code != http.StatusOK || w.Body.String() != emptyTwiML {
		t.Fatalf("duplicate after the retry: %d %s", w.Code, w.Body)
	}
	if n := e.count(inbound.InboxCollection, bson.D{}); n != 1 {
		t.Fatalf("inbox holds %d, want 1", n)
	}
}

// Anything else lands in the clinic's inbox, its body sealed at rest; the
// front desk lists it (opened, with the patient's name) and marks it
// handled, once; roles are the policy's, and another clinic's message is
// 404.
func TestInbox(t *testing.T) {
	e := newEnv(t)
	const phone = "+12125550181"
	pid := e.patient(e.clinicA.ID, "Robin", phone)
	const words = "Can we move Thursday? My tooth <still> hurts & I'd rather come sooner"
	sid := e.sid()
	if reply := e.text(phone, numberA, words, sid); !strings.Contains(reply, "<Message>Thanks, Riverside Family Dental got your message.</Message>") {
		t.Fatalf("reply %s", reply)
	}
	otherSid := e.sid()
	e.text(phone, numberB, "hello from B's side", otherSid)

	db, err := e.m.Database()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := db.Collection(inbound.InboxCollection).FindOne(context.Background(), bson.D{{Key: "_id", Value: sid}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "tooth") || strings.Contains(string(raw), "Thursday") {
		t.Fatal("the stored message holds the body in plain text")
	}
	if got := raw.Lookup("patientId").StringValue(); got != pid {
		t.Fatalf("patientId %q, want %q", got, pid)
	}

	type item struct {
		ID          string     `json:"id"`
		From        string     `json:"from"`
		Body        string     `json:"body"`
		PatientID   string     `json:"patientId"`
		PatientName string     `json:"patientName"`
		Handled     bool       `json:"handled"`
		HandledBy   string     `json:"handledBy"`
		HandledAt   *time.Time `json:"handledAt"`
		ReceivedAt  time.Time  `json:"receivedAt"`
	}
	var page struct {
		Items      []item  `json:"items"`
		NextCursor *string `json:"nextCursor"`
	}
	desk := e.Caller(t, string(identity.RoleReceptionist))
	desk.MustJSON(t, http.MethodGet, "/api/inbox?handled=false", nil, http.StatusOK, &page)
	if len(page.Items) != 1 {
		t.Fatalf("inbox lists %d items, want clinic A's one: %+v", len(page.Items), page.Items)
	}
	got := page.Items[0]
	if got.ID != sid || got.Body != words || got.From != phone || got.PatientID != pid || got.PatientName != "Robin Texter" || got.Handled || got.HandledAt != nil {
		t.Fatalf("item %+v", got)
	}

	var handled item
	e.clock.Advance(time.Minute)
	desk.MustJSON(t, http.MethodPost, "/api/inbox/"+sid+"/handle", nil, http.StatusOK, &handled)
	if !handled.Handled || handled.HandledAt == nil || handled.HandledBy == "" || handled.Body != words {
		t.Fatalf("handled %+v", handled)
	}
	e.clock.Advance(time.Minute)
	var again item
	e.Caller(t, string(identity.RoleDentist)).MustJSON(t, http.MethodPost, "/api/inbox/"+sid+"/handle", nil, http.StatusOK, &again)
	if !again.HandledAt.Equal(*handled.HandledAt) || again.HandledBy != handled.HandledBy {
		t.Fatalf("handling again changed it: %+v, was %+v", again, handled)
	}
	desk.MustJSON(t, http.MethodGet, "/api/inbox?handled=false", nil, http.StatusOK, &page)
	if len(page.Items) != 0 {
		t.Fatalf("unhandled lists %d after handling", len(page.Items))
	}
	desk.MustJSON(t, http.MethodGet, "/api/inbox?handled=true", nil, http.StatusOK, &page)
	if len(page.Items) != 1 {
		t.Fatalf("handled lists %d", len(page.Items))
	}
	if r := desk.Do(t, http.MethodGet, "/api/inbox?handled=maybe", nil); r.Status != http.StatusBadRequest {
		t.Fatalf("handled=maybe: %d", r.Status)
	}
	if r := desk.Do(t, http.MethodPost, "/api/inbox/"+otherSid+"/handle", nil); r.Status != http.StatusNotFound {
		t.Fatalf("another clinic's message: %d, want 404", r.Status)
	}
	for _, role := range []identity.Role{identity.RoleAdmin, identity.RoleHygienist, identity.RoleAssistant} {
		if r := e.Caller(t, string(role)).Do(t, http.MethodGet, "/api/inbox", nil); r.Status != http.StatusOK {
			t.Errorf("%s lists the inbox: %d", role, r.Status)
		}
	}
	if r := e.Client().Do(t, http.MethodGet, "/api/inbox", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("signed out: %d, want 401", r.Status)
	}
	var n int64
	if n = e.count("audit_logs", bson.D{{Key: "action", Value: "inbox.read"}}); n == 0 {
		t.Error("inbox reads are not in the audit trail")
	}
	if n = e.count("audit_logs", bson.D{{Key: "action", Value: "inbox.handle"}}); n == 0 {
		t.Error("handling is not in the audit trail")
	}
}

// A patient may not read the clinic's inbox.
func TestInboxRefusesPatients(t *testing.T) {
	e := newEnv(t)
	pid := e.patient(e.clinicA.ID, "Pat", "+12125550191")
	email := "patient-" + ids.New() + "@inbox.example"
	if _, err := e.users.CreateUser(context.Background(), e.clinicA.ID, identity.NewUser{Email: email, Password: staffPass,
		Role: identity.RolePatient, FirstName: "Pat", LastName: "Texter", PatientID: pid}); err != nil {
		t.Fatal(err)
	}
	c := e.Login(t, email, staffPass)
	sid := e.sid()
	e.text("+12125550191", numberA, "hello", sid)
	for _, r := range []apitest.Response{
		c.Do(t, http.MethodGet, "/api/inbox", nil),
		c.Do(t, http.MethodPost, "/api/inbox/"+sid+"/handle", nil),
	} {
		if r.Status != http.StatusForbidden {
			t.Fatalf("patient: %d, want 403", r.Status)
		}
	}
}
