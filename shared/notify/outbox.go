package notify

import (
	"context"
	"sync"
)

// Outbox is the local stack's stand-in for SMTP and Twilio when their keys are
// not set: it keeps the last messages in memory so the developer can see what
// would have been sent. Never used by a deployed function.
type Outbox struct {
	mu       sync.Mutex
	messages []Message
	max      int
}

// NewOutbox keeps the latest max messages.
func NewOutbox(max int) *Outbox { return &Outbox{max: max} }

// Send records m.
func (o *Outbox) Send(_ context.Context, m Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.messages = append(o.messages, m)
	if len(o.messages) > o.max {
		o.messages = o.messages[len(o.messages)-o.max:]
	}
	return nil
}

// Messages returns a copy of the kept messages, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.messages...)
}
