package token_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/token"
)

// benchKeys is a key set in rotation, as deployed: the active key and the
// one before it, so the verifier picks the key by kid.
func benchKeys(b *testing.B) *token.Keys {
	b.Helper()
	key := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	keys, err := token.NewKeys(token.Config{
		Keys:      "2026-11:" + key("previous-key-0123456789abcdef012345") + ",2026-12:" + key("active-key-0123456789abcdef0123456789"),
		ActiveKID: "2026-12",
		AccessTTL: 10 * time.Minute,
	}, clock.NewFake(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)))
	if err != nil {
		b.Fatal(err)
	}
	return keys
}

// BenchmarkVerifyAccess is the check every guarded request makes of its
// access cookie: HS256 signature by kid, issuer, audience, expiry, type.
func BenchmarkVerifyAccess(b *testing.B) {
	keys := benchKeys(b)
	raw, _, err := keys.IssueAccess(token.Subject{UserID: "656f0c1e9b1d4a0001a1b2c3", Role: "front_desk",
		ClinicID: "656f0c1e9b1d4a0001a1b2c4", SessionID: "656f0c1e9b1d4a0001a1b2c5"})
	if err != nil {
		b.Fatal(err)
	}
	if c, err := keys.VerifyAccess(raw); err != nil || c.Role != "front_desk" {
		b.Fatalf("VerifyAccess of a fresh token: %+v, %v", c, err)
	}
	b.Run("valid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := keys.VerifyAccess(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A forged signature costs the same parse and one HMAC, then is refused.
	forged := raw[:len(raw)-4] + "AAAA"
	b.Run("forged", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := keys.VerifyAccess(forged); err == nil {
				b.Fatal("a forged token verified")
			}
		}
	})
}
