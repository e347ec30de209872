// Package estimate is the insurance estimate engine: given a patient's
// coverages (primary, then secondary), what each has already paid this
// benefit year, the procedures done before, and the items to estimate, it
// says for each item what each coverage pays and what the patient pays,
// and why, in sentences the front desk can read out.
//
// It is pure: no I/O, no clock, no database. The insurance package reads
// the plan, the coverages and the ledger and hands them in.
//
// The rules, in the order they apply to one item and one coverage:
//
//  1. The coverage must be in force on the as-of date (effective on or
//     before it, not terminated before it), else it pays nothing
//     ("no_coverage").
//  2. A category the plan covers at 0 % or does not name is not covered.
//  3. A category still in its waiting period (months from the coverage's
//     effective date) pays nothing.
//  4. A frequency limit already reached (counting the procedures done and
//     the items estimated before this one) pays nothing.
//  5. The remaining individual deductible is taken from the fee first,
//     unless the plan waives it for the category.
//  6. The coverage percentage applies to what is left. Rounding: a
//     percentage of cents rounds half up to the cent, per line, after the
//     deductible is taken (RoundingRule).
//  7. The result is capped by the remaining annual maximum, or for ortho by
//     the remaining ortho lifetime maximum (ortho does not draw on the
//     annual maximum).
//  8. A secondary coverage coordinates benefits: it pays at most what
//     remains after the primary (fee − primary) and never more than it
//     would pay as primary (steps 1–7 with its own plan and usage).
//
// Each item consumes what it uses as the engine walks the items in order:
// deductible, maximum and frequency, so a deductible splits across two
// items and a maximum runs out mid-plan.
//
// Dates are civil dates in the clinic's calendar, carried as time.Time at
// midnight UTC (see Day); the caller converts instants with the clinic's
// time zone.
package estimate

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// RoundingRule is the one rounding rule of every estimate, stated in the
// basis of every coverage line.
const RoundingRule = "percentages of cents round half up to the cent, per line, after the deductible is taken"

// Categories are the procedure categories a plan's coverage names.
var Categories = []string{"diagnostic", "preventive", "basic", "major", "endo", "perio", "prosth", "ortho", "surgery"}

// CategoryOrtho is the category whose benefits draw on the ortho lifetime
// maximum instead of the annual maximum.
const CategoryOrtho = "ortho"

// Frequency period kinds.
const (
	PerBenefitYear = "benefit_year"
	PerYears       = "years"
)

// Priorities of a coverage.
const (
	Primary   = "primary"
	Secondary = "secondary"
)

// Basis rules.
const (
	RuleCoverage      = "coverage"
	RuleDeductible    = "deductible"
	RuleAnnualMaximum = "annual_maximum"
	RuleFrequency     = "frequency"
	RuleWaitingPeriod = "waiting_period"
	RuleNotCovered    = "not_covered"
	RuleCOB           = "cob"
	RuleOrthoLifetime = "ortho_lifetime"
	RuleNoCoverage    = "no_coverage"
)

// Frequency limits how often the plan pays for any of Codes: Count times
// per benefit year, or Count times in Years years.
type Frequency struct {
	Codes []string
	Count int
	Per   string
	Years int
}

// WaitingPeriod is the months from a coverage's effective date before the
// plan pays for Category.
type WaitingPeriod struct {
	Category string
	Months   int
}

// Benefits are a plan's benefits.
type Benefits struct {
	// Coverage is the percent (0..100) the plan pays per category; a
	// category it does not name is not covered.
	Coverage map[string]int
	// DeductibleCents is the individual deductible per benefit year.
	DeductibleCents int64
	// DeductibleWaivedFor are the categories the deductible does not apply
	// to (typically diagnostic and preventive).
	DeductibleWaivedFor []string
	// AnnualMaximumCents is the most the plan pays per benefit year
	// (ortho excepted); 0 is no maximum.
	AnnualMaximumCents int64
	// OrthoLifetimeMaximumCents is the most the plan ever pays for ortho;
	// 0 is no maximum.
	OrthoLifetimeMaximumCents int64
	Frequencies               []Frequency
	WaitingPeriods            []WaitingPeriod
	// BenefitYearStartMonth is the month (1..12) the benefit year starts
	// on the 1st of; 0 is January.
	BenefitYearStartMonth int
}

