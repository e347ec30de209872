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
	name := SanitizeFileName(fileName)
	fallback := asciiFallback(name)
	v := kind + `; filename="` + fallback + `"`
	if fallback != name {
		v += "; filename*=UTF-8''" + encodeExt(name)
	}
	return v
}

// SanitizeFileName makes a client's file name safe to store and to name a
// download by: no directories (a name is its last path element), no control
// or format characters (header injection, bidi overrides that disguise
// "gpj.exe" as "exe.jpg"), no quotes or backslashes, no leading dots (hidden
// files), at most 200 characters. An empty result is "document".
func SanitizeFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		case r == '"' || r == ':' || r == '*' || r == '?' || r == '<' || r == '>' || r == '|':
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimLeft(strings.TrimSpace(b.String()), ". ")
	out = strings.Join(strings.Fields(out), " ")
	if r := []rune(out); len(r) > 200 {
		out = strings.TrimSpace(string(r[:200]))
	}
	if out == "" {
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
