package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/topsmile/topsmile/functions/notifications/app"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/notify/unsub"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

func newApp(tb testing.TB, env storetest.FunctionEnv, senders map[notify.Channel]notify.Sender) (*boot.App, error) {
	tb.Helper()
	var cfg app.Config
	if err := config.LoadFrom(env.Lookup, &cfg); err != nil {
		tb.Fatal(err)
	}
	a, err := app.New(cfg, app.Options{Options: boot.Options{Log: httpapi.NewLogger(io.Discard, nil)}, Senders: senders})
	if a != nil {
		tb.Cleanup(a.Close)
	}
	return a, err
}

func event(tb testing.TB, ms ...notify.Message) events.SQSEvent {
	tb.Helper()
	var ev events.SQSEvent
	for _, m := range ms {
		b, err := json.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: "sqs-" + m.ID, Body: string(b)})
	}
	return ev
}

func offer(clinicID, to string) notify.Message {
	return notify.Message{ID: ids.New(), ClinicID: clinicID, Channel: notify.SMS, To: to, Template: "waitlist-offer",
		Data: map[string]string{"clinicName": "Smile Co", "timeZone": "America/New_York", "start": "2026-03-10T14:00:00Z",
			"expiresAt": "2026-03-09T14:00:00Z", "acceptUrl": "https://clinic.test/portal/offers/1?answer=accept", "declineUrl": "https://clinic.test/portal/offers/1?answer=decline"},
		CreatedAt: time.Now()}
}

