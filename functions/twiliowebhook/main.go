// Command twiliowebhook is the TwilioWebhookFunction Lambda: Twilio's signed delivery status callbacks and patients' replies (confirm, STOP/START, the front desk's inbox).
// It is assembled in one place, package app, which the local stack and the
// tests build too.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/topsmile/topsmile/functions/twiliowebhook/app"
	"github.com/topsmile/topsmile/shared/config"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(_ context.Context) error {
	var cfg app.Config
	if err := config.Load(&cfg); err != nil {
		return err
	}
	a, err := app.New(cfg, app.Options{})
	if err != nil {
		return err
	}
	a.Serve()
	return nil
}
