package reports

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// appointments: one row per local date of the period with the bookings
// that start that day. booked counts every appointment that was on the
// book (scheduled, confirmed, checked in, completed, no-show or
// cancelled; a patient's hold that was never confirmed is not a booking);
// each rate is its count ÷ booked, null on a day with none.
func (s *Service) appointments(ctx context.Context, clinicID string, cat Catalog, p Period) (Report, error) {
	type day struct{ booked, completed, noShows, cancelled, late int64 }
	dates := p.dates()
	byDate := make(map[string]*day, len(dates))
	for _, d := range dates {
		byDate[d] = &day{}
	}
	from, to := p.bounds(cat.Location)
	err := s.Source.Appointments(ctx, clinicID, from, to, s.batch(), func(list []Appointment) error {
		for _, a := range list {
			d := byDate[a.Start.In(cat.Location).Format(time.DateOnly)]
			if d == nil {
				continue
			}
			switch a.Status {
			case StatusScheduled, StatusConfirmed, StatusCheckedIn:
			case StatusCompleted:
				d.completed++
			case StatusNoShow:
				d.noShows++
			case StatusCancelled:
				d.cancelled++
				if a.LateCancel {
					d.late++
				}
			default:
				continue
			}
			d.booked++
		}
		return nil
	})
	r := Report{Columns: []string{"date", "booked", "completed", "noShows", "cancelled", "lateCancels", "completionRate", "noShowRate", "lateCancelRate"}}
	var t day
	row := func(d day) []any {
		return []any{d.booked, d.completed, d.noShows, d.cancelled, d.late, rate(d.completed, d.booked), rate(d.noShows, d.booked), rate(d.late, d.booked)}
	}
	for _, date := range dates {
		d := *byDate[date]
		r.Rows = append(r.Rows, append([]any{date}, row(d)...))
		t.booked, t.completed, t.noShows, t.cancelled, t.late = t.booked+d.booked, t.completed+d.completed, t.noShows+d.noShows, t.cancelled+d.cancelled, t.late+d.late
	}
	vals := row(t)
	for i, c := range r.Columns[1:] {
		r.Totals = append(r.Totals, Field{c, vals[i]})
	}
	return r, err
}

// production: completed procedures in the period by provider and
// category, one row per (provider, category) pair, with the totals per
// provider and per category. The source is the charge of each completed
// procedure (it names the provider; the category is its code's in the fee
// schedule, "uncategorised" when the schedule no longer has it).
func (s *Service) production(ctx context.Context, clinicID string, cat Catalog, p Period) (Report, error) {
	type key struct{ provider, category string }
	type sum struct {
		Procedures  int64 `json:"procedures"`
		AmountCents int64 `json:"amountCents"`
	}
	pairs := map[key]*sum{}
	from, to := p.bounds(cat.Location)
	err := s.Source.Procedures(ctx, clinicID, from, to, s.batch(), func(list []Procedure) error {
		for _, pr := range list {
			if pr.At.Before(from) || !pr.At.Before(to) {
				continue
			}
			k := key{pr.ProviderID, cmp.Or(pr.Category, "uncategorised")}
			if pairs[k] == nil {
				pairs[k] = &sum{}
			}
			pairs[k].Procedures++
			pairs[k].AmountCents += pr.AmountCents
		}
		return nil
	})
	names := map[string]string{"": "Unassigned"}
	for _, pv := range cat.Providers {
		names[pv.ID] = pv.Name
	}
	keys := make([]key, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(names[a.provider], names[b.provider]), cmp.Compare(a.provider, b.provider), cmp.Compare(a.category, b.category))
	})
	type providerSum struct {
		Provider string `json:"provider"`
		sum
	}
	byProvider, byCategory := map[string]*providerSum{}, map[string]*sum{}
	var total sum
	r := Report{Columns: []string{"providerId", "provider", "category", "procedures", "amountCents"}}
	for _, k := range keys {
		v := pairs[k]
		r.Rows = append(r.Rows, []any{k.provider, names[k.provider], k.category, v.Procedures, v.AmountCents})
		if byProvider[k.provider] == nil {
			byProvider[k.provider] = &providerSum{Provider: names[k.provider]}
		}
		if byCategory[k.category] == nil {
			byCategory[k.category] = &sum{}
		}
		for _, x := range []*sum{&byProvider[k.provider].sum, byCategory[k.category], &total} {
			x.Procedures += v.Procedures
			x.AmountCents += v.AmountCents
		}
	}
	r.Totals = []Field{{"procedures", total.Procedures}, {"amountCents", total.AmountCents}, {"byProvider", byProvider}, {"byCategory", byCategory}}
	return r, err
}

