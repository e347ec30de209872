// Package app is the Stripe webhook function's composition root: Stripe's
// events, verified by signature, posted to the billing ledger. It serves one
// public route and calls Stripe only to read back what an event names.
package app

import (
	"errors"

	"github.com/topsmile/topsmile/functions/wire/billingdeps"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/cards"
	"github.com/topsmile/topsmile/shared/billing/ledger"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/seal"
)

// Config is everything the webhook function reads.
type Config struct {
	boot.Config
	Security authz.Config
	PHI      seal.Config
	Stripe   cards.Config
}

// New assembles the function (no I/O). Without a signing secret every
// event would be refused: that is a configuration error, said at start.
func New(cfg Config, o boot.Options) (*boot.App, error) {
	secrets := cfg.Stripe.Secrets()
	if len(secrets) == 0 {
		return nil, errors.New("STRIPE_WEBHOOK_SECRET is required (comma-separated during a rotation)")
	}
	keys, err := seal.New(cfg.PHI)
	if err != nil {
		return nil, err
	}
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o)
	if err != nil {
		return nil, err
	}
	d := billingdeps.New(g, keys)
	d.Cards = cfg.Stripe.Processor()
	cards.WebhookRoutes(g.Routes(), d, ledger.NewBook(d), cards.NewStore(d.Mongo, d.Clock), secrets)
	return g.App(), nil
}
