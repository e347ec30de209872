package estimate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var asOf = Date(2026, time.March, 15)

// ppo is the worked cases' plan: a common PPO shape.
func ppo() Benefits {
	return Benefits{
		Coverage: map[string]int{"diagnostic": 100, "preventive": 100, "basic": 80, "major": 50, "endo": 80,
			"perio": 80, "prosth": 50, "ortho": 50, "surgery": 80},
		DeductibleCents:           5000,
		DeductibleWaivedFor:       []string{"diagnostic", "preventive"},
		AnnualMaximumCents:        150000,
		OrthoLifetimeMaximumCents: 100000,
		Frequencies: []Frequency{
			{Codes: []string{"CLN-AD", "CLN-CH"}, Count: 2, Per: PerBenefitYear},
			{Codes: []string{"PANO"}, Count: 1, Per: PerYears, Years: 5},
		},
		WaitingPeriods:        []WaitingPeriod{{Category: "major", Months: 12}},
		BenefitYearStartMonth: 1,
	}
}

func cov(priority string, b Benefits, u Usage) Coverage {
	return Coverage{ID: priority + "-cov", Priority: priority, PlanName: "Acme " + priority, Benefits: b,
		EffectiveDate: Date(2024, time.January, 1), Usage: u}
}

// met is a usage with the deductible already met.
var met = Usage{DeductibleMetCents: 5000}

type want struct {
	primary, secondary, patient int64
	// rules are the basis rules expected on the line, in order.
	rules []string
}

