package plans

import (
	"slices"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
)

func TestFDI(t *testing.T) {
	cases := map[string]string{
		"1": "18", "8": "11", "9": "21", "16": "28", "17": "38", "24": "31", "25": "41", "32": "48", "3": "16", "30": "46",
		"A": "55", "E": "51", "F": "61", "J": "65", "K": "75", "O": "71", "P": "81", "T": "85",
		"0": "", "33": "", "U": "", "a": "", "03": "", "": "",
	}
	for in, want := range cases {
		if got := fdi(in); got != want {
			t.Errorf("fdi(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeSurfaces(t *testing.T) {
	cases := []struct {
		in   []string
		want []string
		ok   bool
	}{
		{[]string{"o", "M"}, []string{"M", "O"}, true},
		{[]string{"I", "L", "F", "B", "D", "O", "M"}, []string{"M", "O", "D", "B", "F", "L", "I"}, true},
		{[]string{"O", "o"}, nil, false},
		{[]string{"X"}, nil, false},
		{[]string{"MO"}, nil, false},
	}
	for _, c := range cases {
		got, ok := normalizeSurfaces(c.in)
		if ok != c.ok || c.ok && !slices.Equal(got, c.want) {
			t.Errorf("normalizeSurfaces(%v) = %v %v, want %v %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestSameName(t *testing.T) {
	cases := []struct {
		typed, name string
		want        bool
	}{
		{"José da Silva", "José da Silva", true},
		{"  jose   DA  silva ", "José da Silva", true},
		{"ZOË O'BRIEN", "Zoë O'Brien", true},
		{"Jose Silva", "José da Silva", false},
		{"José", "José da Silva", false},
		{"", " ", false},
	}
	for _, c := range cases {
		if got := sameName(c.typed, c.name); got != c.want {
			t.Errorf("sameName(%q, %q) = %v", c.typed, c.name, got)
		}
	}
}

func TestEntryID(t *testing.T) {
	plan, a, b := ids.New(), ids.New(), ids.New()
	first, again := EntryID(plan, a), EntryID(plan, a)
	if first != again || first == EntryID(plan, b) || first == chargeID(plan, a) || first == EntryID(a, plan) {
		t.Fatal("entry ids must be the same per item and differ between items and from charge ids")
	}
	if !ids.Valid(EntryID(plan, a)) || !ids.Valid(chargeID(plan, a)) {
		t.Fatalf("%q is not a valid id", EntryID(plan, a))
	}
}

func TestParseCSV(t *testing.T) {
	t.Run("a quoted description over two lines counts its lines", func(t *testing.T) {
		_, err := parseCSV([]byte("code,description,category,feeCents\nA-1,\"two\nlines\",basic,1\nB 2,x,basic,1\n"))
		var e *errs.Error
		if !errs.Is(err, errs.Invalid) || !asErr(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "line 4" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("header case and spacing, chart kinds", func(t *testing.T) {
		rows, err := parseCSV([]byte(" Code , DESCRIPTION,category,feecents,chartKind\nA-1,x,Basic,1,filling\nA-2,y,major, 2 ,\n"))
		if err != nil || len(rows) != 2 || rows[0].ChartKind != "filling" || rows[0].Category != "basic" || *rows[1].FeeCents != 2 {
			t.Fatalf("%+v %v", rows, err)
		}
	})
	t.Run("every problem of a line in one message", func(t *testing.T) {
		_, err := parseCSV([]byte("code,description,category,feeCents\n,,nope,-1\n"))
		var e *errs.Error
		if !asErr(err, &e) || len(e.Fields) != 1 || strings.Count(e.Fields[0].Message, ";") != 3 {
			t.Fatalf("%v", err)
		}
	})
}

func asErr(err error, out **errs.Error) bool {
	e, ok := err.(*errs.Error)
	*out = e
	return ok
}
