package avail

import (
	"slices"
	"time"
)

// civil is a local calendar date.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time, loc *time.Location) civil {
	y, m, d := t.In(loc).Date()
	return civil{y, m, d}
}

// next is the following calendar date (calendar arithmetic, no time zone).
func (c civil) next() civil {
	y, m, d := time.Date(c.y, c.m, c.d+1, 0, 0, 0, 0, time.UTC).Date()
	return civil{y, m, d}
}

// key orders dates: 20260308 for 2026-03-08.
func (c civil) key() int { return c.y*10000 + int(c.m)*100 + c.d }

// midnight is the date's local midnight wall clock read as if it were UTC.
// A local wall time on this date is midnight + minutes; the instant it names
// under UTC offset off is midnight + minutes - off.
func (c civil) midnight() time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC) }

// stretch is a run of time during which the zone's UTC offset is constant.
// A zero start or end means unbounded.
type stretch struct {
	start, end time.Time
	off        time.Duration
}

func (s stretch) clip(iv Interval) Interval {
	if !s.start.IsZero() && iv.Start.Before(s.start) {
		iv.Start = s.start
	}
	if !s.end.IsZero() && iv.End.After(s.end) {
		iv.End = s.end
	}
	return iv
}

// offsetMargin exceeds any UTC offset a zone can have (tzdata stays within ±26h).
const offsetMargin = 26 * time.Hour

// day is one local calendar date with what is needed to convert its wall
// times to instants.
type day struct {
	date      civil
	key       int
	weekday   time.Weekday
	midnight  time.Time
	stretches []stretch // constant-offset runs covering every instant of the date
}

func newDay(c civil, loc *time.Location) day {
	mid := c.midnight()
	d := day{date: c, key: c.key(), weekday: mid.Weekday(), midnight: mid}
	// Every instant whose local date is c lies in
	// [mid - maxOffset, mid + 24h - minOffset); walk the zone's offset runs
	// across a range that is surely wider.
	lo, hi := mid.Add(-offsetMargin), mid.Add(24*time.Hour+offsetMargin)
	for t := lo; ; {
		lt := t.In(loc)
		start, end := lt.ZoneBounds()
		_, off := lt.Zone()
		d.stretches = append(d.stretches, stretch{start: start, end: end, off: time.Duration(off) * time.Second})
		if end.IsZero() || !end.Before(hi) || !end.After(t) || len(d.stretches) > 32 {
			break
		}
		t = end
	}
	return d
}

// days lists the local dates from from's to to's, inclusive.
func days(from, to time.Time, loc *time.Location) []day {
	var out []day
	last := civilOf(to, loc).key()
	for c := civilOf(from, loc); c.key() <= last; c = c.next() {
		out = append(out, newDay(c, loc))
	}
	return out
}

// piece is the part of a window that falls in one constant-offset stretch.
// runEnd is the end of the run of touching pieces it starts, so an interval
// beginning inside the piece lies inside the window iff it ends by runEnd.
type piece struct {
	Interval
	off    time.Duration
	runEnd time.Time
}

// pieces returns the instants of window [a, b) (minutes since midnight) on
// day d, in order, one piece per constant-offset stretch it meets.
func (d day) pieces(a, b int, buf []piece) []piece {
	out := buf[:0]
	for _, s := range d.stretches {
		iv := s.clip(Interval{
			Start: d.midnight.Add(time.Duration(a)*time.Minute - s.off),
			End:   d.midnight.Add(time.Duration(b)*time.Minute - s.off),
		})
		if !iv.Empty() {
			out = append(out, piece{Interval: iv, off: s.off})
		}
	}
	for i := len(out) - 1; i >= 0; i-- {
		out[i].runEnd = out[i].End
		if i+1 < len(out) && !out[i+1].Start.After(out[i].End) {
			out[i].runEnd = out[i+1].runEnd
		}
	}
	return out
}

// wall is the local wall-clock time of instant t in piece p, as an offset
// from the day's midnight.
func (d day) wall(t time.Time, p piece) time.Duration { return t.Sub(d.midnight) + p.off }

// window is a parsed Window: minutes since local midnight.
type window struct{ a, b int }

// parsedHours holds the valid windows of each weekday; malformed windows are
// skipped (WeeklyHours.Validate rejects them on write).
type parsedHours [7][]window

func parseHours(h WeeklyHours) parsedHours {
	var out parsedHours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		for _, w := range h.On(wd) {
			if a, b, err := ParseWindow(w); err == nil {
				out[wd] = append(out[wd], window{a, b})
			}
		}
		slices.SortFunc(out[wd], func(x, y window) int { return x.a - y.a })
	}
	return out
}

// timeOff holds a provider's time off as inclusive date-key ranges;
// malformed ranges are skipped (DateRange.Validate rejects them on write).
type timeOff [][2]int

func parseTimeOff(list []DateRange, first, last int) timeOff {
	var out timeOff
	for _, r := range list {
		from, ok1 := parseDate(r.From)
		to, ok2 := parseDate(r.To)
		if ok1 && ok2 && from <= last && to >= first {
			out = append(out, [2]int{from, to})
		}
	}
	return out
}

func (t timeOff) has(key int) bool {
	for _, r := range t {
		if key >= r[0] && key <= r[1] {
			return true
		}
	}
	return false
}
