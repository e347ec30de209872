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
// first start and kept beside the embedded database so sessions and MFA
// enrolments survive a restart. Never used by a deployed stack.
type DevSecrets struct {
	JWTKeys      string `json:"jwtKeys"`
	JWTActiveKID string `json:"jwtActiveKid"`
	DataKey      string `json:"dataKey"`
}

// LoadDevSecrets reads dir/dev-secrets.json, creating it if missing.
func LoadDevSecrets(dir string) (DevSecrets, error) {
	path := filepath.Join(dir, "dev-secrets.json")
	var s DevSecrets
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &s); err != nil {
			return s, err
		}
		return s, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	s = DevSecrets{JWTKeys: "dev1:" + randomKey(), JWTActiveKID: "dev1", DataKey: randomKey()}
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
