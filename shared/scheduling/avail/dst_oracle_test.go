package avail_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func allWeek(windows ...avail.Window) avail.WeeklyHours {
	h := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		h[avail.Day(d)] = windows
	}
	return h
}

// dayRange is the whole local date as a UTC range.
func dayRange(loc *time.Location, date string) (time.Time, time.Time) {
	d, _ := time.ParseInLocation(time.DateOnly, date, loc)
	return d.UTC(), d.AddDate(0, 0, 1).UTC()
}

func TestDSTDays(t *testing.T) {
	tests := []struct {
		zone, date string
		window     avail.Window
		grid, dur  time.Duration
		want       int
	}{
		// Ordinary day: 08:00–17:00, 30-min slots on a 30-min grid → 18.
		{"America/New_York", "2026-03-07", avail.Window{Start: "08:00", End: "17:00"}, 30 * time.Minute, 30 * time.Minute, 18},
		{"America/New_York", "2026-03-08", avail.Window{Start: "08:00", End: "17:00"}, 30 * time.Minute, 30 * time.Minute, 18},
		{"America/New_York", "2026-11-01", avail.Window{Start: "08:00", End: "17:00"}, 30 * time.Minute, 30 * time.Minute, 18},
		{"Europe/Lisbon", "2026-03-29", avail.Window{Start: "08:00", End: "17:00"}, 30 * time.Minute, 30 * time.Minute, 18},
		{"Europe/Lisbon", "2026-10-25", avail.Window{Start: "08:00", End: "17:00"}, 30 * time.Minute, 30 * time.Minute, 18},
		// A window across the shift: 00:00–04:00 is 3 real hours on spring
		// forward (02:xx does not exist) and 5 on fall back (01:xx twice).
		{"America/New_York", "2026-03-08", avail.Window{Start: "00:00", End: "04:00"}, 30 * time.Minute, 30 * time.Minute, 6},
		{"America/New_York", "2026-11-01", avail.Window{Start: "00:00", End: "04:00"}, 30 * time.Minute, 30 * time.Minute, 10},
		{"Europe/Lisbon", "2026-03-29", avail.Window{Start: "00:00", End: "03:00"}, 30 * time.Minute, 30 * time.Minute, 4},
		{"Europe/Lisbon", "2026-10-25", avail.Window{Start: "00:00", End: "03:00"}, 30 * time.Minute, 30 * time.Minute, 8},
	}
	for _, tc := range tests {
		t.Run(tc.zone+" "+tc.date+" "+tc.window.Start+"-"+tc.window.End, func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			from, to := dayRange(loc, tc.date)
			p := avail.Provider{ID: "p", Hours: allWeek(tc.window), Operatories: []string{"o"}}
			slots := avail.Slots(avail.Request{From: from, To: to, Duration: tc.dur, Grid: tc.grid, Location: loc}, []avail.Provider{p}, avail.Busy{})
			if len(slots) != tc.want {
				t.Fatalf("%d slots, want %d: %v", len(slots), tc.want, slots)
			}
			for _, s := range slots {
				local := s.Start.In(loc)
				if local.Minute()%30 != 0 || local.Second() != 0 {
					t.Errorf("slot %v is off the local grid", local)
				}
				if s.End.Sub(s.Start) != tc.dur {
					t.Errorf("slot %v lasts %v, want real elapsed %v", local, s.End.Sub(s.Start), tc.dur)
				}
				if !avail.WithinHours(p, avail.Interval{Start: s.Start, End: s.End}, loc) {
					t.Errorf("offered slot %v is not within hours", local)
				}
			}
		})
	}
}

