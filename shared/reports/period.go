package reports

import (
	"net/url"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
)

// MaxDays is the longest period a report covers (a leap year).
const MaxDays = 366

// Period is a report's range of local dates, both inclusive, in the
// clinic's time zone.
type Period struct {
	From, To string
}

// ParsePeriod reads ?from=&to= (YYYY-MM-DD): both required unless
// optional, to not before from, at most MaxDays dates.
func ParsePeriod(q url.Values, optional bool) (Period, error) {
	p := Period{From: q.Get("from"), To: q.Get("to")}
	if optional && p.From == "" && p.To == "" {
		return p, nil
	}
	var v errs.Validator
	from, errF := time.Parse(time.DateOnly, p.From)
	to, errT := time.Parse(time.DateOnly, p.To)
	v.Check(p.From != "", "from", "is required (YYYY-MM-DD)")
	v.Check(p.From == "" || errF == nil, "from", "must be a date YYYY-MM-DD")
	v.Check(p.To != "", "to", "is required (YYYY-MM-DD)")
	v.Check(p.To == "" || errT == nil, "to", "must be a date YYYY-MM-DD")
	if errF == nil && errT == nil {
		v.Check(!to.Before(from), "to", "must not be before from")
		v.Check(to.Sub(from) < MaxDays*24*time.Hour, "to", "must be at most 366 days after from (inclusive)")
	}
	return p, v.Err()
}

// dates lists the period's dates.
func (p Period) dates() []string {
	from, _ := time.Parse(time.DateOnly, p.From)
	to, _ := time.Parse(time.DateOnly, p.To)
	var out []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// bounds are the instants [start of From, start of the day after To) in
// loc: real elapsed time, so a DST week is 167 or 169 hours.
func (p Period) bounds(loc *time.Location) (time.Time, time.Time) {
	from, _ := time.Parse(time.DateOnly, p.From)
	to, _ := time.Parse(time.DateOnly, p.To)
	return dayStart(from, loc), dayStart(to.AddDate(0, 0, 1), loc)
}

// dayStart is the first instant whose date in loc is d's date (a zone
// that skips midnight starts the day at the first wall time it has).
func dayStart(d time.Time, loc *time.Location) time.Time {
	y, m, day := d.Date()
	t := time.Date(y, m, day, 0, 0, 0, 0, loc)
	want := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	local := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	for local(t).Before(want) {
		t = t.Add(15 * time.Minute)
	}
	for local(t.Add(-15 * time.Minute)).Equal(want) {
		t = t.Add(-15 * time.Minute)
	}
	return t
}
