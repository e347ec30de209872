// Package app is the billing function's composition root: insurance plans
// and coverages, estimates, the ledger, invoices and statements, and card
// payments. It reads patients from the patients group, the clinic's name,
// time zone and currency from identity, and treatment plans, the fee
// schedule and completed items' charges from clinical's plans.
package app

import (
	"github.com/topsmile/topsmile/functions/wire/billingdeps"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing"
	"github.com/topsmile/topsmile/shared/billing/cards"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/seal"
)

// Config is everything the billing function reads.
type Config struct {
	boot.Config
	Security authz.Config
	// PHI is the key set insurance member ids are sealed under.
	PHI seal.Config
	// Stripe takes card payments and refunds (unset: no card payments).
	Stripe cards.Config
}

// New assembles the function (no I/O).
func New(cfg Config, o boot.Options) (*boot.App, error) {
	keys, err := seal.New(cfg.PHI)
	if err != nil {
		return nil, err
	}
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o)
	if err != nil {
		return nil, err
	}
	d := withClinical(billingdeps.New(g, keys), g.Mongo, g.Clock)
	d.Cards = cfg.Stripe.Processor()
	billing.Routes(g.Routes(), d)
	return g.App(), nil
}
