// Package app is the health function's composition root: GET /api/health
// over the function's Mongo and Redis clients.
package app

import (
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/health"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// Config is everything the health function reads.
type Config struct {
	boot.Config
}

// New assembles the function (no I/O).
func New(cfg Config, o boot.Options) (*boot.App, error) {
	c, err := boot.Open(cfg.Config, cfg, o)
	if err != nil {
		return nil, err
	}
	rt := httpapi.NewRouter(c.Log)
	health.Routes(rt, health.Deps{Checks: health.Standard(c.Mongo, c.Redis), Clock: c.Clock})
	a := boot.NewHTTP(c.Log, rt)
	a.OnClose(c.Close)
	return a, nil
}
