// Package avail computes free appointment slots from data the caller has
// already loaded: providers' weekly hours and time off in the practice's time
// zone, the busy intervals of existing appointments, buffers and chairs. It
// does no I/O, so availability costs the caller a couple of queries whatever
// the range.
//
// Instants are UTC. Working hours, time-off dates and the slot grid are local
// wall-clock values in the practice's IANA zone, and every rule is stated in
// those terms:
//
//   - A window {Start, End} on local date D is the set of instants whose local
//     date is D and whose local wall clock reads at least Start and less than
//     End. On a spring-forward day the skipped wall times simply never occur;
//     on a fall-back day the repeated wall times occur twice, and both
//     occurrences belong to the window when their wall time does. Whenever
//     Start and End are themselves unambiguous wall times (true of any
//     ordinary working day) this is just [Start, End) on that date.
//   - Slot starts are the instants whose local wall clock, in minutes since
//     local midnight, is a multiple of the grid.
//   - Durations and buffers are real elapsed time.
//
// time.Date is not used to resolve wall times: for a skipped or repeated wall
// time the instant it returns is unspecified (in practice it moves skipped
// times backward in zones west of Greenwich and forward east of it, and picks
// the first occurrence of a repeated time in the west but the second in the
// east). Instead the engine splits each local day into stretches of constant
// UTC offset (time.Time.ZoneBounds) and converts wall times within each
// stretch, keeping a conversion only when it lands inside the stretch — that
// is, only when the wall time round-trips.
package avail

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Interval is a half-open UTC time range [Start, End).
type Interval struct{ Start, End time.Time }

// Empty reports whether iv contains no instant (End is not after Start).
func (a Interval) Empty() bool { return !a.Start.Before(a.End) }

// Overlaps reports whether a and b share an instant. Touching intervals
// (a.End == b.Start) do not overlap, and an empty interval overlaps nothing.
func (a Interval) Overlaps(b Interval) bool {
	return a.Start.Before(b.End) && b.Start.Before(a.End) && !a.Empty() && !b.Empty()
}

// Contains reports whether b lies entirely inside a.
func (a Interval) Contains(b Interval) bool {
	return !b.Start.Before(a.Start) && !b.End.After(a.End)
}

// Padded returns iv extended by the buffers: Start moved back by before and
// End moved forward by after.
func Padded(iv Interval, before, after time.Duration) Interval {
	return Interval{Start: iv.Start.Add(-before), End: iv.End.Add(after)}
}

// Window is a local wall-clock span within a day, "HH:MM" 24-hour, End after
// Start. End may be "24:00" (the end of the day); there are no overnight
// windows.
type Window struct {
	Start string `json:"start" bson:"start"`
	End   string `json:"end" bson:"end"`
}

// ParseClock parses "HH:MM" (two digits each, 00:00 to 24:00) into minutes
// since local midnight.
func ParseClock(s string) (int, error) {
	digit := func(b byte) (int, bool) { return int(b - '0'), b >= '0' && b <= '9' }
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h1, ok1 := digit(s[0])
	h2, ok2 := digit(s[1])
	m1, ok3 := digit(s[3])
	m2, ok4 := digit(s[4])
	h, m := h1*10+h2, m1*10+m2
	if !ok1 || !ok2 || !ok3 || !ok4 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return h*60 + m, nil
}

// ParseWindow returns w's bounds in minutes since local midnight, checking
// the format and that End is after Start.
func ParseWindow(w Window) (start, end int, err error) {
	if start, err = ParseClock(w.Start); err != nil {
		return 0, 0, err
	}
	if end, err = ParseClock(w.End); err != nil {
		return 0, 0, err
	}
	if start == 24*60 {
		return 0, 0, fmt.Errorf("%q is not a start time", w.Start)
	}
	if end <= start {
		return 0, 0, fmt.Errorf("%s–%s must end after it starts", w.Start, w.End)
	}
	return start, end, nil
}

// WeeklyHours are the windows a provider works each weekday, keyed by the
// lower-case English day name ("monday", see Day); several windows a day
// leave breaks between them. (Keyed by name rather than time.Weekday so that
// it is stored and sent as readable JSON/BSON.)
type WeeklyHours map[string][]Window

// Day is the WeeklyHours key of a weekday: "sunday" … "saturday".
func Day(d time.Weekday) string { return dayNames[d] }

var dayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// On returns the windows worked on weekday d.
func (h WeeklyHours) On(d time.Weekday) []Window { return h[Day(d)] }

