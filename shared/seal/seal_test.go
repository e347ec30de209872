package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/seal"
)

func key(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func mustKeys(t *testing.T, keys, active string) *seal.Keys {
	t.Helper()
	k, err := seal.New(seal.Config{Keys: keys, ActiveKID: active})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpensOnlyWhereItWasSealed(t *testing.T) {
	k := mustKeys(t, "p1:"+key(1), "p1")
	const plain = "Pt reports sharp pain #19 on cold; irreversible pulpitis"
	s, err := k.Seal(plain, "notes/a/body")
	if err != nil {
		t.Fatal(err)
	}
	if s.KID != "p1" || bytes.Contains(s.Data, []byte("pulpitis")) || bytes.Contains(s.Key, []byte("pulpitis")) {
		t.Fatalf("sealed value shows its text or lacks its kid: %+v", s)
	}
	if got, err := k.Open(s, "notes/a/body"); err != nil || got != plain {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open(s, "notes/b/body"); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("a value moved to another record opened: %v", err)
	}
	tampered := s
	tampered.Data = append([]byte{}, s.Data...)
	tampered.Data[len(tampered.Data)-1] ^= 1
	if _, err := k.Open(tampered, "notes/a/body"); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("tampered value opened: %v", err)
	}
	again, _ := k.Seal(plain, "notes/a/body")
	if bytes.Equal(again.Data, s.Data) || bytes.Equal(again.Key, s.Key) {
		t.Fatal("two seals of one text are equal: a fresh data key and nonce each time")
	}
}

func TestEmptyTextSealsToNothing(t *testing.T) {
	k := mustKeys(t, "p1:"+key(1), "p1")
	s, err := k.Seal("", "x")
	if err != nil || !s.IsZero() {
		t.Fatalf("Seal(\"\") = %+v, %v", s, err)
	}
	if got, err := k.Open(seal.Text{}, "x"); err != nil || got != "" {
		t.Fatalf("Open(zero) = %q, %v", got, err)
	}
}

func TestRotationOpensOldValuesUnderTheirOwnKey(t *testing.T) {
	old := mustKeys(t, "p1:"+key(1), "p1")
	s1, _ := old.Seal("old note", "w")
	rotated := mustKeys(t, "p1:"+key(1)+",p2:"+key(2), "p2")
	s2, _ := rotated.Seal("new note", "w")
	if s2.KID != "p2" {
		t.Fatalf("new value under %q, want the active p2", s2.KID)
	}
	for _, tc := range []struct {
		s    seal.Text
		want string
	}{{s1, "old note"}, {s2, "new note"}} {
		if got, err := rotated.Open(tc.s, "w"); err != nil || got != tc.want {
			t.Fatalf("Open(%s) = %q, %v", tc.s.KID, got, err)
		}
	}
	if _, err := old.Open(s2, "w"); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("a key set without p2 opened a p2 value: %v", err)
	}
	// A kid swapped onto another key's value does not open either.
	forged := s1
	forged.KID = "p2"
	if _, err := rotated.Open(forged, "w"); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("kid swap opened: %v", err)
	}
}

func TestConfigIsChecked(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 40))
	for name, cfg := range map[string]seal.Config{
		"not 32 bytes":   {Keys: "p1:" + short, ActiveKID: "p1"},
		"active unknown": {Keys: "p1:" + key(1), ActiveKID: "p9"},
		"no pairs":       {Keys: "garbage", ActiveKID: "p1"},
	} {
		_, err := seal.New(cfg)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), short) || strings.Contains(err.Error(), key(1)) {
			t.Errorf("%s: the error shows a key: %v", name, err)
		}
	}
}
