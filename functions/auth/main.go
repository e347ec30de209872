// Command auth is the AuthFunction Lambda: login, refresh, logout, sign-up,
// password reset, MFA and the caller's sessions.
package main

import (
	"context"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/platform"
)

type Config struct {
	platform.Config
	Identity identity.Config
	// QueueURL is the notifications queue (password-reset e-mails).
	QueueURL string `env:"NOTIFICATIONS_QUEUE_URL,required"`
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
	svc, err := identity.NewService(cfg.Identity, base.Authz, base.Mongo, pub, patients.NewStore(base.Mongo, base.Clock), base.Clock, base.Log)
	if err != nil {
		return err
	}
	svc.AuthRoutes(base.Routes())
	base.Serve()
	return nil
}
