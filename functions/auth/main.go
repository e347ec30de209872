// Command auth is the AuthFunction Lambda: login, refresh, logout, sign-up,
// password reset, MFA and the caller's sessions.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	var cfg identity.FunctionConfig
	if err := config.Load(&cfg); err != nil {
		return err
	}
	if cfg.QueueURL == "" {
		return errors.New("config: NOTIFICATIONS_QUEUE_URL is required")
	}
	log := httpapi.NewLogger(os.Stdout, httpapi.ParseLevel(cfg.LogLevel))
	log.Info("cold start", "config", config.Redacted(cfg))
	// Reads the environment and role credentials only: no network I/O.
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		return err
	}
	pub := &notify.SQSPublisher{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.QueueURL}
	rt, clients, err := identity.Build(cfg, pub, log, identity.MountAuth)
	if err != nil {
		return err
	}
	httpapi.StartLambda(httpapi.Stack(log, rt), clients.Close)
	return nil
}
