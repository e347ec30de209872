package scheduling

import "github.com/topsmile/topsmile/shared/store"

// Versions is the store's versioned-change log, for tests that stop a
// change between its claim and its write (Versions.SetAfterClaim).
func (s *Store) Versions() *store.Versions { return s.versions }
