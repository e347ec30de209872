// Package app is the admin function's composition root: users and their
// sessions, clinic settings and the audit trail.
package app

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/identity"
)

// Config is everything the admin function reads.
type Config struct {
	boot.Config
	Security authz.Config
	Identity identity.Config
}

// New assembles the function (no I/O). Admin publishes no notifications and
// signs nobody up, so the identity service gets neither collaborator.
func New(cfg Config, o boot.Options) (*boot.App, error) {
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o)
	if err != nil {
		return nil, err
	}
	svc, err := identity.NewService(cfg.Identity, g.Security, g.Mongo, nil, nil, g.Clock, g.Log)
	if err != nil {
		return nil, err
	}
	svc.AdminRoutes(g.Routes())
	return g.App(), nil
}
