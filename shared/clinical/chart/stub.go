package chart

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Store keeps chart entries and perio exams. (scaffold: replace)
type Store struct{}

// Entry is one chart entry. (scaffold: replace, keeping these fields)
type Entry struct {
	ID, PatientID, Tooth string
	Surfaces             []string
	Kind, Status, Code   string
	ProviderID           string
	RecordedBy           string
	RecordedAt           time.Time
	Note                 string
	Supersedes           string
}

// NewStore declares the collections and indexes (no I/O).
func NewStore(m *store.Mongo, c clock.Clock, k *seal.Keys) *Store { return &Store{} }

// Append validates and stores one entry; an entry whose ID is already
// stored is returned as it is (idempotent).
func (s *Store) Append(ctx context.Context, clinicID string, e Entry) (Entry, error) { return e, nil }

// Routes registers the chart and perio routes.
func Routes(r *authz.Router, d core.Deps, s *Store) {}
