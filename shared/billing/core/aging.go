package core

import "time"

// Aging is the open balance by how old the charges it is made of are.
type Aging struct {
	Current int64 `json:"0-30"`
	Days31  int64 `json:"31-60"`
	Days61  int64 `json:"61-90"`
	Days90  int64 `json:"90+"`
}

// Total is the sum of the buckets.
func (a Aging) Total() int64 { return a.Current + a.Days31 + a.Days61 + a.Days90 }

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

// Effect is one ledger entry's signed effect on the balance (positive: a
// debit) from its date At.
type Effect struct {
	At    time.Time
	Cents int64
}

// Age is the aging of an account's entries es (oldest first) as of now.
// Every credit (payments, credit adjustments) is allocated to the oldest
// debits first (FIFO: charges, refunds, debit adjustments), and what is
// left of each debit is bucketed by the whole days between its date and
// today, both dates in the clinic's zone loc, so a charge at 23:30 local is
// of that local day whatever its UTC date. The ledger's account and the
// practice's receivables report both age this way.
func Age(es []Effect, loc *time.Location, now time.Time) Aging {
	var credits int64
	for _, e := range es {
		if e.Cents < 0 {
			credits -= e.Cents
		}
	}
	var a Aging
	for _, e := range es {
		if e.Cents <= 0 {
			continue
		}
		open := e.Cents
		used := min(open, credits)
		open, credits = open-used, credits-used
		if open > 0 {
			a.add(DaysBetween(e.At, now, loc), open)
		}
	}
	return a
}

// DaysBetween is the number of calendar days from from's date to to's
// date, both in loc (a later from is 0 days).
func DaysBetween(from, to time.Time, loc *time.Location) int {
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	n := int(day(to).Sub(day(from)).Hours() / 24)
	return max(n, 0)
}
