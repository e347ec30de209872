// Package avail computes free appointment slots from data already loaded:
// providers' weekly hours and time off in the practice's time zone, the busy
// intervals of existing appointments, buffers and chairs. It does no I/O, so
// availability costs the caller a couple of queries whatever the range.
//
// Hours and the slot grid are local wall-clock times; instants are UTC. The
// engine walks real instants minute by minute through each working window,
// so on a spring-forward day the missing hour simply never occurs, and on a
// fall-back day the repeated hour occurs twice; durations are real elapsed
// time.
package avail

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Interval is a half-open UTC range [Start, End).
type Interval struct{ Start, End time.Time }

// Overlaps reports whether a and b share time; touching intervals do not.
func (a Interval) Overlaps(b Interval) bool { return a.Start.Before(b.End) && b.Start.Before(a.End) }

// Window is a span of a local day, "HH:MM" 24-hour, End after Start.
type Window struct {
	Start string `json:"start" bson:"start"`
	End   string `json:"end" bson:"end"`
}

// WeeklyHours are the windows worked each weekday, keyed by lower-case
// English day name ("monday"); several windows a day leave breaks between.
type WeeklyHours map[string][]Window

// Day is the WeeklyHours key of a weekday.
func Day(d time.Weekday) string { return strings.ToLower(d.String()) }

// minutes parses "HH:MM" into minutes since midnight.
func minutes(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return h*60 + m, nil
}

// Validate checks day names, HH:MM format, End after Start and no overlap
// within a day.
func (h WeeklyHours) Validate() error {
	for day, windows := range h {
		valid := false
		for d := time.Sunday; d <= time.Saturday; d++ {
			valid = valid || day == Day(d)
		}
		if !valid {
			return fmt.Errorf("%q is not a weekday name", day)
		}
		type span struct{ a, b int }
		var spans []span
		for _, w := range windows {
			a, err := minutes(w.Start)
			if err != nil {
				return fmt.Errorf("%s: %w", day, err)
			}
			b, err := minutes(w.End)
			if err != nil {
				return fmt.Errorf("%s: %w", day, err)
			}
			if b <= a {
				return fmt.Errorf("%s: %s–%s ends before it starts", day, w.Start, w.End)
			}
			spans = append(spans, span{a, b})
		}
		sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
		for i := 1; i < len(spans); i++ {
			if spans[i].a < spans[i-1].b {
				return errors.New(day + ": windows overlap")
			}
		}
	}
	return nil
}

// DateRange is local calendar dates, inclusive, "YYYY-MM-DD".
type DateRange struct{ From, To string }

// Provider is what the engine needs of a provider.
type Provider struct {
	ID          string
	Hours       WeeklyHours
	TimeOff     []DateRange
	Operatories []string // preference order
}

func (p Provider) off(date string) bool {
	for _, r := range p.TimeOff {
		if date >= r.From && date <= r.To {
			return true
		}
	}
	return false
}

// Request asks for slots.
type Request struct {
	From, To     time.Time
	Duration     time.Duration
	BufferBefore time.Duration
	BufferAfter  time.Duration
	Grid         time.Duration
	Location     *time.Location
	ProviderIDs  []string
	OperatoryIDs []string
	Now          time.Time
}

// Busy holds existing appointments' padded intervals per provider and chair.
type Busy struct {
	Provider  map[string][]Interval
	Operatory map[string][]Interval
}

// Slot is one free slot (times without buffers).
type Slot struct {
	Start, End  time.Time
	ProviderID  string
	OperatoryID string
}

// Padded returns iv extended by the buffers.
func Padded(iv Interval, before, after time.Duration) Interval {
	return Interval{Start: iv.Start.Add(-before), End: iv.End.Add(after)}
}

// timeline is a resource's busy time merged into sorted disjoint intervals.
type timeline []Interval

