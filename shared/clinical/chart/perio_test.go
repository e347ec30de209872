package chart

import (
	"slices"
	"testing"
	"time"
)

func num(v float64) *float64 { return &v }

func TestCAL(t *testing.T) {
	cases := []struct {
		depth, margin, cal int
	}{{3, 0, 3}, {3, 1, 4}, {5, 2, 7}, {4, -2, 2}, {0, 0, 0}, {15, 15, 30}, {2, -10, -8}}
	for _, c := range cases {
		if got := (Site{Depth: c.depth, Margin: c.margin}).CAL(); got != c.cal {
			t.Errorf("CAL(depth %d, margin %d) = %d, want %d", c.depth, c.margin, got, c.cal)
		}
	}
}

func TestExamInput(t *testing.T) {
	site := func(name string, depth, margin float64) SiteInput {
		return SiteInput{Site: name, Depth: num(depth), Margin: num(margin)}
	}
	good := ToothInput{ToothName: ToothName{Tooth: "3"}, Mobility: num(0), Furcation: num(1), Sites: []SiteInput{site("MB", 3, 1)}}
	cases := []struct {
		name   string
		in     ExamInput
		fields []string
	}{
		{"one tooth", ExamInput{Teeth: []ToothInput{good}}, nil},
		{"by FDI", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{FDI: "16"}, Sites: []SiteInput{site("B", 2, 0)}}}}, nil},
		{"tooth and FDI agree", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "3", FDI: "16"}, Sites: []SiteInput{site("B", 2, 0)}}}}, nil},
		{"no teeth", ExamInput{}, []string{"teeth"}},
		{"tooth and FDI disagree", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "3", FDI: "26"}, Sites: []SiteInput{site("B", 2, 0)}}}}, []string{"teeth[0].fdi"}},
		{"not a tooth", ExamInput{Teeth: []ToothInput{good, {ToothName: ToothName{Tooth: "33"}, Sites: []SiteInput{site("B", 2, 0)}}}}, []string{"teeth[1].tooth"}},
		{"a tooth twice", ExamInput{Teeth: []ToothInput{good, {ToothName: ToothName{FDI: "16"}, Sites: []SiteInput{site("B", 2, 0)}}}}, []string{"teeth[1].tooth"}},
		{"depth out of range", ExamInput{Teeth: []ToothInput{good, {ToothName: ToothName{Tooth: "4"}, Sites: []SiteInput{site("MB", 2, 0), site("B", 16, 0)}}}},
			[]string{"teeth[1].sites[1].depth"}},
		{"negative depth", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "4"}, Sites: []SiteInput{site("MB", -1, 0)}}}}, []string{"teeth[0].sites[0].depth"}},
		{"half a millimetre", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "4"}, Sites: []SiteInput{site("MB", 2.5, 0)}}}}, []string{"teeth[0].sites[0].depth"}},
		{"margin out of range", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "4"}, Sites: []SiteInput{site("MB", 2, -11), site("B", 2, 16)}}}},
			[]string{"teeth[0].sites[0].margin", "teeth[0].sites[1].margin"}},
		{"depth missing", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "4"}, Sites: []SiteInput{{Site: "MB"}}}}}, []string{"teeth[0].sites[0].depth"}},
		{"unknown site", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "4"}, Sites: []SiteInput{site("MF", 2, 0)}}}}, []string{"teeth[0].sites[0].site"}},
		{"a site twice", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "4"}, Sites: []SiteInput{site("L", 2, 0), site("L", 3, 0)}}}}, []string{"teeth[0].sites[1].site"}},
		{"mobility 4", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "4"}, Mobility: num(4), Sites: []SiteInput{site("L", 2, 0)}}}}, []string{"teeth[0].mobility"}},
		{"furcation on an incisor", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "8"}, Furcation: num(1), Sites: []SiteInput{site("L", 2, 0)}}}}, []string{"teeth[0].furcation"}},
		{"furcation 0 on an incisor", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "8"}, Furcation: num(0), Sites: []SiteInput{site("L", 2, 0)}}}}, nil},
		{"nothing recorded for a tooth", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "8"}}}}, []string{"teeth[0].sites"}},
		{"mobility alone", ExamInput{Teeth: []ToothInput{{ToothName: ToothName{Tooth: "8"}, Mobility: num(2)}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.in.Exam()
			if got := fieldsOf(err); !slices.Equal(got, c.fields) {
				t.Fatalf("fields %v (%v), want %v", got, err, c.fields)
			}
		})
	}
}

func TestExamInChartOrderWithSummary(t *testing.T) {
	x, err := ExamInput{Teeth: []ToothInput{
		{ToothName: ToothName{Tooth: "30"}, Sites: []SiteInput{{Site: "DL", Depth: num(6), Bleeding: true}, {Site: "MB", Depth: num(5), Margin: num(1)}}},
		{ToothName: ToothName{Tooth: "3"}, Sites: []SiteInput{{Site: "B", Depth: num(2), Bleeding: true}}},
	}}.Exam()
	if err != nil {
		t.Fatal(err)
	}
	if x.Teeth[0].Tooth != "3" || x.Teeth[1].Sites[0].Site != "MB" || x.Teeth[1].Sites[0].Margin != 1 || x.Teeth[1].Sites[1].Margin != 0 {
		t.Fatalf("exam %+v: want teeth and sites in chart order, an unmeasured margin 0", x.Teeth)
	}
	if got, want := x.Summary(), (Summary{Teeth: 2, Sites: 3, BleedingSites: 2, DeepSites: 2}); got != want {
		t.Fatalf("summary %+v, want %+v", got, want)
	}
}

func TestCompare(t *testing.T) {
	exam := func(at time.Time, teeth ...ExamTooth) Exam { return Exam{RecordedAt: at, Teeth: teeth} }
	older := exam(t0,
		ExamTooth{Tooth: "3", Sites: []Site{{Site: "MB", Depth: 3, Margin: 0}, {Site: "B", Depth: 3, Margin: 1}, {Site: "DB", Depth: 4}}},
		ExamTooth{Tooth: "30", Sites: []Site{{Site: "L", Depth: 4}}},
		ExamTooth{Tooth: "14", Sites: []Site{{Site: "DL", Depth: 3}}},
	)
	newer := exam(t0.AddDate(0, 6, 0),
		// MB: depth +2 → CAL +2 (worse); B: depth +1, recession +1 → CAL +2 (worse);
		// DB: +1 (not enough).
		ExamTooth{Tooth: "3", Sites: []Site{{Site: "MB", Depth: 5}, {Site: "B", Depth: 4, Margin: 2}, {Site: "DB", Depth: 5}, {Site: "L", Depth: 9}}},
		// Deeper pocket, but the margin grew over: CAL the same.
		ExamTooth{Tooth: "30", Sites: []Site{{Site: "L", Depth: 6, Margin: -2}}},
		// Better.
		ExamTooth{Tooth: "14", Sites: []Site{{Site: "DL", Depth: 1}}},
		// Not probed before: nothing to compare.
		ExamTooth{Tooth: "19", Sites: []Site{{Site: "B", Depth: 8}}},
	)
	want := []Worse{{ToothName: Named("3"), Site: "MB", Before: 3, After: 5, Change: 2}, {ToothName: Named("3"), Site: "B", Before: 4, After: 6, Change: 2}}
	for name, got := range map[string][]Worse{"newer against older": Compare(newer, older), "older against newer": Compare(older, newer)} {
		if !slices.Equal(got, want) {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}
	if got := Compare(older, older); len(got) != 0 {
		t.Errorf("an exam against itself: %+v", got)
	}
}
