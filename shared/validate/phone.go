package validate

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
)

// Phone answers s in E.164 ("+12125550147") if it is a valid number: one in
// international form ("+1 (212) 555-0147") or in the national form of
// region ("212-555-0147" with "US"), an ISO 3166-1 alpha-2 code. An empty
// region accepts international form only. An extension is refused, since
// E.164 cannot hold it.
//
// It checks structure, not every country's numbering plan: an assigned
// country calling code, E.164's length, and for North American numbers
// (+1) the NANP rules that catch most typing mistakes (area code and
// exchange of the form NXX, no N11 service codes, no reserved area
// codes). libphonenumber's full metadata would add about 12 MiB and 13 ms
// of package init to every function that reads a phone number.
func Phone(s, region string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return "", ErrPhone
	}
	if strings.HasPrefix(strings.ToLower(s), "tel:") {
		s = s[len("tel:"):]
	}
	if extension.MatchString(s) {
		return "", ErrPhoneExtension
	}
	digits, international, ok := phoneDigits(s)
	if !ok {
		return "", ErrPhone
	}
	var cc, nsn string
	if international {
		if cc = callingCode(digits); cc == "" {
			return "", ErrPhone
		}
		nsn = digits[len(cc):]
	} else {
		plan, known := nationalPlans[strings.ToUpper(region)]
		if !known {
			return "", ErrPhone
		}
		cc, nsn = plan.code, digits
		switch {
		case cc == "1" && len(nsn) == 11 && nsn[0] == '1':
			nsn = nsn[1:] // the NANP's trunk prefix
		case plan.trunk != "" && strings.HasPrefix(nsn, plan.trunk):
			nsn = nsn[len(plan.trunk):]
		}
	}
	if cc == "1" {
		if !validNANP(nsn) {
			return "", ErrPhone
		}
	} else if len(nsn) < 6 || len(cc)+len(nsn) > 15 || nsn[0] == '0' && cc != "39" {
		return "", ErrPhone
	}
	return "+" + cc + nsn, nil
}

// extension is a number's trailing extension: "ext. 12", "x12", "#12".
var extension = regexp.MustCompile(`(?i)\d[\s.)-]*(?:ext\.?|extension|x|#)\s*\d+$`)

// keypad maps letters to the digits they share a key with (1-800-FLOWERS).
const keypad = "22233344455566677778889999"

// phoneDigits reads s's digits (any script's decimal digits, letters as on a
// keypad) past the usual separators, and whether it starts with "+".
func phoneDigits(s string) (digits string, international, ok bool) {
	var b strings.Builder
	real := 0
	for i, r := range s {
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
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			b.WriteByte(keypad[unicode.ToLower(r)-'a'])
		case strings.ContainsRune(" -.()/\u00a0", r):
		default:
			return "", false, false
		}
	}
	// Letters stand for digits only in a number that has some of its own.
	return b.String(), international, real >= 4
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

// validNANP checks a North American national number: NXX area code (no
// N11, N9X, 37X, 96X or the unassigned 555), NXX exchange (no N11), four
// digits.
func validNANP(n string) bool {
	if len(n) != 10 {
		return false
	}
	area, exchange := n[:3], n[3:6]
	nxx := func(x string) bool { return x[0] >= '2' && x[0] <= '9' && x[1:] != "11" }
	switch {
	case !nxx(area) || !nxx(exchange), area[1] == '9', area[:2] == "37", area[:2] == "96", area == "555":
		return false
	}
	return true
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

// nationalPlan is how a region's numbers are written nationally: its
// calling code, and the trunk prefix dialled before them ("020 …" in GB).
type nationalPlan struct{ code, trunk string }

// nationalPlans are the regions whose national form Phone reads.
var nationalPlans = map[string]nationalPlan{
	"US": {"1", ""}, "CA": {"1", ""}, "PR": {"1", ""},
	"GB": {"44", "0"}, "IE": {"353", "0"}, "PT": {"351", ""}, "ES": {"34", ""}, "FR": {"33", "0"},
	"DE": {"49", "0"}, "IT": {"39", ""}, "NL": {"31", "0"}, "BE": {"32", "0"}, "CH": {"41", "0"},
	"AU": {"61", "0"}, "NZ": {"64", "0"}, "MX": {"52", ""}, "BR": {"55", "0"}, "IN": {"91", "0"},
}
