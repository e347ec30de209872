package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
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
