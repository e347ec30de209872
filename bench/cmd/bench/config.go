package main

import (
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
