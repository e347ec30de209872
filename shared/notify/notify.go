// Package notify is the notifications contract: producers (auth, scheduling,
// reminders) publish a Message to the queue; the notifications function
// consumes batches, delivering each message at most once per id, failing
// alone the messages it cannot deliver so SQS retries them and, after
// maxReceiveCount, parks them in the DLQ.
package notify

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/phone"
)

// Channel is how a message reaches a person.
type Channel string

const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// Message is one notification. Data holds the template's values; it can hold
// personal data, so it is never logged.
type Message struct {
	// ID is the idempotency key: the consumer delivers each ID once, however
	// often the queue hands it over.
	ID        string            `json:"id"`
	ClinicID  string            `json:"clinicId"`
	Channel   Channel           `json:"channel"`
	To        string            `json:"to"`
	Template  string            `json:"template"`
	Data      map[string]string `json:"data,omitempty"`
	CreatedAt time.Time         `json:"createdAt"`
}

// Validate checks the envelope.
func (m Message) Validate() error {
	var v errs.Validator
	v.Check(m.ID != "", "id", "is required")
	v.Check(m.ClinicID != "", "clinicId", "is required")
	v.Check(m.Channel == Email || m.Channel == SMS, "channel", "must be email or sms")
	v.Check(m.To != "", "to", "is required")
	v.Check(m.Template != "", "template", "is required")
	return v.Err()
}

// Publisher puts messages on the notifications queue.
type Publisher interface {
	Publish(ctx context.Context, m Message) error
}

// Sender delivers one message on one channel (SMTP, Twilio, the dev outbox).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m Message) error

func (f SenderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

// E164 is a phone number as texts are addressed and the opt-out ledger
// keys it: "+" and digits (phone.E164 read as North American when written
// without a country code, as Twilio's numbers and the clinics' are), or ""
// when it is not a number that can be texted.
func E164(raw string) string {
	n, err := phone.E164(raw, "US")
	if err != nil {
		return ""
	}
	return n
}
