package token

import (
	"crypto/hkdf"
	"crypto/sha256"
)

// Derived is the key set turned to another purpose: for each kid, the
// HKDF-SHA256 key of that kid's key for label. A MAC made with a derived key
// (a pagination cursor's) can never pass for a token or CSRF value, knowing
// one reveals nothing of JWT_KEYS, and derived keys rotate with them: active
// is the kid new MACs are made with, the others still verify.
func (k *Keys) Derived(label string) (active string, keys map[string][]byte) {
	keys = make(map[string][]byte, len(k.keys))
	for kid, key := range k.keys {
		d, err := hkdf.Key(sha256.New, key, nil, "topsmile "+label, 32)
		if err != nil {
			panic(err) // only for lengths over 255*32 bytes
		}
		keys[kid] = d
	}
	return k.active, keys
}
