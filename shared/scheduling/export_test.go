package scheduling

import (
	"context"

	"github.com/topsmile/topsmile/shared/store"
)

// Versions is the store's versioned-change log, for tests that stop a
// change between its claim and its write (Versions.SetAfterClaim).
func (s *Store) Versions() *store.Versions { return s.versions }

// DropCatalog drops the cached catalog, so that the next read sees clinic
// settings changed in the identity store.
func (s *Store) DropCatalog(ctx context.Context, clinicID string) error {
	return s.invalidate(ctx, clinicID)
}
