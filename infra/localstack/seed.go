package localstack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

var firstNames = []string{"Ana", "João", "Maria", "Liam", "Olivia", "Noah", "Emma", "Sofia", "Mateo", "Chloé", "Aarav", "Mei", "Yusuf", "Zoë",
	"Lucas", "Inês", "Ethan", "Amara", "Hiroshi", "Fatima", "Oscar", "Nora", "Diego", "Ava"}
var lastNames = []string{"Silva", "Santos", "Smith", "Johnson", "García", "Müller", "Nguyen", "Kowalski", "O'Brien", "Rossi", "Haddad",
	"Kim", "Patel", "Dubois", "Costa", "Okoye", "Tanaka", "Jensen"}

// seedPractice loads the demo practice: chairs, three providers with hours,
// appointment types, 40 patients and a week of appointments starting today.
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
		{Name: "Cleaning & check-up", Category: "hygiene", DurationMinutes: 60, BufferAfter: 10, BookableOnline: true, Colour: "#1a7f37"},
		{Name: "New patient exam", Category: "exam", DurationMinutes: 45, BookableOnline: true, Colour: "#0969da"},
		{Name: "Filling", Category: "restorative", DurationMinutes: 60, BufferAfter: 5, Colour: "#bf8700"},
		{Name: "Crown preparation", Category: "restorative", DurationMinutes: 90, BufferAfter: 10, Colour: "#9a6700"},
		{Name: "Emergency visit", Category: "emergency", DurationMinutes: 30, Colour: "#cf222e"},
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
	// A week of appointments from tomorrow: walk each provider's free slots
	// and book about half of them.
	sys := scheduling.Actor{UserID: "seed", Role: "system"}
	// From the start of tomorrow in the clinic's zone (not UTC's: in a New
	// York evening UTC is already on the next day, and "tomorrow" there
	// would leave the clinic's next working day empty).
	loc, err := time.LoadLocation(clinic.Settings.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	y, mo, dd := d.Clock.Now().In(loc).Date()
	from := time.Date(y, mo, dd+1, 0, 0, 0, 0, loc)
	for _, p := range providers {
		t := types[0]
		if p.Kind == "dentist" {
			t = types[1+rng.IntN(len(types)-1)]
		}
		slots, err := st.Availability(ctx, clinic.ID, scheduling.AvailabilityQuery{From: from, To: from.Add(7 * 24 * time.Hour), TypeID: t.ID, ProviderID: p.ID})
		if err != nil {
			return err
		}
		for _, s := range slots {
			if rng.IntN(3) != 0 {
				continue
			}
			_, err := st.Book(ctx, clinic.ID, scheduling.Booking{PatientID: patientIDs[rng.IntN(len(patientIDs))], ProviderID: s.ProviderID, OperatoryID: s.OperatoryID,
				TypeID: t.ID, Start: s.Start, Source: "staff"}, sys)
			if err != nil && !errs.Is(err, errs.Conflict) {
				return err
			}
		}
	}
	// A few patients waiting for an earlier slot.
	expires := d.Clock.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	for i, w := range []struct {
		urgency  int
		from, to string
		days     []string
	}{{5, "08:00", "12:00", nil}, {3, "13:00", "17:00", []string{"tuesday", "thursday"}}, {2, "08:00", "17:00", nil}} {
		patientID, typeID := patientIDs[len(patientIDs)-1-i], types[i%2].ID
		if _, err := st.AddToWaitlist(ctx, clinic.ID, scheduling.WaitlistInput{PatientID: &patientID, TypeID: &typeID, Urgency: &w.urgency,
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