func TestWithinHours(t *testing.T) {
	loc := mustLoc(t, "America/New_York")
	p := avail.Provider{ID: "p", Hours: allWeek(avail.Window{Start: "08:00", End: "12:00"}, avail.Window{Start: "13:00", End: "17:00"}),
		TimeOff: []avail.DateRange{{From: "2026-12-24", To: "2026-12-26"}}}
	at := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", s, loc)
		return t.UTC()
	}
	tests := []struct {
		name       string
		start, end string
		want       bool
	}{
		{"inside morning", "2026-12-02 09:00", "2026-12-02 10:00", true},
		{"exactly the window", "2026-12-02 08:00", "2026-12-02 12:00", true},
		{"across the lunch break", "2026-12-02 11:30", "2026-12-02 13:30", false},
		{"starts before opening", "2026-12-02 07:45", "2026-12-02 08:30", false},
		{"ends after closing", "2026-12-02 16:30", "2026-12-02 17:15", false},
		{"across midnight", "2026-12-02 23:30", "2026-12-03 00:30", false},
		{"on a day off", "2026-12-24 09:00", "2026-12-24 10:00", false},
		{"last day off", "2026-12-26 09:00", "2026-12-26 10:00", false},
		{"day after time off", "2026-12-27 09:00", "2026-12-27 10:00", true},
		{"spring forward day morning", "2026-03-08 08:00", "2026-03-08 09:00", true},
		{"fall back day afternoon", "2026-11-01 16:00", "2026-11-01 17:00", true},
	}
	for _, tc := range tests {
		if got := avail.WithinHours(p, avail.Interval{Start: at(tc.start), End: at(tc.end)}, loc); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestBasics(t *testing.T) {
	loc := mustLoc(t, "Europe/Lisbon")
	from, to := dayRange(loc, "2026-06-10")
	at := func(hhmm string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", "2026-06-10 "+hhmm, loc)
		return t.UTC()
	}
	p := avail.Provider{ID: "p", Hours: allWeek(avail.Window{Start: "09:00", End: "11:00"}), Operatories: []string{"o1", "o2"}}
	req := avail.Request{From: from, To: to, Duration: 30 * time.Minute, Grid: 30 * time.Minute, Location: loc, BufferAfter: 10 * time.Minute}
	busy := avail.Busy{
		Provider:  map[string][]avail.Interval{"p": {{Start: at("09:30"), End: at("10:00")}}},
		Operatory: map[string][]avail.Interval{"o1": {{Start: at("10:00"), End: at("11:00")}}},
	}
	got := avail.Slots(req, []avail.Provider{p}, busy)
	var desc []string
	for _, s := range got {
		desc = append(desc, s.Start.In(loc).Format("15:04")+"@"+s.OperatoryID)
	}
	// 09:00 is blocked by its own buffer running into 09:30; 10:00 and 10:30
	// move to chair 2 because chair 1 is busy.
	want := []string{"10:00@o2", "10:30@o2"}
	if !slices.Equal(desc, want) {
		t.Fatalf("slots %v, want %v", desc, want)
	}
	req.Now = at("10:15")
	if got := avail.Slots(req, []avail.Provider{p}, busy); len(got) != 1 {
		t.Fatalf("Now cut-off: %v", got)
	}
	req.Now, req.OperatoryIDs = time.Time{}, []string{"o1"}
	if got := avail.Slots(req, []avail.Provider{p}, busy); len(got) != 0 {
		t.Fatalf("chair filter: %v", got)
	}
	req.OperatoryIDs, req.ProviderIDs = nil, []string{"someone-else"}
	if got := avail.Slots(req, []avail.Provider{p}, busy); len(got) != 0 {
		t.Fatalf("provider filter: %v", got)
	}
}

// oracle checks every minute of the range in the most naive way.
func oracle(req avail.Request, providers []avail.Provider, busy avail.Busy) []avail.Slot {
	var out []avail.Slot
	overlaps := func(list []avail.Interval, iv avail.Interval) bool {
		for _, b := range list {
			if b.Start.Before(iv.End) && iv.Start.Before(b.End) {
				return true
			}
		}
		return false
	}
	for t := req.From; t.Before(req.To); t = t.Add(time.Minute) {
		local := t.In(req.Location)
		if (local.Hour()*60+local.Minute())%int(req.Grid/time.Minute) != 0 || t.Before(req.Now) {
			continue
		}
		slot := avail.Interval{Start: t, End: t.Add(req.Duration)}
		if slot.End.After(req.To) {
			continue
		}
		padded := avail.Interval{Start: slot.Start.Add(-req.BufferBefore), End: slot.End.Add(req.BufferAfter)}
		for _, p := range providers {
			if !avail.WithinHours(p, slot, req.Location) || overlaps(busy.Provider[p.ID], padded) {
				continue
			}
			// WithinHours is itself under test: cross-check the date rule.
			for _, o := range p.Operatories {
				if len(req.OperatoryIDs) > 0 && !slices.Contains(req.OperatoryIDs, o) {
					continue
				}
				if !overlaps(busy.Operatory[o], padded) {
					out = append(out, avail.Slot{Start: slot.Start, End: slot.End, ProviderID: p.ID, OperatoryID: o})
					break
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b avail.Slot) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if a.ProviderID < b.ProviderID {
			return -1
		}
		if a.ProviderID > b.ProviderID {
			return 1
		}
		return 0
	})
	return out
}

func TestSlotsMatchBruteForceOracle(t *testing.T) {
	zones := []string{"America/New_York", "Europe/Lisbon", "Asia/Kolkata", "Australia/Sydney", "UTC"}
	days := []string{"2026-03-07", "2026-03-28", "2026-10-24", "2026-10-31", "2026-06-15", "2026-04-04"}
	for seed := uint64(1); seed <= 150; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		loc := mustLoc(t, zones[rng.IntN(len(zones))])
		from, _ := dayRange(loc, days[rng.IntN(len(days))])
		to := from.Add(time.Duration(24+rng.IntN(72)) * time.Hour)
		grid := []time.Duration{5, 10, 15, 30, 60}[rng.IntN(5)] * time.Minute
		req := avail.Request{From: from, To: to, Duration: time.Duration(1+rng.IntN(12)) * 10 * time.Minute, Grid: grid, Location: loc,
			BufferBefore: time.Duration(rng.IntN(3)) * 5 * time.Minute, BufferAfter: time.Duration(rng.IntN(3)) * 5 * time.Minute}
		if rng.IntN(3) == 0 {
			req.Now = from.Add(time.Duration(rng.IntN(1440)) * time.Minute)
		}
		chairs := []string{"o1", "o2", "o3"}
		var providers []avail.Provider
		busy := avail.Busy{Provider: map[string][]avail.Interval{}, Operatory: map[string][]avail.Interval{}}
		for i := range 1 + rng.IntN(3) {
			h := avail.WeeklyHours{}
			for d := time.Sunday; d <= time.Saturday; d++ {
				if rng.IntN(5) == 0 {
					continue
				}
				a := rng.IntN(10) * 60
				b := a + 60 + rng.IntN(6)*60
				c := b + 30 + rng.IntN(3)*30
				e := c + 60 + rng.IntN(5)*60
				if e > 1440 {
					e = 1440
				}
				ws := []avail.Window{{Start: hm(a), End: hm(b)}}
				if c < e {
					ws = append(ws, avail.Window{Start: hm(c), End: hm(e)})
				}
				h[avail.Day(d)] = ws
			}
			p := avail.Provider{ID: fmt.Sprintf("p%d", i), Hours: h, Operatories: []string{chairs[rng.IntN(3)], chairs[rng.IntN(3)]}}
			if rng.IntN(3) == 0 {
				d := from.In(loc).AddDate(0, 0, rng.IntN(3)).Format(time.DateOnly)
				p.TimeOff = []avail.DateRange{{From: d, To: d}}
			}
			providers = append(providers, p)
			for range rng.IntN(8) {
				s := from.Add(time.Duration(rng.IntN(96)) * 15 * time.Minute)
				busy.Provider[p.ID] = append(busy.Provider[p.ID], avail.Interval{Start: s, End: s.Add(time.Duration(1+rng.IntN(8)) * 15 * time.Minute)})
			}
		}
		for _, o := range chairs {
			for range rng.IntN(6) {
				s := from.Add(time.Duration(rng.IntN(96)) * 15 * time.Minute)
				busy.Operatory[o] = append(busy.Operatory[o], avail.Interval{Start: s, End: s.Add(time.Duration(1+rng.IntN(8)) * 15 * time.Minute)})
			}
		}
		if rng.IntN(4) == 0 {
			req.OperatoryIDs = []string{chairs[rng.IntN(3)]}
		}
		got, want := avail.Slots(req, providers, busy), oracle(req, providers, busy)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d (%s from %s): engine %d slots, oracle %d\nengine: %v\noracle: %v", seed, loc, from.In(loc), len(got), len(want), first(got), first(want))
		}
	}
}

