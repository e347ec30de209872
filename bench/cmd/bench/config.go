package main

import (
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/store"
)

// mongoConfig is the functions' Mongo configuration on e (the same URI,
// database, pool size and timeout).
func mongoConfig(e *env) store.MongoConfig {
	var c struct{ Mongo store.MongoConfig }
	_ = config.LoadFrom(e.Lookup, &c)
	return c.Mongo
}
