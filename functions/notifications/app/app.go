// Package app is the notifications function's composition root: the queue
// consumer with its delivery channels, the templates, and the opt-out gate.
package app

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"

	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/notify/smtp"
	"github.com/topsmile/topsmile/shared/notify/templates"
	"github.com/topsmile/topsmile/shared/notify/twilio"
	"github.com/topsmile/topsmile/shared/notify/unsub"
	"github.com/topsmile/topsmile/shared/store"
)

// Config is everything the notifications function reads. Every delivery
// setting is optional: a channel without its settings has no sender.
type Config struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	Redis    store.RedisConfig
	SMTP     smtp.Config   // SMTP_URL, MAIL_FROM
	Twilio   twilio.Config // TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_API_BASE, PUBLIC_URL
	// The opt-out ledger lives in Mongo (opt_outs); it is read before every
	// send, so a real channel needs it.
	MongoURI      string `env:"MONGODB_URI,secret"`
	MongoDatabase string `env:"MONGODB_DATABASE" default:"topsmile"`
	// SMSDailyCap bounds the texts one person gets from one clinic in the
	// clinic's day (0: no cap).
	SMSDailyCap int `env:"SMS_DAILY_CAP" default:"5"`
	// MaxReceives is the queue's maxReceiveCount (template.yaml): a message
	// failing its last receive is marked dead in the outbox.
	MaxReceives int `env:"NOTIFY_MAX_RECEIVES" default:"5"`
	// DataKey seals the unsubscribe links of non-transactional mail
	// (the auth function, which honours them, reads the same key); unset,
	// mail carries no link.
	DataKey string `env:"DATA_KEY,secret"`
}

// Options are the boot options plus the fallback delivery channels: the
// local stack hands its dev outbox for both; a channel whose settings are
// present gets the real sender instead. Deployed, Senders is nil and a
// channel without settings has no sender: its messages fail, are retried,
// and end in the DLQ, so nothing is dropped.
type Options struct {
	boot.Options
	Senders map[notify.Channel]notify.Sender
}

// ErrNoLedger is returned when a real channel is configured without the
// opt-out ledger to honour.
var ErrNoLedger = errors.New("notifications: MONGODB_URI is required with SMTP_URL or TWILIO_* (the opt-out ledger is read before every send)")

// New assembles the consumer (no I/O).
func New(cfg Config, o Options) (*boot.App, error) {
	log := o.Logger(cfg.LogLevel)
	log.Info("cold start", "config", config.Redacted(cfg))
	senders := maps.Clone(o.Senders)
	if senders == nil {
		senders = map[notify.Channel]notify.Sender{}
	}
	real := false
	if cfg.SMTP.Configured() {
		s, err := smtp.New(cfg.SMTP)
		if err != nil {
			return nil, err
		}
		senders[notify.Email], real = s, true
	}
	if cfg.Twilio.Configured() {
		s, err := twilio.New(cfg.Twilio)
		if err != nil {
			return nil, err
		}
		senders[notify.SMS], real = s, true
	}
	if real && cfg.MongoURI == "" {
		return nil, ErrNoLedger
	}
	rdb, err := store.NewRedis(cfg.Redis)
	if err != nil {
		return nil, err
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	gate := &prefs.Gate{Cap: &prefs.Cap{Redis: rdb, Max: cfg.SMSDailyCap}, Clock: clk}
	a := &boot.App{}
	var render notify.Renderer = templates.Renderer{}
	if cfg.DataKey != "" && cfg.Twilio.PublicURL != "" {
		keys, err := unsub.New(cfg.DataKey)
		if err != nil {
			return nil, err
		}
		render = withUnsubscribe{keys: keys, base: strings.TrimRight(cfg.Twilio.PublicURL, "/") + unsub.Path + "?t="}
	}
	c := &notify.Consumer{Senders: senders, Redis: rdb, Log: log, Render: render, Gate: gate, MaxReceives: cfg.MaxReceives}
	if cfg.MongoURI != "" {
		m := store.NewMongo(store.MongoConfig{URI: cfg.MongoURI, Database: cfg.MongoDatabase, MaxPoolSize: 2})
		gate.OptOuts = prefs.NewLedger(m)
		recordOutcomes(c, outbox.New(m, nil, clk), log)
		a.OnClose(func() { _ = m.Close(context.Background()) })
	}
	a.SQS = c.Handle
	a.OnClose(func() { _ = rdb.Close() })
	return a, nil
}

// recordOutcomes marks each message's outcome on its outbox record (the
// consumer reads no data from it, so the store needs no keys). A record
// that cannot be marked is logged: the delivery itself stands.
func recordOutcomes(c *notify.Consumer, ob *outbox.Store, log *slog.Logger) {
	c.Settled = func(ctx context.Context, m notify.Message, status, class, providerID string) {
		st := outbox.Sent
		if status == notify.StatusFailed {
			st = outbox.Failed
		}
		if err := ob.Settle(context.WithoutCancel(ctx), m.ClinicID, m.ID, st, class, providerID); err != nil {
			log.WarnContext(ctx, "outcome not recorded", "id", m.ID, "err", err.Error())
		}
	}
	c.Dead = func(ctx context.Context, m notify.Message, reason string) {
		if err := ob.MarkDead(context.WithoutCancel(ctx), m.ClinicID, m.ID, reason); err != nil {
			log.WarnContext(ctx, "dead letter not recorded", "id", m.ID, "err", err.Error())
		}
	}
}

// withUnsubscribe gives every email a person may refuse its own one-click
// unsubscribe link (RFC 8058), sealed for its clinic and address.
type withUnsubscribe struct {
	keys *unsub.Keys
	base string
}

func (u withUnsubscribe) Render(m notify.Message) (notify.Content, error) {
	if m.Channel == notify.Email && !notify.Transactional(m.Template) {
		data := maps.Clone(m.Data)
		if data == nil {
			data = map[string]string{}
		}
		data["unsubscribeUrl"] = u.base + u.keys.Token(m.ClinicID, m.To)
		m.Data = data
	}
	return templates.Render(m)
}
