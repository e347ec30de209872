package avail

import "time"

// Working returns the instants in [from, to) at which p works: each window
// of each local date the range touches, read as the package documentation
// describes (a spring-forward day's skipped wall times never occur, a
// fall-back day's repeated ones occur twice), without the dates of p's
// time off. The intervals are sorted and disjoint; their total length is
// real elapsed time, so a window 01:00–04:00 on 2026-03-08 in New York is
// two hours and one 00:00–03:00 on 2026-11-01 is four.
func Working(p Provider, from, to time.Time, loc *time.Location) []Interval {
	if !from.Before(to) {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	dates := days(from, to.Add(-time.Nanosecond), loc)
	if len(dates) == 0 {
		return nil
	}
	hours := parseHours(p.Hours)
	off := parseTimeOff(p.TimeOff, dates[0].key, dates[len(dates)-1].key)
	span := Interval{Start: from, End: to}
	var out []Interval
	var buf []piece
	for _, d := range dates {
		if off.has(d.key) {
			continue
		}
		for _, w := range hours[d.weekday] {
			buf = d.pieces(w.a, w.b, buf)
			for _, pc := range buf {
				iv := pc.Interval
				if iv.Start.Before(span.Start) {
					iv.Start = span.Start
				}
				if iv.End.After(span.End) {
					iv.End = span.End
				}
				if iv.Empty() {
					continue
				}
				if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
					if iv.End.After(out[n-1].End) {
						out[n-1].End = iv.End
					}
					continue
				}
				out = append(out, iv)
			}
		}
	}
	return out
}
