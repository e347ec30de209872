// Package app is the patients function's composition root: records, search,
// recall lists and the timeline, whose appointments come from scheduling.
package app

import (
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/patients"
)

// Config is everything the patients function reads.
type Config struct {
	boot.Config
	Security authz.Config
}

// New assembles the function (no I/O).
func New(cfg Config, o boot.Options) (*boot.App, error) {
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o)
	if err != nil {
		return nil, err
	}
	// Reads only: the timeline publishes nothing.
	appointments := wire.Scheduling(g.Mongo, g.Redis, g.Clock, nil, "")
	patients.Routes(g.Routes(), patients.Deps{
		Store: patients.NewStore(g.Mongo, g.Clock), Audit: g.Audit, Clock: g.Clock, Log: g.Log,
		Timeline: []patients.TimelineSource{wire.AppointmentsTimeline(appointments)},
	})
	return g.App(), nil
}
