// Command scheduling is the SchedulingFunction Lambda: providers, chairs,
// appointment types, appointments, availability.
package main

import (
	"fmt"
	"os"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/platform"
	"github.com/topsmile/topsmile/shared/scheduling"
)

type Config struct {
	platform.Config
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
	st := scheduling.NewStore(base.Mongo, base.Redis, platform.ClinicSettings(base.Mongo, base.Clock), base.Clock)
	scheduling.Routes(base.Routes(), scheduling.Deps{Store: st, Audit: base.Authz.Audit, Log: base.Log})
	base.Serve()
	return nil
}
