// Package unsub is the email unsubscribe link: a token that names a
// clinic and an address, sealed (AES-256-GCM under a key derived from
// DATA_KEY) so that it can be neither read nor forged, and the routes that
// honour it. GET /api/unsubscribe?t= answers a small page with a button
// (a link scanner's GET unsubscribes nobody); POST /api/unsubscribe?t= is
// both that button and RFC 8058's one-click (List-Unsubscribe-Post), and
// records the opt-out in the ledger every sender reads.
package unsub

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// Path is where the link points (GET shows the page, POST unsubscribes).
const Path = "/api/unsubscribe"

// Keys seal and open tokens.
type Keys struct{ aead cipher.AEAD }

// New derives the token key from DATA_KEY (base64 of 32 bytes).
func New(dataKey string) (*Keys, error) {
	raw, err := base64.StdEncoding.DecodeString(dataKey)
	if err != nil || len(raw) != 32 {
		return nil, errors.New("unsub: DATA_KEY must be base64 of 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, raw, nil, "topsmile unsubscribe v1", 32)
	if err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	return &Keys{aead: a}, nil
}

// Token is the link's token for address at clinicID.
func (k *Keys) Token(clinicID, address string) string {
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := k.aead.Seal(nonce, nonce, []byte(clinicID+"\x00"+strings.ToLower(strings.TrimSpace(address))), []byte("unsubscribe"))
	return base64.RawURLEncoding.EncodeToString(sealed)
}

// ErrToken is a token that does not open: forged, cut, or of another key.
var ErrToken = errors.New("unsub: invalid token")

// Open reads a token back.
func (k *Keys) Open(tok string) (clinicID, address string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() || len(tok) > 1024 {
		return "", "", ErrToken
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte("unsubscribe"))
	if err != nil {
		return "", "", ErrToken
	}
	c, a, ok := strings.Cut(string(plain), "\x00")
	if !ok || c == "" || a == "" {
		return "", "", ErrToken
	}
	return c, a, nil
}