// Usage is what a coverage has used before the items estimated.
type Usage struct {
	// DeductibleMetCents is the deductible met this benefit year.
	DeductibleMetCents int64
	// MaximumUsedCents is the benefits paid this benefit year.
	MaximumUsedCents int64
	// OrthoUsedCents is the ortho benefits paid, ever.
	OrthoUsedCents int64
}

// Coverage is one of the patient's coverages with its plan.
type Coverage struct {
	ID string
	// Priority is Primary or Secondary.
	Priority string
	PlanName string
	Benefits Benefits
	// EffectiveDate is the first day in force; TerminationDate the last
	// (zero: open-ended).
	EffectiveDate   time.Time
	TerminationDate time.Time
	Usage           Usage
}

// Done is a procedure done before (for frequency limits).
type Done struct {
	Code string
	At   time.Time
}

// Item is a procedure to estimate.
type Item struct {
	ID       string
	Code     string
	Category string
	Tooth    string
	FeeCents int64
}

// Basis is one reason behind a line's amounts.
type Basis struct {
	// Coverage is Primary or Secondary: whose rule it is.
	Coverage string           `json:"coverage"`
	Rule     string           `json:"rule"`
	Text     string           `json:"text"`
	Numbers  map[string]int64 `json:"numbers"`
	// AsOf is the date the rule was judged on (YYYY-MM-DD).
	AsOf string `json:"asOf"`
}

// Line is the estimate of one item.
type Line struct {
	ItemID         string  `json:"itemId"`
	Code           string  `json:"code"`
	Tooth          string  `json:"tooth"`
	Category       string  `json:"category"`
	FeeCents       int64   `json:"feeCents"`
	PrimaryCents   int64   `json:"primaryCents"`
	SecondaryCents int64   `json:"secondaryCents"`
	InsuranceCents int64   `json:"insuranceCents"`
	PatientCents   int64   `json:"patientCents"`
	Basis          []Basis `json:"basis"`
}

// Input is what an estimate is made of.
type Input struct {
	// AsOf is the date the items are estimated for.
	AsOf time.Time
	// Currency is the ISO 4217 code the texts name amounts in.
	Currency string
	// Coverages are primary first, then secondary (at most one each are
	// used; a third is ignored).
	Coverages []Coverage
	// History is the procedures done before, any order.
	History []Done
	Items   []Item
}

// Result is an estimate.
type Result struct {
	Lines          []Line
	TotalCents     int64
	InsuranceCents int64
	PatientCents   int64
	// Usage is each coverage's usage after the items (same order as
	// Input.Coverages).
	Usage []Usage
}

// Estimate estimates in.Items in order.
func Estimate(in Input) Result {
	e := New(in.AsOf, in.Currency, in.Coverages, in.History)
	res := Result{Lines: make([]Line, 0, len(in.Items))}
	for _, it := range in.Items {
		l := e.Item(it)
		res.Lines = append(res.Lines, l)
		res.TotalCents += l.FeeCents
		res.InsuranceCents += l.InsuranceCents
		res.PatientCents += l.PatientCents
	}
	res.Usage = e.Usage()
	return res
}

