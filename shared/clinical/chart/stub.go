package chart

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Store keeps chart entries and perio exams. (scaffold: replace)
type Store struct{}

// NewStore declares the collections and indexes (no I/O).
func NewStore(m *store.Mongo, c clock.Clock, k *seal.Keys) *Store { return &Store{} }

// Routes registers the chart and perio routes.
func Routes(r *authz.Router, d core.Deps, s *Store) {}
