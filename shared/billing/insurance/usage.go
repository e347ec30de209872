package insurance

import (
	"time"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/billing/estimate"
)

// standing is a patient's insurance standing on one day: the coverages an
// estimate uses (at most a primary and a secondary), every coverage's
// usage, and an estimator that has already walked the charges no
// insurance payment has settled, so what they will draw on the deductibles
// and maximums is spent before any planned item is estimated.
type standing struct {
	asOf time.Time
	// used are the coverages the estimate uses, primary first.
	used []coverage
	// usage is every coverage's usage by id.
	usage map[string]Usage
	est   *estimate.Estimator
}

// chosen is the coverages an estimate on day uses: for each priority the
// one in force that day (the latest to take effect, should two overlap),
// else the open-ended one not in force yet (the estimate then says when it
// starts). Coverages that ended before day are left out.
func chosen(all []coverage, day string) []coverage {
	var out []coverage
	for _, pr := range []string{estimate.Primary, estimate.Secondary} {
		var best, waiting *coverage
		for i := range all {
			c := &all[i]
			if c.Priority != pr {
				continue
			}
			inForce := c.EffectiveDate <= day && (c.TerminationDate == "" || c.TerminationDate >= day)
			if inForce && (best == nil || c.EffectiveDate > best.EffectiveDate) {
				best = c
			}
			if !inForce && c.TerminationDate == "" && c.EffectiveDate > day {
				waiting = c
			}
		}
		if best == nil {
			best = waiting
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	return out
}

// civil parses a stored YYYY-MM-DD ("" is the zero time).
func civil(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// stand is the standing of a patient with coverages all (their plans in
// plans) and ledger history, on day asOf of a clinic in loc.
//
// Usage comes from the insurance payments of each coverage: those dated in
// its benefit year count toward the annual maximum and, by the deductible
// their EOB applied, toward the deductible met; ortho payments count
// toward the ortho maximum whenever they were made. A charge is settled by
// an insurance payment line naming its code and tooth dated on or after it
// (the latest such charge), or by a payment without lines dated on or after
// it (such an EOB cannot say which charges it paid). The charges of the
// benefit year left unsettled are pending: the engine estimates them
// first, and what it expects each coverage to pay for them is PendingCents.
func stand(all []coverage, plans map[string]Plan, history []core.HistoryEntry, asOf time.Time, loc *time.Location, currency string) standing {
	day := asOf.Format(time.DateOnly)
	st := standing{asOf: asOf, used: chosen(all, day), usage: make(map[string]Usage, len(all))}

	for _, c := range all {
		st.usage[c.ID] = paidUsage(c, plans[c.PlanID], history, asOf, loc)
	}

	// The pending charges: of the earliest benefit year of the coverages
	// used, up to the day, settled by no insurance payment.
	earliest := asOf
	for _, c := range st.used {
		if from, _ := estimate.BenefitYear(asOf, plans[c.PlanID].BenefitYearStartMonth); from.Before(earliest) {
			earliest = from
		}
	}
	settled := settledCharges(history, loc)
	var done []estimate.Done
	var pending []estimate.Item
	for i, h := range history {
		if h.Kind != core.KindCharge {
			continue
		}
		d := estimate.Day(h.At, loc)
		if !settled[i] && !d.Before(earliest) && !d.After(asOf) && len(st.used) > 0 {
			pending = append(pending, estimate.Item{ID: h.ID, Code: h.Code, Category: h.Category, Tooth: h.Tooth, FeeCents: h.AmountCents})
			continue
		}
		done = append(done, estimate.Done{Code: h.Code, At: d})
	}

	covs := make([]estimate.Coverage, 0, len(st.used))
	for _, c := range st.used {
		u := st.usage[c.ID]
		p := plans[c.PlanID]
		covs = append(covs, estimate.Coverage{ID: c.ID, Priority: c.Priority, PlanName: p.Name, Benefits: p.Benefits(),
			EffectiveDate: civil(c.EffectiveDate), TerminationDate: civil(c.TerminationDate),
			Usage: estimate.Usage{DeductibleMetCents: u.DeductibleMetCents, MaximumUsedCents: u.MaximumUsedCents, OrthoUsedCents: u.OrthoUsedCents}})
	}
	st.est = estimate.New(asOf, currency, covs, done)
	for _, it := range pending {
		l := st.est.Item(it)
		for i, c := range st.used {
			u := st.usage[c.ID]
			u.PendingCents += []int64{l.PrimaryCents, l.SecondaryCents}[i]
			st.usage[c.ID] = u
		}
	}
	return st
}

// paidUsage is what the insurance payments of coverage c (plan p) used of
// its benefit year holding asOf.
func paidUsage(c coverage, p Plan, history []core.HistoryEntry, asOf time.Time, loc *time.Location) Usage {
	from, to := estimate.BenefitYear(asOf, p.BenefitYearStartMonth)
	u := Usage{BenefitYear: Span{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}}
	for _, h := range history {
		if h.Kind != core.KindInsurancePayment || h.CoverageID != c.ID {
			continue
		}
		d := estimate.Day(h.At, loc)
		inYear := !d.Before(from) && !d.After(to)
		if h.Category == estimate.CategoryOrtho {
			u.OrthoUsedCents += h.AmountCents
		} else if inYear {
			u.MaximumUsedCents += h.AmountCents
		}
		if inYear {
			u.DeductibleMetCents += h.DeductibleCents
		}
	}
	return u
}

// settledCharges marks the charges (by index in history) an insurance
// payment has settled (see stand). A payment line settles the latest
// charge of its code and tooth on or before its day that no other line
// settled: an EOB pays for recent work, so a year-old charge of the same
// code is not taken for this year's.
func settledCharges(history []core.HistoryEntry, loc *time.Location) map[int]bool {
	settled := map[int]bool{}
	var lastUnlined time.Time
	for _, h := range history {
		if d := estimate.Day(h.At, loc); h.Kind == core.KindInsurancePayment && h.Code == "" && d.After(lastUnlined) {
			lastUnlined = d
		}
	}
	for i, h := range history {
		if h.Kind == core.KindCharge && !lastUnlined.IsZero() && !estimate.Day(h.At, loc).After(lastUnlined) {
			settled[i] = true
		}
	}
	for _, p := range history {
		if p.Kind != core.KindInsurancePayment || p.Code == "" {
			continue
		}
		paid := estimate.Day(p.At, loc)
		for i := len(history) - 1; i >= 0; i-- {
			c := history[i]
			if c.Kind == core.KindCharge && !settled[i] && c.Code == p.Code && c.Tooth == p.Tooth && !estimate.Day(c.At, loc).After(paid) {
				settled[i] = true
				break
			}
		}
	}
	return settled
}
