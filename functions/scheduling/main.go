// Command scheduling is the SchedulingFunction Lambda: providers, chairs,
// appointment types, appointments, availability and the waitlist.
package main

import (
	"context"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/platform"
	"github.com/topsmile/topsmile/shared/scheduling"
)

type Config struct {
	platform.Config
	QueueURL string `env:"NOTIFICATIONS_QUEUE_URL,required"`
	AppURL   string `env:"APP_URL,required"`
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
	base, err := platform.New(cfg.Config, cfg)
	if err != nil {
		return err
	}
	// Reads the environment and role credentials only: no network I/O.
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		return err
	}
	pub := &notify.SQSPublisher{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.QueueURL}
	st := platform.Scheduling(base.Mongo, base.Redis, base.Clock, pub, cfg.AppURL)
	scheduling.Routes(base.Routes(), scheduling.Deps{Store: st, Audit: base.Authz.Audit, Log: base.Log})
	base.Serve()
	return nil
}
