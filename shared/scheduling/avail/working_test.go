package avail_test

import (
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

func TestWorkingAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	total := func(list []avail.Interval) time.Duration {
		var d time.Duration
		for _, iv := range list {
			d += iv.End.Sub(iv.Start)
		}
		return d
	}
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, s, ny)
		return d
	}
	cases := []struct {
		name     string
		hours    avail.WeeklyHours
		off      []avail.DateRange
		from, to string
		want     time.Duration
	}{
		// 2026-03-08 (a Sunday): 02:00 EST jumps to 03:00 EDT, so the wall
		// clock 01:00–04:00 lasts 2 h.
		{"spring forward", avail.WeeklyHours{"sunday": {{Start: "01:00", End: "04:00"}}}, nil, "2026-03-08", "2026-03-09", 2 * time.Hour},
		// 2026-11-01 (a Sunday): 02:00 EDT falls back to 01:00 EST, so
		// 00:00–03:00 lasts 4 h.
		{"fall back", avail.WeeklyHours{"sunday": {{Start: "00:00", End: "03:00"}}}, nil, "2026-11-01", "2026-11-02", 4 * time.Hour},
		// Monday to Friday 09:00–12:00 and 13:00–17:00 (7 h) over a week:
		// 5 × 7 = 35 h.
		{"week", weekdays(avail.Window{Start: "09:00", End: "12:00"}, avail.Window{Start: "13:00", End: "17:00"}), nil, "2026-03-09", "2026-03-16", 35 * time.Hour},
		// The same week with Tuesday and Wednesday off: 3 × 7 = 21 h.
		{"time off", weekdays(avail.Window{Start: "09:00", End: "12:00"}, avail.Window{Start: "13:00", End: "17:00"}),
			[]avail.DateRange{{From: "2026-03-10", To: "2026-03-11"}}, "2026-03-09", "2026-03-16", 21 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := avail.Working(avail.Provider{ID: "p", Hours: c.hours, TimeOff: c.off}, day(c.from), day(c.to), ny)
			if total(got) != c.want {
				t.Errorf("worked %v, want %v (%v)", total(got), c.want, got)
			}
		})
	}
}

func weekdays(w ...avail.Window) avail.WeeklyHours {
	h := avail.WeeklyHours{}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		h[d] = w
	}
	return h
}
