package phone_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/phone"
)

// tcase is a number read with a default country: want, or an error of kind.
type tcase struct {
	name, in, country, want string
	kind                    phone.Kind
}

func ok(name, in, country, want string) tcase { return tcase{name, in, country, want, 0} }

func bad(name, in, country string, k phone.Kind) tcase { return tcase{name, in, country, "", k} }

func TestE164(t *testing.T) {
	for _, tc := range []tcase{
		// North America.
		ok("US national, brackets", "(212) 555-0147", "US", "+12125550147"),
		ok("US dashes", "212-555-0147", "US", "+12125550147"),
		ok("US dots", "212.555.0147", "US", "+12125550147"),
		ok("US bare digits", "2125550147", "US", "+12125550147"),
		ok("US trunk prefix 1", "1 212 555 0147", "US", "+12125550147"),
		ok("US already E.164", "+12125550147", "US", "+12125550147"),
		ok("US international form", "+1 (212) 555-0147", "US", "+12125550147"),
		ok("US spaces around", "  (212) 555-0147\t", "US", "+12125550147"),
		ok("country in lower case", "212-555-0147", "us", "+12125550147"),
		ok("full-width digits", "２１２５５５０１４７", "US", "+12125550147"),
		ok("tel URI", "tel:+1-212-555-0147", "US", "+12125550147"),
		ok("vanity letters", "1-800-FLOWERS", "US", "+18003569377"),
		ok("toll-free", "+1 (800) 555-0199", "US", "+18005550199"),
		ok("Canada national", "(416) 555-0123", "CA", "+14165550123"),
		ok("Jamaica national (NANP)", "876-555-0123", "JM", "+18765550123"),
		ok("US dialling out with 011", "011 44 20 7946 0958", "US", "+442079460958"),
		bad("US seven digits: no area code", "555-0147", "US", phone.KindNeedsAreaCode),
		bad("US nine digits", "212 555 014", "US", phone.KindLength),
		bad("US twelve digits", "+1 212 555 0147 0", "US", phone.KindLength),
		bad("area code starting with 1", "(123) 555-0147", "US", phone.KindNotInUse),
		bad("area code 000", "(000) 555-0147", "US", phone.KindNotInUse),
		bad("area code 911", "+1 911 555 0147", "US", phone.KindNotInUse),
		bad("unassigned area code 555", "+1 555 010 2030", "US", phone.KindNotInUse),
		bad("reserved area code N9X", "(298) 555-0147", "US", phone.KindNotInUse),
		bad("exchange starting with 0", "(212) 055-0147", "US", phone.KindNotInUse),
		bad("exchange N11", "(212) 411-0147", "US", phone.KindNotInUse),
		bad("UK national form read as US", "020 7946 0958", "US", phone.KindLength),
		bad("extension", "+1 212 555 0147 ext. 12", "US", phone.KindExtension),
		bad("extension as x", "212-555-0147 x12", "US", phone.KindExtension),
		bad("empty", "", "US", phone.KindEmpty),
		bad("blank", "   ", "US", phone.KindEmpty),
		bad("words", "call me maybe", "US", phone.KindCharacters),
		bad("a stray letter", "212555014x", "US", phone.KindCharacters),
		bad("a stray letter inside", "212 555 O147", "US", phone.KindCharacters),
		bad("other punctuation", "212_555_0147", "US", phone.KindCharacters),
		bad("two pluses", "++12125550147", "US", phone.KindCharacters),
		bad("a plus inside", "212+555+0147", "US", phone.KindCharacters),
		bad("absurdly long", strings.Repeat("1", 70), "US", phone.KindLength),

		// International form, any default country.
		ok("Portugal international", "+351 912 345 678", "US", "+351912345678"),
		ok("UK international", "+44 20 7946 0958", "US", "+442079460958"),
		ok("UK international with (0)", "+44 (0)20 7946 0958", "US", "+442079460958"),
		ok("00 prefix", "0044 20 7946 0958", "US", "+442079460958"),
		ok("00 prefix, GB default", "00 1 212 555 0147", "GB", "+12125550147"),
		ok("Australia's 0011", "0011 44 20 7946 0958", "AU", "+442079460958"),
		ok("Italy keeps its 0", "+39 06 1234 5678", "US", "+390612345678"),
		ok("international without a default country", "+1 212 555 0147", "", "+12125550147"),
		ok("international with a country without a plan", "+81 3 1234 5678", "JP", "+81312345678"),
		bad("unassigned calling code", "+999 1234 5678", "US", phone.KindCountryCode),
		bad("calling code 0", "+0123456789", "US", phone.KindCountryCode),
		bad("trunk zero after the calling code", "+44 020 7946 0958", "US", phone.KindNotInUse),
		bad("international too long", "+351 912 345 678 901 234", "US", phone.KindLength),
		bad("international too short", "+44 1234", "US", phone.KindLength),
		bad("00 and too short", "0044 12", "GB", phone.KindLength),

		// National forms of other countries.
		ok("GB London", "020 7946 0958", "GB", "+442079460958"),
		ok("GB mobile", "07700 900123", "GB", "+447700900123"),
		bad("GB without the trunk 0", "20 7946 0958", "GB", phone.KindNeedsAreaCode),
		bad("a US number at a GB clinic", "(212) 555-0147", "GB", phone.KindNeedsAreaCode),
		ok("IE Dublin", "01 234 5678", "IE", "+35312345678"),
		ok("IE mobile", "085 123 4567", "IE", "+353851234567"),
		ok("AU Sydney", "(02) 9876 5432", "AU", "+61298765432"),
		ok("AU mobile", "0412 345 678", "AU", "+61412345678"),
		ok("NZ Auckland", "09 123 4567", "NZ", "+6491234567"),
		ok("NZ mobile", "021 123 4567", "NZ", "+64211234567"),
		ok("DE Berlin", "030 1234567", "DE", "+49301234567"),
		ok("DE mobile", "0151 23456789", "DE", "+4915123456789"),
		ok("FR Paris", "01 23 45 67 89", "FR", "+33123456789"),
		ok("FR mobile", "06.12.34.56.78", "FR", "+33612345678"),
		ok("ES Madrid", "912 34 56 78", "ES", "+34912345678"),
		ok("PT mobile", "912 345 678", "PT", "+351912345678"),
		ok("BR São Paulo mobile", "(11) 91234-5678", "BR", "+5511912345678"),
		ok("BR with trunk 0", "0 11 3123-4567", "BR", "+551131234567"),
		ok("MX Mexico City", "55 1234 5678", "MX", "+525512345678"),
		ok("IN mobile", "98765 43210", "IN", "+919876543210"),
		ok("IN mobile with trunk 0", "098765 43210", "IN", "+919876543210"),
		bad("GB too short", "020 7946", "GB", phone.KindLength),
		bad("GB too long", "020 7946 0958 12", "GB", phone.KindLength),
		bad("FR too short", "01 23 45 67", "FR", phone.KindLength),
		ok("FR dialling out with 00", "00 1 212 555 0147", "FR", "+12125550147"),
		bad("PT with a leading 0", "0912345678", "PT", phone.KindLength),
		bad("ES too long", "912 34 56 78 9", "ES", phone.KindLength),
		bad("AU too short", "02 9876 543", "AU", phone.KindLength),
		bad("MX too short", "55 1234 567", "MX", phone.KindLength),
		bad("national form without a country", "212 555 0147", "", phone.KindNeedsCountryCode),
		bad("national form of a country without a plan", "03 1234 5678", "JP", phone.KindNeedsCountryCode),
		bad("national form of an unknown country", "020 7946 0958", "ZZ", phone.KindNeedsCountryCode),
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := phone.E164(tc.in, tc.country)
			if tc.kind == 0 {
				if err != nil || got != tc.want {
					t.Fatalf("E164(%q, %q) = %q, %v; want %q", tc.in, tc.country, got, err, tc.want)
				}
				return
			}
			var pe *phone.Error
			if got != "" || !errors.As(err, &pe) || pe.Kind != tc.kind || !errors.Is(err, phone.ErrInvalid) {
				t.Fatalf("E164(%q, %q) = %q, %v (%#v); want kind %d", tc.in, tc.country, got, err, pe, tc.kind)
			}
			if pe.Error() == "" {
				t.Fatal("an error without a message")
			}
		})
	}
}

