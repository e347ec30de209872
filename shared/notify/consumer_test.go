package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

func record(tb testing.TB, sqsID string, m any) events.SQSMessage {
	tb.Helper()
	body, ok := m.(string)
	if !ok {
		b, err := json.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		body = string(b)
	}
	return events.SQSMessage{MessageId: sqsID, Body: body}
}

func msg(channel notify.Channel) notify.Message {
	return notify.Message{ID: ids.New(), ClinicID: ids.New(), Channel: channel, To: "ana@example.com", Template: "password-reset"}
}

func TestConsumerPartialBatchAndIdempotency(t *testing.T) {
	ctx := context.Background()
	outbox := notify.NewOutbox(100)
	failing := notify.SenderFunc(func(context.Context, notify.Message) error { return errors.New("smtp down") })
	c := &notify.Consumer{
		Senders: map[notify.Channel]notify.Sender{notify.Email: outbox, notify.SMS: failing},
		Redis:   storetest.NewRedis(t),
		Log:     httpapi.NewLogger(io.Discard, nil),
	}
	good := msg(notify.Email)
	ev := events.SQSEvent{Records: []events.SQSMessage{
		record(t, "r1", good),
		record(t, "r2", "{not json"),
		record(t, "r3", notify.Message{ID: ids.New()}), // invalid envelope
		record(t, "r4", msg(notify.SMS)),               // sender fails
		record(t, "r5", good),                          // same id again in the batch
	}}
	resp, err := c.Handle(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if len(failed) != 3 || failed[0] != "r2" || failed[1] != "r3" || failed[2] != "r4" {
		t.Fatalf("failures = %v, want [r2 r3 r4]", failed)
	}
	if n := len(outbox.Messages()); n != 1 {
		t.Fatalf("delivered %d times, want once", n)
	}
	// Redelivery of the whole batch by SQS: still once.
	if _, err := c.Handle(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if n := len(outbox.Messages()); n != 1 {
		t.Fatalf("after redelivery delivered %d times, want once", n)
	}
}

func TestConsumerFailedSendCanBeRetried(t *testing.T) {
	ctx := context.Background()
	outbox := notify.NewOutbox(10)
	fail := true
	flaky := notify.SenderFunc(func(ctx context.Context, m notify.Message) error {
		if fail {
			return errors.New("twilio 503")
		}
		return outbox.Send(ctx, m)
	})
	c := &notify.Consumer{Senders: map[notify.Channel]notify.Sender{notify.SMS: flaky}, Redis: storetest.NewRedis(t), Log: httpapi.NewLogger(io.Discard, nil)}
	ev := events.SQSEvent{Records: []events.SQSMessage{record(t, "r1", msg(notify.SMS))}}
	if resp, _ := c.Handle(ctx, ev); len(resp.BatchItemFailures) != 1 {
		t.Fatalf("failing send not reported: %+v", resp)
	}
	fail = false
	if resp, _ := c.Handle(ctx, ev); len(resp.BatchItemFailures) != 0 || len(outbox.Messages()) != 1 {
		t.Fatalf("retry: %+v, delivered %d", resp, len(outbox.Messages()))
	}
}

func TestConsumerRedisDownFailsTheMessage(t *testing.T) {
	c := &notify.Consumer{Senders: map[notify.Channel]notify.Sender{notify.Email: notify.NewOutbox(1)}, Redis: storetest.DeadRedis(t), Log: httpapi.NewLogger(io.Discard, nil)}
	resp, err := c.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(t, "r1", msg(notify.Email))}})
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("resp %+v err %v", resp, err)
	}
}

// gateFunc adapts a function to notify.Gate.
type gateFunc func(ctx context.Context, m notify.Message) error

func (f gateFunc) Admit(ctx context.Context, m notify.Message) error { return f(ctx, m) }

// renderFunc adapts a function to notify.Renderer.
type renderFunc func(m notify.Message) (notify.Content, error)

func (f renderFunc) Render(m notify.Message) (notify.Content, error) { return f(m) }

