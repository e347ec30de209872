package chart

import (
	"strconv"
	"testing"
)

// Every permanent and primary tooth, written out by hand from the charts
// (not computed the way teeth.go computes them), both ways.
func TestNumberingConversion(t *testing.T) {
	cases := []struct {
		universal, fdi string
		arch           string
		quadrant       int
		primary        bool
		typ            ToothType
	}{
		{"1", "18", "upper", 1, false, Molar}, {"2", "17", "upper", 1, false, Molar}, {"3", "16", "upper", 1, false, Molar},
		{"4", "15", "upper", 1, false, Premolar}, {"5", "14", "upper", 1, false, Premolar}, {"6", "13", "upper", 1, false, Canine},
		{"7", "12", "upper", 1, false, Incisor}, {"8", "11", "upper", 1, false, Incisor},
		{"9", "21", "upper", 2, false, Incisor}, {"10", "22", "upper", 2, false, Incisor}, {"11", "23", "upper", 2, false, Canine},
		{"12", "24", "upper", 2, false, Premolar}, {"13", "25", "upper", 2, false, Premolar}, {"14", "26", "upper", 2, false, Molar},
		{"15", "27", "upper", 2, false, Molar}, {"16", "28", "upper", 2, false, Molar},
		{"17", "38", "lower", 3, false, Molar}, {"18", "37", "lower", 3, false, Molar}, {"19", "36", "lower", 3, false, Molar},
		{"20", "35", "lower", 3, false, Premolar}, {"21", "34", "lower", 3, false, Premolar}, {"22", "33", "lower", 3, false, Canine},
		{"23", "32", "lower", 3, false, Incisor}, {"24", "31", "lower", 3, false, Incisor},
		{"25", "41", "lower", 4, false, Incisor}, {"26", "42", "lower", 4, false, Incisor}, {"27", "43", "lower", 4, false, Canine},
		{"28", "44", "lower", 4, false, Premolar}, {"29", "45", "lower", 4, false, Premolar}, {"30", "46", "lower", 4, false, Molar},
		{"31", "47", "lower", 4, false, Molar}, {"32", "48", "lower", 4, false, Molar},
		{"A", "55", "upper", 1, true, Molar}, {"B", "54", "upper", 1, true, Molar}, {"C", "53", "upper", 1, true, Canine},
		{"D", "52", "upper", 1, true, Incisor}, {"E", "51", "upper", 1, true, Incisor},
		{"F", "61", "upper", 2, true, Incisor}, {"G", "62", "upper", 2, true, Incisor}, {"H", "63", "upper", 2, true, Canine},
		{"I", "64", "upper", 2, true, Molar}, {"J", "65", "upper", 2, true, Molar},
		{"K", "75", "lower", 3, true, Molar}, {"L", "74", "lower", 3, true, Molar}, {"M", "73", "lower", 3, true, Canine},
		{"N", "72", "lower", 3, true, Incisor}, {"O", "71", "lower", 3, true, Incisor},
		{"P", "81", "lower", 4, true, Incisor}, {"Q", "82", "lower", 4, true, Incisor}, {"R", "83", "lower", 4, true, Canine},
		{"S", "84", "lower", 4, true, Molar}, {"T", "85", "lower", 4, true, Molar},
	}
	if len(cases) != 52 {
		t.Fatalf("table has %d teeth, want 32 permanent + 20 primary", len(cases))
	}
	for _, c := range cases {
		t.Run(c.universal, func(t *testing.T) {
			got, ok := LookupTooth(c.universal)
			if !ok {
				t.Fatalf("LookupTooth(%q) not found", c.universal)
			}
			if got.FDI != c.fdi || got.Arch != c.arch || got.Quadrant != c.quadrant || got.Primary != c.primary || got.Type != c.typ || got.Supernumerary {
				t.Fatalf("LookupTooth(%q) = %+v, want fdi %s %s quadrant %d primary %t %s", c.universal, got, c.fdi, c.arch, c.quadrant, c.primary, c.typ)
			}
			back, ok := FromFDI(c.fdi)
			if !ok || back.Universal != c.universal {
				t.Fatalf("FromFDI(%q) = %q, %t; want %q", c.fdi, back.Universal, ok, c.universal)
			}
		})
	}
}

