// Package keyset reads the named key sets of the configuration (JWT_KEYS,
// AUDIT_KEYS): "kid:base64key,kid2:base64key2", with one kid active. New
// material is made under the active key and every key of the set still
// checks what was made under it, so a key rotates by adding the next one,
// making it active, and keeping the old one as long as anything made under
// it must still check out.
package keyset

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// MinBytes is the shortest key accepted: HMAC-SHA256 wants at least its
// output's 32 bytes of secret.
const MinBytes = 32

// Parse reads the set keys (the variable keysVar) and checks that active
// (the variable activeVar) names one of its keys. Keys are standard or
// URL-safe base64. Errors name the variables, never a key.
func Parse(keysVar, activeVar, keys, active string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, pair := range strings.Split(keys, ",") {
		kid, b64, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || kid == "" {
			return nil, fmt.Errorf("%s must be kid:base64key pairs", keysVar)
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			key, err = base64.RawURLEncoding.DecodeString(b64)
		}
		if err != nil || len(key) < MinBytes {
			return nil, fmt.Errorf("%s: key %q must be base64 of at least %d bytes", keysVar, kid, MinBytes)
		}
		if _, dup := out[kid]; dup {
			return nil, fmt.Errorf("%s: key %q is given twice", keysVar, kid)
		}
		out[kid] = key
	}
	if _, ok := out[active]; !ok {
		return nil, fmt.Errorf("%s %q is not in %s", activeVar, active, keysVar)
	}
	return out, nil
}
