package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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

// Content is what the person reads, rendered from a Message by the templates
// package. Like Data, it is never logged.
type Content struct {
	Subject string // email only
	Text    string // the plain-text part of an email, or the whole SMS
	HTML    string // email only
	// Unsubscribe is the one-click opt-out URL (RFC 8058) of a message the
	// person may refuse; always empty on transactional mail.
	Unsubscribe string
}

// Renderer renders a message for its channel. An unknown template, or one
// without a form for the channel, is a Permanent error.
type Renderer interface {
	Render(m Message) (Content, error)
}

// ContentSender is a Sender that takes the content the consumer rendered
// (SMTP, Twilio, the dev outbox). A plain Sender gets the bare Message.
type ContentSender interface {
	Sender
	SendContent(ctx context.Context, m Message, c Content) error
}

// ReceiptSender is a ContentSender that answers the provider's id of what
// it sent (Twilio's MessageSid), which its delivery callbacks name later.
type ReceiptSender interface {
	ContentSender
	SendReceipt(ctx context.Context, m Message, c Content) (providerID string, err error)
}

// Gate decides whether a message may go out: nil to send; a Permanent error
// when it never may (the recipient opted out, the day's SMS cap is reached);
// any other error to retry later.
type Gate interface {
	Admit(ctx context.Context, m Message) error
}

// transactional are the templates a person asked for themselves (or, for an
// invite, their employer: the way into their account): an opt-out never
// blocks them and they carry no unsubscribe link.
var transactional = map[string]bool{"password-reset": true, "verify-email": true, "account-exists": true, "staff-invite": true}

// Transactional reports whether template is exempt from opt-outs and caps.
func Transactional(template string) bool { return transactional[template] }

// Failure classes of permanent errors, logged and recorded instead of the
// message (whose body and address are never logged).
const (
	ClassSuppressed      = "suppressed"       // the recipient opted out of the channel
	ClassCapped          = "capped"           // the recipient's SMS cap for the day is reached
	ClassUnknownTemplate = "unknown-template" // no such template, or none for the channel
	ClassBadData         = "bad-data"         // the template's data is missing or invalid
	ClassBadRecipient    = "bad-recipient"    // invalid address or number, not a mobile
	ClassHardBounce      = "hard-bounce"      // the mail server refused for good (5xx)
	ClassProviderOptOut  = "provider-opt-out" // the provider has the number as unsubscribed
)

// PermanentError is a failure that no retry can fix: the consumer
// acknowledges the message instead of letting SQS retry it.
type PermanentError struct {
	Class string
	Err   error
}

