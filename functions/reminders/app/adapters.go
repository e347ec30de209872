package app

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/reminders"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store"
)

// clinics lists identity's clinics with their reminder settings.
type clinics struct{ st *identity.Store }

var _ reminders.Clinics = clinics{}

func (c clinics) ClinicsAfter(ctx context.Context, after string, limit int) ([]reminders.Clinic, error) {
	list, err := c.st.ClinicsAfter(ctx, after, limit)
	out := make([]reminders.Clinic, 0, len(list))
	for _, cl := range list {
		s := cl.Settings
		out = append(out, reminders.Clinic{ID: cl.ID, Name: cl.Name, TimeZone: s.TimeZone,
			QuietStart: s.QuietHours.Start, QuietEnd: s.QuietHours.End,
			ConfirmHours: s.Reminders.ConfirmHours, FirstHours: s.Reminders.FirstHours, SecondHours: s.Reminders.SecondHours,
			Recall: s.Reminders.Recall, Consents: s.Reminders.Consents})
	}
	return out, err
}

// schedule reads scheduling's appointments and passes on its lapsed
// waitlist offers, recorded in trail as the system.
type schedule struct {
	st    *scheduling.Store
	trail *audit.Log
}

var _ reminders.Schedule = schedule{}

// pageSize is how many appointments one query reads.
const pageSize = 200

// each calls fn for every appointment of clinicID matching f, page by
// page, until fn says stop.
func (s schedule) each(ctx context.Context, clinicID string, f scheduling.ListFilter, fn func(scheduling.Appointment) (stop bool)) error {
	req := store.PageRequest{Limit: pageSize}
	for {
		page, err := s.st.List(ctx, clinicID, f, req)
		if err != nil {
			return err
		}
		for _, a := range page.Items {
			if fn(a) {
				return nil
			}
		}
		if page.NextCursor == nil {
			return nil
		}
		req.Cursor = *page.NextCursor
	}
}

func visit(a scheduling.Appointment) (reminders.Visit, bool) {
	if a.Status != scheduling.Scheduled && a.Status != scheduling.Confirmed || a.PatientID == "" {
		return reminders.Visit{}, false
	}
	return reminders.Visit{ID: a.ID, PatientID: a.PatientID, Start: a.Start, Confirmed: a.Status == scheduling.Confirmed}, true
}

func (s schedule) Visits(ctx context.Context, clinicID string, from, to time.Time) ([]reminders.Visit, error) {
	var out []reminders.Visit
	err := s.each(ctx, clinicID, scheduling.ListFilter{From: from, To: to}, func(a scheduling.Appointment) bool {
		if v, ok := visit(a); ok {
			out = append(out, v)
		}
		return false
	})
	return out, err
}

func (s schedule) Visit(ctx context.Context, clinicID, id string) (reminders.Visit, bool, error) {
	a, err := s.st.Get(ctx, clinicID, id)
	if errs.Is(err, errs.NotFound) {
		return reminders.Visit{}, false, nil
	}
	if err != nil {
		return reminders.Visit{}, false, err
	}
	v, ok := visit(a)
	return v, ok, nil
}

func (s schedule) Upcoming(ctx context.Context, clinicID, patientID string, now time.Time) (bool, error) {
	found := false
	err := s.each(ctx, clinicID, scheduling.ListFilter{From: now, PatientID: patientID}, func(a scheduling.Appointment) bool {
		found = a.Status == scheduling.Held || a.Status == scheduling.Scheduled || a.Status == scheduling.Confirmed
		return found
	})
	return found, err
}

func (s schedule) ExpireOffers(ctx context.Context, clinicID string) error {
	return s.st.ExpireOffers(ctx, clinicID, s.trail)
}

// people reads patients' contacts and recalls.
type people struct{ st *patients.Store }

var _ reminders.People = people{}

func newPeople(m *store.Mongo, c clock.Clock) people { return people{patients.NewStore(m, c)} }

// Contact is how the patient gets reminders: by the one rule notices and
// offers follow (wire.Contact); nowhere when they turned appointment
// reminders off or are archived.
func (p people) Contact(ctx context.Context, clinicID, patientID string) (reminders.Contact, error) {
	pt, err := p.st.Get(ctx, clinicID, patientID)
	if err != nil {
		return reminders.Contact{}, err
	}
	if pt.Status != patients.StatusActive || (pt.Communication != nil && !pt.Communication.AppointmentReminders) {
		return reminders.Contact{}, nil
	}
	first := pt.PreferredName
	if first == "" {
		first = pt.FirstName
	}
	ch, to := wire.Contact(pt)
	return reminders.Contact{Channel: ch, To: to, FirstName: first}, nil
}

func (p people) RecallsDue(ctx context.Context, clinicID, from, to string, each func(reminders.Due) error) error {
	req := store.PageRequest{Limit: pageSize}
	for {
		page, err := p.st.List(ctx, clinicID, patients.Query{RecallDue: to, RecallFrom: from}, req)
		if err != nil {
			return err
		}
		for _, pt := range page.Items {
			if err := each(reminders.Due{PatientID: pt.ID, DueDate: pt.Recall.DueDate}); err != nil {
				return err
			}
		}
		if page.NextCursor == nil {
			return nil
		}
		req.Cursor = *page.NextCursor
	}
}

// forms is a narrow read of the clinical group's consents collection: ids,
// patient and visit of the unsigned ones, nothing of their text. (The
// consents package itself would link the PDF writer into this function.)
type forms struct{ coll *store.Collection }

var _ reminders.Forms = forms{}

// consentPending is shared/clinical/consents.StatusPending.
const consentPending = "pending"

// maxForms bounds the consents one clinic's run reads.
const maxForms = 1000

func newForms(m *store.Mongo) forms {
	// The reminders' query: a clinic's unsigned consents by when sent.
	return forms{m.Collection("consents", mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "status", Value: 1}, {Key: "sentAt", Value: 1}}})}
}

func (f forms) Unsigned(ctx context.Context, clinicID string, from, to time.Time) ([]reminders.Form, error) {
	var rows []struct {
		ID            string `bson:"_id"`
		PatientID     string `bson:"patientId"`
		AppointmentID string `bson:"appointmentId"`
	}
	err := f.coll.Find(ctx, clinicID, bson.D{
		{Key: "status", Value: consentPending},
		{Key: "sentAt", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}},
	}, &rows, options.Find().SetProjection(bson.D{{Key: "patientId", Value: 1}, {Key: "appointmentId", Value: 1}}).
		SetSort(bson.D{{Key: "sentAt", Value: 1}}).SetLimit(maxForms))
	if errors.Is(err, mongo.ErrNoDocuments) {
		err = nil
	}
	out := make([]reminders.Form, 0, len(rows))
	for _, r := range rows {
		out = append(out, reminders.Form{ID: r.ID, PatientID: r.PatientID, AppointmentID: r.AppointmentID})
	}
	return out, err
}
