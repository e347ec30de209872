package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/topsmile/topsmile/shared/token"
)

// sealer encrypts secrets at rest (TOTP seeds) with AES-256-GCM.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, errors.New("identity: DATA_KEY must be base64 of 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil))
}

func (s *sealer) open(sealed string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("identity: malformed sealed secret")
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	return string(plain), err
}

const totpPeriod = 30

// newTOTP makes a TOTP key for an account.
func newTOTP(email string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: "TopSmile", AccountName: email, Period: totpPeriod, SecretSize: 20})
}

// matchTOTP returns the time step a code belongs to (now, or one step either
// side for clock drift), or -1. The caller refuses steps already used, so a
// code works once.
func matchTOTP(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return -1
	}
	step := now.Unix() / totpPeriod
	for _, s := range []int64{step - 1, step, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s
		}
	}
	return -1
}

// Recovery codes are 120 random bits (ASVS 6.5.2 asks at least 112 before
// a plain hash may store them), written as four groups of six base32
// letters and digits, which a person can read off paper and type:
// "k7m2qa-xp4rtn-9…". Only their SHA-256 is stored.
const (
	recoveryBytes  = 15 // 120 bits: 24 base32 characters, no padding
	recoveryGroup  = 6
	recoveryLength = recoveryBytes * 8 / 5
)

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryCodes returns n one-time codes and their hashes.
func newRecoveryCodes(n int) (codes, hashes []string) {
	for range n {
		b := make([]byte, recoveryBytes)
		_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
		raw := strings.ToLower(recoveryEncoding.EncodeToString(b))
		var groups []string
		for i := 0; i < len(raw); i += recoveryGroup {
			groups = append(groups, raw[i:i+recoveryGroup])
		}
		codes = append(codes, strings.Join(groups, "-"))
		hashes = append(hashes, token.Hash(raw))
	}
	return codes, hashes
}

// recoveryCandidates are the forms a typed recovery code is looked up in:
// without case, spaces or hyphens; and, for a code of the old ten-character
// kind (which could contain a hyphen), as typed.
func recoveryCandidates(typed string) []string {
	legacy := strings.ToLower(strings.TrimSpace(typed))
	code := strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, typed)
	if len(code) == recoveryLength || code == legacy {
		return []string{code}
	}
	return []string{code, legacy}
}
