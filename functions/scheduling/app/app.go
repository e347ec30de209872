// Package app is the scheduling function's composition root: providers,
// chairs, appointment types, appointments, availability and the waitlist,
// with clinic settings from identity, recall and contacts from patients and
// offers through the notifications queue.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/sqsqueue"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/seal"
)

// Config is everything the scheduling function reads.
type Config struct {
	boot.Config
	Security authz.Config
	// Queue is the notifications queue (waitlist offers).
	Queue sqsqueue.Config
	// PHI seals the outbox's copy of each message's data (links with
	// tokens, names).
	PHI seal.Config
	// LiveQueue takes the schedule's changes for the realtime function's
	// fan-out (unset: no live events, screens poll).
	LiveQueueURL string `env:"LIVE_QUEUE_URL"`
	// AppURL is where links in messages (waitlist offers) point.
	AppURL string `env:"APP_URL,required"`
}

// Options are the boot options plus, locally and in tests, the queue to
// publish to instead of SQS at Queue.
type Options struct {
	boot.Options
	Publisher notify.Publisher
	// Live, locally, is the in-process fan-out to the open screens.
	Live live.Publisher
}

// New assembles the function (no I/O).
func New(cfg Config, o Options) (*boot.App, error) {
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o.Options)
	if err != nil {
		return nil, err
	}
	keys, err := seal.New(cfg.PHI)
	if err != nil {
		return nil, err
	}
	var queue notify.Publisher = o.Publisher
	if queue == nil {
		queue = sqsqueue.New(cfg.Queue)
	}
	pub := outbox.NewPublisher(g.Mongo, keys, g.Clock, queue, g.Log)
	st := wire.Scheduling(g.Mongo, g.Redis, g.Clock, pub, cfg.AppURL).
		WithAppointmentNotices(wire.AppointmentNotices(g.Mongo, g.Clock, pub, cfg.AppURL), g.Log)
	livePub := o.Live
	if livePub == nil && cfg.LiveQueueURL != "" {
		q := sqsqueue.New(sqsqueue.Config{QueueURL: cfg.LiveQueueURL, Region: cfg.Queue.Region, AccessKeyID: cfg.Queue.AccessKeyID,
			SecretAccessKey: cfg.Queue.SecretAccessKey, SessionToken: cfg.Queue.SessionToken, Endpoint: cfg.Queue.Endpoint})
		livePub = live.QueuePublisher{Send: q.SendBody}
	}
	if livePub != nil {
		st.WithLive(liveEvents{pub: livePub, log: g.Log, now: g.Clock.Now})
	}
	scheduling.Routes(g.Routes(), scheduling.Deps{Store: st, Audit: g.Audit, Log: g.Log})
	return g.App(), nil
}

// liveEvents adapts the live publisher to what scheduling tells.
type liveEvents struct {
	pub live.Publisher
	log *slog.Logger
	now func() time.Time
}

func (l liveEvents) Changed(ctx context.Context, clinicID, kind, id string, version int) {
	if err := l.pub.PublishLive(ctx, clinicID, live.Event{Type: kind, ID: id, Version: version, At: l.now().UTC()}); err != nil {
		l.log.WarnContext(ctx, "live event not published", "type", kind, "id", id, "err", err.Error())
	}
}
