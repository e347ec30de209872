// Command patients is the PatientsFunction Lambda: patient records, search,
// recall lists and the patient timeline.
package main

import (
	"fmt"
	"os"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/platform"
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
	appointments := platform.Scheduling(base.Mongo, base.Redis, base.Clock, nil, "")
	patients.Routes(base.Routes(), patients.Deps{
		Store: patients.NewStore(base.Mongo, base.Clock), Audit: base.Authz.Audit, Clock: base.Clock, Log: base.Log,
		Timeline: []patients.TimelineSource{platform.AppointmentsTimeline(appointments)},
	})
	base.Serve()
	return nil
}
