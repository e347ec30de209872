package scheduling

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

// fuzzCatalog is a practice in New York: an active dentist working weekdays
// 08:00–17:00 in chair o1, an inactive one, a second chair she does not use,
// and types of 30 minutes (bookable online, with buffers) and of none.
func fuzzCatalog() Catalog {
	hours := avail.WeeklyHours{}
	for d := time.Monday; d <= time.Friday; d++ {
		hours[avail.Day(d)] = []avail.Window{{Start: "08:00", End: "12:00"}, {Start: "13:00", End: "17:00"}}
	}
	return Catalog{
		Settings: Settings{TimeZone: "America/New_York", SlotMinutes: 15},
		Providers: []Provider{
			{ID: "p1", Name: "Dr A", Active: true, Operatories: []string{"o1"}, Hours: hours, TimeOff: []TimeOff{{From: "2026-07-03", To: "2026-07-03"}}},
			{ID: "p2", Name: "Dr B", Active: false, Operatories: []string{"o1", "o2"}, Hours: hours},
		},
		Operatories: []Operatory{{ID: "o1", Name: "Op 1", Active: true}, {ID: "o2", Name: "Op 2", Active: true}, {ID: "o3", Name: "Op 3"}},
		Types: []AppointmentType{
			{ID: "t1", Name: "Cleaning", DurationMinutes: 30, BookableOnline: true, BufferBefore: 5, BufferAfter: 10},
			{ID: "t2", Name: "Open", DurationMinutes: 0},
		},
	}
}

// FuzzBooking: a booking request of any times and ids is either refused
// (400 with fields, or 422 for a rule) or resolves to an appointment that
// keeps every booking rule: a known active provider in a chair she works
// in, inside her hours and not on time off, in the future, on 5-minute
// marks, longer than nothing and at most 8 hours, stored in UTC.
func FuzzBooking(f *testing.F) {
	day := time.Date(2026, 7, 1, 14, 0, 0, 0, time.UTC).Unix() // Wednesday 10:00 in New York
	f.Add(uint8(0), uint8(0), uint8(0), day, int64(0), false, "pat")
	f.Add(uint8(0), uint8(0), uint8(2), day, day+45*60, false, "pat")
	f.Add(uint8(0), uint8(1), uint8(0), day, int64(0), false, "pat")
	f.Add(uint8(1), uint8(0), uint8(0), day, int64(0), true, "pat")
	f.Add(uint8(0), uint8(0), uint8(1), day+2*86400, int64(0), true, "pat")   // on time off
	f.Add(uint8(0), uint8(0), uint8(2), day+3*3600, day+4*3600+60, false, "") // lunch, off grid, no patient
	f.Add(uint8(0), uint8(0), uint8(2), day, day+9*3600, false, "pat")
	f.Add(uint8(0), uint8(0), uint8(0), int64(-62135596800), int64(253402300799), false, "pat")
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	names := []string{"p1", "p2", "o1", "o2", "o3", "t1", "t2", "", "nope"}
	f.Fuzz(func(t *testing.T, provider, chair, typ uint8, start, end int64, online bool, patient string) {
		cat := fuzzCatalog()
		b := Booking{PatientID: patient, ProviderID: names[int(provider)%len(names)], OperatoryID: names[int(chair)%len(names)],
			TypeID: names[int(typ)%len(names)], Start: instant(start), OnlineOnly: online}
		if end != 0 {
			b.End = instant(end)
		}
		a, err := cat.resolve(b, now)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || (e.Kind != errs.Invalid && e.Kind != errs.Unprocessable) || (e.Kind == errs.Invalid && len(e.Fields) == 0) {
				t.Fatalf("resolve(%+v) = %v, want 400 with fields or 422", b, err)
			}
			return
		}
		p, ok := cat.provider(a.ProviderID)
		if !ok || !p.Active || !slices.Contains(p.Operatories, a.OperatoryID) || a.PatientID == "" {
			t.Fatalf("resolve(%+v) booked %+v", b, a)
		}
		if o, ok := cat.operatory(a.OperatoryID); !ok || !o.Active {
			t.Fatalf("resolve(%+v) booked inactive chair %s", b, a.OperatoryID)
		}
		if a.Start.Location() != time.UTC || a.End.Location() != time.UTC || !a.Start.After(now) || !a.End.After(a.Start) ||
			a.End.Sub(a.Start) > 8*time.Hour || !onGrid(a.Start) || !onGrid(a.End) {
			t.Fatalf("resolve(%+v) booked %v–%v", b, a.Start, a.End)
		}
		if !avail.WithinHours(p.availProvider(), avail.Interval{Start: a.Start, End: a.End}, cat.location()) {
			t.Fatalf("resolve(%+v) booked %v–%v outside hours", b, a.Start, a.End)
		}
		if online {
			if ty, ok := cat.apptType(a.TypeID); !ok || !ty.BookableOnline {
				t.Fatalf("online booking of type %q", a.TypeID)
			}
		}
	})
}

// instant maps any int64 (Unix seconds) onto the times a JSON body can
// name: years 0000–9999.
func instant(v int64) time.Time {
	const lo, hi = -62167219200, 253402300799
	if v < lo || v > hi {
		v = lo + (v%(hi-lo)+(hi-lo))%(hi-lo)
	}
	return time.Unix(v, 0).UTC()
}
