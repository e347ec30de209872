package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/billing/insurance"
	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/consents/forms"
	"github.com/topsmile/topsmile/shared/clinical/documents"
	"github.com/topsmile/topsmile/shared/clinical/notes"
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/fhir"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Bounds of one export: each list is read in pages of at most
// store.MaxLimit up to its cap, so a record of decades stays a few
// thousand resources (the chart, plans and coverages are bounded by their
// stores).
const (
	maxExportAppointments  = 2000
	maxExportPrescriptions = 1000
	maxExportDocuments     = 1000
	maxExportConsents      = 500
)

// EverythingPattern is the FHIR export's route.
const EverythingPattern = "GET /api/fhir/Patient/{id}/$everything"

// Exporter reads a patient's record from each group through the group's
// own read (no raw read of another group's collections): demographics and
// allergies, appointments, the chart, treatment plans, prescriptions,
// insurance, consent forms and documents' metadata.
type Exporter struct {
	patients      *patients.Store
	sched         *scheduling.Store
	chart         *chart.Store
	plans         *plans.Store
	prescriptions *notes.Prescriptions
	insurance     *insurance.Store
	consents      *forms.Reader
	documents     *documents.Metadata
	seal          *seal.Keys
}

// NewExporter declares the reads (no I/O).
func NewExporter(m *store.Mongo, sched *scheduling.Store, c clock.Clock, k *seal.Keys) *Exporter {
	return &Exporter{patients: patients.NewStore(m, c), sched: sched, chart: chart.NewStore(m, c, k), plans: plans.NewStore(m, c),
		prescriptions: notes.NewPrescriptions(m, c, k), insurance: insurance.NewStore(m, c), consents: forms.NewReader(m),
		documents: documents.NewMetadata(m, c, k), seal: k}
}

var errPatientNotFound = errs.E(errs.NotFound, "patient not found")

// Read is patientID's record as caller p may see it (the member ids of
// insurance in full for those who post payments, masked otherwise, as the
// coverage route answers them). Another clinic's patient, or none, is
// NotFound.
func (x *Exporter) Read(ctx context.Context, p authz.Principal, patientID string) (fhir.Record, error) {
	if !ids.Valid(patientID) {
		return fhir.Record{}, errPatientNotFound
	}
	pt, err := x.patients.Get(ctx, p.ClinicID, patientID)
	if errs.Is(err, errs.NotFound) {
		return fhir.Record{}, errPatientNotFound
	}
	if err != nil {
		return fhir.Record{}, err
	}
	rec := fhir.Record{Patient: pt}
	clinic := p.ClinicID
	if rec.Appointments, err = pages(maxExportAppointments, func(req store.PageRequest) (store.Page[scheduling.Appointment], error) {
		return x.sched.List(ctx, clinic, scheduling.ListFilter{PatientID: patientID}, req)
	}); err != nil {
		return rec, err
	}
	if rec.Chart, err = x.chart.Chart(ctx, clinic, patientID, time.Time{}); err != nil {
		return rec, err
	}
	if rec.Plans, err = x.plans.ForPatient(ctx, clinic, patientID); err != nil {
		return rec, err
	}
	if rec.Prescriptions, err = pages(maxExportPrescriptions, func(req store.PageRequest) (store.Page[notes.Prescription], error) {
		return x.prescriptions.Page(ctx, clinic, patientID, req)
	}); err != nil {
		return rec, err
	}
	if rec.Policies, err = x.insurance.Policies(ctx, x.seal, clinic, patientID, slices.Contains(core.Posters, p.Role)); err != nil {
		return rec, err
	}
	if rec.Consents, err = x.consents.ForPatient(ctx, clinic, patientID, maxExportConsents); err != nil {
		return rec, err
	}
	if rec.Documents, err = pages(maxExportDocuments, func(req store.PageRequest) (store.Page[documents.Document], error) {
		return x.documents.Page(ctx, clinic, patientID, req)
	}); err != nil {
		return rec, err
	}
	rec.DocumentLinks = p.Role != authz.Patient
	return rec, nil
}

// pages reads pages of at most store.MaxLimit until the last or until
// limit items.
func pages[T any](limit int, read func(store.PageRequest) (store.Page[T], error)) ([]T, error) {
	out := []T{}
	req := store.PageRequest{Limit: min(store.MaxLimit, limit)}
	for {
		page, err := read(req)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == nil || len(out) >= limit {
			return out[:min(len(out), limit)], nil
		}
		req.Cursor = *page.NextCursor
	}
}

// fhirRoutes mounts the patient's record as FHIR R4: an admin exports any
// patient of their clinic, a patient their own record (the guard answers
// 404 for another's).
func fhirRoutes(r *authz.Router, g *authz.Guarded, keys *seal.Keys) {
	x := NewExporter(g.Mongo, wire.Scheduling(g.Mongo, g.Redis, g.Clock, nil, ""), g.Clock, keys)
	r.HandleFunc(EverythingPattern, func(w http.ResponseWriter, req *http.Request) error {
		p := authz.MustPrincipal(req.Context())
		id := req.PathValue("id")
		rec, err := x.Read(req.Context(), p, id)
		if err != nil {
			return err
		}
		base := origin(req) + "/api/fhir/"
		bundle := fhir.Everything(base, base+"Patient/"+id+"/$everything", rec, g.Clock.Now())
		// Encoded whole before the trail is written, so a failure is an
		// error response, never half a record.
		body, err := json.Marshal(bundle)
		if err != nil {
			return err
		}
		// The whole record leaves the practice: who took it is on the trail
		// (counts only, no health information).
		e := audit.Entry{Action: "fhir.export", Resource: "fhir/Patient/" + id + "/$everything", PatientID: id, Outcome: audit.Success,
			Detail: fmt.Sprintf("resources: %d; appointments: %d; conditions and chart entries read: %d; prescriptions: %d; coverages: %d; consents: %d; documents: %d",
				bundle.Total, len(rec.Appointments), len(rec.Chart), len(rec.Prescriptions), len(rec.Policies), len(rec.Consents), len(rec.Documents))}
		if err := g.Audit.Request(req, p.Actor(), e); err != nil {
			return err
		}
		w.Header().Set("Content-Type", fhir.ContentType+"; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, err = w.Write(body)
		return err
	})
}

// origin is the request's scheme and host: the base of the bundle's
// absolute fullUrls.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
