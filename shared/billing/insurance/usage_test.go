package insurance

import (
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/billing/estimate"
)

// The usage rules of stand, on a ledger history built by hand: which
// payments count toward this benefit year, which charges are pending, and
// the clinic's calendar deciding the day.
func TestStandUsage(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	julyPlan := Plan{ID: "p1", Name: "July PPO", BenefitYearStartMonth: 7,
		Coverage:   map[string]int{"basic": 80, "ortho": 50, "preventive": 100},
		Deductible: Deductible{IndividualCents: 5000, WaivedFor: []string{"preventive"}}, AnnualMaximumCents: 100000, OrthoLifetimeMaximumCents: 200000}
	cov := coverage{ID: "c1", PatientID: "pt", PlanID: "p1", Priority: estimate.Primary, EffectiveDate: "2020-01-01"}
	at := func(y int, m time.Month, d, hour int) time.Time { return time.Date(y, m, d, hour, 0, 0, 0, time.UTC) }
	asOf := estimate.Date(2026, time.March, 15) // benefit year 2025-07-01 .. 2026-06-30

	cases := []struct {
		name    string
		history []core.HistoryEntry
		want    Usage
	}{
		{
			name: "payments of the year count, last year's do not, ortho counts for life",
			history: []core.HistoryEntry{
				{Kind: core.KindInsurancePayment, CoverageID: "c1", Code: "FIL", Category: "basic", AmountCents: 7000, DeductibleCents: 5000, At: at(2025, time.June, 20, 15)},
				{Kind: core.KindInsurancePayment, CoverageID: "c1", Code: "FIL", Category: "basic", AmountCents: 4000, DeductibleCents: 2000, At: at(2025, time.August, 1, 15)},
				{Kind: core.KindInsurancePayment, CoverageID: "c1", Code: "ORT", Category: "ortho", AmountCents: 30000, At: at(2023, time.May, 1, 15)},
				{Kind: core.KindInsurancePayment, CoverageID: "other", Code: "FIL", Category: "basic", AmountCents: 9999, At: at(2025, time.August, 1, 15)},
			},
			want: Usage{DeductibleMetCents: 2000, MaximumUsedCents: 4000, OrthoUsedCents: 30000},
		},
		{
			name: "a payment at 02:00 UTC on July 1 is June 30 in New York: last year's",
			history: []core.HistoryEntry{
				{Kind: core.KindInsurancePayment, CoverageID: "c1", Code: "FIL", Category: "basic", AmountCents: 4000, DeductibleCents: 1000, At: at(2025, time.July, 1, 2)},
			},
			want: Usage{},
		},
		{
			name: "an unsettled charge of the year is pending; one a line paid, or older than the year, is not",
			history: []core.HistoryEntry{
				{Kind: core.KindCharge, Code: "FIL", Category: "basic", Tooth: "3", AmountCents: 10000, At: at(2025, time.May, 1, 15)},
				{Kind: core.KindCharge, Code: "FIL", Category: "basic", Tooth: "3", AmountCents: 10000, At: at(2025, time.September, 1, 15)},
				{Kind: core.KindCharge, Code: "FIL", Category: "basic", Tooth: "4", AmountCents: 10000, At: at(2025, time.October, 1, 15)},
				{Kind: core.KindInsurancePayment, CoverageID: "c1", Code: "FIL", Category: "basic", Tooth: "3", AmountCents: 4000, DeductibleCents: 5000, At: at(2025, time.October, 5, 15)},
			},
			// The tooth 4 filling: deductible met by the EOB, 80% of 10000.
			want: Usage{DeductibleMetCents: 5000, MaximumUsedCents: 4000, PendingCents: 8000},
		},
		{
			name: "an EOB without lines settles every charge up to its day",
			history: []core.HistoryEntry{
				{Kind: core.KindCharge, Code: "FIL", Category: "basic", AmountCents: 10000, At: at(2025, time.September, 1, 15)},
				{Kind: core.KindInsurancePayment, CoverageID: "c1", AmountCents: 3000, At: at(2025, time.September, 10, 15)},
				{Kind: core.KindCharge, Code: "CLN", Category: "preventive", AmountCents: 9000, At: at(2025, time.September, 20, 15)},
			},
			want: Usage{MaximumUsedCents: 3000, PendingCents: 9000},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := stand([]coverage{cov}, map[string]Plan{"p1": julyPlan}, tc.history, asOf, ny, "USD")
			got := st.usage["c1"]
			tc.want.BenefitYear = Span{From: "2025-07-01", To: "2026-06-30"}
			if got != tc.want {
				t.Errorf("usage = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestChosenCoverages(t *testing.T) {
	all := []coverage{
		{ID: "old", Priority: "primary", EffectiveDate: "2019-01-01", TerminationDate: "2021-12-31"},
		{ID: "now", Priority: "primary", EffectiveDate: "2022-01-01"},
		{ID: "later", Priority: "secondary", EffectiveDate: "2027-01-01"},
	}
	cases := []struct {
		day  string
		want []string
	}{
		{"2026-03-15", []string{"now", "later"}},
		{"2020-06-01", []string{"old", "later"}},
		{"2027-01-01", []string{"now", "later"}},
	}
	for _, tc := range cases {
		t.Run(tc.day, func(t *testing.T) {
			var got []string
			for _, c := range chosen(all, tc.day) {
				got = append(got, c.ID)
			}
			if len(got) != len(tc.want) || got[0] != tc.want[0] || got[1] != tc.want[1] {
				t.Errorf("chosen = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"W123456789": "••••6789", "1234": "••••", "AB": "••", "": ""} {
		if got := mask(in); got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
}