func hm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func first(s []avail.Slot) []avail.Slot {
	if len(s) > 6 {
		return s[:6]
	}
	return s
}

func BenchmarkSlotsWeek(b *testing.B) {
	loc := mustLoc(b, "America/New_York")
	from, _ := dayRange(loc, "2026-11-02")
	to := from.Add(7 * 24 * time.Hour)
	var providers []avail.Provider
	busy := avail.Busy{Provider: map[string][]avail.Interval{}, Operatory: map[string][]avail.Interval{}}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 10 {
		p := avail.Provider{ID: fmt.Sprintf("p%d", i), Hours: allWeek(avail.Window{Start: "08:00", End: "12:00"}, avail.Window{Start: "13:00", End: "18:00"}), Operatories: []string{"o1", "o2", "o3", "o4"}}
		providers = append(providers, p)
		for range 40 {
			s := from.Add(time.Duration(rng.IntN(7*96)) * 15 * time.Minute)
			iv := avail.Interval{Start: s, End: s.Add(45 * time.Minute)}
			busy.Provider[p.ID] = append(busy.Provider[p.ID], iv)
			o := p.Operatories[rng.IntN(4)]
			busy.Operatory[o] = append(busy.Operatory[o], iv)
		}
	}
	req := avail.Request{From: from, To: to, Duration: time.Hour, Grid: 15 * time.Minute, Location: loc, BufferAfter: 10 * time.Minute}
	b.ReportAllocs()
	for b.Loop() {
		avail.Slots(req, providers, busy)
	}
}
