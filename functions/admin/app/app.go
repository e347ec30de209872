// Package app is the admin function's composition root: users and their
// sessions, clinic settings, the audit trail, and the clinic's messages
// (the outbox's list and retry).
package app

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/outbox/outboxroutes"
	"github.com/topsmile/topsmile/shared/notify/sqsqueue"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// Config is everything the admin function reads.
type Config struct {
	boot.Config
	Security authz.Config
	Identity identity.Config
	// Queue takes the messages an admin retries.
	Queue sqsqueue.Config
	// PHI opens the outbox's sealed message data for a retry.
	PHI seal.Config
}

// Options are the boot options plus, locally and in tests, the queue to
// publish retries to instead of SQS at Queue.
type Options struct {
	boot.Options
	Publisher notify.Publisher
	// Webhooks checks endpoints' URLs: the local stack's accepts http://.
	Webhooks webhooks.Guard
}

// New assembles the function (no I/O). Admin signs nobody up, so the
// identity service gets no registrar; it gets the outbox's publisher for
// the invites of new staff (their set-password e-mail).
func New(cfg Config, o Options) (*boot.App, error) {
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o.Options)
	if err != nil {
		return nil, err
	}
	keys, err := seal.New(cfg.PHI)
	if err != nil {
		return nil, err
	}
	queue := sqsqueue.Queue(cfg.Queue, o.Publisher)
	pub := outbox.NewPublisher(g.Mongo, keys, g.Clock, queue, g.Log)
	svc, err := identity.NewService(cfg.Identity, g.Security, g.Mongo, pub, nil, g.Clock, g.Log)
	if err != nil {
		return nil, err
	}
	r := g.Routes()
	svc.AdminRoutes(r)
	outboxroutes.Routes(r, outboxroutes.RouteDeps{Publisher: pub, Redis: g.Redis, Audit: g.Audit})
	inboxRoutes(r, g, keys)
	reportRoutes(r, g)
	fhirRoutes(r, g, keys)
	webhookRoutes(r, g, keys, o.Webhooks)
	return g.App(), nil
}
