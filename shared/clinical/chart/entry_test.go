package chart

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
)

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// ent is an entry recorded minute minutes after t0, stored seq-th.
func ent(id string, minute int, tooth string, surfaces []string, kind, status string) Entry {
	return Entry{ID: id, PatientID: "p", Tooth: tooth, Surfaces: surfaces, Kind: kind, Status: status,
		RecordedAt: t0.Add(time.Duration(minute) * time.Minute), seq: int64(minute + 1)}
}

func fieldsOf(err error) []string {
	var out []string
	if e, ok := err.(*errs.Error); ok {
		for _, f := range e.Fields {
			out = append(out, f.Field)
		}
	}
	return out
}

func TestValidateEntry(t *testing.T) {
	ok := func(e Entry) Entry {
		if e.Kind == "" {
			e.Kind, e.Status = "caries", "condition"
		}
		if e.Tooth == "" {
			e.Tooth = "3"
		}
		return e
	}
	cases := []struct {
		name   string
		e      Entry
		fields []string
	}{
		{"caries on a molar", ok(Entry{Surfaces: []string{"M", "O"}}), nil},
		{"lower-case surfaces and letters", ok(Entry{Tooth: "c", Surfaces: []string{"m", "i"}}), nil},
		{"no tooth", Entry{Kind: "caries", Status: "condition"}, []string{"tooth"}},
		{"not a tooth", ok(Entry{Tooth: "33"}), []string{"tooth"}},
		{"occlusal on an incisor", ok(Entry{Tooth: "8", Surfaces: []string{"M", "O"}}), []string{"surfaces[1]"}},
		{"incisal on a premolar", ok(Entry{Tooth: "12", Surfaces: []string{"I"}}), []string{"surfaces[0]"}},
		{"unknown surface", ok(Entry{Surfaces: []string{"Q"}}), []string{"surfaces[0]"}},
		{"B and F together", ok(Entry{Surfaces: []string{"B", "O", "F"}}), []string{"surfaces[2]"}},
		{"a surface twice", ok(Entry{Surfaces: []string{"O", "O"}}), []string{"surfaces[1]"}},
		{"unknown kind", ok(Entry{Kind: "cavity", Status: "condition"}), []string{"kind"}},
		{"condition with a work status", ok(Entry{Kind: "caries", Status: "planned"}), []string{"status"}},
		{"work as a condition", ok(Entry{Kind: "filling", Status: "condition"}), []string{"status"}},
		{"existing extraction", ok(Entry{Kind: "extraction", Status: "existing"}), []string{"status"}},
		{"planned procedure", ok(Entry{Kind: "procedure", Status: "planned"}), nil},
		{"existing procedure", ok(Entry{Kind: "procedure", Status: "existing"}), []string{"status"}},
		{"missing with surfaces", ok(Entry{Kind: "missing", Status: "condition", Surfaces: []string{"O"}}), []string{"surfaces"}},
		{"bad status word", ok(Entry{Kind: "cavity", Status: "done"}), []string{"kind", "status"}},
		{"note too long", ok(Entry{Note: strings.Repeat("x", maxNote+1)}), []string{"note"}},
		{"code with an operator", ok(Entry{Code: "$gt"}), []string{"code"}},
		{"provider not an id", ok(Entry{ProviderID: "someone"}), []string{"providerId"}},
		{"every problem at once", Entry{Tooth: "8", Surfaces: []string{"O"}, Kind: "filling", Status: "condition", Code: "a b"},
			[]string{"surfaces[0]", "status", "code"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.e
			e.Surfaces = slices.Clone(e.Surfaces)
			err := validate(&e)
			if got := fieldsOf(err); !slices.Equal(got, c.fields) {
				t.Fatalf("validate: fields %v (%v), want %v", got, err, c.fields)
			}
			if err != nil && !errs.Is(err, errs.Invalid) {
				t.Fatalf("kind %s, want invalid", errs.KindOf(err))
			}
		})
	}
}

