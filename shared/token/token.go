// Package token issues and verifies TopSmile's credentials: short-lived
// access JWTs (HS256 pinned, key chosen by kid from a configured key set so
// keys rotate without logging everyone out) and the signed double-submit CSRF
// token bound to a session. Refresh tokens are opaque random strings held
// hashed by the session store, never JWTs, so one can never pass as an access
// token.
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/keyset"
)

// Issuer and audience of access tokens.
const (
	Issuer   = "topsmile"
	Audience = "topsmile-api"
	// accessType marks a JWT as an access token.
	accessType = "access"
)

// Config is the token part of a function's config.
type Config struct {
	// Keys is "kid:base64key,kid2:base64key2"; each key at least 32 bytes.
	Keys string `env:"JWT_KEYS,required,secret"`
	// ActiveKID signs new tokens; the others still verify (rotation).
	ActiveKID string        `env:"JWT_ACTIVE_KID,required"`
	AccessTTL time.Duration `env:"ACCESS_TOKEN_TTL" default:"10m"`
}

// Claims are an access token's claims.
type Claims struct {
	jwt.RegisteredClaims
	Type      string `json:"typ"`
	Role      string `json:"role"`
	ClinicID  string `json:"cid"`
	SessionID string `json:"sid"`
	PatientID string `json:"pid,omitempty"`
	// MFAPending: the clinic requires MFA and the user has not enrolled; the
	// token only opens the enrolment routes.
	MFAPending bool `json:"mfp,omitempty"`
}

// Subject is who an access token is for.
type Subject struct {
	UserID, Role, ClinicID, SessionID, PatientID string
	MFAPending                                   bool
}

// Keys signs and verifies tokens with a key set.
type Keys struct {
	keys   map[string][]byte
	active string
	ttl    time.Duration
	clock  clock.Clock
	parser *jwt.Parser
}

// ErrInvalid is every verification failure; callers answer one 401 whatever
// the reason, so a probe learns nothing.
var ErrInvalid = errors.New("token: invalid")

// NewKeys parses the key set. It does no I/O.
func NewKeys(cfg Config, c clock.Clock) (*Keys, error) {
	keys, err := keyset.Parse("JWT_KEYS", "JWT_ACTIVE_KID", cfg.Keys, cfg.ActiveKID)
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	k := &Keys{keys: keys, active: cfg.ActiveKID, ttl: cfg.AccessTTL, clock: c}
	if k.ttl <= 0 || k.ttl > 15*time.Minute {
		return nil, errors.New("token: ACCESS_TOKEN_TTL must be between 0 and 15m")
	}
	k.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(c.Now),
		jwt.WithLeeway(5*time.Second),
	)
	return k, nil
}

// AccessTTL is how long an access token lives.
func (k *Keys) AccessTTL() time.Duration { return k.ttl }

// IssueAccess signs an access token for s and returns it with its claims.
func (k *Keys) IssueAccess(s Subject) (string, Claims, error) {
	now := k.clock.Now()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Audience:  jwt.ClaimStrings{Audience},
			Subject:   s.UserID,
			ExpiresAt: jwt.NewNumericDate(now.Add(k.ttl)),
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ID:        ids.Token(16),
		},
		Type: accessType, Role: s.Role, ClinicID: s.ClinicID, SessionID: s.SessionID, PatientID: s.PatientID, MFAPending: s.MFAPending,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = k.active
	signed, err := t.SignedString(k.keys[k.active])
	return signed, c, err
}

// VerifyAccess checks signature (by kid), algorithm, issuer, audience,
// expiry and type, and returns the claims. Any failure is ErrInvalid.
func (k *Keys) VerifyAccess(raw string) (Claims, error) {
	var c Claims
	_, err := k.parser.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		key, ok := k.keys[kid]
		if !ok {
			return nil, ErrInvalid
		}
		return key, nil
	})
	if err != nil || c.Type != accessType || c.Subject == "" || c.ClinicID == "" || c.SessionID == "" || c.ID == "" {
		return Claims{}, ErrInvalid
	}
	return c, nil
}

// CSRF returns a new double-submit token bound to sessionID: random value
// plus an HMAC over session and value with the active key.
func (k *Keys) CSRF(sessionID string) string {
	v := ids.Token(18)
	return v + "." + k.csrfMAC(k.active, sessionID, v) + "." + k.active
}

// VerifyCSRF checks that header equals cookie and that the token was issued
// for sessionID by one of the keys.
func (k *Keys) VerifyCSRF(header, cookie, sessionID string) bool {
	if header == "" || !hmac.Equal([]byte(header), []byte(cookie)) {
		return false
	}
	parts := strings.Split(header, ".")
	if len(parts) != 3 {
		return false
	}
	if _, ok := k.keys[parts[2]]; !ok {
		return false
	}
	return hmac.Equal([]byte(parts[1]), []byte(k.csrfMAC(parts[2], sessionID, parts[0])))
}

func (k *Keys) csrfMAC(kid, sessionID, v string) string {
	m := hmac.New(sha256.New, k.keys[kid])
	m.Write([]byte("csrf\x00" + sessionID + "\x00" + v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Hash is how opaque secrets (refresh and reset tokens) are stored: SHA-256,
// which is enough for 256-bit random values (no dictionary to attack).
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
