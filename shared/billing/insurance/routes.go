// Package insurance is the clinic's insurance plans and their benefits,
// patients' coverages (primary and secondary, the member id sealed at
// rest), each coverage's usage of its benefit year, derived from the
// ledger, never kept by hand, and the estimate of a treatment plan, which
// the pure estimate package computes.
//
// One active primary and one active secondary per patient rest on a
// unique index of a derived slot key (coverage.ActiveSlot), not on a read
// before a write: FerretDB's conditional writes are not atomic, a unique
// insert is. Coverages change by versioned writes (store.Versions).
package insurance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/billing/estimate"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/validate"
)

// Audit actions.
const (
	actionPlanWrite     = "insurance_plan.write"
	actionCoverageRead  = "coverage.read"
	actionCoverageWrite = "coverage.write"
	actionEstimateRead  = "estimate.read"
)

// Store is the insurance collections.
type Store struct {
	plans     plans
	coverages coverages
}

func index(unique bool, keys ...string) mongo.IndexModel {
	d := bson.D{{Key: store.ClinicField, Value: 1}}
	for _, k := range keys {
		d = append(d, bson.E{Key: k, Value: 1})
	}
	m := mongo.IndexModel{Keys: d}
	if unique {
		m.Options = options.Index().SetUnique(true)
	}
	return m
}

// NewStore declares the collections and their indexes, each led by
// clinicId (no I/O).
func NewStore(m *store.Mongo, c clock.Clock) *Store {
	return &Store{
		plans: plans{m.Collection("insurance_plans",
			// The clinic's plans by carrier and name.
			index(false, "carrier.name", "name"))},
		coverages: coverages{
			c: m.Collection("coverages",
				// A patient's coverages in one find.
				index(false, "patientId"),
				// One active primary and one active secondary per patient.
				index(true, "activeSlot"),
				// The coverages of a plan.
				index(false, "planId")),
			versions: store.NewVersions(m, c),
			clock:    c,
		},
	}
}

// EnsureIndexes creates the declared indexes now (deploy helpers, tests).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := s.plans.c.EnsureIndexes(ctx); err != nil {
		return err
	}
	return s.coverages.c.EnsureIndexes(ctx)
}

// Routes registers the insurance routes. history is the patient's ledger
// (the ledger's Book.History): usage and frequency are read from it.
func Routes(r *authz.Router, d core.Deps, history core.History) {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if history == nil {
		history = func(context.Context, string, string) ([]core.HistoryEntry, error) { return nil, nil }
	}
	h := &handlers{Deps: d, store: NewStore(d.Mongo, d.Clock), history: history}
	r.HandleFunc("GET /api/insurance/plans", h.listPlans)
	r.HandleFunc("POST /api/insurance/plans", h.createPlan)
	r.HandleFunc("GET /api/insurance/plans/{id}", h.getPlan)
	r.HandleFunc("GET /api/patients/{id}/coverage", h.listCoverage)
	r.HandleFunc("POST /api/patients/{id}/coverage", h.createCoverage)
	r.HandleFunc("PATCH /api/coverage/{id}", h.patchCoverage)
	r.HandleFunc("GET /api/treatment-plans/{id}/estimate", h.estimate)
}

type handlers struct {
	core.Deps
	store   *Store
	history core.History
}

// Staff-only routes refuse a patient even if a policy let one through.
var errStaffOnly = errs.E(errs.Forbidden, "your role may not do this")

func staffOnly(p authz.Principal) error {
	if p.IsPatient() {
		return errStaffOnly
	}
	return nil
}

func poster(p authz.Principal) error {
	if !slices.Contains(core.Posters, p.Role) {
		return errStaffOnly
	}
	return nil
}

// --- plans ---

func (h *handlers) listPlans(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if err := staffOnly(p); err != nil {
		return err
	}
	list, err := h.store.plans.list(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(list))
	return nil
}

func (h *handlers) getPlan(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if err := staffOnly(p); err != nil {
		return err
	}
	plan, err := h.store.plans.get(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, plan)
	return nil
}

