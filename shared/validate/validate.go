// Package validate is TopSmile's one reading of the values people and
// clients type: email addresses, calendar dates and RFC 3339 instants
// (phone numbers: shared/phone). Identity, patients and scheduling all use it, so an address
// accepted at sign-up is accepted on the patient record, and a time accepted
// by one list is accepted by every other.
//
// Each reader answers the normalized value or one of the Err values below,
// whose text is the client-safe field message; Check and QueryInstant put
// that message into an errs.Validator under the field's name, which the HTTP
// layer answers as a 400 with fields.
package validate

import (
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/topsmile/topsmile/shared/errs"
)

// The errors the readers answer. Their text is the field message a client sees.
var (
	ErrEmail   = errors.New("must be an email address")
	ErrDate    = errors.New("must be a date YYYY-MM-DD")
	ErrInstant = errors.New("must be an RFC 3339 time with a UTC offset, such as 2025-03-09T14:30:00Z")
)

// Limits from RFC 5321 (the whole path, and the local part).
const (
	maxEmail      = 254
	maxEmailLocal = 64
	maxLabel      = 63
)

// Email answers s trimmed and lower-cased if it is a plain address
// (local@domain.tld): no display name, comment, quoting or address literal,
// a domain of dot-separated labels whose last is not all digits. Letters
// outside ASCII are accepted (internationalized addresses).
func Email(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > maxEmail {
		return "", ErrEmail
	}
	// ParseAddress judges the local part; answering anything but s itself
	// means s carried a name, a comment or quotes.
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", ErrEmail
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > maxEmailLocal || !validDomain(s[at+1:]) {
		return "", ErrEmail
	}
	return s, nil
}

// validDomain reports whether d is a host name of two labels or more.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabel || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}

// Date reads a calendar date, exactly YYYY-MM-DD and a real day
// (2024-02-29, not 2025-02-29), as midnight UTC.
func Date(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Format(time.DateOnly) != s {
		return time.Time{}, ErrDate
	}
	return t, nil
}

// rfc3339 is the shape time.Parse does not insist on: it also takes a comma
// before the fraction and offsets of 24 hours, which RFC 3339 does not.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`)

// Instant reads an RFC 3339 time with its offset ("Z" or "±hh:mm"; a time
// without one names no instant) and answers it in UTC, refusing one whose
// UTC year is outside 0000–9999.
func Instant(s string) (time.Time, error) {
	if !rfc3339.MatchString(s) {
		return time.Time{}, ErrInstant
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	// In UTC the year must still have four digits: 0000-01-01T00:00:00+00:10
	// is in year -1, which no RFC 3339 string (nor encoding/json) can answer.
	if err != nil || t.UTC().Year() < 0 || t.UTC().Year() > 9999 {
		return time.Time{}, ErrInstant
	}
	return t.UTC(), nil
}

// Check records err's message for field in v when err is not nil, and
// reports whether it was nil.
func Check(v *errs.Validator, field string, err error) bool {
	if err != nil {
		v.Check(false, field, err.Error())
	}
	return err == nil
}

// QueryInstant reads the optional query parameter name as an Instant: the
// zero time when it is absent or empty, and a field error in v when it is
// not an instant. A "+" in the offset that reached the server unescaped has
// been decoded to a space by the query's form encoding; it is read as the
// "+" it was.
func QueryInstant(q url.Values, name string, v *errs.Validator) time.Time {
	s := q.Get(name)
	if s == "" {
		return time.Time{}
	}
	if i := len(s) - len("+hh:mm"); i > 0 && s[i] == ' ' {
		s = s[:i] + "+" + s[i+1:]
	}
	t, err := Instant(s)
	Check(v, name, err)
	return t
}
