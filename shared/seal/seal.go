// Package seal encrypts clinical free text at rest: note bodies, chart and
// plan notes, diagnoses, prescription reasons. Each value is sealed under a
// fresh data key (AES-256-GCM), and that data key is wrapped under the
// configured key-encryption key whose kid is stored beside the ciphertext
// (an envelope). Keys rotate without rewriting old records: a new kid is
// added and made active, new values are wrapped under it, and every kid of
// the set still opens what was made under it. In a deployed stack the keys
// come from Secrets Manager (PHI_KEYS), never from the database, so a copy
// of the database alone reads no clinical text.
//
// A sealed value is bound to where it is stored (the caller's context
// string, e.g. "notes/<id>/body"): a ciphertext copied into another record
// or field does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/topsmile/topsmile/shared/keyset"
)

// Config is the configuration of the key set.
type Config struct {
	// Keys is "kid:base64key,kid2:base64key2", each key exactly 32 bytes.
	Keys string `env:"PHI_KEYS,required,secret"`
	// ActiveKID is the key new values are wrapped under.
	ActiveKID string `env:"PHI_ACTIVE_KID,required"`
}

// Text is a sealed value as stored. The zero Text is the empty string.
type Text struct {
	KID string `bson:"k"`
	// Key is the data key, wrapped under KID (nonce ‖ ciphertext ‖ tag).
	Key []byte `bson:"w"`
	// Data is the value under the data key (nonce ‖ ciphertext ‖ tag).
	Data []byte `bson:"c"`
}

// IsZero reports whether t holds nothing (the empty string): BSON omits it.
func (t Text) IsZero() bool { return t.KID == "" && len(t.Key) == 0 && len(t.Data) == 0 }

// Keys are the parsed key-encryption keys.
type Keys struct {
	keks   map[string]cipher.AEAD
	active string
}

// ErrOpen is a value that does not open: a key not in the set, a value moved
// to another record, or tampered bytes. Callers answer 500, never the bytes.
var ErrOpen = errors.New("seal: value does not open")

// New parses cfg (no I/O).
func New(cfg Config) (*Keys, error) {
	raw, err := keyset.Parse("PHI_KEYS", "PHI_ACTIVE_KID", cfg.Keys, cfg.ActiveKID)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	k := &Keys{keks: make(map[string]cipher.AEAD, len(raw)), active: cfg.ActiveKID}
	for kid, key := range raw {
		if len(key) != 32 {
			return nil, fmt.Errorf("seal: PHI_KEYS key %q must be exactly 32 bytes (AES-256)", kid)
		}
		if k.keks[kid], err = gcm(key); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return cipher.NewGCM(b)
}

// Seal encrypts plain for the place named by where. The empty string seals
// to the zero Text.
func (k *Keys) Seal(plain, where string) (Text, error) {
	if plain == "" {
		return Text{}, nil
	}
	dek := make([]byte, 32)
	if _, err := rand.Read(dek); err != nil {
		return Text{}, fmt.Errorf("seal: %w", err)
	}
	data, err := gcm(dek)
	if err != nil {
		return Text{}, err
	}
	aad := []byte(k.active + "\x00" + where)
	return Text{KID: k.active, Key: encrypt(k.keks[k.active], dek, aad), Data: encrypt(data, []byte(plain), aad)}, nil
}

// Open decrypts t, sealed for where.
func (k *Keys) Open(t Text, where string) (string, error) {
	if t.IsZero() {
		return "", nil
	}
	kek, ok := k.keks[t.KID]
	if !ok {
		return "", ErrOpen
	}
	aad := []byte(t.KID + "\x00" + where)
	dek, err := decrypt(kek, t.Key, aad)
	if err != nil || len(dek) != 32 {
		return "", ErrOpen
	}
	data, err := gcm(dek)
	if err != nil {
		return "", ErrOpen
	}
	plain, err := decrypt(data, t.Data, aad)
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

func encrypt(a cipher.AEAD, plain, aad []byte) []byte {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		// crypto/rand does not fail on supported platforms (Go 1.24+ it
		// panics itself); a zero nonce must never be used.
		panic(err)
	}
	return a.Seal(nonce, nonce, plain, aad)
}

func decrypt(a cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < a.NonceSize()+a.Overhead() {
		return nil, ErrOpen
	}
	n := a.NonceSize()
	return a.Open(nil, sealed[:n], sealed[n:], aad)
}
