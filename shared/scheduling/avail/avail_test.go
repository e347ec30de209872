package avail_test

import (
	"flag"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

// ---------------------------------------------------------------- helpers

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// local is an unambiguous local wall time ("2006-01-02 15:04") as a UTC instant.
func local(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	if v.Format("2006-01-02 15:04") != s {
		t.Fatalf("%s does not exist (or is ambiguous) in %s; use an RFC 3339 instant", s, loc)
	}
	return v.UTC()
}

// rfc is an RFC 3339 instant with explicit offset, for DST-ambiguous times.
func rfc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

func every(days []time.Weekday, w ...avail.Window) avail.WeeklyHours {
	h := avail.WeeklyHours{}
	for _, d := range days {
		h[avail.Day(d)] = w
	}
	return h
}

var everyDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

// render shows slots as "Mon 08:00 a op1" in loc, one per element.
func render(slots []avail.Slot, loc *time.Location) []string {
	out := []string{}
	for _, s := range slots {
		out = append(out, fmt.Sprintf("%s %s %s", s.Start.In(loc).Format("Mon 15:04"), s.ProviderID, s.OperatoryID))
	}
	return out
}

// checkInvariants holds for every answer of Slots.
func checkInvariants(t *testing.T, req avail.Request, slots []avail.Slot) {
	t.Helper()
	for i, s := range slots {
		if s.Start.Location() != time.UTC || s.End.Location() != time.UTC {
			t.Errorf("slot %d not in UTC: %v", i, s)
		}
		if got := s.End.Sub(s.Start); got != req.Duration {
			t.Errorf("slot %d lasts %v, want %v", i, got, req.Duration)
		}
		if i > 0 {
			p := slots[i-1]
			if s.Start.Before(p.Start) || (s.Start.Equal(p.Start) && s.ProviderID <= p.ProviderID) {
				t.Errorf("slots %d and %d out of order: %v, %v", i-1, i, p, s)
			}
		}
	}
}

// ---------------------------------------------------------------- basics

func TestSlotsBasics(t *testing.T) {
	ny := zone(t, "America/New_York")
	at := func(s string) time.Time { return local(t, ny, "2026-06-15 "+s) } // a Monday
	iv := func(a, b string) avail.Interval { return avail.Interval{Start: at(a), End: at(b)} }
	hours := every(everyDay[1:6], avail.Window{Start: "08:00", End: "12:00"}, avail.Window{Start: "13:00", End: "15:00"})
	base := func() (avail.Request, []avail.Provider, avail.Busy) {
		req := avail.Request{From: at("00:00"), To: at("23:00"), Duration: time.Hour, Grid: 30 * time.Minute, Location: ny}
		ps := []avail.Provider{{ID: "a", Hours: hours, Operatories: []string{"op1", "op2"}}}
		return req, ps, avail.Busy{Provider: map[string][]avail.Interval{}, Operatory: map[string][]avail.Interval{}}
	}
	// book puts an appointment on a provider and a chair, as the service does.
	book := func(b avail.Busy, provider, chair string, x avail.Interval) {
		b.Provider[provider] = append(b.Provider[provider], x)
		b.Operatory[chair] = append(b.Operatory[chair], x)
	}
	morning := []string{"Mon 08:00 a op1", "Mon 08:30 a op1", "Mon 09:00 a op1", "Mon 09:30 a op1", "Mon 10:00 a op1", "Mon 10:30 a op1", "Mon 11:00 a op1"}
	afternoon := []string{"Mon 13:00 a op1", "Mon 13:30 a op1", "Mon 14:00 a op1"}
	without := func(list []string, drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(s string) bool {
			return slices.ContainsFunc(drop, func(d string) bool { return strings.HasPrefix(s, "Mon "+d) })
		})
	}
	chairOf := func(list []string, chair string, starts ...string) []string {
		out := slices.Clone(list)
		for i, s := range out {
			for _, st := range starts {
				if strings.HasPrefix(s, "Mon "+st) {
					out[i] = strings.TrimSuffix(s, "op1") + chair
				}
			}
		}
		return out
	}
	all := slices.Concat(morning, afternoon)

	tests := []struct {
		name string
		mod  func(*avail.Request, *[]avail.Provider, avail.Busy)
		want []string
	}{
		{name: "lunch break splits the day; no slot crosses it", want: all},
		{
			name: "whole day of time off",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				(*ps)[0].TimeOff = []avail.DateRange{{From: "2026-06-14", To: "2026-06-15"}}
			},
			want: []string{},
		},
		{
			name: "time off on another day changes nothing",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				(*ps)[0].TimeOff = []avail.DateRange{{From: "2026-06-16", To: "2026-06-20"}}
			},
			want: all,
		},
		{
			name: "no hours on Sunday",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				r.From, r.To = local(t, ny, "2026-06-14 00:00"), local(t, ny, "2026-06-15 00:00")
			},
			want: []string{},
		},
		{
			name: "touching appointment (end == start) is not an overlap",
			mod:  func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) { book(b, "a", "op1", iv("10:00", "11:00")) },
			want: without(all, "09:30", "10:00", "10:30"),
		},
		{
			name: "buffers block the neighbours",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				book(b, "a", "op1", iv("10:00", "11:00"))
				r.BufferBefore, r.BufferAfter = 15*time.Minute, 15*time.Minute
			},
			want: without(all, "09:00", "09:30", "10:00", "10:30", "11:00"),
		},
		{
			name: "only the buffer after blocks the later neighbour",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				book(b, "a", "op1", iv("10:00", "11:00"))
				r.BufferAfter = 15 * time.Minute
			},
			want: without(all, "09:00", "09:30", "10:00", "10:30"),
		},
		{
			name: "an appointment containing candidate slots",
			mod:  func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) { book(b, "a", "op1", iv("08:30", "12:00")) },
			want: slices.Concat([]string{}, afternoon),
		},
		{
			name: "an appointment contained in a candidate slot",
			mod:  func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) { book(b, "a", "op1", iv("09:10", "09:20")) },
			want: without(all, "08:30", "09:00"),
		},
		{
			name: "chair taken by another provider: slot on the other chair",
			mod:  func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) { book(b, "z", "op1", iv("10:00", "11:00")) },
			want: chairOf(all, "op2", "09:30", "10:00", "10:30"),
		},
		{
			name: "both chairs taken",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				book(b, "y", "op1", iv("10:00", "11:00"))
				book(b, "z", "op2", iv("10:00", "10:30"))
			},
			want: chairOf(without(all, "09:30", "10:00"), "op2", "10:30"),
		},
		{
			name: "the provider busy in any chair blocks the slot",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				book(b, "a", "op9", iv("10:00", "11:00"))
			},
			want: without(all, "09:30", "10:00", "10:30"),
		},
		{
			name: "chair preference order is respected",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				(*ps)[0].Operatories = []string{"op2", "op1"}
			},
			want: chairOf(all, "op2", "08", "09", "10", "11", "13", "14"),
		},
		{
			name: "cancelled appointments are simply not in Busy",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				type appt struct {
					iv     avail.Interval
					status string
				}
				for _, a := range []appt{{iv("10:00", "11:00"), "cancelled"}, {iv("13:00", "14:00"), "scheduled"}} {
					if a.status != "cancelled" {
						book(b, "a", "op1", a.iv)
					}
				}
			},
			want: without(all, "12:30", "13:00", "13:30"),
		},
		{
			name: "provider filter",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				*ps = append(*ps, avail.Provider{ID: "b", Hours: every([]time.Weekday{time.Monday}, avail.Window{Start: "14:00", End: "15:00"}), Operatories: []string{"op2"}})
				r.ProviderIDs = []string{"b"}
			},
			want: []string{"Mon 14:00 b op2"},
		},
		{
			name: "two providers sorted by start then provider ID",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				*ps = append([]avail.Provider{{ID: "b", Hours: every([]time.Weekday{time.Monday}, avail.Window{Start: "13:30", End: "15:00"}), Operatories: []string{"op2"}}}, *ps...)
				r.From = at("13:00")
			},
			want: []string{"Mon 13:00 a op1", "Mon 13:30 a op1", "Mon 13:30 b op2", "Mon 14:00 a op1", "Mon 14:00 b op2"},
		},
		{
			name: "operatory filter",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				book(b, "z", "op2", iv("10:00", "11:00"))
				r.OperatoryIDs = []string{"op2"}
			},
			want: chairOf(without(all, "09:30", "10:00", "10:30"), "op2", "08", "09", "10", "11", "13", "14"),
		},
		{
			name: "operatory filter with none of the provider's chairs",
			mod:  func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) { r.OperatoryIDs = []string{"op3"} },
			want: []string{},
		},
		{
			name: "Now cuts off earlier starts",
			mod:  func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) { r.Now = at("10:10") },
			want: without(all, "08", "09", "10:00"),
		},
		{
			name: "From and To bound start and end",
			mod:  func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) { r.From, r.To = at("09:10"), at("14:30") },
			want: without(all, "08", "09:00", "14:00"),
		},
		{
			name: "window edges: a slot may end exactly at the window's end",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				r.Duration = 2 * time.Hour
			},
			want: []string{"Mon 08:00 a op1", "Mon 08:30 a op1", "Mon 09:00 a op1", "Mon 09:30 a op1", "Mon 10:00 a op1", "Mon 13:00 a op1"},
		},
		{
			name: "grid is counted from local midnight",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				(*ps)[0].Hours = every([]time.Weekday{time.Monday}, avail.Window{Start: "08:10", End: "10:00"})
				r.Grid, r.Duration = 25*time.Minute, 20*time.Minute // 08:20 = 500 min = 20 × 25
			},
			want: []string{"Mon 08:20 a op1", "Mon 08:45 a op1", "Mon 09:10 a op1", "Mon 09:35 a op1"},
		},
		{
			name: "time off is by local date, not UTC date",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				// 20:00–22:00 EDT is 00:00–02:00 UTC the next day.
				(*ps)[0].Hours = every(everyDay, avail.Window{Start: "20:00", End: "22:00"})
				(*ps)[0].TimeOff = []avail.DateRange{{From: "2026-06-16", To: "2026-06-16"}}
				r.From, r.To, r.Grid = at("00:00"), local(t, ny, "2026-06-18 00:00"), time.Hour
			},
			want: []string{"Mon 20:00 a op1", "Mon 21:00 a op1", "Wed 20:00 a op1", "Wed 21:00 a op1"},
		},
		{
			name: "overlapping windows (rejected by Validate) offer each start once",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				(*ps)[0].Hours = every([]time.Weekday{time.Monday}, avail.Window{Start: "08:00", End: "10:00"}, avail.Window{Start: "09:00", End: "11:00"})
			},
			want: []string{"Mon 08:00 a op1", "Mon 08:30 a op1", "Mon 09:00 a op1", "Mon 09:30 a op1", "Mon 10:00 a op1"},
		},
		{
			name: "a provider listed twice is offered once, as first listed",
			mod: func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) {
				*ps = append(*ps, avail.Provider{ID: "a", Hours: hours, Operatories: []string{"op2"}})
			},
			want: all,
		},
		{
			name: "invalid request has no slots",
			mod:  func(r *avail.Request, ps *[]avail.Provider, b avail.Busy) { r.Duration = 0 },
			want: []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, ps, busy := base()
			if tc.mod != nil {
				tc.mod(&req, &ps, busy)
			}
			got := avail.Slots(req, ps, busy)
			checkInvariants(t, req, got)
			if g, w := strings.Join(render(got, ny), "\n"), strings.Join(tc.want, "\n"); g != w {
				t.Errorf("got:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

func TestOverlapsAndPadded(t *testing.T) {
	t0 := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	iv := func(a, b int) avail.Interval {
		return avail.Interval{Start: t0.Add(time.Duration(a) * time.Minute), End: t0.Add(time.Duration(b) * time.Minute)}
	}
	tests := []struct {
		name string
		a, b avail.Interval
		want bool
	}{
		{"disjoint", iv(0, 10), iv(20, 30), false},
		{"touching", iv(0, 10), iv(10, 20), false},
		{"touching reversed", iv(10, 20), iv(0, 10), false},
		{"partial", iv(0, 15), iv(10, 20), true},
		{"contains", iv(0, 30), iv(10, 20), true},
		{"contained", iv(10, 20), iv(0, 30), true},
		{"equal", iv(0, 10), iv(0, 10), true},
		{"empty inside", iv(0, 30), iv(10, 10), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Overlaps(tc.b); got != tc.want {
				t.Errorf("%v.Overlaps(%v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
	if got, want := avail.Padded(iv(10, 20), 5*time.Minute, 15*time.Minute), iv(5, 35); got != want {
		t.Errorf("Padded = %v, want %v", got, want)
	}
}

func TestValidate(t *testing.T) {
	w := func(a, b string) avail.Window { return avail.Window{Start: a, End: b} }
	tests := []struct {
		name  string
		hours avail.WeeklyHours
		ok    bool
	}{
		{"empty", avail.WeeklyHours{}, true},
		{"lunch break", avail.WeeklyHours{"monday": {w("08:00", "12:00"), w("13:00", "17:00")}}, true},
		{"touching windows", avail.WeeklyHours{"monday": {w("13:00", "17:00"), w("08:00", "13:00")}}, true},
		{"until midnight", avail.WeeklyHours{"friday": {w("18:00", "24:00")}}, true},
		{"overlapping windows", avail.WeeklyHours{"monday": {w("08:00", "12:00"), w("11:00", "13:00")}}, false},
		{"end before start", avail.WeeklyHours{"monday": {w("12:00", "08:00")}}, false},
		{"empty window", avail.WeeklyHours{"monday": {w("12:00", "12:00")}}, false},
		{"overnight", avail.WeeklyHours{"monday": {w("22:00", "02:00")}}, false},
		{"single-digit hour", avail.WeeklyHours{"monday": {w("8:00", "12:00")}}, false},
		{"minutes out of range", avail.WeeklyHours{"monday": {w("08:60", "12:00")}}, false},
		{"hour out of range", avail.WeeklyHours{"monday": {w("08:00", "25:00")}}, false},
		{"24:30", avail.WeeklyHours{"monday": {w("08:00", "24:30")}}, false},
		{"start at 24:00", avail.WeeklyHours{"monday": {w("24:00", "24:00")}}, false},
		{"not a day", avail.WeeklyHours{"mon": {w("08:00", "12:00")}}, false},
		{"capitalised day", avail.WeeklyHours{"Monday": {w("08:00", "12:00")}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.hours.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	for _, tc := range []struct {
		r  avail.DateRange
		ok bool
	}{
		{avail.DateRange{From: "2026-06-15", To: "2026-06-15"}, true},
		{avail.DateRange{From: "2026-06-15", To: "2026-06-20"}, true},
		{avail.DateRange{From: "2026-06-20", To: "2026-06-15"}, false},
		{avail.DateRange{From: "2026-6-15", To: "2026-06-20"}, false},
		{avail.DateRange{From: "2026-02-30", To: "2026-03-01"}, false},
	} {
		if err := tc.r.Validate(); (err == nil) != tc.ok {
			t.Errorf("%v.Validate() = %v, want ok=%v", tc.r, err, tc.ok)
		}
	}
	good := avail.Request{From: time.Unix(0, 0), To: time.Unix(3600, 0), Duration: time.Minute}
	if err := good.Validate(); err != nil {
		t.Errorf("valid request: %v", err)
	}
	for name, mod := range map[string]func(*avail.Request){
		"zero duration":     func(r *avail.Request) { r.Duration = 0 },
		"grid of seconds":   func(r *avail.Request) { r.Grid = 90 * time.Second },
		"negative buffer":   func(r *avail.Request) { r.BufferBefore = -time.Minute },
		"to not after from": func(r *avail.Request) { r.To = r.From },
	} {
		r := good
		mod(&r)
		if r.Validate() == nil {
			t.Errorf("%s: Validate() = nil", name)
		}
	}
}

// ---------------------------------------------------------------- DST

func TestSlotsDST(t *testing.T) {
	type tcase struct {
		name       string
		tz, date   string
		windows    []avail.Window
		duration   time.Duration
		grid       time.Duration
		wantCount  int
		wantStarts []string // RFC 3339 instants that must be offered
		wantEnds   []string // ... with these ends, pairwise
		never      []string // local wall-clock "15:04" never offered as a start
	}
	win := func(a, b string) []avail.Window { return []avail.Window{{Start: a, End: b}} }
	tests := []tcase{
		// A normal working day is unaffected by a night-time shift: 9 real hours.
		{name: "New York spring forward, 08:00–17:00", tz: "America/New_York", date: "2026-03-08", windows: win("08:00", "17:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 18,
			wantStarts: []string{"2026-03-08T08:00:00-04:00", "2026-03-08T16:30:00-04:00"}},
		{name: "New York fall back, 08:00–17:00", tz: "America/New_York", date: "2026-11-01", windows: win("08:00", "17:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 18,
			wantStarts: []string{"2026-11-01T08:00:00-05:00", "2026-11-01T16:30:00-05:00"}},
		{name: "Lisbon spring forward, 08:00–17:00", tz: "Europe/Lisbon", date: "2026-03-29", windows: win("08:00", "17:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 18,
			wantStarts: []string{"2026-03-29T08:00:00+01:00", "2026-03-29T16:30:00+01:00"}},
		{name: "Lisbon fall back, 08:00–17:00", tz: "Europe/Lisbon", date: "2026-10-25", windows: win("08:00", "17:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 18,
			wantStarts: []string{"2026-10-25T08:00:00Z", "2026-10-25T16:30:00Z"}},

		// A window spanning the shift: 00:00–06:00 is 5 real hours in
		// spring (02:00 and 02:30 do not exist) and 7 in autumn (01:00 and
		// 01:30 happen twice).
		{name: "New York spring forward, 00:00–06:00 skips 02:xx", tz: "America/New_York", date: "2026-03-08", windows: win("00:00", "06:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 10,
			wantStarts: []string{"2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00"}, never: []string{"02:00", "02:30"}},
		{name: "New York fall back, 00:00–06:00 has both 01:00s and 01:30s", tz: "America/New_York", date: "2026-11-01", windows: win("00:00", "06:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 14,
			wantStarts: []string{"2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00"}},
		{name: "Lisbon spring forward, 00:00–06:00 skips 01:xx", tz: "Europe/Lisbon", date: "2026-03-29", windows: win("00:00", "06:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 10,
			wantStarts: []string{"2026-03-29T00:30:00Z", "2026-03-29T02:00:00+01:00"}, never: []string{"01:00", "01:30"}},
		{name: "Lisbon fall back, 00:00–06:00 has both 01:00s and 01:30s", tz: "Europe/Lisbon", date: "2026-10-25", windows: win("00:00", "06:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 14,
			wantStarts: []string{"2026-10-25T01:00:00+01:00", "2026-10-25T01:30:00+01:00", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z"}},

		// Durations are real elapsed time.
		{name: "New York fall back: 60 min from 01:30 EDT ends 01:30 EST", tz: "America/New_York", date: "2026-11-01", windows: win("00:00", "03:00"), duration: time.Hour, grid: 30 * time.Minute, wantCount: 7,
			wantStarts: []string{"2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"}, wantEnds: []string{"2026-11-01T01:30:00-05:00", "2026-11-01T02:30:00-05:00"}},
		{name: "New York spring forward: 60 min from 01:30 EST ends 03:30 EDT", tz: "America/New_York", date: "2026-03-08", windows: win("00:00", "04:00"), duration: time.Hour, grid: 30 * time.Minute, wantCount: 5,
			wantStarts: []string{"2026-03-08T01:30:00-05:00"}, wantEnds: []string{"2026-03-08T03:30:00-04:00"}, never: []string{"02:00", "02:30"}},
		{name: "Lisbon spring forward: 90 min from 00:30 WET ends 03:00 WEST", tz: "Europe/Lisbon", date: "2026-03-29", windows: win("00:00", "03:00"), duration: 90 * time.Minute, grid: 30 * time.Minute, wantCount: 2,
			wantStarts: []string{"2026-03-29T00:00:00Z", "2026-03-29T00:30:00Z"}, wantEnds: []string{"2026-03-29T02:30:00+01:00", "2026-03-29T03:00:00+01:00"}},

		// The grid is the local wall clock, so its phase in UTC shifts.
		{name: "Lisbon spring forward, 45-min grid keeps local phase", tz: "Europe/Lisbon", date: "2026-03-29", windows: win("00:00", "04:00"), duration: 15 * time.Minute, grid: 45 * time.Minute, wantCount: 5,
			wantStarts: []string{"2026-03-29T00:00:00Z", "2026-03-29T00:45:00Z", "2026-03-29T02:15:00+01:00", "2026-03-29T03:00:00+01:00", "2026-03-29T03:45:00+01:00"}, never: []string{"01:30"}},

		// Window edges at wall times the shift removes or repeats.
		{name: "New York spring forward, window 01:00–02:30 ends at the jump", tz: "America/New_York", date: "2026-03-08", windows: win("01:00", "02:30"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 2,
			wantStarts: []string{"2026-03-08T01:00:00-05:00", "2026-03-08T01:30:00-05:00"}},
		{name: "New York spring forward, window 02:30–04:00 starts at the jump", tz: "America/New_York", date: "2026-03-08", windows: win("02:30", "04:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 2,
			wantStarts: []string{"2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00"}},
		{name: "New York fall back, window 01:30–03:00 has both 01:30s", tz: "America/New_York", date: "2026-11-01", windows: win("01:30", "03:00"), duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 4,
			wantStarts: []string{"2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00", "2026-11-01T02:30:00-05:00"}},
		{name: "New York fall back, window 01:30–03:00: an hour from 01:30 EDT dips to 01:00 EST, outside", tz: "America/New_York", date: "2026-11-01", windows: win("01:30", "03:00"), duration: time.Hour, grid: 30 * time.Minute, wantCount: 2,
			wantStarts: []string{"2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00"}},
		// Two windows sharing the repeated hour interleave in real time:
		// 00:00–01:30 holds 00:00–01:29 EDT and 01:00–01:29 EST, 01:30–03:00
		// holds 01:30–01:59 EDT and 01:30–02:59 EST.
		{name: "New York fall back, windows 00:00–01:30 and 01:30–03:00 interleave", tz: "America/New_York", date: "2026-11-01",
			windows: []avail.Window{{Start: "00:00", End: "01:30"}, {Start: "01:30", End: "03:00"}}, duration: 30 * time.Minute, grid: 30 * time.Minute, wantCount: 8,
			wantStarts: []string{"2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00"}},
		{name: "New York fall back, the same windows with 60-min slots", tz: "America/New_York", date: "2026-11-01",
			windows: []avail.Window{{Start: "00:00", End: "01:30"}, {Start: "01:30", End: "03:00"}}, duration: time.Hour, grid: 30 * time.Minute, wantCount: 4,
			wantStarts: []string{"2026-11-01T00:00:00-04:00", "2026-11-01T00:30:00-04:00", "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := zone(t, tc.tz)
			day, _ := time.Parse(time.DateOnly, tc.date)
			p := avail.Provider{ID: "p", Hours: every([]time.Weekday{day.Weekday()}, tc.windows...), Operatories: []string{"op"}}
			// Search three whole local days around the date.
			req := avail.Request{
				From:     time.Date(day.Year(), day.Month(), day.Day()-1, 12, 0, 0, 0, loc).UTC(),
				To:       time.Date(day.Year(), day.Month(), day.Day()+1, 12, 0, 0, 0, loc).UTC(),
				Duration: tc.duration, Grid: tc.grid, Location: loc,
			}
			got := avail.Slots(req, []avail.Provider{p}, avail.Busy{})
			checkInvariants(t, req, got)
			if len(got) != tc.wantCount {
				t.Errorf("%d slots, want %d:\n%s", len(got), tc.wantCount, strings.Join(renderZ(got, loc), "\n"))
			}
			gridMin := int(tc.grid / time.Minute)
			for _, s := range got {
				l := s.Start.In(loc)
				if l.Format(time.DateOnly) != tc.date {
					t.Errorf("slot %v is not on %s", l, tc.date)
				}
				if (l.Hour()*60+l.Minute())%gridMin != 0 || l.Second() != 0 {
					t.Errorf("slot %v is off the local grid", l)
				}
				if slices.Contains(tc.never, l.Format("15:04")) {
					t.Errorf("slot at nonexistent wall time %v", l)
				}
				if !avail.WithinHours(p, avail.Interval{Start: s.Start, End: s.End}, loc) {
					t.Errorf("offered slot %v is not WithinHours", l)
				}
			}
			for i, w := range tc.wantStarts {
				start := rfc(t, w)
				j := slices.IndexFunc(got, func(s avail.Slot) bool { return s.Start.Equal(start) })
				if j < 0 {
					t.Errorf("no slot starting %s", w)
					continue
				}
				if i < len(tc.wantEnds) && !got[j].End.Equal(rfc(t, tc.wantEnds[i])) {
					t.Errorf("slot starting %s ends %s, want %s", w, got[j].End.In(loc).Format(time.RFC3339), tc.wantEnds[i])
				}
			}
		})
	}
}

func renderZ(slots []avail.Slot, loc *time.Location) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.In(loc).Format("2006-01-02 15:04 MST")+" – "+s.End.In(loc).Format("15:04 MST"))
	}
	return out
}

// Across a shift, a 09:00 slot stays at 09:00 local: its UTC time moves.
func TestSlotsAcrossDSTKeepLocalTime(t *testing.T) {
	for _, tc := range []struct{ tz, from, to string }{
		{"America/New_York", "2026-03-06", "2026-03-11"},
		{"America/New_York", "2026-10-30", "2026-11-04"},
		{"Europe/Lisbon", "2026-03-27", "2026-04-01"},
		{"Europe/Lisbon", "2026-10-23", "2026-10-28"},
	} {
		t.Run(tc.tz+" "+tc.from, func(t *testing.T) {
			loc := zone(t, tc.tz)
			p := avail.Provider{ID: "p", Hours: every(everyDay, avail.Window{Start: "09:00", End: "10:00"}), Operatories: []string{"op"}}
			req := avail.Request{From: local(t, loc, tc.from+" 00:00"), To: local(t, loc, tc.to+" 00:00"), Duration: time.Hour, Grid: 15 * time.Minute, Location: loc}
			got := avail.Slots(req, []avail.Provider{p}, avail.Busy{})
			if len(got) != 5 {
				t.Fatalf("%d slots, want 5: %v", len(got), renderZ(got, loc))
			}
			offsets := map[int]bool{}
			for _, s := range got {
				if l := s.Start.In(loc); l.Format("15:04") != "09:00" {
					t.Errorf("slot at %v, want 09:00 local", l)
				}
				_, off := s.Start.In(loc).Zone()
				offsets[off] = true
			}
			if len(offsets) != 2 {
				t.Errorf("expected the range to cross a shift; offsets %v", offsets)
			}
		})
	}
}

// ---------------------------------------------------------------- WithinHours

func TestWithinHoursTable(t *testing.T) {
	ny := zone(t, "America/New_York")
	lis := zone(t, "Europe/Lisbon")
	p := avail.Provider{
		ID: "p",
		Hours: avail.WeeklyHours{
			"monday":    {{Start: "08:00", End: "12:00"}, {Start: "13:00", End: "17:00"}},
			"tuesday":   {{Start: "08:00", End: "12:00"}, {Start: "12:00", End: "17:00"}},
			"wednesday": {{Start: "18:00", End: "24:00"}},
			"thursday":  {{Start: "00:00", End: "06:00"}, {Start: "18:00", End: "24:00"}},
			"friday":    {{Start: "08:00", End: "17:00"}},
			"sunday":    {{Start: "00:00", End: "03:00"}, {Start: "08:00", End: "17:00"}},
		},
		TimeOff: []avail.DateRange{{From: "2026-06-19", To: "2026-06-19"}}, // a Friday
	}
	type tcase struct {
		name string
		loc  *time.Location
		iv   avail.Interval
		want bool
	}
	ivl := func(loc *time.Location, a, b string) avail.Interval {
		return avail.Interval{Start: local(t, loc, a), End: local(t, loc, b)}
	}
	ivr := func(a, b string) avail.Interval { return avail.Interval{Start: rfc(t, a), End: rfc(t, b)} }
	tests := []tcase{
		{"inside the morning", ny, ivl(ny, "2026-06-15 09:00", "2026-06-15 10:00"), true},
		{"exactly the window", ny, ivl(ny, "2026-06-15 08:00", "2026-06-15 12:00"), true},
		{"ends at the window's end", ny, ivl(ny, "2026-06-15 16:00", "2026-06-15 17:00"), true},
		{"starts before hours", ny, ivl(ny, "2026-06-15 07:45", "2026-06-15 08:45"), false},
		{"runs past the end", ny, ivl(ny, "2026-06-15 16:30", "2026-06-15 17:30"), false},
		{"crosses the lunch break", ny, ivl(ny, "2026-06-15 11:30", "2026-06-15 13:30"), false},
		{"inside the break", ny, ivl(ny, "2026-06-15 12:15", "2026-06-15 12:45"), false},
		{"spans two touching windows", ny, ivl(ny, "2026-06-16 11:30", "2026-06-16 12:30"), false},
		{"on a day without hours", ny, ivl(ny, "2026-06-20 09:00", "2026-06-20 10:00"), false},
		{"empty interval", ny, ivl(ny, "2026-06-15 09:00", "2026-06-15 09:00"), false},
		{"until midnight", ny, ivl(ny, "2026-06-17 23:00", "2026-06-18 00:00"), true},
		{"crosses midnight between two windows", ny, ivl(ny, "2026-06-17 23:30", "2026-06-18 00:30"), false},
		{"after midnight, in the next day's window", ny, ivl(ny, "2026-06-18 00:00", "2026-06-18 01:00"), true},
		{"on a time-off date", ny, ivl(ny, "2026-06-19 09:00", "2026-06-19 10:00"), false},
		{"touches the time-off date across midnight", ny, ivl(ny, "2026-06-18 23:30", "2026-06-19 00:30"), false},
		{"ends exactly when the time-off date starts", ny, ivl(ny, "2026-06-18 23:00", "2026-06-19 00:00"), true},
		{"time off is by local date: 21:00 EDT Thursday is Friday in UTC", ny, ivl(ny, "2026-06-18 21:00", "2026-06-18 22:00"), true},
		{"the day after time off", ny, ivl(ny, "2026-06-22 09:00", "2026-06-22 10:00"), true},
		{"spring forward: 01:30 EST + 1h real = 03:30 EDT, not inside 00:00–03:00", ny, ivr("2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"), false},
		{"spring forward: 01:30 EST + 30m real = 03:00 EDT, inside 00:00–03:00", ny, ivr("2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00"), true},
		{"spring forward: 08:00–17:00 EDT", ny, ivr("2026-03-08T08:00:00-04:00", "2026-03-08T17:00:00-04:00"), true},
		{"spring forward: 16:30–17:30 EDT runs past the window", ny, ivr("2026-03-08T16:30:00-04:00", "2026-03-08T17:30:00-04:00"), false},
		{"fall back: 01:30 EDT – 01:30 EST", ny, ivr("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"), true},
		{"fall back: second 01:30 to 02:59 EST", ny, ivr("2026-11-01T01:30:00-05:00", "2026-11-01T03:00:00-05:00"), true},
		{"fall back: 02:30 EST + 1h ends 03:30, outside", ny, ivr("2026-11-01T02:30:00-05:00", "2026-11-01T03:30:00-05:00"), false},
		{"fall back: 16:00–17:00 EST", ny, ivr("2026-11-01T16:00:00-05:00", "2026-11-01T17:00:00-05:00"), true},
		{"Lisbon spring forward: 00:30 WET + 1h = 02:30 WEST", lis, ivr("2026-03-29T00:30:00Z", "2026-03-29T02:30:00+01:00"), true},
		{"Lisbon spring forward: 02:30 WEST + 1h = 03:30, outside 00:00–03:00", lis, ivr("2026-03-29T02:30:00+01:00", "2026-03-29T03:30:00+01:00"), false},
		{"Lisbon fall back: first 01:30 to second 01:30", lis, ivr("2026-10-25T01:30:00+01:00", "2026-10-25T01:30:00Z"), true},
		{"Lisbon fall back: 16:30–17:00 WET", lis, ivr("2026-10-25T16:30:00Z", "2026-10-25T17:00:00Z"), true},
		{"Lisbon fall back: 16:30–17:30 WET", lis, ivr("2026-10-25T16:30:00Z", "2026-10-25T17:30:00Z"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := avail.WithinHours(p, tc.iv, tc.loc); got != tc.want {
				t.Errorf("WithinHours(%s – %s) = %v, want %v", tc.iv.Start.In(tc.loc), tc.iv.End.In(tc.loc), got, tc.want)
			}
		})
	}
}

// ---------------------------------------------------------------- oracle

var seedFlag = flag.Int64("avail.seed", 0, "seed for TestSlotsMatchBruteForce (0: from the clock)")

// oracleZones mixes the zones under test: whole-hour DST both sides of
// Greenwich, a 30-minute DST shift (Lord Howe), shifts at midnight (Santiago,
// Havana), a +12:45/+13:45 zone and zones without DST.
var oracleZones = []string{
	"America/New_York", "Europe/Lisbon", "Australia/Lord_Howe", "America/Santiago",
	"America/Havana", "Pacific/Chatham", "Asia/Kolkata", "America/St_Johns", "Australia/Sydney", "UTC",
}

func TestSlotsMatchBruteForce(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -avail.seed=%d)", seed, seed)
	var zones []*time.Location
	var shifts [][]time.Time
	for _, name := range oracleZones {
		loc := zone(t, name)
		zones = append(zones, loc)
		shifts = append(shifts, transitions(loc, 2026))
	}
	const cases = 400
	total := 0
	for i := range cases {
		caseSeed := seed + int64(i)
		r := rand.New(rand.NewSource(caseSeed))
		z := r.Intn(len(zones))
		sc := randomScenario(r, zones[z], shifts[z])
		got := avail.Slots(sc.req, sc.providers, sc.busy)
		want := bruteForce(sc.req, sc.providers, sc.busy)
		total += len(want)
		if d := diff(got, want, sc.req.Location); d != "" {
			t.Fatalf("case %d (seed %d, zone %s, from %s, to %s, duration %v, grid %v, buffers %v/%v, now %s):\n%s\nrerun with -avail.seed=%d",
				i, caseSeed, sc.req.Location, sc.req.From.In(sc.req.Location), sc.req.To.In(sc.req.Location), sc.req.Duration, sc.req.Grid,
				sc.req.BufferBefore, sc.req.BufferAfter, sc.req.Now.In(sc.req.Location), d, seed)
		}
		// Every offered slot is within hours, and WithinHours agrees with
		// the naive check on random intervals.
		for _, s := range got {
			p := sc.providers[slices.IndexFunc(sc.providers, func(p avail.Provider) bool { return p.ID == s.ProviderID })]
			if !avail.WithinHours(p, avail.Interval{Start: s.Start, End: s.End}, sc.req.Location) {
				t.Fatalf("case %d (seed %d): offered slot %v is not WithinHours", i, caseSeed, s)
			}
		}
		for range 50 {
			p := sc.providers[r.Intn(len(sc.providers))]
			start := sc.req.From.Add(time.Duration(r.Int63n(int64(sc.req.To.Sub(sc.req.From)))))
			if r.Intn(2) == 0 {
				start = start.Truncate(time.Minute)
			}
			iv := avail.Interval{Start: start, End: start.Add(time.Duration(r.Intn(8*60)) * time.Minute / 2)}
			if got, want := avail.WithinHours(p, iv, sc.req.Location), naiveWithin(p, iv, sc.req.Location); got != want {
				t.Fatalf("case %d (seed %d): WithinHours(%s, %s – %s) = %v, naive %v", i, caseSeed, p.ID,
					iv.Start.In(sc.req.Location), iv.End.In(sc.req.Location), got, want)
			}
		}
	}
	t.Logf("%d cases, %d slots compared", cases, total)
}

type scenario struct {
	req       avail.Request
	providers []avail.Provider
	busy      avail.Busy
}

// transitions lists loc's offset changes during year and the next.
func transitions(loc *time.Location, year int) []time.Time {
	var out []time.Time
	t := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Year() > year+1 {
			return out
		}
		out = append(out, end)
		t = end
	}
}

func randomScenario(r *rand.Rand, loc *time.Location, shifts []time.Time) scenario {
	pick := func(list ...int) int { return list[r.Intn(len(list))] }
	minutes := func(n int) time.Duration { return time.Duration(n) * time.Minute }

	var from time.Time
	if len(shifts) > 0 && r.Intn(10) < 7 {
		from = shifts[r.Intn(len(shifts))].Add(-minutes(r.Intn(48 * 60)))
	} else {
		from = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(minutes(r.Intn(365 * 24 * 60)))
	}
	if r.Intn(3) == 0 {
		from = from.Add(time.Duration(r.Intn(60)) * time.Second)
	}
	to := from.Add(minutes(60 + r.Intn(60*60)))
	if r.Intn(3) == 0 {
		to = to.Add(time.Duration(r.Intn(60)) * time.Second)
	}
	req := avail.Request{
		From:         from,
		To:           to,
		Duration:     minutes(pick(5, 10, 15, 20, 30, 45, 60, 60, 90, 120, 180)),
		BufferBefore: minutes(pick(0, 0, 0, 5, 10, 15, 30)),
		BufferAfter:  minutes(pick(0, 0, 0, 5, 10, 15, 30)),
		Grid:         minutes(pick(5, 7, 10, 15, 15, 20, 25, 30, 30, 45, 60, 90)),
		Location:     loc,
	}
	if r.Intn(8) == 0 {
		req.Duration += time.Duration(1+r.Intn(59)) * time.Second
	}
	if r.Intn(2) == 0 {
		req.Now = from.Add(minutes(r.Intn(36*60) - 6*60))
	}
	chairs := []string{"op1", "op2", "op3", "op4"}
	ids := r.Perm(4)[:1+r.Intn(4)]
	var providers []avail.Provider
	for _, n := range ids {
		p := avail.Provider{ID: fmt.Sprintf("p%d", n), Hours: randomHours(r)}
		order := r.Perm(len(chairs))
		for _, c := range order[:r.Intn(4)] {
			p.Operatories = append(p.Operatories, chairs[c])
		}
		for range r.Intn(3) {
			d := from.In(loc).AddDate(0, 0, r.Intn(7)-3)
			p.TimeOff = append(p.TimeOff, avail.DateRange{From: d.Format(time.DateOnly), To: d.AddDate(0, 0, r.Intn(3)).Format(time.DateOnly)})
		}
		providers = append(providers, p)
	}
	randomIv := func() avail.Interval {
		s := from.Add(minutes(r.Intn(int(to.Sub(from)/time.Minute)+8*60) - 6*60))
		if r.Intn(4) == 0 {
			s = s.Add(time.Duration(r.Intn(60)) * time.Second)
		}
		return avail.Interval{Start: s, End: s.Add(minutes(r.Intn(181)))}
	}
	busy := avail.Busy{Provider: map[string][]avail.Interval{}, Operatory: map[string][]avail.Interval{}}
	for _, p := range providers {
		for range r.Intn(12) {
			iv := randomIv()
			busy.Provider[p.ID] = append(busy.Provider[p.ID], iv)
			if r.Intn(2) == 0 {
				c := chairs[r.Intn(len(chairs))]
				busy.Operatory[c] = append(busy.Operatory[c], iv)
			}
		}
	}
	for _, c := range chairs {
		for range r.Intn(10) {
			busy.Operatory[c] = append(busy.Operatory[c], randomIv())
		}
	}
	if r.Intn(5) == 0 {
		req.ProviderIDs = []string{providers[r.Intn(len(providers))].ID, "nobody"}
	}
	if r.Intn(3) == 0 {
		req.OperatoryIDs = []string{chairs[r.Intn(len(chairs))]}
		if r.Intn(2) == 0 {
			req.OperatoryIDs = append(req.OperatoryIDs, chairs[r.Intn(len(chairs))])
		}
	}
	return scenario{req, providers, busy}
}

// randomHours makes valid hours, often at night so that windows meet the
// shifts: sorted distinct cut points paired into windows, sometimes touching.
func randomHours(r *rand.Rand) avail.WeeklyHours {
	clock := func(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
	h := avail.WeeklyHours{}
	for _, d := range everyDay {
		if r.Intn(5) == 0 {
			continue
		}
		step := []int{1, 5, 15, 30, 60}[r.Intn(5)]
		n := 2 * (1 + r.Intn(3))
		cuts := map[int]bool{}
		for len(cuts) < n {
			cuts[r.Intn(1440/step+1)*step] = true
		}
		var sorted []int
		for c := range cuts {
			sorted = append(sorted, c)
		}
		slices.Sort(sorted)
		var ws []avail.Window
		for i := 0; i < n; i += 2 {
			a := sorted[i]
			if i > 0 && r.Intn(4) == 0 {
				a = sorted[i-1] // touch the previous window
			}
			ws = append(ws, avail.Window{Start: clock(a), End: clock(sorted[i+1])})
		}
		h[avail.Day(d)] = ws
	}
	if err := h.Validate(); err != nil {
		panic(err)
	}
	return h
}

// bruteForce is the most naive reading of the rules: walk every minute of
// the range, keep those whose local wall clock is on the grid, and check
// each rule directly.
func bruteForce(req avail.Request, providers []avail.Provider, busy avail.Busy) []avail.Slot {
	loc := req.Location
	gridMin := int(req.Grid / time.Minute)
	var out []avail.Slot
	for t := req.From.Truncate(time.Minute); t.Before(req.To); t = t.Add(time.Minute) {
		l := t.In(loc)
		if t.Before(req.From) || l.Second() != 0 || (l.Hour()*60+l.Minute())%gridMin != 0 {
			continue
		}
		for _, p := range providers {
			if len(req.ProviderIDs) > 0 && !slices.Contains(req.ProviderIDs, p.ID) {
				continue
			}
			end := t.Add(req.Duration)
			if t.Before(req.Now) || end.After(req.To) {
				continue
			}
			if !naiveWithin(p, avail.Interval{Start: t, End: end}, loc) {
				continue
			}
			ps, pe := t.Add(-req.BufferBefore), end.Add(req.BufferAfter)
			overlapsAny := func(list []avail.Interval) bool {
				for _, b := range list {
					if b.Start.Before(b.End) && b.Start.Before(pe) && ps.Before(b.End) {
						return true
					}
				}
				return false
			}
			if overlapsAny(busy.Provider[p.ID]) {
				continue
			}
			for _, o := range p.Operatories {
				if len(req.OperatoryIDs) > 0 && !slices.Contains(req.OperatoryIDs, o) {
					continue
				}
				if !overlapsAny(busy.Operatory[o]) {
					out = append(out, avail.Slot{Start: t, End: end, ProviderID: p.ID, OperatoryID: o})
					break
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b avail.Slot) int { return strings.Compare(a.ProviderID, b.ProviderID) })
	slices.SortStableFunc(out, func(a, b avail.Slot) int { return a.Start.Compare(b.Start) })
	return out
}

// naiveWithin checks iv instant by instant: every minute of it (and its last
// instant) must have the start's local date, a wall clock inside one and the
// same window of that weekday, and no date of it may be time off. Window
// edges and zone shifts fall on whole minutes, so this is exact.
func naiveWithin(p avail.Provider, iv avail.Interval, loc *time.Location) bool {
	if !iv.Start.Before(iv.End) {
		return false
	}
	var points []time.Time
	for t := iv.Start; t.Before(iv.End); t = t.Add(time.Minute) {
		points = append(points, t)
	}
	points = append(points, iv.End.Add(-time.Nanosecond))
	for _, t := range points {
		date := t.In(loc).Format(time.DateOnly)
		for _, r := range p.TimeOff {
			if r.From <= date && date <= r.To {
				return false
			}
		}
	}
	first := iv.Start.In(loc)
	for _, w := range p.Hours[strings.ToLower(first.Weekday().String())] {
		var a, b, h, m int
		fmt.Sscanf(w.Start, "%d:%d", &h, &m)
		a = h*60 + m
		fmt.Sscanf(w.End, "%d:%d", &h, &m)
		b = h*60 + m
		inside := true
		for _, t := range points {
			l := t.In(loc)
			wall := l.Hour()*60 + l.Minute()
			if l.Format(time.DateOnly) != first.Format(time.DateOnly) || wall < a || wall >= b {
				inside = false
				break
			}
		}
		if inside {
			return true
		}
	}
	return false
}

func diff(got, want []avail.Slot, loc *time.Location) string {
	show := func(s avail.Slot) string {
		return fmt.Sprintf("%s – %s %s %s", s.Start.In(loc).Format("Mon 2006-01-02 15:04:05 MST"), s.End.In(loc).Format("15:04:05 MST"), s.ProviderID, s.OperatoryID)
	}
	var b strings.Builder
	i, j, n := 0, 0, 0
	for (i < len(got) || j < len(want)) && n < 10 {
		switch {
		case i < len(got) && j < len(want) && got[i].Start.Equal(want[j].Start) && got[i].End.Equal(want[j].End) &&
			got[i].ProviderID == want[j].ProviderID && got[i].OperatoryID == want[j].OperatoryID:
			i, j = i+1, j+1
		case j == len(want) || (i < len(got) && (got[i].Start.Before(want[j].Start) ||
			(got[i].Start.Equal(want[j].Start) && got[i].ProviderID < want[j].ProviderID))):
			fmt.Fprintf(&b, "  extra:   %s\n", show(got[i]))
			i, n = i+1, n+1
		case i == len(got) || want[j].Start.Before(got[i].Start) ||
			(want[j].Start.Equal(got[i].Start) && want[j].ProviderID < got[i].ProviderID):
			fmt.Fprintf(&b, "  missing: %s\n", show(want[j]))
			j, n = j+1, n+1
		default:
			fmt.Fprintf(&b, "  got:     %s\n  want:    %s\n", show(got[i]), show(want[j]))
			i, j, n = i+1, j+1, n+1
		}
	}
	if b.Len() > 0 {
		fmt.Fprintf(&b, "  (%d slots, want %d)", len(got), len(want))
	}
	return b.String()
}