func TestEstimateWorkedCases(t *testing.T) {
	withBenefits := func(fn func(*Benefits)) Benefits { b := ppo(); fn(&b); return b }
	cases := []struct {
		name      string
		coverages []Coverage
		history   []Done
		items     []Item
		want      []want
		// usage, when set, is the coverages' usage after the items.
		usage []Usage
	}{
		{
			name:      "deductible split across two items",
			coverages: []Coverage{cov(Primary, ppo(), Usage{DeductibleMetCents: 2000})},
			items:     []Item{{ID: "a", Code: "FIL1", Category: "basic", FeeCents: 2000}, {ID: "b", Code: "FIL2", Category: "basic", FeeCents: 10000}},
			want: []want{
				// 2000 of the 3000 left, then 80% of nothing.
				{primary: 0, patient: 2000, rules: []string{RuleDeductible, RuleCoverage}},
				// the last 1000, then 80% of 9000.
				{primary: 7200, patient: 2800, rules: []string{RuleDeductible, RuleCoverage}},
			},
			usage: []Usage{{DeductibleMetCents: 5000, MaximumUsedCents: 7200}},
		},
		{
			name:      "maximum exhausted mid-plan",
			coverages: []Coverage{cov(Primary, ppo(), Usage{DeductibleMetCents: 5000, MaximumUsedCents: 140000})},
			items: []Item{{ID: "a", Code: "FIL1", Category: "basic", FeeCents: 5000},
				{ID: "b", Code: "FIL2", Category: "basic", FeeCents: 10000},
				{ID: "c", Code: "FIL3", Category: "basic", FeeCents: 10000}},
			want: []want{
				{primary: 4000, patient: 1000, rules: []string{RuleDeductible, RuleCoverage}},
				// 8000 due, 6000 of the maximum left.
				{primary: 6000, patient: 4000, rules: []string{RuleDeductible, RuleCoverage, RuleAnnualMaximum}},
				{primary: 0, patient: 10000, rules: []string{RuleDeductible, RuleCoverage, RuleAnnualMaximum}},
			},
			usage: []Usage{{DeductibleMetCents: 5000, MaximumUsedCents: 150000}},
		},
		{
			name:      "frequency exceeded pays nothing, last benefit year's does not count",
			coverages: []Coverage{cov(Primary, ppo(), met)},
			history:   []Done{{Code: "CLN-AD", At: Date(2025, time.December, 20)}, {Code: "CLN-AD", At: Date(2026, time.February, 10)}},
			items:     []Item{{ID: "a", Code: "CLN-AD", Category: "preventive", FeeCents: 9000}, {ID: "b", Code: "CLN-AD", Category: "preventive", FeeCents: 9000}},
			want: []want{
				{primary: 9000, patient: 0, rules: []string{RuleDeductible, RuleCoverage}},
				{primary: 0, patient: 9000, rules: []string{RuleFrequency}},
			},
		},
		{
			name:      "frequency in years: exactly five years ago is allowed, a day less is not",
			coverages: []Coverage{cov(Primary, ppo(), met), cov(Secondary, ppo(), met)},
			history:   []Done{{Code: "PANO", At: Date(2021, time.March, 15)}},
			items:     []Item{{ID: "a", Code: "PANO", Category: "diagnostic", FeeCents: 12000}, {ID: "b", Code: "PANO", Category: "diagnostic", FeeCents: 12000}},
			want: []want{
				{primary: 12000, secondary: 0, patient: 0, rules: []string{RuleDeductible, RuleCoverage, RuleDeductible, RuleCoverage, RuleCOB}},
				{primary: 0, secondary: 0, patient: 12000, rules: []string{RuleFrequency, RuleFrequency}},
			},
		},
		{
			name: "secondary coordinates benefits: at most the remainder",
			coverages: []Coverage{cov(Primary, ppo(), met),
				cov(Secondary, ppo(), Usage{})},
			items: []Item{{ID: "a", Code: "FIL1", Category: "basic", FeeCents: 10000}},
			want: []want{
				// Secondary as primary: 80% of (10000 − 5000) = 4000; 2000 remain.
				{primary: 8000, secondary: 2000, patient: 0, rules: []string{RuleDeductible, RuleCoverage, RuleDeductible, RuleCoverage, RuleCOB}},
			},
			usage: []Usage{{DeductibleMetCents: 5000, MaximumUsedCents: 8000}, {DeductibleMetCents: 5000, MaximumUsedCents: 2000}},
		},
		{
			name: "secondary coordinates benefits: never more than as primary",
			coverages: []Coverage{cov(Primary, withBenefits(func(b *Benefits) { b.WaitingPeriods = nil }), met),
				cov(Secondary, withBenefits(func(b *Benefits) { b.WaitingPeriods = nil }), Usage{})},
			items: []Item{{ID: "a", Code: "CRN", Category: "major", FeeCents: 10000}},
			want: []want{
				// Secondary as primary: 50% of 5000 = 2500, under the 5000 left.
				{primary: 5000, secondary: 2500, patient: 2500, rules: []string{RuleDeductible, RuleCoverage, RuleDeductible, RuleCoverage, RuleCOB}},
			},
		},
		{
			name: "waiting period pays nothing",
			coverages: []Coverage{func() Coverage {
				c := cov(Primary, ppo(), met)
				c.EffectiveDate = Date(2025, time.September, 1)
				return c
			}()},
			items: []Item{{ID: "a", Code: "CRN", Category: "major", FeeCents: 100000}, {ID: "b", Code: "FIL1", Category: "basic", FeeCents: 10000}},
			want: []want{
				{primary: 0, patient: 100000, rules: []string{RuleWaitingPeriod}},
				{primary: 8000, patient: 2000, rules: []string{RuleDeductible, RuleCoverage}},
			},
		},
		{
			name:      "deductible waived for preventive, then taken by basic",
			coverages: []Coverage{cov(Primary, ppo(), Usage{})},
			items:     []Item{{ID: "a", Code: "CLN-AD", Category: "preventive", FeeCents: 9000}, {ID: "b", Code: "FIL1", Category: "basic", FeeCents: 10000}},
			want: []want{
				{primary: 9000, patient: 0, rules: []string{RuleDeductible, RuleCoverage}},
				{primary: 4000, patient: 6000, rules: []string{RuleDeductible, RuleCoverage}},
			},
			usage: []Usage{{DeductibleMetCents: 5000, MaximumUsedCents: 13000}},
		},
		{
			name:      "ortho lifetime maximum caps ortho, the annual maximum does not",
			coverages: []Coverage{cov(Primary, ppo(), Usage{DeductibleMetCents: 5000, MaximumUsedCents: 149000, OrthoUsedCents: 80000})},
			items: []Item{{ID: "a", Code: "ORTHO", Category: "ortho", FeeCents: 500000}, {ID: "b", Code: "ORTHO-V", Category: "ortho", FeeCents: 10000},
				{ID: "c", Code: "FIL1", Category: "basic", FeeCents: 10000}},
			want: []want{
				{primary: 20000, patient: 480000, rules: []string{RuleDeductible, RuleCoverage, RuleOrthoLifetime}},
				{primary: 0, patient: 10000, rules: []string{RuleDeductible, RuleCoverage, RuleOrthoLifetime}},
				{primary: 1000, patient: 9000, rules: []string{RuleDeductible, RuleCoverage, RuleAnnualMaximum}},
			},
			usage: []Usage{{DeductibleMetCents: 5000, MaximumUsedCents: 150000, OrthoUsedCents: 100000}},
		},
		{
			name: "coverage terminated before the as-of date: the secondary pays as primary",
			coverages: []Coverage{func() Coverage {
				c := cov(Primary, ppo(), met)
				c.TerminationDate = Date(2026, time.February, 28)
				return c
			}(), cov(Secondary, ppo(), met)},
			items: []Item{{ID: "a", Code: "FIL1", Category: "basic", FeeCents: 10000}},
			want: []want{
				{primary: 0, secondary: 8000, patient: 2000, rules: []string{RuleNoCoverage, RuleDeductible, RuleCoverage, RuleCOB}},
			},
			usage: []Usage{met, {DeductibleMetCents: 5000, MaximumUsedCents: 8000}},
		},
		{
			name: "terminated on the as-of date is still in force; not yet effective is not",
			coverages: []Coverage{func() Coverage {
				c := cov(Primary, ppo(), met)
				c.TerminationDate = asOf
				return c
			}(), func() Coverage {
				c := cov(Secondary, ppo(), met)
				c.EffectiveDate = asOf.AddDate(0, 0, 1)
				return c
			}()},
			items: []Item{{ID: "a", Code: "FIL1", Category: "basic", FeeCents: 10000}},
			want:  []want{{primary: 8000, secondary: 0, patient: 2000, rules: []string{RuleDeductible, RuleCoverage, RuleNoCoverage}}},
		},
		{
			name:      "rounding half up to the cent, per line, after the deductible",
			coverages: []Coverage{cov(Primary, ppo(), Usage{DeductibleMetCents: 4999})},
			items: []Item{
				// 1 cent of deductible left: 50% of 12344 = 6172 exactly.
				{ID: "a", Code: "CRN", Category: "prosth", FeeCents: 12345},
				// 50% of 12345 = 6172.5 → 6173.
				{ID: "b", Code: "CRN", Category: "prosth", FeeCents: 12345},
				// 80% of 1999 = 1599.2 → 1599.
				{ID: "c", Code: "FIL1", Category: "basic", FeeCents: 1999},
				// 50% of 1 = 0.5 → 1.
				{ID: "d", Code: "CRN", Category: "prosth", FeeCents: 1},
			},
			want: []want{
				{primary: 6172, patient: 6173, rules: []string{RuleDeductible, RuleCoverage}},
				{primary: 6173, patient: 6172, rules: []string{RuleDeductible, RuleCoverage}},
				{primary: 1599, patient: 400, rules: []string{RuleDeductible, RuleCoverage}},
				{primary: 1, patient: 0, rules: []string{RuleDeductible, RuleCoverage}},
			},
		},
		{
			name: "not covered: a 0 % category and one the plan does not name",
			coverages: []Coverage{cov(Primary, withBenefits(func(b *Benefits) {
				b.Coverage["ortho"] = 0
				delete(b.Coverage, "surgery")
			}), Usage{})},
			items: []Item{{ID: "a", Code: "ORTHO", Category: "ortho", FeeCents: 500000}, {ID: "b", Code: "EXT", Category: "surgery", FeeCents: 20000},
				{ID: "c", Code: "FIL1", Category: "basic", FeeCents: 10000}},
			want: []want{
				{primary: 0, patient: 500000, rules: []string{RuleNotCovered}},
				{primary: 0, patient: 20000, rules: []string{RuleNotCovered}},
				// Uncovered items met no deductible: all of it applies here.
				{primary: 4000, patient: 6000, rules: []string{RuleDeductible, RuleCoverage}},
			},
		},
		{
			name:  "no coverage on file",
			items: []Item{{ID: "a", Code: "FIL1", Category: "basic", FeeCents: 10000}},
			want:  []want{{patient: 10000, rules: []string{RuleNoCoverage}}},
		},
		{
			name:      "benefit year from July: a cleaning in June is last year's",
			coverages: []Coverage{cov(Primary, withBenefits(func(b *Benefits) { b.BenefitYearStartMonth = 7 }), met)},
			// asOf is March 2026: the year runs 2025-07-01 to 2026-06-30.
			history: []Done{{Code: "CLN-AD", At: Date(2025, time.June, 30)}, {Code: "CLN-AD", At: Date(2025, time.July, 1)}},
			items:   []Item{{ID: "a", Code: "CLN-AD", Category: "preventive", FeeCents: 9000}, {ID: "b", Code: "CLN-CH", Category: "preventive", FeeCents: 7000}},
			want: []want{
				{primary: 9000, rules: []string{RuleDeductible, RuleCoverage}},
				// CLN-CH shares the limit with CLN-AD.
				{primary: 0, patient: 7000, rules: []string{RuleFrequency}},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Estimate(Input{AsOf: asOf, Currency: "USD", Coverages: tc.coverages, History: tc.history, Items: tc.items})
			if len(res.Lines) != len(tc.want) {
				t.Fatalf("lines = %d, want %d", len(res.Lines), len(tc.want))
			}
			var total, ins, pat int64
			for i, l := range res.Lines {
				w := tc.want[i]
				if l.PrimaryCents != w.primary || l.SecondaryCents != w.secondary || l.PatientCents != w.patient {
					t.Errorf("line %d: primary/secondary/patient = %d/%d/%d, want %d/%d/%d\n%s", i,
						l.PrimaryCents, l.SecondaryCents, l.PatientCents, w.primary, w.secondary, w.patient, texts(l))
				}
				if l.PrimaryCents+l.SecondaryCents+l.PatientCents != l.FeeCents || l.InsuranceCents != l.PrimaryCents+l.SecondaryCents {
					t.Errorf("line %d does not add up: %+v", i, l)
				}
				if got := rules(l); !slices.Equal(got, w.rules) {
					t.Errorf("line %d rules = %v, want %v\n%s", i, got, w.rules, texts(l))
				}
				for _, b := range l.Basis {
					if b.AsOf != "2026-03-15" || b.Text == "" || b.Numbers == nil {
						t.Errorf("line %d basis %+v lacks its as-of date, text or numbers", i, b)
					}
				}
				total, ins, pat = total+l.FeeCents, ins+l.InsuranceCents, pat+l.PatientCents
			}
			if res.TotalCents != total || res.InsuranceCents != ins || res.PatientCents != pat {
				t.Errorf("totals %d/%d/%d, lines sum to %d/%d/%d", res.TotalCents, res.InsuranceCents, res.PatientCents, total, ins, pat)
			}
			if tc.usage != nil && !slices.Equal(res.Usage, tc.usage) {
				t.Errorf("usage after = %+v, want %+v", res.Usage, tc.usage)
			}
		})
	}
}

