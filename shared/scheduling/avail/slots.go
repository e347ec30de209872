package avail

import (
	"slices"
	"sort"
	"time"
)

// Slots returns every free slot, sorted by Start, then ProviderID.
//
// A slot [s, s+Duration) is offered for provider P when s is on the local
// grid; the slot lies inside one of P's windows on its local date; that date
// is not in P's time off; s >= Now, s >= From and the end <= To; the slot
// padded by the request's buffers overlaps none of P's busy intervals; and
// some allowed operatory (P's, in P's preference order, filtered by
// OperatoryIDs) has no busy interval overlapping the padded slot — the slot
// is offered with the first such operatory. A malformed request (see
// Request.Validate) has no slots.
//
// Cost: sorting the busy intervals that touch the range, then for each
// provider and grid start a binary search per resource.
func Slots(req Request, providers []Provider, busy Busy) []Slot {
	if req.Validate() != nil {
		return nil
	}
	loc, grid := req.location(), req.grid()
	earliest := req.From
	if req.Now.After(earliest) {
		earliest = req.Now
	}
	if earliest.Add(req.Duration).After(req.To) {
		return nil
	}
	dates := days(earliest, req.To, loc)
	if len(dates) == 0 {
		return nil
	}
	// Only busy time overlapping this can touch a padded slot.
	reach := Interval{Start: earliest.Add(-req.BufferBefore), End: req.To.Add(req.BufferAfter)}
	chairs := map[string]timeline{}
	chair := func(id string) timeline {
		t, ok := chairs[id]
		if !ok {
			t = newTimeline(busy.Operatory[id], reach)
			chairs[id] = t
		}
		return t
	}

	var lists [][]Slot // per provider, sorted by Start
	var buf []piece
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
		hours := parseHours(p.Hours)
		off := parseTimeOff(p.TimeOff, dates[0].key, dates[len(dates)-1].key)
		mine := newTimeline(busy.Provider[p.ID], reach)
		var out []Slot
		for _, d := range dates {
			if off.has(d.key) {
				continue
			}
			for _, w := range hours[d.weekday] {
				buf = d.pieces(w.a, w.b, buf)
				for _, pc := range buf {
					// Within one piece the offset is constant, so stepping
					// the instant by the grid steps the wall clock by it.
					first := ceilTo(d.wall(pc.Start, pc), grid)
					for s := d.midnight.Add(first - pc.off); s.Before(pc.End); s = s.Add(grid) {
						end := s.Add(req.Duration)
						if end.After(pc.runEnd) || end.After(req.To) {
							break
						}
						if s.Before(earliest) {
							continue
						}
						padded := Padded(Interval{Start: s, End: end}, req.BufferBefore, req.BufferAfter)
						if !mine.free(padded) {
							continue
						}
						for _, o := range allowed {
							if chair(o).free(padded) {
								out = append(out, Slot{Start: s, End: end, ProviderID: p.ID, OperatoryID: o})
								break
							}
						}
					}
				}
			}
		}
		// Dates ascend, a day's windows are sorted by wall-clock start and a
		// window's pieces ascend, so out is usually sorted already. It is not
		// when a fall-back day repeats an hour that two windows share, and it
		// holds a start twice if windows overlap (which Validate rejects).
		if !slices.IsSortedFunc(out, byStart) {
			slices.SortStableFunc(out, byStart)
		}
		out = slices.CompactFunc(out, func(a, b Slot) bool { return a.Start.Equal(b.Start) })
		if len(out) > 0 {
			lists = append(lists, out)
		}
	}
	return merge(lists)
}

func byStart(a, b Slot) int { return a.Start.Compare(b.Start) }

// merge merges per-provider lists sorted by Start into one list sorted by
// Start, then ProviderID. A provider listed twice keeps its first entry's
// slot at each start.
func merge(lists [][]Slot) []Slot {
	if len(lists) == 1 {
		return lists[0]
	}
	total := 0
	for _, l := range lists {
		total += len(l)
	}
	out := make([]Slot, 0, total)
	heads := make([]int, len(lists))
	for {
		best := -1
		for i, l := range lists {
			if heads[i] == len(l) {
				continue
			}
			if best < 0 {
				best = i
				continue
			}
			s, b := l[heads[i]], lists[best][heads[best]]
			if c := s.Start.Compare(b.Start); c < 0 || (c == 0 && s.ProviderID < b.ProviderID) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		s := lists[best][heads[best]]
		heads[best]++
		if n := len(out); n > 0 && out[n-1].Start.Equal(s.Start) && out[n-1].ProviderID == s.ProviderID {
			continue
		}
		out = append(out, s)
	}
	return out
}

// ceilTo rounds d (>= 0) up to a multiple of g.
func ceilTo(d, g time.Duration) time.Duration {
	return (d + g - 1) / g * g
}

// WithinHours reports whether iv (UTC, without buffers) lies entirely inside
// one working window of p's local day and on no time-off date (any local
// date iv touches) — used to validate a booking. Windows are read as the
// package documentation describes; an empty iv is never within hours.
func WithinHours(p Provider, iv Interval, loc *time.Location) bool {
	if iv.Empty() {
		return false
	}
	if loc == nil {
		loc = time.UTC
	}
	d := newDay(civilOf(iv.Start, loc), loc)
	var buf []piece
	for _, w := range parseHours(p.Hours)[d.weekday] {
		buf = d.pieces(w.a, w.b, buf)
		for _, pc := range buf {
			if !iv.Start.Before(pc.Start) && iv.Start.Before(pc.End) && !iv.End.After(pc.runEnd) {
				// Inside a window of date d, iv touches no other date.
				return !parseTimeOff(p.TimeOff, d.key, d.key).has(d.key)
			}
		}
	}
	return false
}

// timeline is one resource's busy time, merged into sorted disjoint
// intervals so that a binary search answers "is this free?".
type timeline []Interval

func newTimeline(list []Interval, reach Interval) timeline {
	var t timeline
	for _, iv := range list {
		if iv.Overlaps(reach) {
			t = append(t, iv)
		}
	}
	slices.SortFunc(t, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	merged := t[:0]
	for _, iv := range t {
		if n := len(merged); n > 0 && !iv.Start.After(merged[n-1].End) {
			if iv.End.After(merged[n-1].End) {
				merged[n-1].End = iv.End
			}
			continue
		}
		merged = append(merged, iv)
	}
	return merged
}

// free reports whether iv (non-empty) overlaps none of t.
func (t timeline) free(iv Interval) bool {
	i := sort.Search(len(t), func(i int) bool { return t[i].End.After(iv.Start) })
	return i == len(t) || !t[i].Start.Before(iv.End)
}
