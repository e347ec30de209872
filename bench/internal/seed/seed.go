// Package seed loads the benchmarks' data: the local stack's demo practice
// made busy (more staff, twelve providers, a 300-appointment day) and bulk
// appointments, written with InsertMany so 100k take seconds.
package seed

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

// Password is every bench login's.
const Password = "bench-staff-password-2026"

// Clinic is a seeded practice.
type Clinic struct {
	ID string
	// Logins are dentists (they may read charts and book), one per
	// simulated desk so the per-user request budget is the desk's own.
	Logins []string
	// PatientID is the demo patient (allergies, a chart, notes).
	PatientID string
	Patients  []string
	Providers []scheduling.Provider
	// Open works around the clock in a chair of its own: bookings for it
	// meet neither hours nor other providers.
	Open      scheduling.Provider
	OpenChair string
	Visit     scheduling.AppointmentType
	// BusyDay (UTC midnight) holds 300 appointments across 12 providers.
	BusyDay time.Time
}

// Practice bootstraps the local stack's demo clinic (localstack.Bootstrap)
// and makes it busy: logins more dentists, twelve providers and a busy day.
func Practice(ctx context.Context, d localstack.Deps, logins int) (*Clinic, error) {
	if err := localstack.Bootstrap(ctx, d, localstack.BootstrapOptions{Seed: true, Out: io.Discard}); err != nil {
		return nil, err
	}
	users := identity.NewStore(d.Mongo, d.Clock)
	first, err := users.FirstClinic(ctx)
	if err != nil {
		return nil, err
	}
	c := &Clinic{ID: first.ID}
	if c.Logins, err = Dentists(ctx, users, c.ID, "bench", logins); err != nil {
		return nil, err
	}
	db, err := d.Mongo.Database()
	if err != nil {
		return nil, err
	}
	cur, err := db.Collection("patients").Find(ctx, bson.D{{Key: "clinicId", Value: c.ID}})
	if err != nil {
		return nil, err
	}
	var pats []struct {
		ID    string `bson:"_id"`
		Email string `bson:"email"`
	}
	if err := cur.All(ctx, &pats); err != nil {
		return nil, err
	}
	for _, p := range pats {
		c.Patients = append(c.Patients, p.ID)
		if p.Email == localstack.DevPatientEmail {
			c.PatientID = p.ID
		}
	}
	if c.PatientID == "" {
		return nil, fmt.Errorf("seed: no demo patient in %d patients", len(pats))
	}
	st := wire.Scheduling(d.Mongo, d.Redis, d.Clock, nil, "")
	cat, err := st.Catalog(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	day := avail.WeeklyHours{}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		day[avail.Day(wd)] = []avail.Window{{Start: "00:00", End: "24:00"}}
	}
	more, err := Providers(ctx, st, c.ID, 12-len(cat.Providers), day)
	if err != nil {
		return nil, err
	}
	c.Providers = append(cat.Providers, more...)
	open, err := Providers(ctx, st, c.ID, 1, day)
	if err != nil {
		return nil, err
	}
	c.Open, c.OpenChair = open[0], open[0].Operatories[0]
	if c.Visit, err = st.CreateType(ctx, c.ID, scheduling.AppointmentType{Name: "Bench visit", Category: "exam", DurationMinutes: 15}); err != nil {
		return nil, err
	}
	// Two weeks out, so today's seeded visits and the bookings the bench
	// makes (from three weeks out) are elsewhere.
	c.BusyDay = time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 14)
	var busy []scheduling.Appointment
	for i, p := range c.Providers {
		// 25 visits of 25 minutes from 07:00, one chair per provider.
		for k := range 25 {
			start := c.BusyDay.Add(7*time.Hour + time.Duration(k*25)*time.Minute)
			busy = append(busy, Appointment(c.ID, c.Patients[(i*25+k)%len(c.Patients)], p, start, 25*time.Minute))
		}
	}
	return c, Insert(ctx, d.Mongo, busy)
}

// Dentists creates n dentist logins named prefix-i@topsmile.local, two at a
// time (each hashes a password).
func Dentists(ctx context.Context, users *identity.Store, clinicID, prefix string, n int) ([]string, error) {
	emails := make([]string, n)
	errc := make(chan error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range emails {
		emails[i] = fmt.Sprintf("%s-%d@topsmile.local", prefix, i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_, err := users.CreateUser(ctx, clinicID, identity.NewUser{Email: emails[i], Password: Password,
				Role: identity.RoleDentist, FirstName: "Bench", LastName: fmt.Sprint(i)})
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return nil, err
		}
	}
	return emails, nil
}

// Providers creates n dentists, each with a chair of its own and hours.
func Providers(ctx context.Context, st *scheduling.Store, clinicID string, n int, hours avail.WeeklyHours) ([]scheduling.Provider, error) {
	var out []scheduling.Provider
	for i := range n {
		o, err := st.CreateOperatory(ctx, clinicID, fmt.Sprintf("Bench chair %s", ids.New()[:6]))
		if err != nil {
			return nil, err
		}
		name, kind := fmt.Sprintf("Dr. Bench %d", i+1), "dentist"
		p, err := st.CreateProvider(ctx, clinicID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{o.ID}})
		if err != nil {
			return nil, err
		}
		if p, err = st.SetHours(ctx, clinicID, p.ID, hours); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Appointment is a scheduled visit of patient with p in p's first chair.
func Appointment(clinicID, patientID string, p scheduling.Provider, start time.Time, d time.Duration) scheduling.Appointment {
	created := time.Now().UTC().AddDate(0, 0, -rand.IntN(60)-1) // booked before the bench began
	return scheduling.Appointment{ID: ids.New(), ClinicID: clinicID, PatientID: patientID, ProviderID: p.ID, OperatoryID: p.Operatories[0],
		Start: start, End: start.Add(d), Status: scheduling.Scheduled, Source: "staff", Version: 1, History: []scheduling.Change{},
		CreatedAt: created, UpdatedAt: created}
}

// Insert writes docs to appointments a thousand at a time.
func Insert(ctx context.Context, m *store.Mongo, docs []scheduling.Appointment) error {
	db, err := m.Database()
	if err != nil {
		return err
	}
	coll := db.Collection("appointments")
	for len(docs) > 0 {
		n := min(len(docs), 1000)
		batch := make([]any, n)
		for i := range batch {
			batch[i] = docs[i]
		}
		if _, err := coll.InsertMany(ctx, batch); err != nil {
			return err
		}
		docs = docs[n:]
	}
	return nil
}