// The messages say what to do, with an example in the clinic's own form.
func TestMessages(t *testing.T) {
	for _, tc := range []struct{ in, country, want string }{
		{"555-0147", "US", "enter a number with its area code, e.g. (212) 555-0147"},
		{"020 7946", "GB", "is too short: enter the whole number with its area code, e.g. 020 7946 0958"},
		{"212 555 0147", "", "enter the number with + and its country code, e.g. +44 20 7946 0958"},
		{"+1 555 010 2030", "US", "area code 555 is not in use: check the number"},
		{"", "FR", "enter a phone number, e.g. 01 23 45 67 89"},
	} {
		if _, err := phone.E164(tc.in, tc.country); err == nil || err.Error() != tc.want {
			t.Errorf("E164(%q, %q): %v; want %q", tc.in, tc.country, err, tc.want)
		}
	}
}

func TestCountries(t *testing.T) {
	list := phone.Countries()
	for _, c := range []string{"US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "ES", "PT", "BR", "MX", "IN"} {
		if !phone.Supported(c) {
			t.Errorf("%s is not supported", c)
		}
		found := false
		for _, l := range list {
			found = found || l == c
		}
		if !found {
			t.Errorf("%s missing from Countries()", c)
		}
	}
	if phone.Supported("ZZ") || phone.Supported("") {
		t.Error("ZZ or empty supported")
	}
	for i := 1; i < len(list); i++ {
		if list[i-1] >= list[i] {
			t.Fatalf("Countries() not sorted: %v", list)
		}
	}
}

func FuzzE164(f *testing.F) {
	for _, s := range []string{"+1 (212) 555-0147", "212-555-0147", "+351 912 345 678", "tel:+442079460000",
		"1-800-FLOWERS", "+1 212 555 0147 ext. 12", "+39 06 1234 5678", "٠١٢٣٤٥٦٧٨٩", "+999 1234567", "+1 911 555 0147", "",
		"0044 20 7946 0958", "+44 (0)20 7946 0958"} {
		f.Add(s, "US")
		f.Add(s, "")
	}
	f.Add("020 7946 0000", "GB")
	f.Add("0912345678", "PT")
	f.Add("0412 345 678", "AU")
	f.Fuzz(func(t *testing.T, s, country string) {
		got, err := phone.E164(s, country)
		if err != nil {
			var pe *phone.Error
			if !errors.As(err, &pe) || pe.Kind == 0 || err.Error() == "" {
				t.Fatalf("E164(%q, %q) = %v", s, country, err)
			}
			return
		}
		if len(got) < 9 || len(got) > 16 || got[0] != '+' || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("E164(%q, %q) = %q, not E.164", s, country, got)
		}
		// E.164 reads back as itself whatever the default country.
		for _, c := range []string{country, "", "US", "GB", "AU"} {
			if again, err := phone.E164(got, c); err != nil || again != got {
				t.Fatalf("E164(%q, %q) = %q, which reads back (country %q) as %q, %v", s, country, got, c, again, err)
			}
		}
	})
}
