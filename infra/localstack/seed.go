package localstack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

var firstNames = []string{"Ana", "João", "Maria", "Liam", "Olivia", "Noah", "Emma", "Sofia", "Mateo", "Chloé", "Aarav", "Mei", "Yusuf", "Zoë",
	"Lucas", "Inês", "Ethan", "Amara", "Hiroshi", "Fatima", "Oscar", "Nora", "Diego", "Ava"}
var lastNames = []string{"Silva", "Santos", "Smith", "Johnson", "García", "Müller", "Nguyen", "Kowalski", "O'Brien", "Rossi", "Haddad",
	"Kim", "Patel", "Dubois", "Costa", "Okoye", "Tanaka", "Jensen"}

// seedPractice loads the demo practice: chairs, three providers with hours,
// appointment types, 40 patients, and appointments today (the earlier ones
// checked in or completed) and on the seven days after, and the four
// weeks before today as they went (seedHistory).
func seedPractice(ctx context.Context, d Deps, clinic identity.Clinic, staff map[identity.Role]identity.User) error {
	st := wire.Scheduling(d.Mongo, d.Redis, d.Clock, nil, "")
	var chairs []string
	for i := 1; i <= 4; i++ {
		o, err := st.CreateOperatory(ctx, clinic.ID, fmt.Sprintf("Operatory %d", i))
		if err != nil {
			return err
		}
		chairs = append(chairs, o.ID)
	}
	weekdays := func(windows ...avail.Window) avail.WeeklyHours {
		h := avail.WeeklyHours{}
		for day := time.Monday; day <= time.Friday; day++ {
			h[avail.Day(day)] = windows
		}
		return h
	}
	type spec struct {
		name, kind, colour string
		user               identity.Role
		chairs             []string
		hours              avail.WeeklyHours
	}
	specs := []spec{
		{"Dr. Maya Okafor", "dentist", "#1f6feb", identity.RoleDentist, chairs[:2], weekdays(avail.Window{Start: "08:00", End: "12:00"}, avail.Window{Start: "13:00", End: "17:00"})},
		{"Luis Fernandes, RDH", "hygienist", "#1a7f37", identity.RoleHygienist, chairs[2:], weekdays(avail.Window{Start: "07:30", End: "12:30"}, avail.Window{Start: "13:30", End: "16:00"})},
		{"Dr. Samuel Reyes", "dentist", "#8250df", "", []string{chairs[1], chairs[0]}, weekdays(avail.Window{Start: "10:00", End: "13:00"}, avail.Window{Start: "14:00", End: "19:00"})},
	}
	var providers []scheduling.Provider
	for _, sp := range specs {
		in := scheduling.ProviderInput{Name: &sp.name, Kind: &sp.kind, Colour: &sp.colour, Operatories: &sp.chairs}
		if u, ok := staff[sp.user]; ok {
			in.UserID = &u.ID
		}
		p, err := st.CreateProvider(ctx, clinic.ID, in)
		if err != nil {
			return err
		}
		if p, err = st.SetHours(ctx, clinic.ID, p.ID, sp.hours); err != nil {
			return err
		}
		providers = append(providers, p)
	}
	typeSpecs := []scheduling.AppointmentType{
		{Name: "Cleaning & check-up", Category: "hygiene", DurationMinutes: 60, BufferAfter: 10, BookableOnline: true, Colour: "#1a7f37", ProviderKinds: []string{"hygienist"}},
		{Name: "New patient exam", Category: "exam", DurationMinutes: 45, BookableOnline: true, Colour: "#0969da", ProviderKinds: []string{"dentist"}},
		{Name: "Filling", Category: "restorative", DurationMinutes: 60, BufferAfter: 5, Colour: "#bf8700", ProviderKinds: []string{"dentist"}},
		{Name: "Crown preparation", Category: "restorative", DurationMinutes: 90, BufferAfter: 10, Colour: "#9a6700", ProviderKinds: []string{"dentist"}},
		{Name: "Emergency visit", Category: "emergency", DurationMinutes: 30, Colour: "#cf222e", ProviderKinds: []string{"dentist"}},
	}
	var types []scheduling.AppointmentType
	for _, t := range typeSpecs {
		out, err := st.CreateType(ctx, clinic.ID, t)
		if err != nil {
			return err
		}
		types = append(types, out)
	}
	ps := patients.NewStore(d.Mongo, d.Clock)
	rng := rand.New(rand.NewPCG(42, 7))
	var patientIDs []string
	for i := 0; i < 40; i++ {
		first, last := firstNames[i%len(firstNames)], lastNames[(i*7)%len(lastNames)]
		dob := time.Date(1950+rng.IntN(65), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		p, err := ps.Create(ctx, clinic.ID, patients.Patient{ID: ids.New(), FirstName: first, LastName: last, DateOfBirth: dob.Format(time.DateOnly),
			Phone: fmt.Sprintf("+1212555%04d", 100+i), Email: fmt.Sprintf("%s.%s%d@example.com", asciiLower(first), asciiLower(last), i), Source: "seed"})
		if err != nil {
			return err
		}
		patientIDs = append(patientIDs, p.ID)
	}
	sys := scheduling.Actor{UserID: "seed", Role: "system"}
	// Today and the week after it: walk each provider's free slots day by
	// day and book about a third of them. The days are the clinic's (not
	// UTC's: in a New York evening UTC is already on the next day).
	loc, err := time.LoadLocation(clinic.Settings.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	now := d.Clock.Now()
	y, mo, dd := now.In(loc).Date()
	today := time.Date(y, mo, dd, 0, 0, 0, 0, loc)
	// Today's earlier visits are booked as the desk would have booked them
	// (before they started) and then checked in and completed in their
	// time: through a store on a clock of its own, set to each moment.
	then := clock.NewFake(today)
	earlier := wire.Scheduling(d.Mongo, d.Redis, then, nil, "")
	next := patientsPerType(rng, patientIDs)
	var bookedToday []scheduling.Appointment
	for day := 0; day <= 7; day++ {
		from := today.AddDate(0, 0, day)
		to := from.AddDate(0, 0, 1)
		for _, p := range providers {
			t := seedTypeFor(rng, p, types)
			slots, err := earlier.Availability(ctx, clinic.ID, scheduling.AvailabilityQuery{From: from, To: to, TypeID: t.ID, ProviderID: p.ID})
			if err != nil {
				return err
			}
			for _, s := range slots {
				if rng.IntN(3) != 0 {
					continue
				}
				patientID, ok := next(t)
				if !ok {
					break // no patient left for a first visit
				}
				b := scheduling.Booking{PatientID: patientID, ProviderID: s.ProviderID, OperatoryID: s.OperatoryID, TypeID: t.ID, Start: s.Start, Source: "staff"}
				var a scheduling.Appointment
				if s.Start.After(now) {
					a, err = st.Book(ctx, clinic.ID, b, sys)
				} else {
					then.Set(today)
					a, err = earlier.Book(ctx, clinic.ID, b, sys)
				}
				if err != nil && !errs.Is(err, errs.Conflict) {
					return err
				}
				if err == nil && day == 0 {
					bookedToday = append(bookedToday, a)
				}
			}
		}
	}
	if err := seedTodaysProgress(ctx, earlier, then, clinic.ID, bookedToday, now, sys); err != nil {
		return err
	}
	if err := seedHistory(ctx, history{st: earlier, then: then, appts: d.Mongo.Collection("appointments"), clinicID: clinic.ID, providers: providers, types: types, rng: rng, next: next, sys: sys}, today); err != nil {
		return err
	}
	return seedWaitlist(ctx, d, st, clinic.ID, patientIDs, types)
}

// history is what seedHistory books with: availability from a store on a
// clock of its own, set to the week before each day.
type history struct {
	st        *scheduling.Store
	then      *clock.Fake // st's clock
	appts     *store.Collection
	clinicID  string
	providers []scheduling.Provider
	types     []scheduling.AppointmentType
	rng       *rand.Rand
	next      func(scheduling.AppointmentType) (string, bool)
	sys       scheduling.Actor
}

// historyDays is how far back the demo practice has been seeing patients:
// the dashboard's 30-day trends and the reports' last month have visits.
const historyDays = 30

// seedHistory gives the days before today their visits as they went:
// about a quarter of each provider's slots, booked a week ahead, most
// completed in their time, one in twenty a no-show and one in twenty
// cancelled late on the morning of the visit. The past takes no booking
// rules and hears no events, so the records are written as the store
// would have left them, in one insert (booking them one by one through the
// store took ~25 s of every fresh start).
func seedHistory(ctx context.Context, h history, today time.Time) error {
	var docs []any
	chairs := map[string][][2]time.Time{} // operatory → intervals taken
	free := func(op string, from, to time.Time) bool {
		for _, iv := range chairs[op] {
			if from.Before(iv[1]) && iv[0].Before(to) {
				return false
			}
		}
		chairs[op] = append(chairs[op], [2]time.Time{from, to})
		return true
	}
	for day := -historyDays; day < 0; day++ {
		from := today.AddDate(0, 0, day)
		h.then.Set(from.AddDate(0, 0, -7)) // the day's slots as the desk saw them
		for _, p := range h.providers {
			t := seedTypeFor(h.rng, p, h.types)
			slots, err := h.st.Availability(ctx, h.clinicID, scheduling.AvailabilityQuery{From: from, To: from.AddDate(0, 0, 1), TypeID: t.ID, ProviderID: p.ID})
			if err != nil {
				return err
			}
			for _, sl := range slots {
				end := sl.Start.Add(time.Duration(t.DurationMinutes) * time.Minute)
				if h.rng.IntN(4) != 0 || !free(sl.OperatoryID, sl.Start, end) {
					continue
				}
				patientID, ok := h.next(t)
				if !ok {
					break
				}
				docs = append(docs, h.visit(scheduling.Appointment{ID: ids.New(), ClinicID: h.clinicID, PatientID: patientID, ProviderID: sl.ProviderID,
					OperatoryID: sl.OperatoryID, TypeID: t.ID, Start: sl.Start, End: end, BufferBefore: t.BufferBefore, BufferAfter: t.BufferAfter,
					Source: "staff"}, from.AddDate(0, 0, -7)))
			}
		}
	}
	if len(docs) == 0 {
		return nil
	}
	return h.appts.InsertMany(ctx, h.clinicID, docs)
}

// visit is a past appointment booked at booked, with how it ended.
func (h history) visit(a scheduling.Appointment, booked time.Time) scheduling.Appointment {
	change := func(at time.Time, action string, from, to scheduling.Status) scheduling.Change {
		return scheduling.Change{At: at.UTC(), By: h.sys.UserID, ByRole: h.sys.Role, Action: action, From: string(from), To: string(to)}
	}
	a.History = []scheduling.Change{change(booked, "book", "", scheduling.Scheduled)}
	switch h.rng.IntN(20) {
	case 0:
		a.Status = scheduling.NoShow
		a.History = append(a.History, change(a.End.Add(time.Hour), "no-show", scheduling.Scheduled, scheduling.NoShow))
	case 1:
		a.Status, a.CancelReason, a.LateCancel = scheduling.Cancelled, "illness", true
		c := change(a.Start.Add(-3*time.Hour), "cancel", scheduling.Scheduled, scheduling.Cancelled)
		c.Reason = "illness"
		a.History = append(a.History, c)
	default:
		a.Status = scheduling.Completed
		a.History = append(a.History, change(a.Start.Add(-10*time.Minute), "check-in", scheduling.Scheduled, scheduling.CheckedIn),
			change(a.End, "complete", scheduling.CheckedIn, scheduling.Completed))
	}
	a.Version = len(a.History)
	a.CreatedAt, a.UpdatedAt = booked.UTC(), a.History[len(a.History)-1].At
	a.Start, a.End = a.Start.UTC(), a.End.UTC()
	return a
}

// seedTypeFor is the visit a provider sees on one seeded day: cleanings for
// a hygienist, a visit a dentist may take for a dentist.
func seedTypeFor(rng *rand.Rand, p scheduling.Provider, types []scheduling.AppointmentType) scheduling.AppointmentType {
	var fit []scheduling.AppointmentType
	for _, t := range types {
		if len(t.ProviderKinds) == 0 || slices.Contains(t.ProviderKinds, p.Kind) {
			fit = append(fit, t)
		}
	}
	if p.Kind == "hygienist" || len(fit) == 0 {
		return types[0]
	}
	return fit[rng.IntN(len(fit))]
}

// patientsPerType deals patients per appointment type, each patient once
// per type before any comes round again; a new patient's exam is dealt
// once per patient at most (no patient is new twice).
func patientsPerType(rng *rand.Rand, patientIDs []string) func(scheduling.AppointmentType) (string, bool) {
	decks := map[string][]string{}
	dealt := map[string]int{}
	return func(t scheduling.AppointmentType) (string, bool) {
		deck := decks[t.ID]
		if dealt[t.ID] == len(deck) {
			if deck != nil && t.Category == "exam" {
				return "", false
			}
			deck = slices.Clone(patientIDs)
			rng.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
			decks[t.ID], dealt[t.ID] = deck, 0
		}
		id := deck[dealt[t.ID]]
		dealt[t.ID]++
		return id, true
	}
}

// seedTodaysProgress moves today's visits along as the day has gone so
// far: those over are completed, those under way (or starting within half
// an hour: the patient is in the waiting room) are checked in. When that
// leaves none checked in, each provider's last visit that is over is still
// in the chair (after closing), or before opening their first patient has
// come early: so today always shows both.
func seedTodaysProgress(ctx context.Context, st *scheduling.Store, then *clock.Fake, clinicID string, today []scheduling.Appointment, now time.Time, sys scheduling.Actor) error {
	slices.SortFunc(today, func(a, b scheduling.Appointment) int { return a.Start.Compare(b.Start) })
	to := map[string]scheduling.Status{}
	checkedIn := false
	lastOver, first := map[string]string{}, map[string]string{}
	for _, a := range today {
		if _, ok := first[a.ProviderID]; !ok {
			first[a.ProviderID] = a.ID
		}
		switch {
		case !a.End.After(now):
			to[a.ID] = scheduling.Completed
			lastOver[a.ProviderID] = a.ID
		case a.Start.Before(now.Add(30 * time.Minute)):
			to[a.ID], checkedIn = scheduling.CheckedIn, true
		}
	}
	if !checkedIn {
		fallback := lastOver
		if len(lastOver) == 0 {
			fallback = first
		}
		for _, id := range fallback {
			to[id] = scheduling.CheckedIn
		}
	}
	for _, a := range today {
		status, ok := to[a.ID]
		if !ok {
			continue
		}
		arrived := a.Start.Add(-10 * time.Minute)
		if arrived.After(now) {
			arrived = now // come early, before opening
		}
		then.Set(arrived)
		if _, err := st.Transition(ctx, clinicID, a.ID, "check-in", sys, scheduling.CancelReason{}, false); err != nil {
			return err
		}
		if status == scheduling.Completed {
			then.Set(a.End)
			if _, err := st.Transition(ctx, clinicID, a.ID, "complete", sys, scheduling.CancelReason{}, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedWaitlist adds a few patients waiting for an earlier slot.
func seedWaitlist(ctx context.Context, d Deps, st *scheduling.Store, clinicID string, patientIDs []string, types []scheduling.AppointmentType) error {
	expires := d.Clock.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	for i, w := range []struct {
		urgency  int
		from, to string
		days     []string
	}{{5, "08:00", "12:00", nil}, {3, "13:00", "17:00", []string{"tuesday", "thursday"}}, {2, "08:00", "17:00", nil}} {
		patientID, typeID := patientIDs[len(patientIDs)-1-i], types[i%2].ID
		if _, err := st.AddToWaitlist(ctx, clinicID, scheduling.WaitlistInput{PatientID: &patientID, TypeID: &typeID, Urgency: &w.urgency,
			From: &w.from, To: &w.to, Days: &w.days, ExpiresOn: &expires}); err != nil {
			return err
		}
	}
	return nil
}

// asciiLower is s folded to the letters a–z, for demo e-mail addresses.
func asciiLower(s string) string {
	var out []rune
	for _, r := range patients.Fold(s) {
		if r >= 'a' && r <= 'z' {
			out = append(out, r)
		}
	}
	return string(out)
}