func rules(l Line) []string {
	out := []string{}
	for _, b := range l.Basis {
		out = append(out, b.Rule)
	}
	return out
}

func texts(l Line) string {
	var sb strings.Builder
	for _, b := range l.Basis {
		fmt.Fprintf(&sb, "  %s %s: %s %v\n", b.Coverage, b.Rule, b.Text, b.Numbers)
	}
	return sb.String()
}

// TestBasisTexts pins what the desk reads out for the common rules.
func TestBasisTexts(t *testing.T) {
	res := Estimate(Input{AsOf: asOf, Currency: "USD", Coverages: []Coverage{cov(Primary, ppo(), Usage{DeductibleMetCents: 2000})},
		Items: []Item{{ID: "a", Code: "FIL1", Category: "basic", FeeCents: 12345}}})
	got := texts(res.Lines[0])
	for _, want := range []string{
		"$30.00 of the $50.00 deductible applies first ($30.00 of it was left; $0.00 left after).",
		"The primary plan covers basic at 80%: 80% of $93.45 is $74.76 (" + RoundingRule + ").",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("basis texts lack %q:\n%s", want, got)
		}
	}
}

func TestBenefitYear(t *testing.T) {
	cases := []struct {
		day      time.Time
		start    int
		from, to string
	}{
		{Date(2026, time.March, 15), 1, "2026-01-01", "2026-12-31"},
		{Date(2026, time.March, 15), 7, "2025-07-01", "2026-06-30"},
		{Date(2026, time.July, 1), 7, "2026-07-01", "2027-06-30"},
		{Date(2026, time.June, 30), 7, "2025-07-01", "2026-06-30"},
		{Date(2026, time.December, 31), 0, "2026-01-01", "2026-12-31"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s from month %d", tc.day.Format(time.DateOnly), tc.start), func(t *testing.T) {
			from, to := BenefitYear(tc.day, tc.start)
			if from.Format(time.DateOnly) != tc.from || to.Format(time.DateOnly) != tc.to {
				t.Errorf("benefit year = %s..%s, want %s..%s", from.Format(time.DateOnly), to.Format(time.DateOnly), tc.from, tc.to)
			}
		})
	}
}

func TestDayInTheClinicsZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	// 02:30 UTC on Jan 1 is still Dec 31 in New York: last benefit year.
	if got := Day(time.Date(2026, time.January, 1, 2, 30, 0, 0, time.UTC), ny); !got.Equal(Date(2025, time.December, 31)) {
		t.Errorf("Day = %s, want 2025-12-31", got)
	}
}

func BenchmarkEstimate20Items(b *testing.B) {
	covs := []Coverage{cov(Primary, ppo(), Usage{DeductibleMetCents: 1000, MaximumUsedCents: 50000}), cov(Secondary, ppo(), Usage{})}
	var history []Done
	for i := range 40 {
		history = append(history, Done{Code: []string{"CLN-AD", "PANO", "FIL1", "BWX"}[i%4], At: asOf.AddDate(0, 0, -30*i)})
	}
	var items []Item
	cats := []string{"preventive", "basic", "major", "diagnostic", "endo"}
	for i := range 20 {
		items = append(items, Item{ID: fmt.Sprint(i), Code: []string{"CLN-AD", "FIL1", "CRN", "PANO", "RCT"}[i%5], Category: cats[i%5], FeeCents: int64(5000 + 1000*i)})
	}
	in := Input{AsOf: asOf, Currency: "USD", Coverages: covs, History: history, Items: items}
	b.ReportAllocs()
	for b.Loop() {
		Estimate(in)
	}
}

// The desk reads the basis aloud: money as its screens show it, and a
// deductible already met said so (not "$0.00 of the $50.00 deductible").
func TestBasisTextsReadAsTheDeskSpeaks(t *testing.T) {
	for cents, want := range map[int64]string{0: "$0.00", 5: "$0.05", 125000: "$1,250.00", 123456789: "$1,234,567.89", -99900: "-$999.00"} {
		if got := (&Estimator{currency: "USD"}).money(cents); got != want {
			t.Errorf("money(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestAMetDeductibleIsSaidSo(t *testing.T) {
	e := New(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), "USD", []Coverage{cov(Primary, ppo(), Usage{DeductibleMetCents: 5000})}, nil)
	l := e.Item(Item{ID: "a", Code: "CRN", Category: "major", FeeCents: 125000})
	var texts []string
	for _, b := range l.Basis {
		texts = append(texts, b.Text)
	}
	joined := strings.Join(texts, " | ")
	if !strings.Contains(joined, "$50.00 deductible is already met") || strings.Contains(joined, "$0.00 of the") || !strings.Contains(joined, "$1,250.00") {
		t.Fatalf("basis: %s", joined)
	}
}