// The supersession rule, case by case: x recorded first, y later.
func TestSupersessionRule(t *testing.T) {
	x := func(surfaces []string, kind, status string) Entry { return ent("x", 0, "3", surfaces, kind, status) }
	y := func(tooth string, surfaces []string, kind, status string) Entry {
		return ent("y", 1, tooth, surfaces, kind, status)
	}
	mo := []string{"M", "O"}
	cases := []struct {
		name string
		x, y Entry
		want bool
	}{
		{"completed filling replaces caries on the same surfaces", x(mo, "caries", "condition"), y("3", mo, "filling", "completed"), true},
		{"existing filling replaces caries", x(mo, "caries", "condition"), y("3", mo, "filling", "existing"), true},
		{"planned filling leaves the caries", x(mo, "caries", "condition"), y("3", mo, "filling", "planned"), false},
		{"completed filling replaces the planned one", x(mo, "filling", "planned"), y("3", mo, "filling", "completed"), true},
		{"a new finding replaces an old one", x(mo, "caries", "condition"), y("3", mo, "fracture", "condition"), true},
		{"order of surfaces does not matter", x([]string{"O", "M"}, "caries", "condition"), y("3", mo, "filling", "completed"), true},
		{"B and F are one surface", x([]string{"B"}, "caries", "condition"), y("3", []string{"F"}, "filling", "completed"), true},
		{"other surfaces stay", x(mo, "caries", "condition"), y("3", []string{"M", "O", "D"}, "filling", "completed"), false},
		{"a surface entry does not replace the whole tooth", x(nil, "crown", "existing"), y("3", []string{"O"}, "caries", "condition"), false},
		{"whole tooth replaces whole tooth", x(nil, "crown", "planned"), y("3", nil, "crown", "completed"), true},
		{"another tooth", x(mo, "caries", "condition"), y("14", mo, "filling", "completed"), false},
		{"a root canal does not hide the crown", x(nil, "crown", "existing"), y("3", nil, "root_canal", "completed"), false},
		{"a crown does not hide the implant under it", x(nil, "implant", "existing"), y("3", nil, "crown", "completed"), false},
		{"recurrent caries leaves the filling charted", x(mo, "filling", "existing"), y("3", mo, "caries", "condition"), false},
		{"a new caries leaves the planned filling", x(mo, "filling", "planned"), y("3", mo, "caries", "condition"), false},
		{"a replacement filling replaces the old one", x(mo, "filling", "existing"), y("3", mo, "filling", "completed"), true},
		{"an implant replaces the missing tooth", x(nil, "missing", "condition"), y("3", nil, "implant", "completed"), true},
		{"a correction names its entry on any tooth", x(mo, "caries", "condition"), func() Entry {
			e := y("14", mo, "caries", "condition")
			e.Supersedes = "x"
			return e
		}(), true},
		{"a planned correction still corrects a condition", x(mo, "caries", "condition"), func() Entry {
			e := y("3", mo, "filling", "planned")
			e.Supersedes = "x"
			return e
		}(), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := supersedes(c.y, c.x); got != c.want {
				t.Fatalf("supersedes(y, x) = %t, want %t", got, c.want)
			}
			// Nothing supersedes what comes after it.
			if supersedes(c.x, c.y) {
				t.Fatal("an earlier entry superseded a later one")
			}
		})
	}
}

func TestSameMillisecondOrderedByStoring(t *testing.T) {
	a := ent("a", 0, "3", nil, "crown", "planned")
	b := ent("b", 0, "3", nil, "crown", "completed")
	a.seq, b.seq = 1, 2
	if !supersedes(b, a) || supersedes(a, b) {
		t.Fatal("the entry stored second must win a tie of recordedAt")
	}
}

func idsOf(cs []Charted) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestChartAsOf(t *testing.T) {
	entries := []Entry{
		ent("caries", 0, "3", []string{"M", "O"}, "caries", "condition"),
		ent("plan", 10, "3", []string{"O", "M"}, "filling", "planned"),
		ent("crown19", 10, "19", nil, "crown", "existing"),
		ent("done", 20, "3", []string{"M", "O"}, "filling", "completed"),
		ent("fix19", 30, "19", nil, "crown", "existing"),
	}
	entries[4].Supersedes = "crown19"
	for i := range entries {
		entries[i].seq = int64(i + 1)
	}
	// Stored out of order: derive sorts by recordedAt, then by storing.
	slices.Reverse(entries)
	cases := []struct {
		name         string
		asOf         time.Time
		all, current []string
		by           map[string]string
	}{
		{"before anything", t0.Add(-time.Minute), []string{}, []string{}, nil},
		{"the caries alone", t0.Add(5 * time.Minute), []string{"caries"}, []string{"caries"}, nil},
		{"planned: the caries stays", t0.Add(10 * time.Minute), []string{"caries", "plan", "crown19"}, []string{"caries", "plan", "crown19"}, nil},
		{"completed: caries and plan are history", t0.Add(25 * time.Minute), []string{"caries", "plan", "crown19", "done"}, []string{"crown19", "done"},
			map[string]string{"caries": "done", "plan": "done"}},
		{"now", time.Time{}, []string{"caries", "plan", "crown19", "done", "fix19"}, []string{"done", "fix19"},
			map[string]string{"caries": "done", "plan": "done", "crown19": "fix19"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chart := derive(entries, c.asOf)
			if got := idsOf(chart); !slices.Equal(got, c.all) {
				t.Fatalf("entries %v, want %v", got, c.all)
			}
			if got := idsOf(current(chart)); !slices.Equal(got, c.current) {
				t.Fatalf("in effect %v, want %v", got, c.current)
			}
			for _, e := range chart {
				if e.SupersededBy != c.by[e.ID] {
					t.Fatalf("%s superseded by %q, want %q", e.ID, e.SupersededBy, c.by[e.ID])
				}
			}
		})
	}
}

func TestMissingTooth(t *testing.T) {
	missing := ent("m", 0, "30", nil, "missing", "condition")
	pulled := ent("x", 0, "19", nil, "extraction", "completed")
	planned := ent("px", 0, "14", nil, "extraction", "planned")
	implant := ent("i", 5, "30", nil, "implant", "completed")
	cases := []struct {
		name    string
		entries []Entry
		tooth   string
		ignore  string
		want    bool
	}{
		{"charted missing", []Entry{missing}, "30", "", true},
		{"extracted here", []Entry{pulled}, "19", "", true},
		{"extraction only planned", []Entry{planned}, "14", "", false},
		{"another tooth", []Entry{missing}, "31", "", false},
		{"the correction of the missing entry", []Entry{missing}, "30", "m", false},
		{"an implant took its place", []Entry{missing, implant}, "30", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, got := missingTooth(derive(c.entries, time.Time{}), c.tooth, c.ignore); got != c.want {
				t.Fatalf("missing = %t, want %t", got, c.want)
			}
		})
	}
}
