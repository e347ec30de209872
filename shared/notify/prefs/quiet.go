package prefs

import (
	"fmt"
	"time"
)

// Quiet is a clinic's quiet hours in its own zone, e.g. 21:00 to 08:00: a
// message due inside them waits for their end. Start after End spans
// midnight; Start equal to End means none.
type Quiet struct {
	Start, End time.Duration // since local midnight
}

// ParseQuiet reads "HH:MM" start and end.
func ParseQuiet(start, end string) (Quiet, error) {
	s, err := hhmm(start)
	if err != nil {
		return Quiet{}, fmt.Errorf("quiet hours start: %w", err)
	}
	e, err := hhmm(end)
	if err != nil {
		return Quiet{}, fmt.Errorf("quiet hours end: %w", err)
	}
	return Quiet{Start: s, End: e}, nil
}

func hhmm(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// NextSendTime is when a message due at now may go out: now itself outside
// quiet hours, else the end of the quiet hours on the local calendar (so the
// "08:00" after a night when the clocks change is still 08:00 on the wall).
func NextSendTime(now time.Time, loc *time.Location, q Quiet) time.Time {
	if q.Start == q.End {
		return now
	}
	local := now.In(loc)
	y, mo, d := local.Date()
	since := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute + time.Duration(local.Second())*time.Second
	endOn := func(dayOffset int) time.Time {
		return time.Date(y, mo, d+dayOffset, int(q.End/time.Hour), int(q.End%time.Hour/time.Minute), 0, 0, loc)
	}
	var next time.Time
	switch {
	case q.Start < q.End && since >= q.Start && since < q.End: // e.g. 00:00–07:00
		next = endOn(0)
	case q.Start > q.End && since >= q.Start: // 21:00–08:00, evening part
		next = endOn(1)
	case q.Start > q.End && since < q.End: // the morning part
		next = endOn(0)
	default:
		return now
	}
	if next.Before(now) {
		return now
	}
	return next.In(now.Location())
}
