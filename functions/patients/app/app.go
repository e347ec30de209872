// Package app is the patients function's composition root: records, search,
// recall lists and the timeline, whose appointments come from scheduling.
package app

import (
	"context"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/webhooks"
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
	d := patients.Deps{
		Store: patients.NewStore(g.Mongo, g.Clock).WithEvents(webhooks.NewProducer(g.Mongo, g.Clock, g.Log)), Audit: g.Audit, Clock: g.Clock, Log: g.Log,
		Timeline: []patients.TimelineSource{wire.AppointmentsTimeline(appointments)},
		Country:  ClinicCountry(identity.NewStore(g.Mongo, g.Clock)),
	}
	r := g.Routes()
	patients.Routes(r, d)
	patients.CommunicationRoutes(r, d, optOuts{prefs.NewLedger(g.Mongo), g.Clock})
	return g.App(), nil
}

// ClinicCountry is the identity group's clinic setting in which patients
// reads phone numbers typed without a country code.
func ClinicCountry(clinics *identity.Store) patients.CountrySource {
	return func(ctx context.Context, clinicID string) (string, error) {
		c, err := clinics.Clinic(ctx, clinicID)
		return c.Settings.Country, err
	}
}

// optOuts is the notifications group's opt-out ledger as patients sees it.
type optOuts struct {
	l *prefs.Ledger
	c clock.Clock
}

func (o optOuts) OptedOut(ctx context.Context, clinicID, channel, address string) (bool, error) {
	return o.l.OptedOut(ctx, clinicID, notify.Channel(channel), address)
}

func (o optOuts) SetOptedOut(ctx context.Context, clinicID, channel, address string, out bool, source string) error {
	if out {
		return o.l.OptOut(ctx, clinicID, notify.Channel(channel), address, source, o.c.Now())
	}
	return o.l.OptIn(ctx, clinicID, notify.Channel(channel), address)
}