func (h *handlers) createPlan(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if err := poster(p); err != nil {
		return err
	}
	var in PlanInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	plan := Plan{ID: ids.New(), ClinicID: p.ClinicID, Carrier: in.Carrier, Name: in.Name, GroupNumber: in.GroupNumber,
		BenefitYearStartMonth: in.BenefitYearStartMonth, Coverage: in.Coverage, Deductible: in.Deductible,
		AnnualMaximumCents: in.AnnualMaximumCents, OrthoLifetimeMaximumCents: in.OrthoLifetimeMaximumCents,
		Frequencies: in.Frequencies, WaitingPeriods: in.WaitingPeriods, CreatedAt: h.Now(), CreatedBy: p.UserID}
	e := core.Entry(actionPlanWrite, "insurance-plans/"+plan.ID, "", "created")
	if err := h.Write(r, p, e, func() error { return h.store.plans.insert(r.Context(), plan) }); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, plan)
	return nil
}

// --- coverages ---

func coverageResource(id string) string { return "coverages/" + id }

// facts are what a coverage's view needs beyond the coverage.
type facts struct {
	plans    map[string]Plan
	standing standing
	loc      *time.Location
	currency string
}

// factsOf reads the plans of covs and the patient's ledger history and
// stands the patient on day asOf ("" for today in the clinic's calendar).
func (h *handlers) factsOf(ctx context.Context, clinicID, patientID string, covs []coverage, asOf string) (facts, error) {
	cl, err := h.Settings(ctx, clinicID)
	if err != nil {
		return facts{}, err
	}
	f := facts{plans: map[string]Plan{}, loc: cl.TimeZone, currency: cl.Currency}
	if f.loc == nil {
		f.loc = time.UTC
	}
	for _, c := range covs {
		if _, ok := f.plans[c.PlanID]; ok {
			continue
		}
		pl, err := h.store.plans.get(ctx, clinicID, c.PlanID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return facts{}, err
		}
		f.plans[c.PlanID] = pl
	}
	hist, err := h.history(ctx, clinicID, patientID)
	if err != nil {
		return facts{}, err
	}
	day := estimate.Day(h.Clock.Now(), f.loc)
	if asOf != "" {
		day = civil(asOf)
	}
	f.standing = stand(covs, f.plans, hist, day, f.loc, f.currency)
	return f, nil
}

// view is what caller p sees of c: the member id in full for posters,
// masked for everyone else.
func (h *handlers) view(p authz.Principal, c coverage, f facts) (Coverage, error) {
	member, err := h.Seal.Open(c.MemberID, memberWhere(c.ID))
	if err != nil {
		return Coverage{}, errs.Wrap(errs.Internal, err, "internal error")
	}
	if poster(p) != nil {
		member = mask(member)
	}
	pl := f.plans[c.PlanID]
	v := Coverage{ID: c.ID, PatientID: c.PatientID, PlanID: c.PlanID, Plan: PlanRef{ID: c.PlanID, Name: pl.Name},
		Priority: c.Priority, Subscriber: c.Subscriber, Relationship: c.Relationship, MemberID: member,
		EffectiveDate: c.EffectiveDate, Active: c.TerminationDate == "" || c.TerminationDate >= f.standing.asOf.Format(time.DateOnly),
		Usage: f.standing.usage[c.ID], CreatedAt: c.CreatedAt, Version: c.Version}
	v.Plan.Carrier.Name = pl.Carrier.Name
	if c.TerminationDate != "" {
		t := c.TerminationDate
		v.TerminationDate = &t
	}
	return v, nil
}

func (h *handlers) listCoverage(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	covs, err := h.store.coverages.list(r.Context(), p.ClinicID, pt.ID)
	if err != nil {
		return err
	}
	f, err := h.factsOf(r.Context(), p.ClinicID, pt.ID, covs, "")
	if err != nil {
		return err
	}
	if err := h.Read(r, p, core.Entry(actionCoverageRead, "patients/"+pt.ID+"/coverage", pt.ID, fmt.Sprintf("coverages: %d", len(covs)))); err != nil {
		return err
	}
	out := make([]Coverage, 0, len(covs))
	for _, c := range covs {
		v, err := h.view(p, c, f)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(out))
	return nil
}

