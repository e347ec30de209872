package plans

import (
	"strconv"
	"strings"
)

// The chart package owns tooth numbering; a plan item only needs to know a
// tooth name is well formed and how FDI names it, kept here so plans does
// not import the chart.

// validTooth reports whether t is a Universal tooth: "1"–"32" (permanent)
// or "A"–"T" (primary).
func validTooth(t string) bool {
	if len(t) == 1 && t[0] >= 'A' && t[0] <= 'T' {
		return true
	}
	n, err := strconv.Atoi(t)
	return err == nil && n >= 1 && n <= 32 && strconv.Itoa(n) == t
}

// fdi is the FDI (ISO 3950) name of Universal tooth t, "" for none.
// Universal counts the upper arch from the patient's right, then the
// lower from the left; FDI names quadrant then position from the midline.
func fdi(t string) string {
	if !validTooth(t) {
		return ""
	}
	if n, err := strconv.Atoi(t); err == nil {
		switch {
		case n <= 8:
			return strconv.Itoa(10 + 9 - n) // 1 → 18 … 8 → 11
		case n <= 16:
			return strconv.Itoa(20 + n - 8) // 9 → 21 … 16 → 28
		case n <= 24:
			return strconv.Itoa(30 + 25 - n) // 17 → 38 … 24 → 31
		default:
			return strconv.Itoa(40 + n - 24) // 25 → 41 … 32 → 48
		}
	}
	n := int(t[0]-'A') + 1 // A = 1 … T = 20
	switch {
	case n <= 5:
		return strconv.Itoa(50 + 6 - n) // A → 55 … E → 51
	case n <= 10:
		return strconv.Itoa(60 + n - 5) // F → 61 … J → 65
	case n <= 15:
		return strconv.Itoa(70 + 16 - n) // K → 75 … O → 71
	default:
		return strconv.Itoa(80 + n - 15) // P → 81 … T → 85
	}
}

// surfaceOrder is the order surfaces are stored and answered in.
const surfaceOrder = "MODBFLI"

// normalizeSurfaces upper-cases and orders surfaces; ok is false for an
// unknown or repeated surface.
func normalizeSurfaces(in []string) ([]string, bool) {
	seen := map[string]bool{}
	for _, s := range in {
		u := strings.ToUpper(strings.TrimSpace(s))
		if len(u) != 1 || !strings.Contains(surfaceOrder, u) || seen[u] {
			return nil, false
		}
		seen[u] = true
	}
	out := []string{}
	for _, r := range surfaceOrder {
		if seen[string(r)] {
			out = append(out, string(r))
		}
	}
	return out, true
}
