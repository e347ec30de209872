package avail_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

// weekFixture is a busy practice: 10 providers sharing 6 chairs, Monday to
// Saturday with a lunch break, and n appointments (with buffers) in a week
// that includes the New York fall-back Sunday.
func weekFixture(b *testing.B, n int) (avail.Request, []avail.Provider, avail.Busy) {
	loc := zone(b, "America/New_York")
	from := local(b, loc, "2026-10-29 00:00")
	to := local(b, loc, "2026-11-05 00:00")
	hours := avail.WeeklyHours{}
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday} {
		hours[avail.Day(d)] = []avail.Window{{Start: "08:00", End: "12:00"}, {Start: "13:00", End: "17:30"}}
	}
	hours[avail.Day(time.Saturday)] = []avail.Window{{Start: "09:00", End: "13:00"}}
	chairs := []string{"op1", "op2", "op3", "op4", "op5", "op6"}
	r := rand.New(rand.NewSource(1))
	var providers []avail.Provider
	for i := range 10 {
		p := avail.Provider{ID: fmt.Sprintf("prov-%02d", i), Hours: hours, Operatories: []string{chairs[i%6], chairs[(i+1)%6], chairs[(i+3)%6]}}
		if i == 3 {
			p.TimeOff = []avail.DateRange{{From: "2026-11-02", To: "2026-11-03"}}
		}
		providers = append(providers, p)
	}
	busy := avail.Busy{Provider: map[string][]avail.Interval{}, Operatory: map[string][]avail.Interval{}}
	for range n {
		p := providers[r.Intn(len(providers))]
		day := r.Intn(7)
		start := time.Date(2026, 10, 29+day, 8, 0, 0, 0, loc).Add(time.Duration(r.Intn(36)) * 15 * time.Minute)
		iv := avail.Padded(avail.Interval{Start: start.UTC(), End: start.Add(time.Duration(2+r.Intn(5)) * 15 * time.Minute).UTC()}, 5*time.Minute, 10*time.Minute)
		busy.Provider[p.ID] = append(busy.Provider[p.ID], iv)
		c := p.Operatories[r.Intn(len(p.Operatories))]
		busy.Operatory[c] = append(busy.Operatory[c], iv)
	}
	req := avail.Request{
		From: from, To: to, Duration: 30 * time.Minute, BufferBefore: 5 * time.Minute, BufferAfter: 10 * time.Minute,
		Grid: 15 * time.Minute, Location: loc,
	}
	return req, providers, busy
}

// BenchmarkSlotsBusyWeek measures a week × 10 providers × 15-minute grid with
// hundreds of appointments (it asserts nothing about time). The package
// also has BenchmarkSlotsWeek, in dst_oracle_test.go.
func BenchmarkSlotsBusyWeek(b *testing.B) {
	for _, n := range []int{0, 300} {
		b.Run(fmt.Sprintf("appointments=%d", n), func(b *testing.B) {
			req, providers, busy := weekFixture(b, n)
			var n int
			b.ReportAllocs()
			for b.Loop() {
				n = len(avail.Slots(req, providers, busy))
			}
			b.ReportMetric(float64(n), "slots")
		})
	}
}

func BenchmarkWithinHours(b *testing.B) {
	_, providers, _ := weekFixture(b, 0)
	loc := zone(b, "America/New_York")
	iv := avail.Interval{Start: local(b, loc, "2026-11-02 10:00"), End: local(b, loc, "2026-11-02 11:00")}
	b.ReportAllocs()
	for b.Loop() {
		avail.WithinHours(providers[0], iv, loc)
	}
}
