// Package phone reads the phone numbers people type into E.164
// ("(212) 555-0147" with the clinic's country US → "+12125550147"), the one
// form TopSmile stores, texts, compares and answers. It is the only phone
// parser: patient records, sign-up, the opt-out ledger and the texts all
// read numbers through E164.
//
// It checks structure, not every country's numbering plan: an assigned
// country calling code and E.164's length for numbers written with + (or
// an international prefix such as 00); for the North American Numbering
// Plan (+1) the rules that catch most typing mistakes (area code and
// exchange of the form NXX, no N11 service codes, no reserved area codes);
// and for a few common countries their national form (trunk prefix 0 and
// the national number's length). libphonenumber's full metadata
// (github.com/nyaruka/phonenumbers) would add about 12 MiB and 13 ms of
// package init to every function that reads a phone number.
package phone

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Kind says what is wrong with a number (for tests and callers that
// branch; people read Error's message).
type Kind int

const (
	KindEmpty            Kind = iota + 1 // nothing typed
	KindCharacters                       // letters or symbols a number does not have
	KindExtension                        // an extension E.164 cannot hold
	KindCountryCode                      // + followed by no assigned calling code
	KindNeedsCountryCode                 // national form of a country without a plan here
	KindNeedsAreaCode                    // a local number without its area code
	KindLength                           // too few or too many digits
	KindNotInUse                         // an area code, exchange or prefix no number has
)

// Error is a number E164 cannot read. Its message is the field message a
// client sees ("enter a number with its area code, e.g. (212) 555-0147").
type Error struct {
	Kind Kind
	msg  string
}

func (e *Error) Error() string { return e.msg }

// Is makes every *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// ErrInvalid matches (errors.Is) every error E164 answers.
var ErrInvalid = errors.New("not a phone number")

func fail(k Kind, format string, a ...any) (string, error) {
	return "", &Error{Kind: k, msg: fmt.Sprintf(format, a...)}
}

// plan is how a country's numbers are written nationally.
type plan struct {
	code  string // country calling code
	trunk string // national trunk prefix dialled before the number ("020 …" in GB)
	// bareOK: numbers are as often written without the trunk prefix (BR
	// and IN); elsewhere one without it may be another country's.
	bareOK   bool
	intl     string // international prefix besides 00 ("011" in North America)
	min, max int    // digits of the national significant number
	example  string // a number in national form, for messages
}

// nanp is the North American Numbering Plan's national form.
var nanp = plan{code: "1", intl: "011", min: 10, max: 10, example: "(212) 555-0147"}

// plans are the countries whose national form E164 reads (ISO 3166-1
// alpha-2). The NANP countries share +1.
var plans = map[string]plan{
	"US": nanp, "CA": nanp, "PR": nanp, "VI": nanp, "GU": nanp, "AS": nanp, "MP": nanp,
	"AG": nanp, "AI": nanp, "BB": nanp, "BM": nanp, "BS": nanp, "DM": nanp, "DO": nanp, "GD": nanp,
	"JM": nanp, "KN": nanp, "KY": nanp, "LC": nanp, "MS": nanp, "SX": nanp, "TC": nanp, "TT": nanp,
	"VC": nanp, "VG": nanp,
	"GB": {code: "44", trunk: "0", min: 9, max: 10, example: "020 7946 0958"},
	"IE": {code: "353", trunk: "0", min: 7, max: 9, example: "01 234 5678"},
	"AU": {code: "61", trunk: "0", intl: "0011", min: 9, max: 9, example: "02 9876 5432"},
	"NZ": {code: "64", trunk: "0", min: 8, max: 10, example: "09 123 4567"},
	"DE": {code: "49", trunk: "0", min: 6, max: 13, example: "030 1234567"},
	"FR": {code: "33", trunk: "0", min: 9, max: 9, example: "01 23 45 67 89"},
	"ES": {code: "34", min: 9, max: 9, example: "912 34 56 78"},
	"PT": {code: "351", min: 9, max: 9, example: "912 345 678"},
	"IT": {code: "39", min: 6, max: 11, example: "06 1234 5678"},
	"NL": {code: "31", trunk: "0", min: 9, max: 9, example: "020 123 4567"},
	"BE": {code: "32", trunk: "0", min: 8, max: 9, example: "02 123 45 67"},
	"CH": {code: "41", trunk: "0", min: 9, max: 9, example: "044 123 45 67"},
	"BR": {code: "55", trunk: "0", bareOK: true, min: 10, max: 11, example: "(11) 91234-5678"},
	"MX": {code: "52", min: 10, max: 10, example: "55 1234 5678"},
	"IN": {code: "91", trunk: "0", bareOK: true, min: 10, max: 10, example: "98765 43210"},
}

// Countries are the countries whose national form E164 reads, sorted: the
// choices of a clinic's country.
func Countries() []string {
	out := make([]string, 0, len(plans))
	for c := range plans {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Supported reports whether E164 reads country's national form.
func Supported(country string) bool {
	_, ok := plans[strings.ToUpper(country)]
	return ok
}

// Example is a number as written in country (its national form), or in
// international form for a country without a plan here.
func Example(country string) string {
	if p, ok := plans[strings.ToUpper(country)]; ok {
		return p.example
	}
	return "+44 20 7946 0958"
}

// E164 answers raw in E.164 if it is a valid number: in international form
// ("+1 (212) 555-0147", "00 44 20 7946 0958") or in the national form of
// country ("212-555-0147" with "US", "020 7946 0958" with "GB"), an ISO
// 3166-1 alpha-2 code. A country without a plan here (or "") accepts the
// international form only. An extension is refused, since E.164 cannot
// hold it. The error is an *Error whose message says what is wrong.
func E164(raw, country string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return fail(KindEmpty, "enter a phone number, e.g. %s", Example(country))
	}
	if len(s) > 64 {
		return fail(KindLength, "is too long for a phone number")
	}
	if strings.HasPrefix(strings.ToLower(s), "tel:") {
		s = s[len("tel:"):]
	}
	if extension.MatchString(s) {
		return fail(KindExtension, "enter the number without an extension")
	}
	// "+44 (0)20 7946 0958": the trunk prefix written in brackets after
	// the country code is dialled only nationally.
	s = strings.Replace(s, "(0)", "", 1)
	digits, international, ok := phoneDigits(s)
	if !ok {
		return fail(KindCharacters, "use only digits, spaces and ( ) - . with an optional leading +, e.g. %s", Example(country))
	}
	p, known := plans[strings.ToUpper(country)]
	if !international {
		// Dialled from abroad: the country's international prefix, or the
		// common 00, followed by a calling code ("(000) 555-0147" is a
		// mistyped area code, not a call abroad).
		for _, prefix := range []string{p.intl, "00"} {
			if prefix != "" && strings.HasPrefix(digits, prefix) && callingCode(digits[len(prefix):]) != "" {
				digits, international = digits[len(prefix):], true
				break
			}
		}
	}
	if international {
		return internationalForm(digits)
	}
	if !known {
		return fail(KindNeedsCountryCode, "enter the number with + and its country code, e.g. +44 20 7946 0958")
	}
	return nationalForm(digits, p)
}

// internationalForm checks digits that start with a calling code.
func internationalForm(digits string) (string, error) {
	cc := callingCode(digits)
	if cc == "" {
		return fail(KindCountryCode, "does not start with a country calling code after the +, e.g. +1 212 555 0147")
	}
	nsn := digits[len(cc):]
	if cc == "1" {
		return checkNANP(nsn)
	}
	if len(digits) < 8 || len(digits) > 15 {
		return fail(KindLength, "must have 8 to 15 digits with its country code, e.g. +44 20 7946 0958")
	}
	// Italy's numbers keep their 0 after +39; elsewhere a 0 there is the
	// trunk prefix, dialled only nationally.
	if nsn[0] == '0' && cc != "39" {
		return fail(KindNotInUse, "leave out the 0 after the country code +%s", cc)
	}
	return "+" + digits, nil
}

// nationalForm checks a number written as dialled within p's country.
func nationalForm(digits string, p plan) (string, error) {
	if p.code == "1" {
		switch {
		case len(digits) == 11 && digits[0] == '1':
			digits = digits[1:] // the NANP's trunk prefix
		case len(digits) == 7:
			return fail(KindNeedsAreaCode, "enter a number with its area code, e.g. %s", p.example)
		}
		return checkNANP(digits)
	}
	// Where numbers are dialled with a trunk prefix, one written without it
	// is as likely another country's number ("212 555 0147" in GB).
	if !strings.HasPrefix(digits, p.trunk) && !p.bareOK {
		return fail(KindNeedsAreaCode, "enter the whole number with its area code, starting with %s, e.g. %s", p.trunk, p.example)
	}
	nsn := strings.TrimPrefix(digits, p.trunk)
	switch {
	case len(nsn) < p.min:
		return fail(KindLength, "is too short: enter the whole number with its area code, e.g. %s", p.example)
	case len(nsn) > p.max:
		return fail(KindLength, "has too many digits, e.g. %s", p.example)
	case nsn[0] == '0' && p.code != "39":
		return fail(KindNotInUse, "starts with too many zeros, e.g. %s", p.example)
	}
	return "+" + p.code + nsn, nil
}

// checkNANP checks a North American national number: NXX area code (no
// N11, N9X, 37X, 96X or the unassigned 555), NXX exchange (no N11), four
// digits.
func checkNANP(n string) (string, error) {
	if len(n) != 10 {
		return fail(KindLength, "must have 10 digits: the area code and the number, e.g. (212) 555-0147")
	}
	area, exchange := n[:3], n[3:6]
	switch {
	case area[0] < '2':
		return fail(KindNotInUse, "the area code cannot start with 0 or 1, e.g. (212) 555-0147")
	case area[1:] == "11", area[1] == '9', area[:2] == "37", area[:2] == "96", area == "555":
		return fail(KindNotInUse, "area code %s is not in use: check the number", area)
	case exchange[0] < '2':
		return fail(KindNotInUse, "the three digits after the area code cannot start with 0 or 1")
	case exchange[1:] == "11":
		return fail(KindNotInUse, "%s after the area code is a service code, not a number: check the number", exchange)
	}
	return "+1" + n, nil
}

// extension is a number's trailing extension: "ext. 12", "x12", "#12".
var extension = regexp.MustCompile(`(?i)\d[\s.)-]*(?:ext\.?|extension|x|#)\s*\d+$`)

// keypad maps letters to the digits they share a key with (1-800-FLOWERS).
const keypad = "22233344455566677778889999"

// phoneDigits reads s's digits (any script's decimal digits, words as on a
// keypad) past the usual separators, and whether it starts with "+".
func phoneDigits(s string) (digits string, international, ok bool) {
	var b strings.Builder
	real, letters := 0, 0
	for i, r := range s {
		isLetter := r < unicode.MaxASCII && unicode.IsLetter(r)
		if !isLetter {
			if letters == 1 {
				return "", false, false // a stray letter is a typo, not a word
			}
			letters = 0
		}
		switch {
		case r == '+' && i == 0:
			international = true
		case unicode.IsDigit(r):
			d, err := digitValue(r)
			if err != nil {
				return "", false, false
			}
			b.WriteByte(d)
			real++
		case isLetter:
			b.WriteByte(keypad[unicode.ToLower(r)-'a'])
			letters++
		case strings.ContainsRune(" -.()/\u00a0", r):
		default:
			return "", false, false
		}
	}
	// Letters stand for digits only in words of a number that has some
	// digits of its own.
	return b.String(), international, real >= 4 && letters != 1
}

func digitValue(r rune) (byte, error) {
	// Decimal digits come in runs of ten from a zero code point.
	for z := r; z >= r-9; z-- {
		if unicode.IsDigit(z) && !unicode.IsDigit(z-1) {
			return byte('0' + (r-z)%10), nil
		}
	}
	return 0, errors.New("not a decimal digit")
}

// callingCode is the assigned ITU country calling code digits start with.
func callingCode(digits string) string {
	for n := 1; n <= 3 && n < len(digits); n++ {
		if strings.Contains(callingCodes, " "+digits[:n]+" ") {
			return digits[:n]
		}
	}
	return ""
}

// callingCodes are the assigned country calling codes (ITU-T E.164 list);
// no code is a prefix of another.
const callingCodes = " 1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66" +
	" 81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 225 226 227 228 229" +
	" 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 258" +
	" 260 261 262 263 264 265 266 267 268 269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359" +
	" 370 371 372 373 374 375 376 377 378 379 380 381 382 383 385 386 387 389 420 421 423" +
	" 500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 599" +
	" 670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 691 692" +
	" 800 808 850 852 853 855 856 870 878 880 881 882 883 886 888" +
	" 960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 979 992 993 994 995 996 998 "
