// Package reports is the practice's figures (GET /api/reports/{name}):
// production, appointments, chair utilisation, receivables aging and
// recall compliance, and production and new patients per day, as
// {"rows","totals"} or CSV.
//
// It is its own group: what it reads of scheduling, clinical, billing and
// patients comes through Source, which the admin function's composition
// root adapts from those groups. Every read is a plain query FerretDB
// serves (find with range filters, sort and limit on an index), delivered
// in batches of at most Service.Batch records, so a report over 100k
// appointments holds one batch and its running sums, never the whole
// range. Days are local dates in the clinic's zone, and periods are real
// elapsed time between local midnights (a DST week is 167 or 169 hours).
package reports

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
)

// Interval is a half-open UTC range [Start, End).
type Interval struct{ Start, End time.Time }

// Catalog is the clinic's zone and its providers, chairs and visit types.
type Catalog struct {
	Location  *time.Location
	Providers []Provider
	Chairs    []Chair
	// HygieneTypes are the ids of the appointment types of category
	// hygiene (recall visits).
	HygieneTypes []string
}

// Provider is someone who sees patients, with the chairs they work in.
type Provider struct {
	ID, Name string
	Active   bool
	Chairs   []string
	// Working is when the provider works in [from, to): their weekly
	// hours read in the clinic's zone, without their time off; sorted,
	// disjoint.
	Working func(from, to time.Time) []Interval
}

// Chair is an operatory.
type Chair struct {
	ID, Name string
	Active   bool
}

// Appointment statuses the reports tell apart.
const (
	StatusScheduled = "scheduled"
	StatusConfirmed = "confirmed"
	StatusCheckedIn = "checked_in"
	StatusCompleted = "completed"
	StatusNoShow    = "no_show"
	StatusCancelled = "cancelled"
)

// Appointment is a booking as the reports read it.
type Appointment struct {
	ID, PatientID, ProviderID, ChairID, TypeID string
	Start, End                                 time.Time
	Status                                     string
	// LateCancel: cancelled inside the clinic's notice period.
	LateCancel bool
}

// Procedure is one completed procedure: what it was, who did it, when,
// and what it was charged.
type Procedure struct {
	ID, ProviderID, Code, Category string
	AmountCents                    int64
	At                             time.Time
}

// Aging is an open balance by the age of what it is made of, in cents.
type Aging struct {
	Current, Days31, Days61, Days90 int64
}

// Balance is one patient's account as of the report.
type Balance struct {
	PatientID, Name string
	Aging           Aging
}

// Recall is one patient's hygiene recall.
type Recall struct {
	PatientID, Name string
	// DueDate is a local date, YYYY-MM-DD.
	DueDate string
}

// Source is what the reports read of the other groups, each in batches of
// at most batch records, calling each once per batch (an error from each
// stops the read).
type Source interface {
	Catalog(ctx context.Context, clinicID string) (Catalog, error)
	// Appointments are those starting in [from, to) (to zero: no end),
	// except bookings that never finished and patients' lapsed holds.
	Appointments(ctx context.Context, clinicID string, from, to time.Time, batch int, each func([]Appointment) error) error
	// Procedures are those completed in [from, to).
	Procedures(ctx context.Context, clinicID string, from, to time.Time, batch int, each func([]Procedure) error) error
	// Balances are every patient's aging as of now (patients without an
	// open balance may be left out or come with a zero aging).
	Balances(ctx context.Context, clinicID string, now time.Time, batch int, each func([]Balance) error) error
	// Recalls are the active patients whose recall is due on or before
	// dueBy, with a due date from dueFrom on.
	Recalls(ctx context.Context, clinicID, dueFrom, dueBy string, batch int, each func([]Recall) error) error
	// NewPatients are the patients (archived ones too) created in
	// [from, to).
	NewPatients(ctx context.Context, clinicID string, from, to time.Time, batch int, each func([]NewPatient) error) error
}

// NewPatient is a patient record and when it was created.
type NewPatient struct {
	PatientID string
	CreatedAt time.Time
}

// DefaultBatch is how many records one read brings (the contract's
// largest page).
const DefaultBatch = 200

// Service runs the reports.
type Service struct {
	Source Source
	Now    func() time.Time
	// Batch bounds each read (DefaultBatch when 0); tests lower it.
	Batch int
}

// Names are the reports, in the contract's order.
var Names = []string{"production", "appointments", "utilization", "ar-aging", "recall", "new-patients", "production-daily"}

// NeedsPeriod reports whether report name needs ?from=&to= (the aging is
// as of now).
func NeedsPeriod(name string) bool { return name != "ar-aging" }

var errUnknown = errs.E(errs.NotFound, "no such report (production, appointments, utilization, ar-aging, recall, new-patients, production-daily)")

// Run runs report name for clinicID over p (validated by ParsePeriod).
func (s *Service) Run(ctx context.Context, clinicID, name string, p Period) (Report, error) {
	cat, err := s.Source.Catalog(ctx, clinicID)
	if err != nil {
		return Report{}, err
	}
	if cat.Location == nil {
		cat.Location = time.UTC
	}
	var r Report
	switch name {
	case "production":
		r, err = s.production(ctx, clinicID, cat, p)
	case "appointments":
		r, err = s.appointments(ctx, clinicID, cat, p)
	case "utilization":
		r, err = s.utilization(ctx, clinicID, cat, p)
	case "ar-aging":
		r, err = s.aging(ctx, clinicID)
	case "recall":
		r, err = s.recall(ctx, clinicID, cat, p)
	case "production-daily":
		r, err = s.productionDaily(ctx, clinicID, cat, p)
	case "new-patients":
		r, err = s.newPatients(ctx, clinicID, cat, p)
	default:
		return Report{}, errUnknown
	}
	r.Name = name
	if r.Rows == nil {
		r.Rows = [][]any{}
	}
	return r, err
}

func (s *Service) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return DefaultBatch
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}
