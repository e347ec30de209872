package audit

import (
	"crypto/hmac"
	"fmt"

	"github.com/topsmile/topsmile/shared/keyset"
)

// Config is the trail's part of a guarded function's configuration: the keys
// its records are authenticated with. In a deployed stack they come from
// Secrets Manager, never from the database, so write access to the
// database alone cannot forge a record.
type Config struct {
	// Keys is "kid:base64key,kid2:base64key2", each key at least 32 bytes.
	// A record names the kid it was made under: every kid the stored
	// records name must stay here for them to verify.
	Keys string `env:"AUDIT_KEYS,required,secret"`
	// ActiveKID is the key new records are made under (rotation: add the
	// next key, make it active, keep the old one).
	ActiveKID string `env:"AUDIT_ACTIVE_KID,required"`
}

// Keys are the trail's parsed key set.
type Keys struct {
	keys   map[string][]byte
	active string
}

// NewKeys parses cfg (no I/O).
func NewKeys(cfg Config) (*Keys, error) {
	keys, err := keyset.Parse("AUDIT_KEYS", "AUDIT_ACTIVE_KID", cfg.Keys, cfg.ActiveKID)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return &Keys{keys: keys, active: cfg.ActiveKID}, nil
}

// seal gives r the active kid and its MAC.
func (k *Keys) seal(r *Record) {
	r.KID = k.active
	r.Hash = keyedMAC(k.keys[k.active], *r)
}

// Problems a record's own check can find (Verify's other problems are about
// its place in the chain).
const (
	problemMAC        = "record does not match its MAC"
	problemHash       = "record does not match its hash"
	problemUnknownKey = "record names a key that is not in AUDIT_KEYS"
	problemDowngrade  = "unkeyed record after keyed ones"
)

// check reports what is wrong with r alone, or "" when it checks out. A
// record with a kid must carry the MAC under that key. One without is from
// before the trail was keyed and is checked by its plain SHA-256, which
// anyone can recompute: it is taken only where such records can stand, at
// the start of the chain, before the first keyed record (afterKeyed), and
// only with no field that version did not have.
func (k *Keys) check(r Record, afterKeyed bool) string {
	if r.KID == "" {
		switch {
		case afterKeyed:
			return problemDowngrade
		case len(r.PatientIDs) > 0 || r.Hash != legacyHash(r):
			return problemHash
		}
		return ""
	}
	key, ok := k.keys[r.KID]
	if !ok {
		return problemUnknownKey
	}
	if !hmac.Equal([]byte(r.Hash), []byte(keyedMAC(key, r))) {
		return problemMAC
	}
	return ""
}
