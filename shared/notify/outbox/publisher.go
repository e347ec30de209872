package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Publisher is the notify.Publisher every producer uses: the outbox first,
// then the queue (SQS deployed, the in-process queue locally).
type Publisher struct {
	Store *Store
	Queue notify.Publisher
	Log   *slog.Logger
}

var _ notify.Publisher = (*Publisher)(nil)

// NewPublisher is the publisher every producing function uses: each message
// is stored in the outbox (its data sealed under keys), then sent to queue.
func NewPublisher(m *store.Mongo, keys *seal.Keys, c clock.Clock, queue notify.Publisher, log *slog.Logger) *Publisher {
	return &Publisher{Store: New(m, keys, c), Queue: queue, Log: log}
}

// Publish stores m and queues it now.
func (p *Publisher) Publish(ctx context.Context, m notify.Message) error {
	return p.PublishAt(ctx, m, time.Time{})
}

// PublishAt stores m and queues it at notBefore (now when zero or past):
// a message held back (quiet hours) is published by the sweep when due.
// Only the outbox write can fail the caller (Unavailable when Mongo is
// down, so nothing is half done); a queue that is down is the sweep's to
// recover, and a second publish of a stored id does nothing.
func (p *Publisher) PublishAt(ctx context.Context, m notify.Message, notBefore time.Time) error {
	rec, created, err := p.Store.Insert(ctx, m, notBefore)
	if err != nil || !created {
		return err
	}
	if notBefore.After(rec.CreatedAt) {
		return nil
	}
	if err := p.Queue.Publish(ctx, m); err != nil {
		p.Log.WarnContext(ctx, "notification stored, not queued: the sweep will publish it", "id", m.ID, "err", err.Error())
		return nil
	}
	p.queued(ctx, rec, true)
	return nil
}

func (p *Publisher) queued(ctx context.Context, r Record, first bool) {
	ctx = context.WithoutCancel(ctx)
	if first {
		if err := p.Store.countPublish(ctx, r.ClinicID, r.ID); err != nil {
			p.Log.WarnContext(ctx, "notification attempt not counted", "id", r.ID, "err", err.Error())
		}
	}
	// Not recorded: the sweep publishes it again and the consumer, which
	// delivers each id once, sends it once.
	if err := p.Store.MarkQueued(ctx, r.ClinicID, r.ID); err != nil {
		p.Log.WarnContext(ctx, "notification queued, not marked", "id", r.ID, "err", err.Error())
	}
}

// backoff is the wait before the sweep tries a record again: a minute,
// doubling to half an hour.
func backoff(attempts int) time.Duration {
	d := SweepAfter
	for i := 0; i < attempts && d < 30*time.Minute; i++ {
		d *= 2
	}
	return min(d, 30*time.Minute)
}

// Sweep publishes up to limit due pending records and reports how many. A
// queue that fails stops the run (the rest wait for the next); two sweeps
// at once each take a record only if the other has not moved it on.
func (p *Publisher) Sweep(ctx context.Context, limit int) (int, error) {
	due, err := p.Store.Due(ctx, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range due {
		took, err := p.Store.claimPublish(ctx, r, backoff(r.Attempts))
		if err != nil {
			return n, err
		}
		if !took {
			continue
		}
		m, err := p.Store.Message(r)
		if err != nil {
			p.Log.ErrorContext(ctx, "stored notification does not open", "id", r.ID, "err", err.Error())
			continue
		}
		if err := p.Queue.Publish(ctx, m); err != nil {
			return n, err
		}
		p.queued(ctx, r, false)
		n++
	}
	return n, nil
}

// Retry publishes a failed or dead record again (the admin's retry); false
// when it is neither. forget first clears the consumer's memory of the id
// (so it delivers it again), then the record is reopened and queued.
func (p *Publisher) Retry(ctx context.Context, clinicID, id string, forget func(ctx context.Context, id string) error) (bool, error) {
	r, err := p.Store.Get(ctx, clinicID, id)
	if err != nil {
		return false, err
	}
	if r.Status != Failed && r.Status != Dead {
		return false, nil
	}
	m, err := p.Store.Message(r)
	if err != nil {
		return false, err
	}
	if err := forget(ctx, id); err != nil {
		return false, err
	}
	ok, err := p.Store.Reopen(ctx, clinicID, id)
	if err != nil || !ok {
		return ok, err
	}
	if err := p.Queue.Publish(ctx, m); err != nil {
		p.Log.WarnContext(ctx, "retry stored, not queued: the sweep will publish it", "id", id, "err", err.Error())
		return true, nil
	}
	p.queued(ctx, r, true)
	return true, nil
}
