package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"
)

// Idempotency windows: a delivered id is remembered longer than SQS keeps a
// message (14 days); a claim lasts as long as the queue's visibility timeout.
const (
	doneTTL  = 15 * 24 * time.Hour
	claimTTL = 3 * time.Minute
)

// Consumer handles SQS batches for the notifications function.
type Consumer struct {
	Senders map[Channel]Sender
	Redis   *redis.Client
	Log     *slog.Logger
}

// Handle delivers each record of the batch and reports the ones that failed,
// so only those are retried (ReportBatchItemFailures). A malformed message
// also fails: after its retries it lands in the DLQ where someone can read it.
func (c *Consumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if err := c.handleOne(ctx, rec); err != nil {
			c.Log.WarnContext(ctx, "notification failed", "sqsMessageId", rec.MessageId, "err", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

func (c *Consumer) handleOne(ctx context.Context, rec events.SQSMessage) error {
	var m Message
	if err := json.Unmarshal([]byte(rec.Body), &m); err != nil {
		return fmt.Errorf("malformed message: %w", err)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	sender, ok := c.Senders[m.Channel]
	if !ok {
		return fmt.Errorf("no sender configured for channel %s", m.Channel)
	}
	doneKey, claimKey := "notify:done:"+m.ID, "notify:claim:"+m.ID
	done, err := c.Redis.Exists(ctx, doneKey).Result()
	if err != nil {
		return err
	}
	if done > 0 {
		c.Log.InfoContext(ctx, "notification already delivered", "id", m.ID)
		return nil
	}
	// The claim stops two consumers that got the same message (SQS is
	// at-least-once) from both sending it.
	claimed, err := c.Redis.SetNX(ctx, claimKey, rec.MessageId, claimTTL).Result()
	if err != nil {
		return err
	}
	if !claimed {
		return errors.New("message is being delivered by another consumer")
	}
	if err := sender.Send(ctx, m); err != nil {
		c.Redis.Del(context.WithoutCancel(ctx), claimKey)
		return fmt.Errorf("send %s: %w", m.Channel, err)
	}
	if err := c.Redis.Set(context.WithoutCancel(ctx), doneKey, "1", doneTTL).Err(); err != nil {
		// Delivered but not remembered: the claim (kept) still blocks a
		// redelivery within claimTTL; report success so SQS deletes it.
		c.Log.ErrorContext(ctx, "could not record delivery", "id", m.ID, "err", err.Error())
	}
	c.Log.InfoContext(ctx, "notification delivered", "id", m.ID, "channel", string(m.Channel), "template", m.Template)
	return nil
}
