package patients

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/phone"
	"github.com/topsmile/topsmile/shared/store"
)

// Deps are what the patients routes need.
type Deps struct {
	Store    *Store
	Audit    *audit.Log
	Timeline []TimelineSource
	// Country is the clinic's country (ISO 3166-1 alpha-2), in which phone
	// numbers typed without a country code are read. Nil: "US".
	Country CountrySource
	Clock   clock.Clock
	Log     *slog.Logger
}

// CountrySource answers a clinic's country; the composition root reads it
// from the identity group's clinic settings.
type CountrySource func(ctx context.Context, clinicID string) (string, error)

// country is clinicID's country, for reading phone numbers.
func (h *handlers) country(ctx context.Context, clinicID string) (string, error) {
	if h.Country == nil {
		return defaultCountry, nil
	}
	return h.Country(ctx, clinicID)
}

// defaultCountry reads phones when no clinic country is wired.
const defaultCountry = "US"

// Routes registers the patients function's routes behind the guard.
func Routes(r *authz.Router, d Deps) {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	h := &handlers{d}
	r.HandleFunc("GET /api/patients", h.list)
	r.HandleFunc("POST /api/patients", h.create)
	r.HandleFunc("GET /api/patients/{id}", h.get)
	r.HandleFunc("PATCH /api/patients/{id}", h.patch)
	r.HandleFunc("DELETE /api/patients/{id}", h.archive)
	r.HandleFunc("GET /api/patients/{id}/timeline", h.timeline)
}

type handlers struct{ Deps }

// now is the time as stored: BSON keeps milliseconds, so an answer built
// in memory matches the record read back later.
func (h *handlers) now() time.Time { return h.Clock.Now().UTC().Truncate(time.Millisecond) }

// Audited actions.
const (
	actionSearch  = "patient.search"
	actionRead    = "patient.read"
	actionCreate  = "patient.create"
	actionUpdate  = "patient.update"
	actionArchive = "patient.archive"
)

// Reads are recorded with Audit.Request before the answer is written and
// writes with Audit.Guarded before they are made, so a trail that cannot be
// written stops the request (503) and nothing is read or changed unaudited.

// deny records a refused request and returns answer (or the audit's error:
// a refusal the trail does not show would be a gap in it).
func (h *handlers) deny(r *http.Request, p authz.Principal, action, patientID, detail string, answer error) error {
	res := "patients"
	if patientID != "" {
		res = resource(patientID)
	}
	if err := h.Audit.Request(r, p.Actor(), audit.Entry{Action: action, Resource: res, PatientID: patientID, Outcome: audit.Denied, Detail: detail}); err != nil {
		return err
	}
	return answer
}

func resource(patientID string) string { return "patients/" + patientID }

// view is what caller p sees of a record. Today every role allowed to read
// a record sees all of it: allergies and medications are safety information
// the front desk needs as much as the chair, and a patient sees their own.
// Field filtering by role belongs here when a field needs it.
func view(_ authz.Principal, pt Patient) Patient { return pt.withEmptyLists() }

// pathPatient is the {id} of a patient route. A patient naming another
// patient is 404 (the guard's ownership rule says so too; this holds even
// if a policy forgot it).
func pathPatient(r *http.Request, p authz.Principal) (string, error) {
	id := r.PathValue("id")
	if !ids.Valid(id) || (p.IsPatient() && id != p.PatientID) {
		return "", errNotFound
	}
	return id, nil
}

// record is the path's patient record in the caller's clinic.
func (h *handlers) record(r *http.Request, p authz.Principal) (Patient, error) {
	id, err := pathPatient(r, p)
	if err != nil {
		return Patient{}, err
	}
	return h.Store.Get(r.Context(), p.ClinicID, id)
}

// entry is the trail's entry for action on patient id's record.
func entry(action, id, detail string) audit.Entry {
	return audit.Entry{Action: action, Resource: resource(id), PatientID: id, Outcome: audit.Success, Detail: detail}
}