// maxVisit bounds how long before the period a booking that reaches into
// it can start (scheduling's longest visit is under 9 hours).
const maxVisit = 12 * time.Hour

// utilization: per chair, booked minutes ÷ open minutes in the period.
// A chair is open whenever at least one active provider who works in it
// (lists it among their chairs) is working: the union of those
// providers' hours in the clinic's zone, without their time off, in real
// minutes (a spring-forward day's skipped hour is no open time, a
// fall-back day's repeated hour is open twice). Booked minutes are the
// real minutes, within the period, of the appointments holding the chair
// (scheduled, confirmed, checked in, completed, and no-shows, which held
// it too); buffers are not booked time. A chair booked outside its open
// hours can exceed 1. Inactive chairs without bookings are left out.
func (s *Service) utilization(ctx context.Context, clinicID string, cat Catalog, p Period) (Report, error) {
	from, to := p.bounds(cat.Location)
	open := map[string][]Interval{}
	for _, pv := range cat.Providers {
		if !pv.Active || pv.Working == nil {
			continue
		}
		work := pv.Working(from, to)
		for _, c := range pv.Chairs {
			open[c] = append(open[c], work...)
		}
	}
	booked := map[string]time.Duration{}
	err := s.Source.Appointments(ctx, clinicID, from.Add(-maxVisit), to, s.batch(), func(list []Appointment) error {
		for _, a := range list {
			switch a.Status {
			case StatusScheduled, StatusConfirmed, StatusCheckedIn, StatusCompleted, StatusNoShow:
			default:
				continue
			}
			start, end := a.Start, a.End
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			if end.After(start) {
				booked[a.ChairID] += end.Sub(start)
			}
		}
		return nil
	})
	r := Report{Columns: []string{"operatoryId", "operatory", "openMinutes", "bookedMinutes", "utilization"}}
	chairs := slices.Clone(cat.Chairs)
	slices.SortFunc(chairs, func(a, b Chair) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	var tOpen, tBooked int64
	for _, c := range chairs {
		if !c.Active && booked[c.ID] == 0 {
			continue
		}
		o, b := int64(measure(open[c.ID])/time.Minute), int64(booked[c.ID]/time.Minute)
		r.Rows = append(r.Rows, []any{c.ID, c.Name, o, b, rate(b, o)})
		tOpen, tBooked = tOpen+o, tBooked+b
	}
	r.Totals = []Field{{"openMinutes", tOpen}, {"bookedMinutes", tBooked}, {"utilization", rate(tBooked, tOpen)}}
	return r, err
}

// measure is the length of the union of list.
func measure(list []Interval) time.Duration {
	slices.SortFunc(list, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	var total time.Duration
	var cur Interval
	for i, iv := range list {
		if i > 0 && !iv.Start.After(cur.End) {
			if iv.End.After(cur.End) {
				cur.End = iv.End
			}
			continue
		}
		if i > 0 {
			total += cur.End.Sub(cur.Start)
		}
		cur = iv
	}
	if len(list) > 0 {
		total += cur.End.Sub(cur.Start)
	}
	return total
}

// aging: accounts receivable as of now, one row per patient with an open
// balance (the ledger's own aging of each account: credits to the oldest
// debits first, days in the clinic's zone), with the totals across them.
// A credit balance is no receivable and is left out.
func (s *Service) aging(ctx context.Context, clinicID string) (Report, error) {
	r := Report{Columns: []string{"patientId", "patient", "0-30", "31-60", "61-90", "90+", "totalCents"}}
	var t Aging
	err := s.Source.Balances(ctx, clinicID, s.now(), s.batch(), func(list []Balance) error {
		for _, b := range list {
			a := b.Aging
			total := a.Current + a.Days31 + a.Days61 + a.Days90
			if total == 0 {
				continue
			}
			r.Rows = append(r.Rows, []any{b.PatientID, b.Name, a.Current, a.Days31, a.Days61, a.Days90, total})
			r.PatientIDs = append(r.PatientIDs, b.PatientID)
			t.Current, t.Days31, t.Days61, t.Days90 = t.Current+a.Current, t.Days31+a.Days31, t.Days61+a.Days61, t.Days90+a.Days90
		}
		return nil
	})
	r.Totals = []Field{{"0-30", t.Current}, {"31-60", t.Days31}, {"61-90", t.Days61}, {"90+", t.Days90},
		{"totalCents", t.Current + t.Days31 + t.Days61 + t.Days90}, {"patients", int64(len(r.Rows))}}
	return r, err
}

// Recall statuses.
const (
	RecallScheduled = "scheduled"
	RecallDue       = "due"
	RecallOverdue   = "overdue"
)

// recall: the active patients whose recall falls due in the period, each
// scheduled (a hygiene visit is booked from today on: scheduled,
// confirmed or checked in), else overdue (due before today, in the
// clinic's zone) or due (today or later). A completed hygiene visit moves
// the recall on, so a patient seen is no longer due in the period.
func (s *Service) recall(ctx context.Context, clinicID string, cat Catalog, p Period) (Report, error) {
	now := s.now()
	todayDate := now.In(cat.Location).Format(time.DateOnly)
	today := Period{From: todayDate, To: todayDate}
	startOfToday, _ := today.bounds(cat.Location)
	// The next hygiene visit of each patient who has one booked: one entry
	// per such patient, however many appointments are read.
	next := map[string]time.Time{}
	err := s.Source.Appointments(ctx, clinicID, startOfToday, time.Time{}, s.batch(), func(list []Appointment) error {
		for _, a := range list {
			if !slices.Contains(cat.HygieneTypes, a.TypeID) {
				continue
			}
			switch a.Status {
			case StatusScheduled, StatusConfirmed, StatusCheckedIn:
			default:
				continue
			}
			if n, ok := next[a.PatientID]; !ok || a.Start.Before(n) {
				next[a.PatientID] = a.Start
			}
		}
		return nil
	})
	r := Report{Columns: []string{"patientId", "patient", "dueDate", "status", "nextVisit"}}
	if err != nil {
		return r, err
	}
	counts := map[string]int64{}
	err = s.Source.Recalls(ctx, clinicID, p.From, p.To, s.batch(), func(list []Recall) error {
		for _, rc := range list {
			status, visit := RecallDue, ""
			if n, ok := next[rc.PatientID]; ok {
				status, visit = RecallScheduled, n.In(cat.Location).Format(time.DateOnly)
			} else if rc.DueDate < todayDate {
				status = RecallOverdue
			}
			counts[status]++
			r.Rows = append(r.Rows, []any{rc.PatientID, rc.Name, rc.DueDate, status, visit})
			r.PatientIDs = append(r.PatientIDs, rc.PatientID)
		}
		return nil
	})
	n := int64(len(r.Rows))
	r.Totals = []Field{{"patients", n}, {"scheduled", counts[RecallScheduled]}, {"due", counts[RecallDue]},
		{"overdue", counts[RecallOverdue]}, {"scheduledRate", rate(counts[RecallScheduled], n)}}
	return r, err
}

// newPatients: one row per local date of the period with the patient
// records created that day (archived since or not), and their total.
func (s *Service) newPatients(ctx context.Context, clinicID string, cat Catalog, p Period) (Report, error) {
	dates := p.dates()
	byDate := make(map[string]int64, len(dates))
	from, to := p.bounds(cat.Location)
	err := s.Source.NewPatients(ctx, clinicID, from, to, s.batch(), func(list []NewPatient) error {
		for _, np := range list {
			if np.CreatedAt.Before(from) || !np.CreatedAt.Before(to) {
				continue
			}
			byDate[np.CreatedAt.In(cat.Location).Format(time.DateOnly)]++
		}
		return nil
	})
	r := Report{Columns: []string{"date", "newPatients"}}
	var total int64
	for _, d := range dates {
		r.Rows = append(r.Rows, []any{d, byDate[d]})
		total += byDate[d]
	}
	r.Totals = []Field{{"newPatients", total}}
	return r, err
}

// productionDaily: one row per local date of the period with the
// completed procedures of that day and their charges (production's
// source, by day rather than by provider and category).
func (s *Service) productionDaily(ctx context.Context, clinicID string, cat Catalog, p Period) (Report, error) {
	type sum struct{ procedures, cents int64 }
	dates := p.dates()
	byDate := make(map[string]*sum, len(dates))
	for _, d := range dates {
		byDate[d] = &sum{}
	}
	from, to := p.bounds(cat.Location)
	err := s.Source.Procedures(ctx, clinicID, from, to, s.batch(), func(list []Procedure) error {
		for _, pr := range list {
			if d := byDate[pr.At.In(cat.Location).Format(time.DateOnly)]; d != nil && !pr.At.Before(from) && pr.At.Before(to) {
				d.procedures++
				d.cents += pr.AmountCents
			}
		}
		return nil
	})
	r := Report{Columns: []string{"date", "procedures", "amountCents"}}
	var t sum
	for _, d := range dates {
		v := byDate[d]
		r.Rows = append(r.Rows, []any{d, v.procedures, v.cents})
		t.procedures, t.cents = t.procedures+v.procedures, t.cents+v.cents
	}
	r.Totals = []Field{{"procedures", t.procedures}, {"amountCents", t.cents}}
	return r, err
}