func (e *PermanentError) Error() string { return e.Class + ": " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying, with its class.
func Permanent(class string, err error) error { return &PermanentError{Class: class, Err: err} }

// PermanentClass returns the class of a permanent error anywhere in err's
// chain.
func PermanentClass(err error) (string, bool) {
	var p *PermanentError
	if errors.As(err, &p) {
		return p.Class, true
	}
	return "", false
}

// Outcome statuses given to Consumer.Settled.
const (
	StatusSent   = "sent"
	StatusFailed = "failed" // permanently; Class says why
)

// Consumer handles SQS batches for the notifications function.
type Consumer struct {
	Senders map[Channel]Sender
	Redis   *redis.Client
	Log     *slog.Logger
	// Render, when set, renders each message before it is sent; senders
	// that are ContentSenders get the result.
	Render Renderer
	// Gate, when set, is asked before each send (opt-outs, caps).
	Gate Gate
	// Settled, when set, hears each message's final outcome (sent, or
	// failed permanently with its class) and the provider's id of a sent
	// one: the outbox records it.
	Settled func(ctx context.Context, m Message, status, class, providerID string)
	// MaxReceives is the queue's maxReceiveCount; Dead, when set, hears of
	// a message whose last receive failed (it goes to the DLQ next).
	MaxReceives int
	Dead        func(ctx context.Context, m Message, reason string)
}

// Handle delivers each record of the batch and reports the ones that failed,
// so only those are retried (ReportBatchItemFailures). A malformed message
// also fails: after its retries it lands in the DLQ where someone can read it.
// A permanent failure (opted out, bad number, hard bounce) is acknowledged:
// retrying would fail the same way.
func (c *Consumer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if err := c.handleOne(ctx, rec); err != nil {
			c.Log.WarnContext(ctx, "notification failed", "sqsMessageId", rec.MessageId, "err", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			c.lastReceive(ctx, rec, err)
		}
	}
	return resp, nil
}

// lastReceive tells Dead of a failed record that has no receive left.
func (c *Consumer) lastReceive(ctx context.Context, rec events.SQSMessage, err error) {
	count, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	if c.Dead == nil || c.MaxReceives <= 0 || count < c.MaxReceives || errors.Is(err, errClaimed) {
		return // receives left, or another consumer has it
	}
	var m Message
	if json.Unmarshal([]byte(rec.Body), &m) != nil || m.ID == "" || m.ClinicID == "" {
		return // unreadable: only the DLQ can show it
	}
	c.Dead(ctx, m, "retries-exhausted")
}

// Forget clears the consumer's memory of id (delivered, or failed for
// good), so that a retried message is delivered again.
func Forget(ctx context.Context, rdb *redis.Client, id string) error {
	k := keys(id)
	if err := rdb.Del(ctx, k.done, k.claim).Err(); err != nil {
		return fmt.Errorf("forget %s: %w", id, err)
	}
	return nil
}

type idKeys struct{ done, claim string }

func keys(id string) idKeys { return idKeys{done: "notify:done:" + id, claim: "notify:claim:" + id} }

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
	k := keys(m.ID)
	doneKey, claimKey := k.done, k.claim
	done, err := c.Redis.Exists(ctx, doneKey).Result()
	if err != nil {
		return err
	}
	if done > 0 {
		c.Log.InfoContext(ctx, "notification already settled", "id", m.ID)
		return nil
	}
	// The claim stops two consumers that got the same message (SQS is
	// at-least-once) from both sending it.
	claimed, err := c.Redis.SetNX(ctx, claimKey, rec.MessageId, claimTTL).Result()
	if err != nil {
		return err
	}
	if !claimed {
		return errClaimed
	}
	providerID, err := c.deliver(ctx, sender, m)
	if class, permanent := PermanentClass(err); permanent {
		// Settled for good: remembered like a delivery so a redelivery is
		// not tried again, and acknowledged. The error text can name the
		// provider's reason but never carries the body or the address.
		c.settle(ctx, m, doneKey, "failed:"+class)
		c.Log.WarnContext(ctx, "notification failed permanently", "id", m.ID, "channel", string(m.Channel), "template", m.Template, "class", class)
		if c.Settled != nil {
			c.Settled(ctx, m, StatusFailed, class, "")
		}
		return nil
	}
	if err != nil {
		c.Redis.Del(context.WithoutCancel(ctx), claimKey)
		return fmt.Errorf("send %s: %w", m.Channel, err)
	}
	c.settle(ctx, m, doneKey, "1")
	c.Log.InfoContext(ctx, "notification delivered", "id", m.ID, "channel", string(m.Channel), "template", m.Template)
	if c.Settled != nil {
		c.Settled(ctx, m, StatusSent, "", providerID)
	}
	return nil
}

// deliver renders (an unknown template fails before anything is counted),
// asks the gate, and sends.
func (c *Consumer) deliver(ctx context.Context, sender Sender, m Message) (providerID string, err error) {
	var content Content
	if c.Render != nil {
		if content, err = c.Render.Render(m); err != nil {
			return "", err
		}
	}
	if c.Gate != nil {
		if err := c.Gate.Admit(ctx, m); err != nil {
			return "", err
		}
	}
	if c.Render != nil {
		if rs, ok := sender.(ReceiptSender); ok {
			return rs.SendReceipt(ctx, m, content)
		}
		if cs, ok := sender.(ContentSender); ok {
			return "", cs.SendContent(ctx, m, content)
		}
	}
	return "", sender.Send(ctx, m)
}

// errClaimed: another consumer holds the message's claim.
var errClaimed = errors.New("message is being delivered by another consumer")

func (c *Consumer) settle(ctx context.Context, m Message, doneKey, value string) {
	if err := c.Redis.Set(context.WithoutCancel(ctx), doneKey, value, doneTTL).Err(); err != nil {
		// Settled but not remembered: the claim (kept) still blocks a
		// redelivery within claimTTL; report success so SQS deletes it.
		c.Log.ErrorContext(ctx, "could not record delivery", "id", m.ID, "err", err.Error())
	}
}