func merge(list []Interval) timeline {
	s := slices.Clone(list)
	sort.Slice(s, func(i, j int) bool { return s[i].Start.Before(s[j].Start) })
	var out timeline
	for _, iv := range s {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// free reports whether iv overlaps none of the timeline (binary search).
func (t timeline) free(iv Interval) bool {
	i := sort.Search(len(t), func(i int) bool { return t[i].End.After(iv.Start) })
	return i == len(t) || !t[i].Start.Before(iv.End)
}

// windowsOn returns p's working windows on the local date of day as instants.
func windowsOn(p Provider, day time.Time, loc *time.Location) []Interval {
	y, m, d := day.Date()
	var out []Interval
	for _, w := range p.Hours[Day(day.Weekday())] {
		a, errA := minutes(w.Start)
		b, errB := minutes(w.End)
		if errA != nil || errB != nil || b <= a {
			continue
		}
		out = append(out, Interval{
			Start: time.Date(y, m, d, 0, a, 0, 0, loc).UTC(),
			End:   time.Date(y, m, d, 0, b, 0, 0, loc).UTC(),
		})
	}
	return out
}

// Slots returns every free slot, sorted by Start then ProviderID.
func Slots(req Request, providers []Provider, busy Busy) []Slot {
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	grid := int(req.Grid / time.Minute)
	if grid <= 0 {
		grid = 15
	}
	if req.Duration <= 0 {
		return nil
	}
	chairs := map[string]timeline{}
	chairLine := func(id string) timeline {
		t, ok := chairs[id]
		if !ok {
			t = merge(busy.Operatory[id])
			chairs[id] = t
		}
		return t
	}
	var out []Slot
	for _, p := range providers {
		if len(req.ProviderIDs) > 0 && !slices.Contains(req.ProviderIDs, p.ID) {
			continue
		}
		var allowed []string
		for _, o := range p.Operatories {
			if len(req.OperatoryIDs) == 0 || slices.Contains(req.OperatoryIDs, o) {
				allowed = append(allowed, o)
			}
		}
		if len(allowed) == 0 {
			continue
		}
		mine := merge(busy.Provider[p.ID])
		first := req.From.In(loc)
		day := time.Date(first.Year(), first.Month(), first.Day(), 12, 0, 0, 0, loc)
		for ; !day.After(req.To.In(loc).Add(24 * time.Hour)); day = day.AddDate(0, 0, 1) {
			if p.off(day.Format(time.DateOnly)) {
				continue
			}
			for _, w := range windowsOn(p, day, loc) {
				for s := w.Start; !s.Add(req.Duration).After(w.End); s = s.Add(time.Minute) {
					local := s.In(loc)
					if (local.Hour()*60+local.Minute())%grid != 0 {
						continue
					}
					slot := Interval{Start: s, End: s.Add(req.Duration)}
					if slot.Start.Before(req.From) || slot.End.After(req.To) || slot.Start.Before(req.Now) {
						continue
					}
					padded := Padded(slot, req.BufferBefore, req.BufferAfter)
					if !mine.free(padded) {
						continue
					}
					for _, o := range allowed {
						if chairLine(o).free(padded) {
							out = append(out, Slot{Start: slot.Start, End: slot.End, ProviderID: p.ID, OperatoryID: o})
							break
						}
					}
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].ProviderID < out[j].ProviderID
	})
	return out
}

// WithinHours reports whether iv lies inside one of p's working windows on
// its local date, and touches no local date p has off.
func WithinHours(p Provider, iv Interval, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	startDay := iv.Start.In(loc)
	for d := startDay; !d.After(iv.End.Add(-time.Nanosecond).In(loc)); d = d.AddDate(0, 0, 1) {
		if p.off(d.Format(time.DateOnly)) {
			return false
		}
	}
	if endDay := iv.End.Add(-time.Nanosecond).In(loc); p.off(endDay.Format(time.DateOnly)) {
		return false
	}
	for _, w := range windowsOn(p, startDay, loc) {
		if !iv.Start.Before(w.Start) && !iv.End.After(w.End) {
			return true
		}
	}
	return false
}
