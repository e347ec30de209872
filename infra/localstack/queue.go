package localstack

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
)

// Queue is the local stand-in for the SQS notifications queue: it delivers
// events.SQSEvent batches to the consumer exactly as the Lambda trigger would
// (up to BatchSize records, after a short batching window), redelivers the
// records the consumer reports as failed, and after MaxReceives parks them in
// a dead-letter list.
type Queue struct {
	BatchSize   int
	Window      time.Duration
	MaxReceives int
	Retry       time.Duration
	Log         *slog.Logger

	mu      sync.Mutex
	pending []events.SQSMessage
	dead    []events.SQSMessage
	wake    chan struct{}
}

var _ notify.Publisher = (*Queue)(nil)

// NewQueue returns a queue with the template's settings (batch 10, 5 receives).
func NewQueue(log *slog.Logger) *Queue {
	return &Queue{BatchSize: 10, Window: 50 * time.Millisecond, MaxReceives: 5, Retry: 500 * time.Millisecond, Log: log, wake: make(chan struct{}, 1)}
}

// Publish enqueues m.
func (q *Queue) Publish(_ context.Context, m notify.Message) error {
	if err := m.Validate(); err != nil {
		return errs.Wrap(errs.Internal, err, "invalid notification")
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	q.push(events.SQSMessage{
		MessageId:      ids.New(),
		Body:           string(body),
		EventSource:    "aws:sqs",
		EventSourceARN: "arn:aws:sqs:local:000000000000:topsmile-notifications",
		Attributes:     map[string]string{"ApproximateReceiveCount": "0"},
	})
	return nil
}

func (q *Queue) push(msgs ...events.SQSMessage) {
	q.mu.Lock()
	q.pending = append(q.pending, msgs...)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Dead returns the messages that exhausted their receives.
func (q *Queue) Dead() []events.SQSMessage {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]events.SQSMessage(nil), q.dead...)
}

// Run delivers batches to handle until ctx ends.
func (q *Queue) Run(ctx context.Context, handle boot.SQSHandler) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		}
		select { // the batching window
		case <-ctx.Done():
			return
		case <-time.After(q.Window):
		}
		for q.deliver(ctx, handle) {
		}
	}
}

// deliver sends one batch and reports whether more are pending.
func (q *Queue) deliver(ctx context.Context, handle boot.SQSHandler) bool {
	q.mu.Lock()
	n := min(len(q.pending), q.BatchSize)
	batch := append([]events.SQSMessage(nil), q.pending[:n]...)
	q.pending = q.pending[n:]
	more := len(q.pending) > 0
	q.mu.Unlock()
	if n == 0 {
		return false
	}
	for i := range batch {
		count, _ := strconv.Atoi(batch[i].Attributes["ApproximateReceiveCount"])
		batch[i].Attributes = map[string]string{"ApproximateReceiveCount": strconv.Itoa(count + 1)}
	}
	resp, err := handle(ctx, events.SQSEvent{Records: batch})
	failed := map[string]bool{}
	if err != nil { // a handler error fails the whole batch, as in Lambda
		q.Log.Error("queue consumer failed the batch", "err", err.Error())
		for _, m := range batch {
			failed[m.MessageId] = true
		}
	}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var retry []events.SQSMessage
	for _, m := range batch {
		if !failed[m.MessageId] {
			continue
		}
		if count, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"]); count >= q.MaxReceives {
			q.Log.Warn("message moved to the dead-letter queue", "sqsMessageId", m.MessageId, "receives", count)
			q.mu.Lock()
			q.dead = append(q.dead, m)
			q.mu.Unlock()
			continue
		}
		retry = append(retry, m)
	}
	if len(retry) > 0 {
		// Visibility timeout: failed messages come back after a pause.
		time.AfterFunc(q.Retry, func() { q.push(retry...) })
	}
	return more
}