// overlaps is the first other coverage of the patient of priority whose
// dates meet [from, to] (to "" for open-ended). The unique slot holds the
// open-ended case against races; this read catches a terminated coverage
// whose dates the new one would overlap.
func overlaps(all []coverage, self, priority, from, to string) (coverage, bool) {
	for _, c := range all {
		if c.ID == self || c.Priority != priority {
			continue
		}
		endsBefore := c.TerminationDate != "" && c.TerminationDate < from
		startsAfter := to != "" && c.EffectiveDate > to
		if !endsBefore && !startsAfter {
			return c, true
		}
	}
	return coverage{}, false
}

func errOverlap(c coverage) error {
	return errs.E(errs.Conflict, "the patient's %s coverage %s is in force over those dates; end it first (set its termination date)", c.Priority, c.ID)
}

func (h *handlers) createCoverage(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if err := poster(p); err != nil {
		return err
	}
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	var in CoverageInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := h.store.plans.get(ctx, p.ClinicID, in.PlanID); errs.Is(err, errs.NotFound) {
		return errs.InvalidFields(errs.FieldError{Field: "planId", Message: "no such insurance plan in this clinic"})
	} else if err != nil {
		return err
	}
	if in.Subscriber.PatientID != "" {
		if _, err := h.Patients(ctx, p.ClinicID, in.Subscriber.PatientID); errs.Is(err, errs.NotFound) {
			return errs.InvalidFields(errs.FieldError{Field: "subscriber.patientId", Message: "no such patient in this clinic"})
		} else if err != nil {
			return err
		}
	}
	if pt.Archived {
		return errs.E(errs.Unprocessable, "the patient's record is archived")
	}
	all, err := h.store.coverages.list(ctx, p.ClinicID, pt.ID)
	if err != nil {
		return err
	}
	if c, ok := overlaps(all, "", in.Priority, in.EffectiveDate, in.TerminationDate); ok {
		return errOverlap(c)
	}
	now := h.Now()
	c := coverage{ID: ids.New(), ClinicID: p.ClinicID, PatientID: pt.ID, PlanID: in.PlanID, Priority: in.Priority,
		Subscriber: in.Subscriber, Relationship: in.Relationship, EffectiveDate: in.EffectiveDate, TerminationDate: in.TerminationDate,
		CreatedAt: now, CreatedBy: p.UserID, UpdatedAt: now}
	c.ActiveSlot = slotOf(c)
	if c.MemberID, err = h.Seal.Seal(in.MemberID, memberWhere(c.ID)); err != nil {
		return errs.Wrap(errs.Internal, err, "internal error")
	}
	e := core.Entry(actionCoverageWrite, coverageResource(c.ID), pt.ID, "created; priority: "+c.Priority+"; plan: "+c.PlanID)
	if err := h.Write(r, p, e, func() error { return h.store.coverages.insert(ctx, c) }); err != nil {
		return err
	}
	return h.answerOne(w, r, p, http.StatusCreated, c)
}

// answerOne answers coverage c with its usage.
func (h *handlers) answerOne(w http.ResponseWriter, r *http.Request, p authz.Principal, status int, c coverage) error {
	all, err := h.store.coverages.list(r.Context(), p.ClinicID, c.PatientID)
	if err != nil {
		return err
	}
	f, err := h.factsOf(r.Context(), p.ClinicID, c.PatientID, all, "")
	if err != nil {
		return err
	}
	v, err := h.view(p, c, f)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, status, v)
	return nil
}

