package blob

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ContentDisposition is the header a download is answered with: attachment
// (save as fileName) or inline (shown in the viewer), per RFC 6266. The
// quoted filename is an ASCII fallback (old clients); filename* carries the
// real name UTF-8 percent-encoded (RFC 8187) when it is not plain ASCII.
func ContentDisposition(fileName string, inline bool) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	name := headerSafe(fileName)
	fallback := asciiFallback(name)
	v := kind + `; filename="` + fallback + `"`
	if fallback != name {
		v += "; filename*=UTF-8''" + encodeExt(name)
	}
	return v
}

// headerSafe is name without what could break out of the header's quoted
// string: control and format characters, quotes and backslashes. (The
// documents part stores names already sanitized; this holds for any
// caller.)
func headerSafe(name string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case r == '"' || r == '\\':
			return '_'
		}
		return r
	}, name)
	if strings.TrimSpace(out) == "" {
		return "document"
	}
	return out
}

// asciiFallback replaces every non-ASCII rune with '_' (the quoted filename
// parameter is ASCII only).
func asciiFallback(name string) string {
	return strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII {
			return '_'
		}
		return r
	}, name)
}

// encodeExt is RFC 8187's value-chars: attr-chars as they are, every other
// byte of the UTF-8 name percent-encoded.
func encodeExt(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < utf8.RuneSelf && (('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
