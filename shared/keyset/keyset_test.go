package keyset_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/keyset"
)

func TestParse(t *testing.T) {
	k32 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 32)))
	k40url := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("\xfb", 40)))
	k31 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 31)))
	for _, tc := range []struct {
		name, keys, active string
		want               map[string]int // kid -> key length
		err                string
	}{
		{"one key", "k1:" + k32, "k1", map[string]int{"k1": 32}, ""},
		{"two keys, spaces, url-safe", " k1:" + k32 + " , k2:" + k40url, "k2", map[string]int{"k1": 32, "k2": 40}, ""},
		{"active not in the set", "k1:" + k32, "k2", nil, `ACTIVE "k2" is not in KEYS`},
		{"empty", "", "k1", nil, "KEYS must be kid:base64key pairs"},
		{"no kid", ":" + k32, "", nil, "KEYS must be kid:base64key pairs"},
		{"no colon", k32, "k1", nil, "KEYS must be kid:base64key pairs"},
		{"short key", "k1:" + k31, "k1", nil, `KEYS: key "k1" must be base64 of at least 32 bytes`},
		{"not base64", "k1:!!!" + k32, "k1", nil, `KEYS: key "k1" must be base64`},
		{"kid twice", "k1:" + k32 + ",k1:" + k40url, "k1", nil, `KEYS: key "k1" is given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := keyset.Parse("KEYS", "ACTIVE", tc.keys, tc.active)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), k32) || strings.Contains(err.Error(), k31) {
					t.Fatalf("error shows a key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("keys %v", got)
			}
			for kid, n := range tc.want {
				if len(got[kid]) != n {
					t.Errorf("key %s has %d bytes, want %d", kid, len(got[kid]), n)
				}
			}
		})
	}
}
