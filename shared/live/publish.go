package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// QueuePublisher puts each event on the live queue (deployed): the
// realtime function's fan-out consumes it, so the request that made the
// change waits for one SQS send, however many screens are open.
type QueuePublisher struct {
	Send func(ctx context.Context, body string) error
}

// PublishLive implements Publisher.
func (q QueuePublisher) PublishLive(ctx context.Context, clinicID string, ev Event) error {
	b, err := json.Marshal(Envelope{ClinicID: clinicID, Event: ev})
	if err != nil {
		return err
	}
	return q.Send(ctx, string(b))
}

// Direct fans each event out in the background (the local stack, one
// process): the request does not wait for it.
type Direct struct {
	Fanout *Fanout
	Log    *slog.Logger
}

// PublishLive implements Publisher.
func (d Direct) PublishLive(ctx context.Context, clinicID string, ev Event) error {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := d.Fanout.Send(ctx, clinicID, ev); err != nil {
			d.Log.WarnContext(ctx, "live fan-out failed", "type", ev.Type, "err", err.Error())
		}
	}()
	return nil
}

// HandleSQS fans out each record of a live queue batch; a record whose
// fan-out could not read Redis fails alone and is retried. A malformed
// record is dropped (an event is only a hint to refetch: the next change
// or the 30 s poll covers it).
func (f *Fanout) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		var env Envelope
		if err := json.Unmarshal([]byte(rec.Body), &env); err != nil || env.ClinicID == "" || env.Event.Type == "" {
			f.Log.WarnContext(ctx, "malformed live event dropped", "sqsMessageId", rec.MessageId)
			continue
		}
		if _, err := f.Send(ctx, env.ClinicID, env.Event); err != nil {
			f.Log.WarnContext(ctx, "live fan-out failed", "sqsMessageId", rec.MessageId, "err", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}