// Validate checks day names, the "HH:MM" format, End after Start and that a
// day's windows do not overlap (touching is allowed).
func (h WeeklyHours) Validate() error {
	for _, day := range slices.Sorted(maps.Keys(h)) {
		if !slices.Contains(dayNames[:], day) {
			return fmt.Errorf("%q is not a weekday name (use sunday … saturday)", day)
		}
		type span struct {
			a, b int
			w    Window
		}
		var spans []span
		for _, w := range h[day] {
			a, b, err := ParseWindow(w)
			if err != nil {
				return fmt.Errorf("%s: %w", day, err)
			}
			spans = append(spans, span{a, b, w})
		}
		slices.SortFunc(spans, func(x, y span) int { return x.a - y.a })
		for i := 1; i < len(spans); i++ {
			if spans[i].a < spans[i-1].b {
				p, q := spans[i-1].w, spans[i].w
				return fmt.Errorf("%s: %s–%s overlaps %s–%s", day, p.Start, p.End, q.Start, q.End)
			}
		}
	}
	return nil
}

// DateRange is a span of local calendar dates, inclusive, "YYYY-MM-DD".
type DateRange struct{ From, To string }

// Validate checks the format and that To is not before From.
func (r DateRange) Validate() error {
	if _, ok := parseDate(r.From); !ok {
		return fmt.Errorf("%q is not a date (YYYY-MM-DD)", r.From)
	}
	if _, ok := parseDate(r.To); !ok {
		return fmt.Errorf("%q is not a date (YYYY-MM-DD)", r.To)
	}
	if r.To < r.From {
		return fmt.Errorf("%s–%s ends before it starts", r.From, r.To)
	}
	return nil
}

// parseDate turns a canonical "YYYY-MM-DD" into the date's key (see civil).
func parseDate(s string) (int, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Format(time.DateOnly) != s {
		return 0, false
	}
	return civilOf(t, time.UTC).key(), true
}

// Provider is what the engine needs to know about a provider.
type Provider struct {
	ID          string
	Hours       WeeklyHours
	TimeOff     []DateRange
	Operatories []string // chairs this provider may use, in preference order
}

// Validate checks p's hours and time off.
func (p Provider) Validate() error {
	if err := p.Hours.Validate(); err != nil {
		return fmt.Errorf("hours: %w", err)
	}
	for _, r := range p.TimeOff {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("time off: %w", err)
		}
	}
	return nil
}

// Request asks for free slots.
type Request struct {
	From, To     time.Time      // UTC range to search; slots start >= From and end <= To
	Duration     time.Duration  // appointment length (real elapsed time)
	BufferBefore time.Duration  // time the provider and chair must also be free before the start
	BufferAfter  time.Duration  // ... and after the end
	Grid         time.Duration  // slot granularity, whole minutes counted from local midnight; 0 means 15m
	Location     *time.Location // the practice's time zone; nil means UTC
	ProviderIDs  []string       // optional filter
	OperatoryIDs []string       // optional filter; empty = any of the provider's chairs
	Now          time.Time      // no slot may start before Now (zero: no cut-off)
}

// DefaultGrid is the grid used when Request.Grid is zero.
const DefaultGrid = 15 * time.Minute

// Validate reports why Slots would return nothing for a malformed request.
func (r Request) Validate() error {
	var errs []error
	if r.Duration <= 0 {
		errs = append(errs, errors.New("duration must be positive"))
	}
	if r.Grid < 0 || r.Grid%time.Minute != 0 {
		errs = append(errs, errors.New("grid must be a positive whole number of minutes"))
	}
	if r.BufferBefore < 0 || r.BufferAfter < 0 {
		errs = append(errs, errors.New("buffers must not be negative"))
	}
	if !r.To.After(r.From) {
		errs = append(errs, errors.New("to must be after from"))
	}
	return errors.Join(errs...)
}

func (r Request) grid() time.Duration {
	if r.Grid == 0 {
		return DefaultGrid
	}
	return r.Grid
}

func (r Request) location() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// Busy holds existing non-cancelled appointments, already padded with their
// own buffers, per provider ID and per operatory ID.
type Busy struct {
	Provider  map[string][]Interval
	Operatory map[string][]Interval
}

// Slot is one free slot. Start and End are UTC and exclude buffers.
type Slot struct {
	Start, End  time.Time
	ProviderID  string
	OperatoryID string
}
