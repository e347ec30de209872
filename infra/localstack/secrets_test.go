package localstack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/token"
)

func TestDevSecrets(t *testing.T) {
	t.Run("first start generates every key and keeps them", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		s, err := localstack.LoadDevSecrets(dir)
		if err != nil {
			t.Fatal(err)
		}
		mustValid(t, s)
		again, err := localstack.LoadDevSecrets(dir)
		if err != nil || again != s {
			t.Fatalf("second start: %+v %v, first %+v", again, err, s)
		}
		if fi, err := os.Stat(filepath.Join(dir, "dev-secrets.json")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("dev-secrets.json: %v %v", fi, err)
		}
	})
	t.Run("a file from before the audit key gets one and keeps the rest", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "dev-secrets.json")
		old := `{"jwtKeys": "dev1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "jwtActiveKid": "dev1", "dataKey": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}`
		if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := localstack.LoadDevSecrets(dir)
		if err != nil {
			t.Fatal(err)
		}
		mustValid(t, s)
		if s.JWTKeys != "dev1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" || s.DataKey != "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" {
			t.Fatalf("existing keys changed: %+v", s)
		}
		var saved localstack.DevSecrets
		b, _ := os.ReadFile(path)
		if err := json.Unmarshal(b, &saved); err != nil || saved != s {
			t.Fatalf("saved %+v (%v), loaded %+v", saved, err, s)
		}
	})
}

func mustValid(t *testing.T, s localstack.DevSecrets) {
	t.Helper()
	if _, err := token.NewKeys(token.Config{Keys: s.JWTKeys, ActiveKID: s.JWTActiveKID, AccessTTL: 600e9}, clock.Real{}); err != nil {
		t.Errorf("jwt keys: %v", err)
	}
	if _, err := audit.NewKeys(audit.Config{Keys: s.AuditKeys, ActiveKID: s.AuditActiveKID}); err != nil {
		t.Errorf("audit keys: %v", err)
	}
	if s.DataKey == "" {
		t.Error("no data key")
	}
}