func (h *handlers) patchCoverage(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if err := poster(p); err != nil {
		return err
	}
	ctx := r.Context()
	cur, err := h.store.coverages.get(ctx, p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	var in CoveragePatch
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(cur.EffectiveDate); err != nil {
		return err
	}
	if *in.Version != cur.Version {
		return errStale
	}
	apply := func(c *coverage) error {
		if in.TerminationDate != nil {
			c.TerminationDate = *in.TerminationDate
		}
		if in.Priority != nil {
			c.Priority = *in.Priority
		}
		if in.MemberID != nil {
			s, err := h.Seal.Seal(*in.MemberID, memberWhere(c.ID))
			if err != nil {
				return errs.Wrap(errs.Internal, err, "internal error")
			}
			c.MemberID = s
		}
		return nil
	}
	preview := cur
	if err := apply(&preview); err != nil {
		return err
	}
	if in.Priority != nil || in.TerminationDate != nil {
		all, err := h.store.coverages.list(ctx, p.ClinicID, cur.PatientID)
		if err != nil {
			return err
		}
		if c, ok := overlaps(all, cur.ID, preview.Priority, preview.EffectiveDate, preview.TerminationDate); ok {
			return errOverlap(c)
		}
	}
	var fields []string
	for name, set := range map[string]bool{"terminationDate": in.TerminationDate != nil, "memberId": in.MemberID != nil, "priority": in.Priority != nil} {
		if set {
			fields = append(fields, name)
		}
	}
	slices.Sort(fields)
	detail := fmt.Sprintf("fields: %v; version: %d", fields, cur.Version)
	var out coverage
	err = h.Write(r, p, core.Entry(actionCoverageWrite, coverageResource(cur.ID), cur.PatientID, detail), func() (err error) {
		out, err = h.store.coverages.change(ctx, p.ClinicID, cur.ID, *in.Version, apply)
		return err
	})
	if err != nil {
		return err
	}
	return h.answerOne(w, r, p, http.StatusOK, out)
}

// --- estimates ---

// Estimate is a treatment plan's estimate as the API answers it.
type Estimate struct {
	PlanID         string          `json:"planId"`
	AsOf           string          `json:"asOf"`
	Currency       string          `json:"currency"`
	TotalCents     int64           `json:"totalCents"`
	InsuranceCents int64           `json:"insuranceCents"`
	PatientCents   int64           `json:"patientCents"`
	Lines          []estimate.Line `json:"lines"`
	Coverages      []EstimatedBy   `json:"coverages"`
	// Rounding is the estimate's one rounding rule.
	Rounding string `json:"rounding"`
}

// EstimatedBy is a coverage an estimate used.
type EstimatedBy struct {
	ID       string `json:"id"`
	Priority string `json:"priority"`
	PlanName string `json:"planName"`
}

// itemPlanned is the status of a plan item still to be done; completed
// items are on the ledger (and count there as pending or paid).
const itemPlanned = "planned"

var errTreatmentPlanNotFound = errs.E(errs.NotFound, "treatment plan not found")

func (h *handlers) estimate(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	ctx := r.Context()
	id := r.PathValue("id")
	if !ids.Valid(id) {
		return errTreatmentPlanNotFound
	}
	asOf := r.URL.Query().Get("asOf")
	if asOf != "" {
		var v errs.Validator
		if !validate.Check(&v, "asOf", func() error { _, err := validate.Date(asOf); return err }()) {
			return v.Err()
		}
	}
	tp, err := h.Plans(ctx, p.ClinicID, id)
	if err != nil {
		return err
	}
	// A patient sees their own plans, never a draft: anything else is 404.
	if p.IsPatient() && (tp.PatientID != p.PatientID || tp.Status == "draft") {
		return errTreatmentPlanNotFound
	}
	covs, err := h.store.coverages.list(ctx, p.ClinicID, tp.PatientID)
	if err != nil {
		return err
	}
	f, err := h.factsOf(ctx, p.ClinicID, tp.PatientID, covs, asOf)
	if err != nil {
		return err
	}
	out := Estimate{PlanID: tp.ID, AsOf: f.standing.asOf.Format(time.DateOnly), Currency: f.currency, Lines: []estimate.Line{},
		Coverages: []EstimatedBy{}, Rounding: estimate.RoundingRule}
	for _, c := range f.standing.used {
		out.Coverages = append(out.Coverages, EstimatedBy{ID: c.ID, Priority: c.Priority, PlanName: f.plans[c.PlanID].Name})
	}
	for _, it := range tp.Items {
		if it.Status != itemPlanned {
			continue
		}
		l := f.standing.est.Item(estimate.Item{ID: it.ID, Code: it.Code, Category: it.Category, Tooth: it.Tooth, FeeCents: it.FeeCents})
		out.Lines = append(out.Lines, l)
		out.TotalCents += l.FeeCents
		out.InsuranceCents += l.InsuranceCents
		out.PatientCents += l.PatientCents
	}
	detail := fmt.Sprintf("plan: %s; lines: %d; insuranceCents: %d; patientCents: %d", tp.ID, len(out.Lines), out.InsuranceCents, out.PatientCents)
	if err := h.Read(r, p, core.Entry(actionEstimateRead, "treatment-plans/"+tp.ID+"/estimate", tp.PatientID, detail)); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}
