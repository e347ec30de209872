package ledger

import (
	"time"

	"github.com/topsmile/topsmile/shared/billing/core"
)

// Aging is the open balance by how old the charges it is made of are.
type Aging struct {
	Current int64 `json:"0-30"`
	Days31  int64 `json:"31-60"`
	Days61  int64 `json:"61-90"`
	Days90  int64 `json:"90+"`
}

// Total is the sum of the buckets.
func (a Aging) Total() int64 { return a.Current + a.Days31 + a.Days61 + a.Days90 }

// account is what the entries add up to. Nothing of it is stored: it is
// derived from the entries on every read.
type account struct {
	// Balance is what the patient owes; negative is a credit.
	Balance int64
	// Credit is the credit on the account (the negative balance), 0 when
	// the patient owes.
	Credit int64
	Aging  Aging
	Items  []Entry
}

// summarize adds up es (oldest first) as of now. The running balance is
// the sum of the effects so far. Aging allocates every credit (payments,
// credit adjustments) to the oldest debits first (FIFO: charges, refunds,
// debit adjustments) and buckets what is left of each debit by the whole
// days between its date and today, both dates in the clinic's zone loc, so
// a charge at 23:30 local is of that local day whatever its UTC date.
func summarize(es []entry, loc *time.Location, now time.Time) account {
	refunded := map[string]int64{}
	var credits int64
	for _, e := range es {
		if e.Kind == core.KindRefund && e.PaymentID != "" {
			refunded[e.PaymentID] += e.AmountCents
		}
		if e.EffectCents < 0 {
			credits -= e.EffectCents
		}
	}
	var a account
	a.Items = make([]Entry, 0, len(es))
	for _, e := range es {
		a.Balance += e.EffectCents
		a.Items = append(a.Items, e.view(a.Balance, refunded[e.ID]))
		if e.EffectCents <= 0 {
			continue
		}
		open := e.EffectCents
		used := min(open, credits)
		open, credits = open-used, credits-used
		if open > 0 {
			a.Aging.add(daysBetween(e.At, now, loc), open)
		}
	}
	if a.Balance < 0 {
		a.Credit = -a.Balance
	}
	return a
}

// add puts cents into the bucket of a debit days old.
func (a *Aging) add(days int, cents int64) {
	switch {
	case days <= 30:
		a.Current += cents
	case days <= 60:
		a.Days31 += cents
	case days <= 90:
		a.Days61 += cents
	default:
		a.Days90 += cents
	}
}

// daysBetween is the number of calendar days from from's date to to's
// date, both in loc (a later from is 0 days).
func daysBetween(from, to time.Time, loc *time.Location) int {
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	n := int(day(to).Sub(day(from)).Hours() / 24)
	return max(n, 0)
}

// localDate is t's date in loc, as YYYY-MM-DD.
func localDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(time.DateOnly)
}
