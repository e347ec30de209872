// Package app is the scheduling function's composition root: providers,
// chairs, appointment types, appointments, availability and the waitlist,
// with clinic settings from identity, recall and contacts from patients and
// offers through the notifications queue.
package app

import (
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/functions/wire/liveevents"
	"github.com/topsmile/topsmile/functions/wire/webhookevents"
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
	// Live takes the schedule's changes to the realtime function's fan-out.
	Live liveevents.Config
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
	pub := outbox.NewPublisher(g.Mongo, keys, g.Clock, sqsqueue.Queue(cfg.Queue, o.Publisher), g.Log)
	st := wire.Scheduling(g.Mongo, g.Redis, g.Clock, pub, cfg.AppURL).
		WithAppointmentNotices(wire.AppointmentNotices(g.Mongo, g.Clock, pub, cfg.AppURL), g.Log)
	liveevents.Wire(st, cfg.Live, o.Live, g.Log, g.Clock.Now)
	webhookevents.Wire(st, g.Mongo, g.Clock, g.Log)
	scheduling.Routes(g.Routes(), scheduling.Deps{Store: st, Audit: g.Audit, Log: g.Log})
	return g.App(), nil
}
