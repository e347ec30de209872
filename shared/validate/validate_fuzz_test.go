package validate_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/validate"
)

// Each reader answers its own error or a normalized value that it reads
// back as itself: what one request stored, the next accepts unchanged.

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"Ana@Example.COM", " a@b.co ", "a@b", "Ana <a@b.co>", `"a b"@c.co`, "a@[127.0.0.1]",
		"a@b.123", "josé@exemplo.pt", "a@-b.co", strings.Repeat("a", 65) + "@b.co", "a@b..co", "a@b.co\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := validate.Email(s)
		if err != nil {
			if !errors.Is(err, validate.ErrEmail) {
				t.Fatalf("Email(%q) = %v", s, err)
			}
			return
		}
		if again, err := validate.Email(got); err != nil || again != got {
			t.Fatalf("Email(%q) = %q, which reads back as %q, %v", s, got, again, err)
		}
		if got != strings.ToLower(got) || got != strings.TrimSpace(got) || len(got) > 254 || strings.Count(got, "@") != 1 {
			t.Fatalf("Email(%q) = %q", s, got)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2025-02-29", "2026-12-31", "0000-01-01", "9999-12-31", "2026-1-1", "2026-01-01T00:00:00Z", " 2026-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := validate.Date(s)
		if err != nil {
			if !errors.Is(err, validate.ErrDate) {
				t.Fatalf("Date(%q) = %v", s, err)
			}
			return
		}
		if d.Format(time.DateOnly) != s || d.Location() != time.UTC || !d.Equal(d.Truncate(24*time.Hour)) {
			t.Fatalf("Date(%q) = %v", s, d)
		}
	})
}

func FuzzInstant(f *testing.F) {
	for _, s := range []string{"2025-03-09T14:30:00Z", "2025-03-09T14:30:00.123456789+05:30", "2025-03-09T14:30:00", "2025-03-09T14:30:00+24:00",
		"2025-03-09T14:30:00,5Z", "2025-03-09 14:30:00Z", "2025-02-29T00:00:00Z", "2025-03-09T24:00:00Z", "2025-03-09T14:30:60Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := validate.Instant(s)
		if err != nil {
			if !errors.Is(err, validate.ErrInstant) {
				t.Fatalf("Instant(%q) = %v", s, err)
			}
			return
		}
		if at.Location() != time.UTC || !utf8.ValidString(s) {
			t.Fatalf("Instant(%q) = %v", s, at)
		}
		if again, err := validate.Instant(at.Format(time.RFC3339Nano)); err != nil || !again.Equal(at) {
			t.Fatalf("Instant(%q) = %v, which formats and reads back as %v, %v", s, at, again, err)
		}
	})
}
