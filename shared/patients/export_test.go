package patients

// SetAfterClaim installs a hook that runs after a change has claimed the
// record's version and before it writes: returning an error there leaves
// the claim behind, as a writer that died mid-change would.
func (s *Store) SetAfterClaim(fn func(patientID string, version int) error) { s.afterClaim = fn }

// ClaimLease is how long a version claim holds.
const ClaimLease = claimLease
