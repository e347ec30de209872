// Package app is the notifications function's composition root: the queue
// consumer with its delivery channels.
package app

import (
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store"

	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/config"
)

// Config is everything the notifications function reads.
type Config struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	Redis    store.RedisConfig
}

// Options are the boot options plus the delivery channels. Deployed, no
// channel has a sender yet (they arrive with the notifications issue): its
// messages fail, are retried, and end in the DLQ, so nothing is dropped.
// The local stack sends every channel to its dev outbox.
type Options struct {
	boot.Options
	Senders map[notify.Channel]notify.Sender
}

// New assembles the consumer (no I/O).
func New(cfg Config, o Options) (*boot.App, error) {
	log := o.Logger(cfg.LogLevel)
	log.Info("cold start", "config", config.Redacted(cfg))
	rdb, err := store.NewRedis(cfg.Redis)
	if err != nil {
		return nil, err
	}
	senders := o.Senders
	if senders == nil {
		senders = map[notify.Channel]notify.Sender{}
	}
	c := &notify.Consumer{Senders: senders, Redis: rdb, Log: log}
	a := &boot.App{SQS: c.Handle}
	a.OnClose(func() { _ = rdb.Close() })
	return a, nil
}