func TestSupernumeraries(t *testing.T) {
	cases := []struct {
		universal, beside string
	}{{"51", "1"}, {"58", "8"}, {"65", "15"}, {"82", "32"}, {"AS", "A"}, {"ES", "E"}, {"TS", "T"}, {"js", "J"}}
	for _, c := range cases {
		t.Run(c.universal, func(t *testing.T) {
			got, ok := LookupTooth(c.universal)
			near, _ := LookupTooth(c.beside)
			if !ok || !got.Supernumerary || got.FDI != "" {
				t.Fatalf("LookupTooth(%q) = %+v, %t: want a supernumerary without an FDI number", c.universal, got, ok)
			}
			if got.Type != near.Type || got.Quadrant != near.Quadrant || got.Primary != near.Primary {
				t.Fatalf("%s is %+v, want the type and place of %s (%+v)", c.universal, got, c.beside, near)
			}
		})
	}
	// FDI 51–55 are primary teeth, never Universal supernumeraries.
	if got, _ := FromFDI("51"); got.Universal != "E" {
		t.Fatalf("FromFDI(51) = %q, want E", got.Universal)
	}
}

func TestNotTeeth(t *testing.T) {
	for _, u := range []string{"", "0", "33", "50", "83", "U", "AA", "01", " 3", "S1", "-1"} {
		if got, ok := LookupTooth(u); ok {
			t.Errorf("LookupTooth(%q) = %+v, want none", u, got)
		}
	}
	for _, f := range []string{"", "10", "19", "49", "56", "60", "66", "86", "90", "99", "1", "016"} {
		if got, ok := FromFDI(f); ok {
			t.Errorf("FromFDI(%q) = %+v, want none", f, got)
		}
	}
}

func TestEveryToothOnce(t *testing.T) {
	all := Teeth()
	if len(all) != 32+20+32+20 {
		t.Fatalf("%d teeth", len(all))
	}
	seen := map[string]bool{}
	fdi := 0
	for i, tooth := range all {
		if seen[tooth.Universal] || tooth.order != i {
			t.Fatalf("tooth %s repeated or out of order", tooth.Universal)
		}
		seen[tooth.Universal] = true
		if tooth.FDI != "" {
			fdi++
			if n, _ := strconv.Atoi(tooth.FDI); n/10 < 1 || n/10 > 8 {
				t.Fatalf("tooth %s: FDI %s", tooth.Universal, tooth.FDI)
			}
		}
	}
	if fdi != 52 {
		t.Fatalf("%d teeth with an FDI number, want 52", fdi)
	}
}

func TestSurfacesByToothType(t *testing.T) {
	cases := []struct {
		tooth, surface string
		ok             bool
	}{
		{"8", "I", true}, {"8", "O", false}, {"8", "F", true}, {"8", "B", true}, {"8", "M", true}, {"8", "L", true},
		{"6", "I", true}, {"6", "O", false},
		{"5", "O", true}, {"5", "I", false},
		{"3", "O", true}, {"3", "I", false}, {"3", "B", true}, {"3", "F", true}, {"3", "D", true},
		{"C", "O", false}, {"C", "I", true}, {"A", "O", true}, {"A", "I", false},
		{"58", "O", false}, {"AS", "I", false},
		{"3", "X", false}, {"3", "", false}, {"3", "MO", false},
	}
	for _, c := range cases {
		t.Run(c.tooth+"/"+c.surface, func(t *testing.T) {
			tooth, _ := LookupTooth(c.tooth)
			if p := surfaceProblem(tooth, c.surface); (p == "") != c.ok {
				t.Fatalf("surfaceProblem(%s, %q) = %q, want ok %t", c.tooth, c.surface, p, c.ok)
			}
		})
	}
}
