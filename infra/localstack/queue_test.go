package localstack_test

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
)

func TestQueueDeliversBatchesRetriesAndDeadLetters(t *testing.T) {
	q := localstack.NewQueue(httpapi.NewLogger(io.Discard, nil))
	q.Retry = 10 * time.Millisecond
	q.Window = 20 * time.Millisecond

	var mu sync.Mutex
	var batchSizes []int
	receives := map[string]int{}
	handler := func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		batchSizes = append(batchSizes, len(ev.Records))
		var resp events.SQSEventResponse
		for _, r := range ev.Records {
			var m notify.Message
			_ = json.Unmarshal([]byte(r.Body), &m)
			receives[m.Template]++
			if r.Attributes["ApproximateReceiveCount"] == "" {
				t.Error("record lacks ApproximateReceiveCount")
			}
			if m.Template == "poison" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		return resp, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go q.Run(ctx, handler)

	publish := func(template string) {
		if err := q.Publish(ctx, notify.Message{ID: ids.New(), ClinicID: "c", Channel: notify.Email, To: "a@b.co", Template: template}); err != nil {
			t.Fatal(err)
		}
	}
	for range 11 {
		publish("ok")
	}
	publish("poison")
	if err := q.Publish(ctx, notify.Message{ID: "x"}); err == nil {
		t.Fatal("invalid message accepted")
	}

	deadline := time.Now().Add(5 * time.Second)
	for len(q.Dead()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(q.Dead()) != 1 || receives["poison"] != 5 {
		t.Fatalf("dead = %d, poison received %d times; want 1 and 5", len(q.Dead()), receives["poison"])
	}
	if receives["ok"] != 11 {
		t.Fatalf("ok messages received %d times, want 11 (each once)", receives["ok"])
	}
	for _, n := range batchSizes {
		if n > 10 {
			t.Fatalf("batch of %d exceeds the template's BatchSize 10", n)
		}
	}
}
