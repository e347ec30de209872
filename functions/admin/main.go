// Command admin is the AdminFunction Lambda: users, their sessions, clinic
// settings and the audit trail.
package main

import (
	"fmt"
	"os"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
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
	log := httpapi.NewLogger(os.Stdout, httpapi.ParseLevel(cfg.LogLevel))
	log.Info("cold start", "config", config.Redacted(cfg))
	// Admin publishes no notifications.
	rt, clients, err := identity.Build(cfg, nil, log, identity.MountAdmin)
	if err != nil {
		return err
	}
	httpapi.StartLambda(httpapi.Stack(log, rt), clients.Close)
	return nil
}
