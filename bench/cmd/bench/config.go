package main

import (
	"context"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/config"
)

// functionConfig is the configuration every function on e loads (the same
// Mongo URI, database, pool size and timeout, the same Redis), and the
// audit trail's keys.
func functionConfig(e *env) (boot.Config, audit.Config, error) {
	var c struct {
		boot.Config
		Audit audit.Config
	}
	err := config.LoadFrom(e.Lookup, &c)
	return c.Config, c.Audit, err
}

// quietRedis drops go-redis's own log lines (every failed dial while the
// load run has Redis stopped): the rows count what callers saw.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
