package unsub_test

import (
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/notify/unsub"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

func TestTokensOpenOnlyUntouchedAndUnderTheirKey(t *testing.T) {
	k, err := unsub.New(storetest.TestKey)
	if err != nil {
		t.Fatal(err)
	}
	tok := k.Token("clinic-1", " Jordan@Example.com ")
	if strings.Contains(tok, "jordan") || strings.Contains(tok, "clinic") {
		t.Fatalf("the token shows what it names: %s", tok)
	}
	c, a, err := k.Open(tok)
	if err != nil || c != "clinic-1" || a != "jordan@example.com" {
		t.Fatalf("opened %q %q %v", c, a, err)
	}
	flipped := []byte(tok)
	flipped[len(flipped)/2] ^= 1
	other, _ := unsub.New("b3RoZXIta2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5YWI=")
	for name, bad := range map[string]string{"tampered": string(flipped), "cut": tok[:len(tok)-4], "empty": "", "junk": "!!!",
		"other key": other.Token("clinic-1", "jordan@example.com")} {
		if _, _, err := k.Open(bad); err == nil {
			t.Errorf("%s token opened", name)
		}
	}
	if _, err := unsub.New("short"); err == nil {
		t.Fatal("a bad DATA_KEY was taken")
	}
}
