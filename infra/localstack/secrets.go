package localstack

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
)

// DevSecrets are the local stack's signing and encryption keys, generated on
// first start and kept beside the embedded database so sessions, MFA
// enrolments and the audit trail's MACs survive a restart. Never used by a
// deployed stack.
type DevSecrets struct {
	JWTKeys        string `json:"jwtKeys"`
	JWTActiveKID   string `json:"jwtActiveKid"`
	DataKey        string `json:"dataKey"`
	AuditKeys      string `json:"auditKeys"`
	AuditActiveKID string `json:"auditActiveKid"`
	PHIKeys        string `json:"phiKeys"`
	PHIActiveKID   string `json:"phiActiveKid"`
}

// LoadDevSecrets reads dir/dev-secrets.json, creating it if missing. A file
// from before a secret existed (no audit key) gets one, saved, and keeps
// the rest.
func LoadDevSecrets(dir string) (DevSecrets, error) {
	path := filepath.Join(dir, "dev-secrets.json")
	var s DevSecrets
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	if err == nil {
		if err := json.Unmarshal(b, &s); err != nil {
			return s, err
		}
	}
	changed := false
	fill := func(keys, active *string, value, kid string) {
		if *keys == "" || *active == "" {
			*keys, *active, changed = kid+":"+value, kid, true
		}
	}
	fill(&s.JWTKeys, &s.JWTActiveKID, randomKey(), "dev1")
	if s.DataKey == "" {
		s.DataKey, changed = randomKey(), true
	}
	fill(&s.AuditKeys, &s.AuditActiveKID, randomKey(), "dev1")
	fill(&s.PHIKeys, &s.PHIActiveKID, randomKey(), "dev1")
	if !changed {
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return s, err
	}
	b, _ = json.MarshalIndent(s, "", "  ")
	return s, os.WriteFile(path, b, 0o600)
}

func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