// Day is the civil date of t in loc, as the engine carries dates.
func Day(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Date is a civil date (YYYY-MM-DD) as the engine carries it.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// BenefitYear is the benefit year holding day for a plan whose year starts
// on the 1st of startMonth (0 is January): from its first day to its last.
func BenefitYear(day time.Time, startMonth int) (from, to time.Time) {
	if startMonth < 1 || startMonth > 12 {
		startMonth = 1
	}
	y := day.Year()
	if int(day.Month()) < startMonth {
		y--
	}
	from = Date(y, time.Month(startMonth), 1)
	return from, from.AddDate(1, 0, -1)
}

// Estimator walks items one at a time, each consuming what it uses.
type Estimator struct {
	asOf     time.Time
	asOfText string
	currency string
	covs     []*state
}

// state is one coverage's standing as the items are walked.
type state struct {
	Coverage
	// dedLeft, maxLeft and orthoLeft are what remains (maxLeft and
	// orthoLeft are -1 for no maximum).
	dedLeft, maxLeft, orthoLeft int64
	yearFrom                    time.Time
	// done is the codes done in the windows this coverage's frequency
	// limits look at: the history first, then each item walked.
	done []Done
	used Usage
}

// New is an Estimator for the coverages (primary first) on day asOf.
func New(asOf time.Time, currency string, coverages []Coverage, history []Done) *Estimator {
	e := &Estimator{asOf: asOf, asOfText: asOf.Format(time.DateOnly), currency: currency}
	for i, c := range coverages {
		if i == 2 {
			break
		}
		if c.Priority == "" {
			c.Priority = []string{Primary, Secondary}[i]
		}
		from, _ := BenefitYear(asOf, c.Benefits.BenefitYearStartMonth)
		s := &state{Coverage: c, yearFrom: from, used: c.Usage,
			dedLeft: max(0, c.Benefits.DeductibleCents-c.Usage.DeductibleMetCents), maxLeft: -1, orthoLeft: -1}
		if m := c.Benefits.AnnualMaximumCents; m > 0 {
			s.maxLeft = max(0, m-c.Usage.MaximumUsedCents)
		}
		if m := c.Benefits.OrthoLifetimeMaximumCents; m > 0 {
			s.orthoLeft = max(0, m-c.Usage.OrthoUsedCents)
		}
		s.done = append(make([]Done, 0, len(history)+8), history...)
		e.covs = append(e.covs, s)
	}
	return e
}

// Usage is each coverage's usage so far, including the items walked.
func (e *Estimator) Usage() []Usage {
	out := make([]Usage, len(e.covs))
	for i, s := range e.covs {
		out[i] = s.used
	}
	return out
}

// Item estimates it and consumes what it uses.
func (e *Estimator) Item(it Item) Line {
	l := Line{ItemID: it.ID, Code: it.Code, Tooth: it.Tooth, Category: it.Category, FeeCents: max(0, it.FeeCents), Basis: []Basis{}}
	if len(e.covs) == 0 {
		l.Basis = append(l.Basis, e.basis(Primary, RuleNoCoverage, nil, "No insurance coverage is on file; the patient pays the fee."))
	}
	for i, s := range e.covs {
		v := e.judge(s, l.FeeCents, it)
		pays := v.pays
		if i == 1 {
			remainder := l.FeeCents - l.PrimaryCents
			if pays > remainder {
				v.basis = append(v.basis, e.basis(s.Priority, RuleCOB, map[string]int64{"asPrimaryCents": pays, "remainderCents": remainder, "paidCents": remainder},
					"Coordination of benefits: the secondary would pay %s as primary but pays only what remains after the primary, %s.",
					e.money(pays), e.money(remainder)))
				pays = remainder
			} else if pays > 0 {
				v.basis = append(v.basis, e.basis(s.Priority, RuleCOB, map[string]int64{"asPrimaryCents": pays, "remainderCents": remainder, "paidCents": pays},
					"Coordination of benefits: the secondary pays %s, no more than it would as primary, of the %s left after the primary.",
					e.money(pays), e.money(remainder)))
			}
			l.SecondaryCents = pays
		} else {
			l.PrimaryCents = pays
		}
		e.consume(s, it, v, pays)
		l.Basis = append(l.Basis, v.basis...)
	}
	for _, s := range e.covs {
		// The procedure is done whoever pays for it: it counts toward
		// every coverage's frequency limits.
		s.done = append(s.done, Done{Code: it.Code, At: e.asOf})
	}
	l.InsuranceCents = l.PrimaryCents + l.SecondaryCents
	l.PatientCents = l.FeeCents - l.InsuranceCents
	return l
}

// verdict is what one coverage would pay for an item as if it were the
// only coverage, and why.
type verdict struct {
	pays int64
	// deductible is the deductible the item meets; covered is whether the
	// item reached the deductible step at all (a coverage refusing it
	// earlier, for not being in force, not covering the category, a
	// waiting period or a frequency limit, meets no deductible with it:
	// the deductible meets only on covered services).
	deductible int64
	covered    bool
	basis      []Basis
}

// judge is coverage s's verdict on item it of fee. It changes nothing:
// consume charges s with it.
func (e *Estimator) judge(s *state, fee int64, it Item) verdict {
	who := s.Priority
	refuse := func(rule string, numbers map[string]int64, format string, args ...any) verdict {
		return verdict{basis: []Basis{e.basis(who, rule, numbers, format, args...)}}
	}
	if e.asOf.Before(s.EffectiveDate) {
		return refuse(RuleNoCoverage, nil, "The %s coverage (%s) starts on %s, after %s: it pays nothing.",
			who, s.PlanName, s.EffectiveDate.Format(time.DateOnly), e.asOfText)
	}
	if !s.TerminationDate.IsZero() && s.TerminationDate.Before(e.asOf) {
		return refuse(RuleNoCoverage, nil, "The %s coverage (%s) ended on %s, before %s: it pays nothing.",
			who, s.PlanName, s.TerminationDate.Format(time.DateOnly), e.asOfText)
	}
	pct, ok := s.Benefits.Coverage[it.Category]
	if !ok || pct <= 0 {
		return refuse(RuleNotCovered, map[string]int64{"percent": 0},
			"The %s plan (%s) does not cover %s procedures.", who, s.PlanName, categoryText(it.Category))
	}
	pct = min(pct, 100)
	for _, w := range s.Benefits.WaitingPeriods {
		if w.Category != it.Category || w.Months <= 0 {
			continue
		}
		if ends := s.EffectiveDate.AddDate(0, w.Months, 0); e.asOf.Before(ends) {
			return refuse(RuleWaitingPeriod, map[string]int64{"months": int64(w.Months)},
				"The %s plan has a %d-month waiting period for %s procedures: it pays from %s.",
				who, w.Months, categoryText(it.Category), ends.Format(time.DateOnly))
		}
	}
	for _, f := range s.Benefits.Frequencies {
		if !slices.Contains(f.Codes, it.Code) || f.Count <= 0 {
			continue
		}
		from, window := e.window(s, f)
		if n := e.count(s, f, from); n >= f.Count {
			return refuse(RuleFrequency, map[string]int64{"limit": int64(f.Count), "used": int64(n)},
				"The %s plan pays for %s %d time(s) %s; %d already done since %s: it pays nothing for this one.",
				who, it.Code, f.Count, window, n, from.Format(time.DateOnly))
		}
	}

	v := verdict{covered: true}
	if slices.Contains(s.Benefits.DeductibleWaivedFor, it.Category) {
		v.basis = append(v.basis, e.basis(who, RuleDeductible, map[string]int64{"appliedCents": 0, "remainingCents": s.dedLeft},
			"The deductible is waived for %s procedures.", categoryText(it.Category)))
	} else if s.Benefits.DeductibleCents > 0 && s.dedLeft <= 0 {
		v.basis = append(v.basis, e.basis(who, RuleDeductible,
			map[string]int64{"appliedCents": 0, "remainingBeforeCents": 0, "remainingCents": 0, "deductibleCents": s.Benefits.DeductibleCents},
			"The %s deductible is already met this benefit year.", e.money(s.Benefits.DeductibleCents)))
	} else if s.Benefits.DeductibleCents > 0 {
		v.deductible = min(s.dedLeft, fee)
		v.basis = append(v.basis, e.basis(who, RuleDeductible,
			map[string]int64{"appliedCents": v.deductible, "remainingBeforeCents": s.dedLeft, "remainingCents": s.dedLeft - v.deductible,
				"deductibleCents": s.Benefits.DeductibleCents},
			"%s of the %s deductible applies first (%s of it was left; %s left after).",
			e.money(v.deductible), e.money(s.Benefits.DeductibleCents), e.money(s.dedLeft), e.money(s.dedLeft-v.deductible)))
	}
	base := fee - v.deductible
	v.pays = percentOf(base, pct)
	v.basis = append(v.basis, e.basis(who, RuleCoverage, map[string]int64{"percent": int64(pct), "baseCents": base, "cents": v.pays},
		"The %s plan covers %s at %d%%: %d%% of %s is %s (%s).",
		who, categoryText(it.Category), pct, pct, e.money(base), e.money(v.pays), RoundingRule))

	left, rule, what := s.maxLeft, RuleAnnualMaximum, "annual maximum"
	limit := s.Benefits.AnnualMaximumCents
	if it.Category == CategoryOrtho {
		left, rule, what = s.orthoLeft, RuleOrthoLifetime, "ortho lifetime maximum"
		limit = s.Benefits.OrthoLifetimeMaximumCents
	}
	if left >= 0 && v.pays > left {
		v.basis = append(v.basis, e.basis(who, rule, map[string]int64{"maximumCents": limit, "remainingCents": left, "cappedFromCents": v.pays, "paidCents": left},
			"The %s plan's %s of %s has %s left: it pays %s instead of %s.",
			who, what, e.money(limit), e.money(left), e.money(left), e.money(v.pays)))
		v.pays = left
	}
	return v
}

// consume charges s with verdict v on item it, of which s paid paid (a
// secondary may pay less than its verdict).
func (e *Estimator) consume(s *state, it Item, v verdict, paid int64) {
	if !v.covered {
		return
	}
	s.dedLeft -= v.deductible
	s.used.DeductibleMetCents += v.deductible
	if it.Category == CategoryOrtho {
		s.used.OrthoUsedCents += paid
		if s.orthoLeft >= 0 {
			s.orthoLeft -= paid
		}
		return
	}
	s.used.MaximumUsedCents += paid
	if s.maxLeft >= 0 {
		s.maxLeft -= paid
	}
}

// count is how many of f's codes s has done from day from to the as-of
// date.
func (e *Estimator) count(s *state, f Frequency, from time.Time) int {
	n := 0
	for _, d := range s.done {
		if !d.At.Before(from) && !d.At.After(e.asOf) && slices.Contains(f.Codes, d.Code) {
			n++
		}
	}
	return n
}

// window is the first day frequency limit f of s looks back to from the
// as-of date, and its words. "Once in 5 years" lets a procedure done
// exactly five years ago be done again.
func (e *Estimator) window(s *state, f Frequency) (time.Time, string) {
	if f.Per == PerYears && f.Years > 0 {
		return e.asOf.AddDate(-f.Years, 0, 1), fmt.Sprintf("in %d year(s)", f.Years)
	}
	return s.yearFrom, "per benefit year"
}

// percentOf is pct percent of cents, rounded half up to the cent
// (RoundingRule); cents is never negative here.
func percentOf(cents int64, pct int) int64 {
	return (cents*int64(pct) + 50) / 100
}

func (e *Estimator) basis(who, rule string, numbers map[string]int64, format string, args ...any) Basis {
	if numbers == nil {
		numbers = map[string]int64{}
	}
	return Basis{Coverage: who, Rule: rule, Text: fmt.Sprintf(format, args...), Numbers: numbers, AsOf: e.asOfText}
}

func categoryText(c string) string {
	if c == "" {
		return "uncategorised"
	}
	return c
}

// money is cents in the estimate's currency, for the texts ("$12.34").
func (e *Estimator) money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	amount := fmt.Sprintf("%s.%02d", thousands(cents/100), cents%100)
	switch e.currency {
	case "", "USD", "CAD", "AUD", "NZD":
		return sign + "$" + amount
	case "EUR":
		return sign + "€" + amount
	case "GBP":
		return sign + "£" + amount
	}
	return sign + amount + " " + e.currency
}

// thousands is n with a comma every three digits ("1,250"), as the desk's
// screens show money.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
