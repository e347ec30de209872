// Package app is the reminders function's composition root: the reminder
// rules (shared/reminders) over the clinics of identity, the appointments
// and waitlist of scheduling, the patients' contacts and recalls, and a
// narrow read of clinical's consents, publishing through the outbox to the
// notifications queue; the outbox's sweep; and the webhooks' deliveries
// (shared/webhooks), sent each minute with the sweep, which also fails
// the bookings their request left pending (scheduling.FailAbandoned).
package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/functions/wire/liveevents"
	"github.com/topsmile/topsmile/functions/wire/webhookevents"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/notify/sqsqueue"
	"github.com/topsmile/topsmile/shared/reminders"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// Config is everything the reminders function reads.
type Config struct {
	boot.Config
	// Audit keys: passing a lapsed waitlist offer on is recorded as the
	// system in the trail.
	Audit audit.Config
	// Queue is the notifications queue.
	Queue sqsqueue.Config
	// PHI seals the outbox's copy of each message's data.
	PHI seal.Config
	// AppURL is where links in messages point (the portal).
	AppURL string `env:"APP_URL,required"`
	// Offers passed on show on the open schedules at once.
	Live liveevents.Config
}

// Options are the boot options plus, locally and in tests, the queue to
// publish to instead of SQS at Queue, and whether a job may name the
// instant it runs as of (the local stack's /_dev/reminders/run; a deployed
// function refuses it).
type Options struct {
	boot.Options
	Publisher notify.Publisher
	// Live, locally, is the in-process live fan-out.
	Live    live.Publisher
	AllowAt bool
	Limits  reminders.Limits
}

// Job is the schedule's input: {"job":"reminders"} runs the rules and then
// the sweep, {"job":"sweep"} only the sweep.
type Job struct {
	Job string `json:"job"`
	// At runs the rules as of this instant (RFC 3339; the local stack only).
	At string `json:"at,omitempty"`
}

// Result is what an invocation answers.
type Result struct {
	Job    string            `json:"job"`
	Report *reminders.Report `json:"report,omitempty"`
	Swept  int               `json:"swept"`
	// Webhooks counts the webhook deliveries attempted.
	Webhooks int `json:"webhooks"`
	// Abandoned counts the bookings whose request never finished, failed.
	Abandoned int64     `json:"abandoned"`
	AsOf      time.Time `json:"asOf"`
	Elapsed   string    `json:"elapsed"`
}

// webhookBatch is how many webhook deliveries one run sends at most.
const webhookBatch = 200

// jobTimeout bounds one invocation below the function's 60 s timeout.
const jobTimeout = 50 * time.Second

// New assembles the function (no I/O).
func New(cfg Config, o Options) (*boot.App, error) {
	c, err := boot.Open(cfg.Config, cfg, o.Options)
	if err != nil {
		return nil, err
	}
	auditKeys, err := audit.NewKeys(cfg.Audit)
	if err != nil {
		c.Close()
		return nil, err
	}
	phi, err := seal.New(cfg.PHI)
	if err != nil {
		c.Close()
		return nil, err
	}
	queue := sqsqueue.Queue(cfg.Queue, o.Publisher)
	// runner builds the rules on clk: the function's clock, or for a job
	// run as of another instant a clock stopped there (the outbox's
	// records then carry that instant too, so quiet hours hold them as
	// they would have).
	runner := func(clk clock.Clock) *reminders.Runner {
		pub := &outbox.Publisher{Store: outbox.New(c.Mongo, phi, clk), Queue: queue, Log: c.Log}
		st := wire.Scheduling(c.Mongo, c.Redis, clk, pub, cfg.AppURL)
		liveevents.Wire(st, cfg.Live, o.Live, c.Log, clk.Now)
		webhookevents.Wire(st, c.Mongo, clk, c.Log)
		return &reminders.Runner{
			Clinics:  clinics{identity.NewStore(c.Mongo, clk)},
			Schedule: schedule{st: st, trail: audit.New(c.Mongo, clk, auditKeys)},
			People:   newPeople(c.Mongo, clk),
			Forms:    newForms(c.Mongo),
			OptOuts:  prefs.NewLedger(c.Mongo),
			Outbox:   pub,
			Redis:    c.Redis,
			Log:      c.Log,
			AppURL:   cfg.AppURL,
			Limits:   o.Limits,
		}
	}
	live := runner(c.Clock)
	// The webhooks' deliveries go out on the function's own clock (a job
	// run as of another instant moves the reminders, not the retries).
	hooks := &webhooks.Sender{Store: webhooks.NewStore(c.Mongo, phi, c.Clock), Guard: &webhooks.Guard{}, Log: c.Log}
	// Bookings a request left pending (it died before its last write) are
	// failed on the function's own clock too.
	abandoned := wire.Scheduling(c.Mongo, c.Redis, c.Clock, nil, "")
	a := &boot.App{}
	a.OnClose(c.Close)
	a.Schedule = func(ctx context.Context, input json.RawMessage) (any, error) {
		var job Job
		if err := json.Unmarshal(input, &job); err != nil {
			return nil, errs.E(errs.Invalid, "the schedule's input is not a job")
		}
		ctx, cancel := context.WithTimeout(ctx, jobTimeout)
		defer cancel()
		r, now := live, c.Clock.Now()
		if job.At != "" {
			if !o.AllowAt {
				return nil, errs.E(errs.Invalid, "a job names no instant here")
			}
			at, err := time.Parse(time.RFC3339, job.At)
			if err != nil {
				return nil, errs.E(errs.Invalid, "at must be an RFC 3339 instant")
			}
			now = at.UTC()
			r = runner(clock.NewFake(now))
		}
		res := Result{Job: job.Job, AsOf: now}
		began := time.Now()
		switch job.Job {
		case "reminders":
			rep, err := r.Run(ctx, now)
			res.Report = &rep
			if err != nil {
				return nil, err
			}
		case "sweep":
		default:
			return nil, errs.E(errs.Invalid, "unknown job %q (reminders or sweep)", job.Job)
		}
		n, err := r.Sweep(ctx)
		res.Swept = n
		if err != nil {
			return nil, err
		}
		if res.Webhooks, err = hooks.Sweep(ctx, webhookBatch); err != nil {
			return nil, err
		}
		if res.Abandoned, err = abandoned.FailAbandoned(ctx); err != nil {
			return nil, err
		}
		res.Elapsed = time.Since(began).Round(time.Millisecond).String()
		args := []any{"job", job.Job, "swept", n, "webhooks", res.Webhooks, "abandoned", res.Abandoned}
		if rep := res.Report; rep != nil {
			args = append(args, "clinics", rep.Clinics, "sent", rep.Sent, "failedClinics", rep.Failed, "complete", rep.Complete)
		}
		c.Log.InfoContext(ctx, "scheduled job done", args...)
		return res, nil
	}
	return a, nil
}
