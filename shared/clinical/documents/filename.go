package documents

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

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
