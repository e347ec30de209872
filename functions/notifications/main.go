// Command notifications is the NotificationsFunction Lambda: it consumes the
// notifications queue in batches with partial batch failures.
//
// Delivery channels (SMTP e-mail, Twilio SMS) arrive with the notifications
// issue; until a channel has a sender its messages fail, are retried, and end
// in the DLQ (kept 14 days), so nothing is silently dropped.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store"
)

type Config struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	Redis    store.RedisConfig
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		return err
	}
	log := httpapi.NewLogger(os.Stdout, httpapi.ParseLevel(cfg.LogLevel))
	log.Info("cold start", "config", config.Redacted(cfg))
	rdb, err := store.NewRedis(cfg.Redis)
	if err != nil {
		return err
	}
	consumer := &notify.Consumer{Senders: map[notify.Channel]notify.Sender{}, Redis: rdb, Log: log}
	lambda.StartWithOptions(consumer.Handle, lambda.WithEnableSIGTERM(func() { _ = rdb.Close() }))
	return nil
}
