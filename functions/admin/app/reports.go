package app

import (
	"context"
	"strings"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/receivables"
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/reports"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

// reportRoutes mounts the practice's reports over scheduling's
// appointments and catalog, clinical's charges of completed procedures and
// fee schedule, the ledger's entries (read narrowly: receivables, not the
// ledger with its PDF writer) and patients' recalls.
func reportRoutes(r *authz.Router, g *authz.Guarded) {
	src := ReportSource(g.Mongo, wire.Scheduling(g.Mongo, g.Redis, g.Clock, nil, ""), g.Clock)
	reports.Routes(r, reports.Deps{Service: &reports.Service{Source: src, Now: g.Clock.Now}, Audit: g.Audit})
}

// ReportSource adapts the groups to reports.Source (exported for the
// reports' store tests).
func ReportSource(m *store.Mongo, sched *scheduling.Store, c clock.Clock) reports.Source {
	return reportSource{sched: sched, charges: plans.NewCharges(m), codes: plans.NewCodes(m, c), patients: patients.NewStore(m, c), ledger: receivables.New(m)}
}

type reportSource struct {
	sched    *scheduling.Store
	charges  *plans.MongoCharges
	codes    *plans.Codes
	patients *patients.Store
	ledger   *receivables.Reader
}

var _ reports.Source = reportSource{}

func (s reportSource) location(ctx context.Context, clinicID string) (*time.Location, scheduling.Catalog, error) {
	cat, err := s.sched.Catalog(ctx, clinicID)
	if err != nil {
		return nil, cat, err
	}
	loc, err := time.LoadLocation(cat.Settings.TimeZone)
	if err != nil || cat.Settings.TimeZone == "" {
		loc = time.UTC
	}
	return loc, cat, nil
}

func (s reportSource) Catalog(ctx context.Context, clinicID string) (reports.Catalog, error) {
	loc, cat, err := s.location(ctx, clinicID)
	if err != nil {
		return reports.Catalog{}, err
	}
	out := reports.Catalog{Location: loc}
	for _, p := range cat.Providers {
		ap := avail.Provider{ID: p.ID, Hours: p.Hours, Operatories: p.Operatories}
		for _, t := range p.TimeOff {
			ap.TimeOff = append(ap.TimeOff, avail.DateRange{From: t.From, To: t.To})
		}
		out.Providers = append(out.Providers, reports.Provider{ID: p.ID, Name: p.Name, Active: p.Active, Chairs: p.Operatories,
			Working: func(from, to time.Time) []reports.Interval {
				var ivs []reports.Interval
				for _, iv := range avail.Working(ap, from, to, loc) {
					ivs = append(ivs, reports.Interval{Start: iv.Start, End: iv.End})
				}
				return ivs
			}})
	}
	for _, o := range cat.Operatories {
		out.Chairs = append(out.Chairs, reports.Chair{ID: o.ID, Name: o.Name, Active: o.Active})
	}
	for _, t := range cat.Types {
		if t.Category == "hygiene" {
			out.HygieneTypes = append(out.HygieneTypes, t.ID)
		}
	}
	return out, nil
}

// Appointments pages scheduling's list (start order, on its (clinicId,
// start) index) batch by batch.
func (s reportSource) Appointments(ctx context.Context, clinicID string, from, to time.Time, batch int, each func([]reports.Appointment) error) error {
	req := store.PageRequest{Limit: batch}
	for {
		page, err := s.sched.List(ctx, clinicID, scheduling.ListFilter{From: from, To: to}, req)
		if err != nil {
			return err
		}
		list := make([]reports.Appointment, 0, len(page.Items))
		for _, a := range page.Items {
			list = append(list, reports.Appointment{ID: a.ID, PatientID: a.PatientID, ProviderID: a.ProviderID, ChairID: a.OperatoryID,
				TypeID: a.TypeID, Start: a.Start, End: a.End, Status: string(a.Status), LateCancel: a.LateCancel})
		}
		if len(list) > 0 {
			if err := each(list); err != nil {
				return err
			}
		}
		if page.NextCursor == nil {
			return nil
		}
		req.Cursor = *page.NextCursor
	}
}

// Procedures pages clinical's charge events (one per completed plan item,
// with its provider) by id, each with its code's category from the fee
// schedule.
func (s reportSource) Procedures(ctx context.Context, clinicID string, from, to time.Time, batch int, each func([]reports.Procedure) error) error {
	codes, err := s.codes.Schedule(ctx, clinicID)
	if err != nil {
		return err
	}
	category := make(map[string]string, len(codes))
	for _, c := range codes {
		category[strings.ToUpper(c.Code)] = c.Category
	}
	after := ""
	for {
		evs, err := s.charges.Completed(ctx, clinicID, from, to, after, batch)
		if err != nil {
			return err
		}
		list := make([]reports.Procedure, 0, len(evs))
		for _, e := range evs {
			list = append(list, reports.Procedure{ID: e.ID, ProviderID: e.ProviderID, Code: e.Code, Category: category[strings.ToUpper(e.Code)],
				AmountCents: e.AmountCents, At: e.At})
		}
		if len(list) > 0 {
			if err := each(list); err != nil {
				return err
			}
		}
		if len(evs) < batch {
			return nil
		}
		after = evs[len(evs)-1].ID
	}
}

// Balances pages every patient (archived ones too: they may still owe) by
// name and ages each batch's accounts in one ledger read.
func (s reportSource) Balances(ctx context.Context, clinicID string, now time.Time, batch int, each func([]reports.Balance) error) error {
	loc, _, err := s.location(ctx, clinicID)
	if err != nil {
		return err
	}
	return s.eachPatient(ctx, clinicID, patients.Query{Status: "all"}, batch, func(ps []patients.Patient) error {
		ids := make([]string, 0, len(ps))
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		aging, err := s.ledger.Aging(ctx, clinicID, ids, loc, now)
		if err != nil {
			return err
		}
		list := make([]reports.Balance, 0, len(ps))
		for _, p := range ps {
			a := aging[p.ID]
			list = append(list, reports.Balance{PatientID: p.ID, Name: displayName(p),
				Aging: reports.Aging{Current: a.Current, Days31: a.Days31, Days61: a.Days61, Days90: a.Days90}})
		}
		return each(list)
	})
}

// Recalls pages the active patients by recall due date (the patients'
// (clinicId, status, recall.dueDate, _id) index).
func (s reportSource) Recalls(ctx context.Context, clinicID, dueFrom, dueBy string, batch int, each func([]reports.Recall) error) error {
	return s.eachPatient(ctx, clinicID, patients.Query{RecallDue: dueBy, RecallFrom: dueFrom}, batch, func(ps []patients.Patient) error {
		list := make([]reports.Recall, 0, len(ps))
		for _, p := range ps {
			list = append(list, reports.Recall{PatientID: p.ID, Name: displayName(p), DueDate: p.Recall.DueDate})
		}
		return each(list)
	})
}

// NewPatients pages the patients (archived ones too: they were new once)
// created in [from, to), on the patients' creation-time index.
func (s reportSource) NewPatients(ctx context.Context, clinicID string, from, to time.Time, batch int, each func([]reports.NewPatient) error) error {
	return s.patients.CreatedBetween(ctx, clinicID, from, to, batch, func(ps []patients.Created) error {
		list := make([]reports.NewPatient, len(ps))
		for i, p := range ps {
			list[i] = reports.NewPatient{PatientID: p.ID, CreatedAt: p.CreatedAt}
		}
		return each(list)
	})
}

func (s reportSource) eachPatient(ctx context.Context, clinicID string, q patients.Query, batch int, each func([]patients.Patient) error) error {
	req := store.PageRequest{Limit: batch}
	for {
		page, err := s.patients.List(ctx, clinicID, q, req)
		if err != nil {
			return err
		}
		if len(page.Items) > 0 {
			if err := each(page.Items); err != nil {
				return err
			}
		}
		if page.NextCursor == nil {
			return nil
		}
		req.Cursor = *page.NextCursor
	}
}

// displayName is a patient as the desk calls them.
func displayName(p patients.Patient) string {
	first := p.FirstName
	if p.PreferredName != "" {
		first = p.PreferredName
	}
	return strings.TrimSpace(first + " " + p.LastName)
}
