package validate_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/validate"
)

func TestEmail(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want "" means invalid
	}{
		{"plain", "ana@example.com", "ana@example.com"},
		{"lower-cased", "Joao.Silva@Example.COM", "joao.silva@example.com"},
		{"spaces around trimmed", "  ana@example.com \t", "ana@example.com"},
		{"no-break space around trimmed", "\u00a0ana@example.com\u00a0", "ana@example.com"},
		{"plus tag", "ana+recall@example.com", "ana+recall@example.com"},
		{"subdomain", "desk@mail.clinic.example.pt", "desk@mail.clinic.example.pt"},
		{"shortest", "a@b.c", "a@b.c"},
		{"unicode local part", "joão@exemplo.pt", "joão@exemplo.pt"},
		{"unicode upper case folded", "JOÃO@EXEMPLO.PT", "joão@exemplo.pt"},
		{"unicode domain", "ana@café.fr", "ana@café.fr"},
		{"hyphen inside label", "a@my-clinic.com", "a@my-clinic.com"},
		{"empty", "", ""},
		{"only spaces", "   ", ""},
		{"no at", "ana.example.com", ""},
		{"no dot in domain", "a@b", ""},
		{"nothing before at", "@example.com", ""},
		{"two ats", "a@b@example.com", ""},
		{"space inside", "a b@example.com", ""},
		{"display name", "Ana <ana@example.com>", ""},
		{"angle brackets", "ana<a@example.com>", ""},
		{"quoted local part", `"ana"@example.com`, ""},
		{"comment", "ana(desk)@example.com", ""},
		{"address literal", "a@[127.0.0.1]", ""},
		{"empty leading label", "a@.example.com", ""},
		{"empty inner label", "a@example..com", ""},
		{"trailing dot", "a@example.com.", ""},
		{"label starts with hyphen", "a@-example.com", ""},
		{"label ends with hyphen", "a@example-.com", ""},
		{"numeric top-level label", "a@10.0.0.1", ""},
		{"underscore in domain", "a@ex_ample.com", ""},
		{"consecutive dots in local part", "a..b@example.com", ""},
		{"control character", "a\x01@example.com", ""},
		{"local part over 64", strings.Repeat("a", 65) + "@example.com", ""},
		{"local part of 64", strings.Repeat("a", 64) + "@example.com", strings.Repeat("a", 64) + "@example.com"},
		{"over 254", "a@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 60) + "." + strings.Repeat("f", 60) + ".com", ""},
		{"label over 63", "a@" + strings.Repeat("b", 64) + ".com", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validate.Email(tc.in)
			if tc.want == "" {
				if !errors.Is(err, validate.ErrEmail) || got != "" {
					t.Fatalf("Email(%q) = %q, %v; want ErrEmail", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Email(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDate(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"ordinary", "1990-05-01", true},
		{"leap day of a leap year", "2024-02-29", true},
		{"leap day of 2000", "2000-02-29", true},
		{"last of December", "2025-12-31", true},
		{"leap day of a common year", "2025-02-29", false},
		{"leap day of 1900", "1900-02-29", false},
		{"thirty-first of April", "2025-04-31", false},
		{"month 13", "2025-13-01", false},
		{"day 0", "2025-01-00", false},
		{"one-digit month and day", "2025-3-9", false},
		{"leading space", " 2024-02-29", false},
		{"trailing space", "2024-02-29 ", false},
		{"with a time", "2024-02-29T00:00:00Z", false},
		{"slashes", "2024/02/29", false},
		{"day first", "29-02-2024", false},
		{"full-width digits", "２０２４-０２-２９", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validate.Date(tc.in)
			if !tc.ok {
				if !errors.Is(err, validate.ErrDate) {
					t.Fatalf("Date(%q) = %v, %v; want ErrDate", tc.in, got, err)
				}
				return
			}
			if err != nil || got.Format(time.DateOnly) != tc.in || got.Location() != time.UTC || got.Hour() != 0 {
				t.Fatalf("Date(%q) = %v, %v; want midnight UTC of that day", tc.in, got, err)
			}
		})
	}
}

func TestInstant(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want "" means invalid; else the UTC instant
	}{
		{"UTC", "2025-03-09T14:30:00Z", "2025-03-09T14:30:00Z"},
		{"offset turned to UTC", "2025-03-09T09:30:00-05:00", "2025-03-09T14:30:00Z"},
		{"wall time in New York's DST gap, with its offset", "2025-03-09T02:30:00-05:00", "2025-03-09T07:30:00Z"},
		{"positive offset across midnight", "2025-03-10T01:00:00+05:30", "2025-03-09T19:30:00Z"},
		{"fraction", "2025-03-09T14:30:00.123456789Z", "2025-03-09T14:30:00.123456789Z"},
		{"minus zero offset", "2025-03-09T14:30:00-00:00", "2025-03-09T14:30:00Z"},
		{"leap day", "2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"},
		{"no offset", "2025-03-09T14:30:00", ""},
		{"date only", "2025-03-09", ""},
		{"offset without colon", "2025-03-09T14:30:00+0500", ""},
		{"lower-case z", "2025-03-09T14:30:00z", ""},
		{"space for T", "2025-03-09 14:30:00Z", ""},
		{"comma before fraction", "2025-03-09T14:30:00,5Z", ""},
		{"no seconds", "2025-03-09T14:30Z", ""},
		{"hour 24", "2025-03-09T24:00:00Z", ""},
		{"leap day of a common year", "2025-02-29T12:00:00Z", ""},
		{"offset hour 24", "2025-03-09T14:30:00+24:00", ""},
		{"offset minute 60", "2025-03-09T14:30:00+05:60", ""},
		{"leading space", " 2025-03-09T14:30:00Z", ""},
		{"trailing space", "2025-03-09T14:30:00Z ", ""},
		{"unix seconds", "1741530600", ""},
		{"zone name", "2025-03-09T14:30:00 EST", ""},
		{"empty", "", ""},
		{"year 0 behind UTC: year -1 in UTC (found by FuzzInstant)", "0000-01-01T00:00:00.0000+00:10", ""},
		{"year 9999 ahead of UTC: year 10000 in UTC", "9999-12-31T23:59:00-01:00", ""},
		{"year 0 in UTC", "0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validate.Instant(tc.in)
			if tc.want == "" {
				if !errors.Is(err, validate.ErrInstant) || !got.IsZero() {
					t.Fatalf("Instant(%q) = %v, %v; want ErrInstant", tc.in, got, err)
				}
				return
			}
			want, _ := time.Parse(time.RFC3339Nano, tc.want)
			if err != nil || !got.Equal(want) || got.Location() != time.UTC {
				t.Fatalf("Instant(%q) = %v, %v; want %v in UTC", tc.in, got, err, want)
			}
		})
	}
}

func TestQueryInstant(t *testing.T) {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, tc := range []struct {
		name, rawQuery string
		want           time.Time
		field          bool // a field error for "from"
	}{
		{"absent", "to=2025-03-09T00:00:00Z", time.Time{}, false},
		{"empty", "from=", time.Time{}, false},
		{"UTC", "from=2025-03-09T14:30:00Z", at("2025-03-09T14:30:00Z"), false},
		{"escaped plus offset", "from=2025-03-09T14:30:00%2B01:00", at("2025-03-09T13:30:00Z"), false},
		{"unescaped plus offset (form-decoded to a space)", "from=2025-03-09T14:30:00+01:00", at("2025-03-09T13:30:00Z"), false},
		{"negative offset", "from=2025-03-09T02:30:00-05:00", at("2025-03-09T07:30:00Z"), false},
		{"no offset", "from=2025-03-09T14:30:00", time.Time{}, true},
		{"date only", "from=2025-03-09", time.Time{}, true},
		{"garbage", "from=tomorrow", time.Time{}, true},
		{"space not before an offset", "from=2025-03-09%2014:30:00Z", time.Time{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.rawQuery)
			if err != nil {
				t.Fatal(err)
			}
			var v errs.Validator
			got := validate.QueryInstant(q, "from", &v)
			if !got.Equal(tc.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Fatalf("QueryInstant = %v; want %v in UTC", got, tc.want)
			}
			var e *errs.Error
			hasErr := errors.As(v.Err(), &e)
			if hasErr != tc.field {
				t.Fatalf("field error = %v; want one: %v", v.Err(), tc.field)
			}
			if tc.field {
				want := []errs.FieldError{{Field: "from", Message: validate.ErrInstant.Error()}}
				if e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0] != want[0] {
					t.Fatalf("error = %#v; want Invalid with %v", e, want)
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	var v errs.Validator
	if !validate.Check(&v, "email", nil) || v.Err() != nil {
		t.Fatalf("nil error recorded: %v", v.Err())
	}
	_, dateErr := validate.Date("2025-02-29")
	_, emailErr := validate.Email("a@b")
	if validate.Check(&v, "dateOfBirth", dateErr) || validate.Check(&v, "email", emailErr) {
		t.Fatal("Check reported an error as ok")
	}
	var e *errs.Error
	if !errors.As(v.Err(), &e) || e.Kind != errs.Invalid {
		t.Fatalf("Err() = %v; want Invalid", v.Err())
	}
	want := []errs.FieldError{{Field: "dateOfBirth", Message: validate.ErrDate.Error()}, {Field: "email", Message: validate.ErrEmail.Error()}}
	if len(e.Fields) != 2 || e.Fields[0] != want[0] || e.Fields[1] != want[1] {
		t.Fatalf("fields = %v; want %v", e.Fields, want)
	}
}