func TestOutboxGetsRenderedMessagesAndOptOutsHold(t *testing.T) {
	ctx := context.Background()
	env := storetest.NewFunctionEnv(t)
	outbox := notify.NewOutbox(10)
	a, err := newApp(t, env, map[notify.Channel]notify.Sender{notify.Email: outbox, notify.SMS: outbox})
	if err != nil {
		t.Fatal(err)
	}
	clinic := ids.New()
	first := offer(clinic, "+15551234567")
	if resp, err := a.SQS(ctx, event(t, first)); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	items := outbox.Messages()
	if len(items) != 1 || items[0].Body == "" || items[0].Status != "sent" {
		t.Fatalf("outbox %+v", items)
	}
	if want := "Smile Co: an appointment opened up Tue Mar 10, 10:00 AM"; len(items[0].Body) < len(want) || items[0].Body[:len(want)] != want {
		t.Fatalf("body %q", items[0].Body)
	}
	// STOP, then the next text is suppressed (acknowledged, not sent).
	ledger := prefs.NewLedger(env.Mongo(t))
	if err := ledger.OptOut(ctx, clinic, notify.SMS, "+15551234567", "sms-stop", time.Now()); err != nil {
		t.Fatal(err)
	}
	if resp, err := a.SQS(ctx, event(t, offer(clinic, "+15551234567"))); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	if n := len(outbox.Messages()); n != 1 {
		t.Fatalf("opted-out number got a text (%d in the outbox)", n)
	}
	// START, and texts flow again.
	if err := ledger.OptIn(ctx, clinic, notify.SMS, "+15551234567"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SQS(ctx, event(t, offer(clinic, "+15551234567"))); err != nil || len(outbox.Messages()) != 2 {
		t.Fatalf("after START: %d in the outbox, %v", len(outbox.Messages()), err)
	}
	// An unknown template is settled, not retried.
	bad := offer(clinic, "+15551234567")
	bad.Template = "no-such-template"
	if resp, _ := a.SQS(ctx, event(t, bad)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("unknown template retried: %+v", resp)
	}
}

func TestWithoutSettingsAChannelHasNoSender(t *testing.T) {
	a, err := newApp(t, storetest.NewFunctionEnv(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := a.SQS(context.Background(), event(t, offer(ids.New(), "+15551234567")))
	if len(resp.BatchItemFailures) != 1 {
		t.Fatalf("a text without Twilio settings did not fail for a retry: %+v", resp)
	}
}

func TestTwilioSettingsUseTwilio(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		bodies = append(bodies, r.PostForm.Get("Body"))
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"sid":"SM1","status":"queued"}`))
	}))
	defer srv.Close()
	env := storetest.NewFunctionEnv(t)
	env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"], env["TWILIO_FROM"], env["TWILIO_API_BASE"] = "AC1", "tok1", "+15005550006", srv.URL
	env["PUBLIC_URL"] = "https://clinic.test"
	outbox := notify.NewOutbox(10)
	a, err := newApp(t, env, map[notify.Channel]notify.Sender{notify.Email: outbox, notify.SMS: outbox})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := a.SQS(context.Background(), event(t, offer(ids.New(), "+15551234567"))); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	if len(bodies) != 1 || len(outbox.Messages()) != 0 {
		t.Fatalf("twilio got %d, outbox %d", len(bodies), len(outbox.Messages()))
	}
}

func TestConfigErrors(t *testing.T) {
	env := storetest.NewFunctionEnv(t)
	delete(env, "MONGODB_URI")
	env["SMTP_URL"], env["MAIL_FROM"] = "smtp://u:p@mail.example.com:587", "no-reply@topsmile.example"
	if _, err := newApp(t, env, nil); !errors.Is(err, app.ErrNoLedger) {
		t.Fatalf("err %v, want ErrNoLedger", err)
	}
	env = storetest.NewFunctionEnv(t)
	env["SMTP_URL"], env["MAIL_FROM"] = "smtp://u:p@mail.example.com:587", ""
	if _, err := newApp(t, env, nil); err == nil {
		t.Fatal("SMTP_URL without MAIL_FROM accepted")
	}
}

// SMTP down: each receive fails the message (SQS retries it), and the
// failure on its last receive marks its outbox record dead, where the
// admin's list shows it for a retry. A delivered message is marked sent.
func TestSMTPDownIsRetriedThenDeadLettered(t *testing.T) {
	ctx := context.Background()
	env := storetest.NewFunctionEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close() // nothing listens there now
	env["SMTP_URL"], env["MAIL_FROM"] = "smtp://user:pass@"+dead, "clinic@topsmile.test"
	a, err := newApp(t, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.New(seal.Config{Keys: env["PHI_KEYS"], ActiveKID: env["PHI_ACTIVE_KID"]})
	if err != nil {
		t.Fatal(err)
	}
	var queued []notify.Message
	pub := outbox.NewPublisher(env.Mongo(t), keys, clock.Real{}, publisherFunc(func(_ context.Context, m notify.Message) error {
		queued = append(queued, m)
		return nil
	}), httpapi.NewLogger(io.Discard, nil))
	clinic := ids.New()
	m := offer(clinic, "jordan@example.com")
	m.Channel = notify.Email
	if err := pub.Publish(ctx, m); err != nil || len(queued) != 1 {
		t.Fatalf("publish: %v, %d queued", err, len(queued))
	}
	for receive := 1; receive <= 5; receive++ {
		ev := event(t, m)
		ev.Records[0].Attributes = map[string]string{"ApproximateReceiveCount": strconv.Itoa(receive)}
		resp, err := a.SQS(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 1 {
			t.Fatalf("receive %d: %+v %v (SMTP is down: the message must fail)", receive, resp, err)
		}
		rec, err := pub.Store.Get(ctx, clinic, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := outbox.Queued
		if receive == 5 {
			want = outbox.Dead
		}
		if rec.Status != want {
			t.Fatalf("after receive %d the record is %s, want %s", receive, rec.Status, want)
		}
	}
}

type publisherFunc func(ctx context.Context, m notify.Message) error

func (f publisherFunc) Publish(ctx context.Context, m notify.Message) error { return f(ctx, m) }

// A reminder email carries its own one-click unsubscribe link, sealed for
// its clinic and address; a password reset carries none.
func TestEmailsCarryAnUnsubscribeLink(t *testing.T) {
	ctx := context.Background()
	env := storetest.NewFunctionEnv(t)
	box := notify.NewOutbox(10)
	a, err := newApp(t, env, map[notify.Channel]notify.Sender{notify.Email: box, notify.SMS: box})
	if err != nil {
		t.Fatal(err)
	}
	clinic := ids.New()
	m := offer(clinic, "jordan@example.com")
	m.Channel = notify.Email
	reset := notify.Message{ID: ids.New(), ClinicID: clinic, Channel: notify.Email, To: "jordan@example.com", Template: "password-reset",
		Data: map[string]string{"resetUrl": "https://clinic.test/reset-password?token=abc"}}
	if resp, err := a.SQS(ctx, event(t, m, reset)); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	items := box.Messages()
	if len(items) != 2 {
		t.Fatalf("%d sent", len(items))
	}
	keys, _ := unsub.New(env["DATA_KEY"])
	i := strings.Index(items[0].HTML, "/api/unsubscribe?t=")
	if i < 0 {
		t.Fatalf("no unsubscribe link in %s", items[0].HTML)
	}
	tok := items[0].HTML[i+len("/api/unsubscribe?t="):]
	tok = tok[:strings.IndexAny(tok, `"&<`)]
	if c, addr, err := keys.Open(tok); err != nil || c != clinic || addr != "jordan@example.com" {
		t.Fatalf("link opens to %q %q %v", c, addr, err)
	}
	if strings.Contains(items[1].HTML, "unsubscribe") {
		t.Fatal("a password reset carries an unsubscribe link")
	}
}
