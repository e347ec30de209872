package identity

import (
	"strings"
	"testing"
)

// The timing equaliser must cost what a real verification costs: same
// algorithm and parameters as HashPassword, and a hash that verifies.
func TestDummyHashMatchesHashPassword(t *testing.T) {
	real, err := HashPassword("any password at all")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	if got, want := params(dummyHash), params(real); got != want {
		t.Fatalf("dummy hash parameters %q, HashPassword uses %q", got, want)
	}
	if ok, err := VerifyPassword(dummyHash, "topsmile-timing-equaliser"); err != nil || !ok {
		t.Fatalf("dummy hash does not verify: ok=%v err=%v", ok, err)
	}
}
