// Command admin is the AdminFunction Lambda: users, their sessions, clinic
// settings and the audit trail.
package main

import (
	"fmt"
	"os"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/platform"
)

type Config struct {
	platform.Config
	Identity identity.Config
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
	// Admin publishes no notifications.
	svc, err := identity.NewService(cfg.Identity, base.Authz, base.Mongo, nil, patients.NewStore(base.Mongo, base.Clock), base.Clock, base.Log)
	if err != nil {
		return err
	}
	svc.AdminRoutes(base.Routes())
	base.Serve()
	return nil
}