func TestConsumerRendersGatesAndSettlesPermanentFailures(t *testing.T) {
	ctx := context.Background()
	outbox := notify.NewOutbox(10)
	sends := 0
	sms := notify.SenderFunc(func(ctx context.Context, m notify.Message) error {
		sends++
		if m.To == "+15550000000" {
			return notify.Permanent(notify.ClassBadRecipient, errors.New("twilio error 21211"))
		}
		return nil
	})
	render := renderFunc(func(m notify.Message) (notify.Content, error) {
		if m.Template == "nope" {
			return notify.Content{}, notify.Permanent(notify.ClassUnknownTemplate, errors.New("unknown template"))
		}
		return notify.Content{Subject: "Hello " + m.Template, Text: "body of " + m.Template}, nil
	})
	gate := gateFunc(func(_ context.Context, m notify.Message) error {
		if m.To == "stopped@example.com" {
			return notify.Permanent(notify.ClassSuppressed, errors.New("opted out"))
		}
		return nil
	})
	var logs bytes.Buffer
	type settled struct{ id, status, class string }
	var outcomes []settled
	c := &notify.Consumer{
		Senders: map[notify.Channel]notify.Sender{notify.Email: outbox, notify.SMS: sms},
		Redis:   storetest.NewRedis(t), Log: httpapi.NewLogger(&logs, nil), Render: render, Gate: gate,
		Settled: func(_ context.Context, m notify.Message, status, class, _ string) {
			outcomes = append(outcomes, settled{m.ID, status, class})
		},
	}
	ok := msg(notify.Email)
	ok.Data = map[string]string{"resetUrl": "https://x.example/secret-token"}
	stopped := msg(notify.Email)
	stopped.To = "stopped@example.com"
	unknown := msg(notify.Email)
	unknown.Template = "nope"
	badNumber := msg(notify.SMS)
	badNumber.To = "+15550000000"
	ev := events.SQSEvent{Records: []events.SQSMessage{record(t, "r1", ok), record(t, "r2", stopped), record(t, "r3", unknown), record(t, "r4", badNumber)}}
	for range 2 { // and once more, as a redelivery
		resp, err := c.Handle(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("permanent failures were not acknowledged: %+v %v", resp, err)
		}
	}
	items := outbox.Messages()
	if len(items) != 1 || items[0].Subject != "Hello password-reset" || items[0].Body != "body of password-reset" || items[0].Status != "sent" {
		t.Fatalf("outbox %+v", items)
	}
	if sends != 1 {
		t.Fatalf("bad number tried %d times, want once", sends)
	}
	want := []settled{{ok.ID, "sent", ""}, {stopped.ID, "failed", "suppressed"}, {unknown.ID, "failed", "unknown-template"}, {badNumber.ID, "failed", "bad-recipient"}}
	if len(outcomes) != len(want) {
		t.Fatalf("outcomes %+v", outcomes)
	}
	for i := range want {
		if outcomes[i] != want[i] {
			t.Fatalf("outcome %d = %+v, want %+v", i, outcomes[i], want[i])
		}
	}
	// Logs name the id and the class, never the address or the data.
	out := logs.String()
	for _, secret := range []string{"stopped@example.com", "+15550000000", "secret-token", "ana@example.com"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log carries %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, stopped.ID) || !strings.Contains(out, "suppressed") {
		t.Fatalf("log lacks the id and class:\n%s", out)
	}
}

func TestConsumerTransientGateFailureRetries(t *testing.T) {
	outbox := notify.NewOutbox(10)
	down := true
	c := &notify.Consumer{
		Senders: map[notify.Channel]notify.Sender{notify.Email: outbox}, Redis: storetest.NewRedis(t), Log: httpapi.NewLogger(io.Discard, nil),
		Render: renderFunc(func(notify.Message) (notify.Content, error) { return notify.Content{Text: "x"}, nil }),
		Gate: gateFunc(func(context.Context, notify.Message) error {
			if down {
				return errors.New("ledger unreachable")
			}
			return nil
		}),
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{record(t, "r1", msg(notify.Email))}}
	if resp, _ := c.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 1 || len(outbox.Messages()) != 0 {
		t.Fatalf("ledger down: %+v", resp)
	}
	down = false
	if resp, _ := c.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 0 || len(outbox.Messages()) != 1 {
		t.Fatalf("retry: %+v", resp)
	}
}

func TestE164(t *testing.T) {
	for in, want := range map[string]string{
		"(212) 555-0147": "+12125550147", "212.555.0147": "+12125550147", "1 212 555 0147": "+12125550147",
		"+1 212-555-0147": "+12125550147", "+44 20 7946 0958": "+442079460958", "+12125550147": "+12125550147",
		"555-0147": "", "0123456789": "", "+0123456": "", "212555014x": "", "": "", "++12125550147": "",
		"12125550147 ext 2": "",
	} {
		if got := notify.E164(in); got != want {
			t.Errorf("E164(%q) = %q, want %q", in, got, want)
		}
	}
}
