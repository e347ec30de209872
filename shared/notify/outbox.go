package notify

import (
	"context"
	"sync"
)

// Outbox is the local stack's stand-in for SMTP and Twilio when their keys are
// not set: it keeps the last messages in memory so the developer can see what
// would have been sent. Never used by a deployed function.
type Outbox struct {
	mu    sync.Mutex
	items []OutboxItem
	max   int
}

// OutboxItem is one kept message in the dev outbox's shape (DESIGN.md "Dev
// outbox"): the envelope, the rendered subject and body, and its status.
// Data stays too: dev tools and the browser tests follow its links.
type OutboxItem struct {
	Message
	Subject string `json:"subject"`
	Body    string `json:"body"`
	HTML    string `json:"html,omitempty"`
	Status  string `json:"status"`
}

var _ ContentSender = (*Outbox)(nil)

// NewOutbox keeps the latest max messages.
func NewOutbox(max int) *Outbox { return &Outbox{max: max} }

// Send records m unrendered (no subject or body).
func (o *Outbox) Send(ctx context.Context, m Message) error { return o.SendContent(ctx, m, Content{}) }

// SendContent records m with what it renders to: for an SMS the text, for
// an email the subject and the plain-text body (the HTML alongside).
func (o *Outbox) SendContent(_ context.Context, m Message, c Content) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.items = append(o.items, OutboxItem{Message: m, Subject: c.Subject, Body: c.Text, HTML: c.HTML, Status: StatusSent})
	if len(o.items) > o.max {
		o.items = o.items[len(o.items)-o.max:]
	}
	return nil
}

// Messages returns a copy of the kept messages, oldest first.
func (o *Outbox) Messages() []OutboxItem {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]OutboxItem{}, o.items...) // [] when empty, never null
}