var errPatientWrite = errs.E(errs.Forbidden, "patients cannot create or archive patient records")

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	qv := r.URL.Query()
	page, err := store.ParsePage(qv)
	if err != nil {
		return err
	}
	q := Query{Text: qv.Get("q"), Status: qv.Get("status"), RecallDue: qv.Get("recallDue"), FamilyOf: qv.Get("familyOf")}
	if qv.Has("ids") {
		if q.IDs, err = listIDs(qv); err != nil {
			return err
		}
		// Every named patient in one answer (at most one page of them).
		page = store.PageRequest{Limit: MaxIDs}
	}
	subject := q.FamilyOf
	if p.IsPatient() {
		// A patient's list is their own record.
		if q.FamilyOf != "" && q.FamilyOf != p.PatientID {
			return errNotFound
		}
		q.OnlyID, subject = p.PatientID, p.PatientID
	}
	res, err := h.Store.List(r.Context(), p.ClinicID, q, page)
	if err != nil {
		return err
	}
	var used []string
	for _, f := range []struct{ name, value string }{{"q", q.Text}, {"status", q.Status}, {"recallDue", q.RecallDue}, {"familyOf", q.FamilyOf}} {
		if f.value != "" {
			used = append(used, f.name)
		}
	}
	if len(q.IDs) > 0 {
		used = append(used, "ids")
	}
	// The query text itself (a name, a phone number) stays out of the
	// trail; which patients it found goes in.
	detail := fmt.Sprintf("filters: %s; results: %d", strings.Join(used, ","), len(res.Items))
	found := make([]string, 0, len(res.Items))
	for _, pt := range res.Items {
		found = append(found, pt.ID)
	}
	if err := h.Audit.Request(r, p.Actor(), audit.Entry{Action: actionSearch, Resource: "patients", PatientID: subject, PatientIDs: found,
		Outcome: audit.Success, Detail: detail}); err != nil {
		return err
	}
	out := store.Page[Summary]{Items: make([]Summary, 0, len(res.Items)), NextCursor: res.NextCursor}
	h.readPhones(r.Context(), p.ClinicID, ptrs(res.Items)...)
	for _, pt := range res.Items {
		out.Items = append(out.Items, pt.Summary())
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// listIDs reads ?ids=, which names the patients wanted and so takes no
// other filter and no paging.
func listIDs(qv url.Values) ([]string, error) {
	for _, other := range []string{"q", "status", "recallDue", "recallFrom", "familyOf", "cursor", "limit"} {
		if qv.Has(other) {
			return nil, errs.InvalidFields(errs.FieldError{Field: "ids", Message: "cannot be combined with " + other})
		}
	}
	return ParseIDs(qv.Get("ids"))
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	if p.IsPatient() {
		return h.deny(r, p, actionCreate, "", "patients cannot create records", errPatientWrite)
	}
	now := h.now()
	pt := Patient{ID: ids.New(), Status: StatusActive, Source: "staff",
		Recall: Recall{IntervalMonths: DefaultRecallMonths}, Communication: &Communication{AppointmentReminders: true}}
	country, err := h.country(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	if apply(&pt, in, country) {
		pt.MedicalHistoryUpdatedAt, pt.MedicalHistoryUpdatedBy = ptrTo(now), p.UserID
	}
	if err := validate(pt, nil, true, now, country); err != nil {
		return err
	}
	if err := h.checkGuarantor(r.Context(), p.ClinicID, pt, true); err != nil {
		return err
	}
	var out Patient
	err = h.Audit.Guarded(r, p.Actor(), entry(actionCreate, pt.ID, "fields: "+strings.Join(in.fields(), ",")), func() (err error) {
		out, err = h.Store.Create(r.Context(), p.ClinicID, pt)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, view(p, out))
	return nil
}

func (h *handlers) get(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.record(r, p)
	if err != nil {
		return err
	}
	if err := h.Audit.Request(r, p.Actor(), entry(actionRead, pt.ID, "")); err != nil {
		return err
	}
	h.readPhones(r.Context(), p.ClinicID, &pt)
	httpapi.WriteJSON(w, http.StatusOK, view(p, pt))
	return nil
}

func (h *handlers) patch(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	id, err := pathPatient(r, p)
	if err != nil {
		return err
	}
	var in Input
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	// Another clinic's (or a missing) patient is 404 before any judgement of
	// the body: not even validation tells whether the record exists.
	cur, err := h.Store.Get(ctx, p.ClinicID, id)
	if err != nil {
		return err
	}
	touched, paths := in.fields(), in.paths()
	if len(touched) == 0 {
		return errs.E(errs.Invalid, "the request names no field to change")
	}
	if p.IsPatient() {
		var refused []string
		for _, f := range touched {
			if !slices.Contains(patientEditable, f) {
				refused = append(refused, f)
			}
		}
		if len(refused) > 0 {
			answer := errs.E(errs.Forbidden, "patients may change only their contact details and communication preferences (%s); ask the practice to change %s",
				strings.Join(patientEditable, ", "), strings.Join(refused, ", "))
			return h.deny(r, p, actionUpdate, id, "fields refused: "+strings.Join(refused, ","), answer)
		}
	}
	// Judge the request before it is audited or applied: a refused change
	// is a 400, not a write attempt.
	country, err := h.country(ctx, p.ClinicID)
	if err != nil {
		return err
	}
	change := func(pt *Patient) (bool, error) {
		before := *pt
		if apply(pt, in, country) {
			pt.MedicalHistoryUpdatedAt, pt.MedicalHistoryUpdatedBy = ptrTo(h.now()), p.UserID
		}
		if err := validate(*pt, paths, false, h.Clock.Now(), country); err != nil {
			return false, err
		}
		return !reflect.DeepEqual(before, *pt), nil
	}
	preview := cur
	if _, err := change(&preview); err != nil {
		return err
	}
	if slices.Contains(touched, "guarantorId") {
		if err := h.checkGuarantor(ctx, p.ClinicID, preview, false); err != nil {
			return err
		}
	}
	var out Patient
	err = h.Audit.Guarded(r, p.Actor(), entry(actionUpdate, id, "fields: "+strings.Join(touched, ",")), func() (err error) {
		out, err = h.Store.update(ctx, p.ClinicID, id, change)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, view(p, out))
	return nil
}

func (h *handlers) archive(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if p.IsPatient() {
		return h.deny(r, p, actionArchive, p.PatientID, "patients cannot archive records", errPatientWrite)
	}
	pt, err := h.record(r, p)
	if err != nil {
		return err
	}
	var out Patient
	err = h.Audit.Guarded(r, p.Actor(), entry(actionArchive, pt.ID, ""), func() (err error) {
		out, _, err = h.Store.Archive(r.Context(), p.ClinicID, pt.ID)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, view(p, out))
	return nil
}

func (h *handlers) timeline(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	// The patient must exist in the caller's clinic before any source is
	// asked about it.
	pt, err := h.record(r, p)
	if err != nil {
		return err
	}
	entries, err := mergeTimeline(r.Context(), h.Timeline, p, pt.ID)
	if err != nil {
		return err
	}
	e := entry(actionRead, pt.ID, fmt.Sprintf("entries: %d", len(entries)))
	e.Resource += "/timeline"
	if err := h.Audit.Request(r, p.Actor(), e); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, store.Page[TimelineEntry]{Items: entries})
	return nil
}

// checkGuarantor checks a family link: the guarantor is an active patient
// of the clinic with no guarantor of their own, and a patient who is
// already someone's guarantor does not get one (families are one level).
func (h *handlers) checkGuarantor(ctx context.Context, clinicID string, pt Patient, create bool) error {
	if pt.GuarantorID == "" {
		return nil
	}
	invalid := func(msg string) error {
		return errs.InvalidFields(errs.FieldError{Field: "guarantorId", Message: msg})
	}
	g, err := h.Store.Get(ctx, clinicID, pt.GuarantorID)
	switch {
	case errs.Is(err, errs.NotFound):
		return invalid("is not a patient of this practice")
	case err != nil:
		return err
	case g.Status != StatusActive:
		return invalid("is an archived patient")
	case g.GuarantorID != "":
		return invalid("has a guarantor of their own; name that patient instead")
	}
	if create {
		return nil
	}
	if isG, err := h.Store.IsGuarantor(ctx, clinicID, pt.ID); err != nil {
		return err
	} else if isG {
		return invalid("this patient is the guarantor of others and cannot have one")
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

func ptrs[T any](list []T) []*T {
	out := make([]*T, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

// readPhones answers in E.164 the phones of records stored before numbers
// were normalized, when they read as numbers of the clinic's country; the
// stored text is kept until the record is next saved. Only such a record
// costs the clinic's country.
func (h *handlers) readPhones(ctx context.Context, clinicID string, list ...*Patient) {
	country := ""
	for _, pt := range list {
		for _, ph := range pt.phones() {
			if *ph == "" || isE164(*ph) {
				continue
			}
			if country == "" {
				c, err := h.country(ctx, clinicID)
				if err != nil {
					return // a read does not fail for its formatting
				}
				country = c
			}
			if n, err := phone.E164(*ph, country); err == nil {
				*ph = n
			}
		}
	}
}
