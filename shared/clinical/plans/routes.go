package plans

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
)

// auditFn actions.
const (
	actionRead        = "plan.read"
	actionWrite       = "plan.write"
	actionPresent     = "plan.present"
	actionAccept      = "plan.accept"
	actionReject      = "plan.reject"
	actionComplete    = "plan.item.complete"
	actionCodeWrite   = "procedure_code.write"
	actionCodesImport = "procedure_code.import"
)

// RoutesWith is Routes posting charges to ch (billing's, once it exists).
func RoutesWith(r *authz.Router, d core.Deps, c Charter, ch Charges) {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	plans := NewStore(d.Mongo, d.Clock)
	h := &handlers{Deps: d, svc: &service{Codes: NewCodes(d.Mongo, d.Clock), Plans: plans, Charter: c, Charges: ch,
		Seal: d.Seal, Clock: d.Clock, Log: d.Log}}
	r.HandleFunc("GET /api/procedure-codes", h.listCodes)
	r.HandleFunc("POST /api/procedure-codes", h.createCode)
	r.HandleFunc("POST /api/procedure-codes/import", h.importCodes)
	r.HandleFunc("GET /api/patients/{id}/treatment-plans", h.listPlans)
	r.HandleFunc("POST /api/patients/{id}/treatment-plans", h.createPlan)
	r.HandleFunc("GET /api/treatment-plans/{id}", h.getPlan)
	r.HandleFunc("PATCH /api/treatment-plans/{id}", h.patchPlan)
	r.HandleFunc("POST /api/treatment-plans/{id}/present", h.present)
	r.HandleFunc("POST /api/treatment-plans/{id}/accept", h.accept)
	r.HandleFunc("POST /api/treatment-plans/{id}/reject", h.reject)
	r.HandleFunc("POST /api/treatment-plans/{id}/items/{itemId}/complete", h.complete)
}

type handlers struct {
	core.Deps
	svc *service
}

func planResource(id string) string { return "treatment-plans/" + id }

// load is the path's plan as caller p may see it: another clinic's, and for
// a patient another patient's or a draft (a patient never sees drafts), is
// 404, never the data.
func (h *handlers) load(r *http.Request, p authz.Principal) (record, error) {
	rec, err := h.svc.Plans.get(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return record{}, err
	}
	if !core.Owns(p, rec.PatientID) || p.IsPatient() && rec.Status == StatusDraft {
		return record{}, errPlanNotFound
	}
	return rec, nil
}

// view is what p sees of rec. The notes are the clinicians' own working
// notes on the plan: staff read them, the patient does not.
func (h *handlers) view(p authz.Principal, rec record) (Plan, error) {
	if p.IsPatient() {
		return rec.view(""), nil
	}
	notes, err := h.Seal.Open(rec.Notes, notesWhere(rec.ID))
	if err != nil {
		return Plan{}, errs.Wrap(errs.Internal, err, "internal error")
	}
	return rec.view(notes), nil
}

func (h *handlers) answer(w http.ResponseWriter, p authz.Principal, status int, rec record) error {
	v, err := h.view(p, rec)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, status, v)
	return nil
}

// write records action on plan rec and makes change, audit first.
func (h *handlers) write(r *http.Request, p authz.Principal, rec record, action, detail string, change func() error) error {
	return h.Write(r, p, core.Entry(action, planResource(rec.ID), rec.PatientID, detail), change)
}

// audited is the service's auditFn for request r of p on patientID's plans.
func (h *handlers) audited(r *http.Request, p authz.Principal, patientID string) auditFn {
	return func(action, planID, detail string, change func() error) error {
		return h.Write(r, p, core.Entry(action, planResource(planID), patientID, detail), change)
	}
}

// decodeOptional decodes a body that may be left out (the transitions
// carry nothing today); one that is sent is held to Decode's rules.
func decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := readBody(w, r)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return httpapi.Decode(w, r, dst)
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpapi.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errs.E(errs.TooLarge, "request body exceeds %d bytes", httpapi.MaxBodyBytes)
	case err != nil:
		return nil, errs.Wrap(errs.Invalid, err, "could not read request body")
	}
	return body, nil
}

// --- procedure codes ---

func (h *handlers) listCodes(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	q := r.URL.Query()
	text, category := q.Get("q"), q.Get("category")
	var v errs.Validator
	v.Check(utf8.RuneCountInString(text) <= 100, "q", "must be at most 100 characters")
	v.Check(category == "" || slices.Contains(Categories, category), "category", "must be one of "+strings.Join(Categories, ", "))
	if err := v.Err(); err != nil {
		return err
	}
	codes, err := h.svc.Codes.Schedule(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(filter(codes, text, category)))
	return nil
}

func (h *handlers) createCode(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	var in CodeInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if fields := in.check(); len(fields) > 0 {
		return errs.InvalidFields(fields...)
	}
	var out Code
	err := h.Write(r, p, core.Entry(actionCodeWrite, "procedure-codes", "", "created: "+in.Code), func() (err error) {
		out, err = h.svc.Codes.Create(r.Context(), p.ClinicID, in)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handlers) importCodes(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		return errs.E(errs.UnsupportedMedia, "Content-Type must be text/csv")
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	rows, err := parseCSV(body)
	if err != nil {
		return err
	}
	var res Imported
	err = h.Write(r, p, core.Entry(actionCodesImport, "procedure-codes", "", fmt.Sprintf("rows: %d", len(rows))), func() (err error) {
		res, err = h.svc.Codes.Upsert(r.Context(), p.ClinicID, rows)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
	return nil
}

// --- treatment plans ---

func (h *handlers) listPlans(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	recs, err := h.svc.Plans.list(r.Context(), p.ClinicID, pt.ID, !p.IsPatient())
	if err != nil {
		return err
	}
	if err := h.Read(r, p, core.Entry(actionRead, "patients/"+pt.ID+"/treatment-plans", pt.ID, fmt.Sprintf("plans: %d", len(recs)))); err != nil {
		return err
	}
	out := make([]Plan, 0, len(recs))
	for _, rec := range recs {
		v, err := h.view(p, rec)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(out))
	return nil
}

func (h *handlers) createPlan(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	var in PlanInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if pt.Archived {
		return errs.E(errs.Unprocessable, "the patient's record is archived")
	}
	rec, err := h.svc.newPlan(r.Context(), p.ClinicID, pt.ID, in, p)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("created; items: %d", len(rec.Items))
	if rec.GroupID != rec.ID {
		detail += "; alternative in group " + rec.GroupID
	}
	if err := h.write(r, p, rec, actionWrite, detail, func() error { return h.svc.Create(r.Context(), rec) }); err != nil {
		return err
	}
	return h.answer(w, p, http.StatusCreated, rec)
}

func (h *handlers) getPlan(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.load(r, p)
	if err != nil {
		return err
	}
	if err := h.Read(r, p, core.Entry(actionRead, planResource(rec.ID), rec.PatientID, "")); err != nil {
		return err
	}
	return h.answer(w, p, http.StatusOK, rec)
}

// transition judges change on a copy of rec before the attempt is audited
// (a refused transition is a 409 or a 400, not a write attempt), then
// records action and applies change to the stored plan, where it is judged
// again on whatever the plan is by then.
func (h *handlers) transition(w http.ResponseWriter, r *http.Request, p authz.Principal, rec record, action, detail string, change func(*record) error) error {
	preview := rec
	preview.Items = append([]item(nil), rec.Items...)
	if err := change(&preview); err != nil {
		return err
	}
	var out record
	err := h.write(r, p, rec, action, detail, func() (err error) {
		out, err = h.svc.Plans.change(r.Context(), p.ClinicID, rec.ID, change)
		return err
	})
	if err != nil {
		return err
	}
	return h.answer(w, p, http.StatusOK, out)
}

func (h *handlers) patchPlan(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.load(r, p)
	if err != nil {
		return err
	}
	var in PatchInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	fields := in.fields()
	if len(fields) == 0 {
		return errs.E(errs.Invalid, "the request names no field to change (title, items, notes)")
	}
	sc := schedule{}
	if in.Items != nil {
		if sc, err = h.svc.Codes.read(r.Context(), p.ClinicID); err != nil {
			return err
		}
	}
	return h.transition(w, r, p, rec, actionWrite, "fields: "+strings.Join(fields, ","), h.svc.Edit(sc, in))
}

func (h *handlers) present(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.load(r, p)
	if err != nil {
		return err
	}
	if err := decodeOptional(w, r, &struct{}{}); err != nil {
		return err
	}
	return h.transition(w, r, p, rec, actionPresent, fmt.Sprintf("items: %d", len(rec.Items)), h.svc.Present(p))
}

func (h *handlers) reject(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.load(r, p)
	if err != nil {
		return err
	}
	if err := decodeOptional(w, r, &struct{}{}); err != nil {
		return err
	}
	if rec.Status == StatusDraft && p.Role == authz.Receptionist {
		// The front desk records a patient's answer to a presented plan;
		// discarding a clinician's draft is the clinicians'.
		return h.Deny(r, p, core.Entry(actionReject, planResource(rec.ID), rec.PatientID, "draft; role refused"),
			errs.E(errs.Forbidden, "only a clinician may discard a draft plan"))
	}
	return h.transition(w, r, p, rec, actionReject, "from: "+rec.Status, h.svc.Reject(p, RejectedDeclined))
}

// AcceptInput is the body of an acceptance.
type AcceptInput struct {
	// Signature is the patient's full name, typed by the patient.
	Signature string `json:"signature"`
}

// maxUserAgent bounds the user agent kept with an acceptance.
const maxUserAgent = 512

func (h *handlers) accept(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.load(r, p)
	if err != nil {
		return err
	}
	var in AcceptInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	sig := strings.TrimSpace(in.Signature)
	if sig == "" || utf8.RuneCountInString(sig) > 200 {
		return errs.InvalidFields(errs.FieldError{Field: "signature", Message: "type the patient's full name to sign"})
	}
	if rec.Status != StatusPresented {
		return errState(rec.Status, "accepted (only a presented plan is)")
	}
	pt, err := h.Patients(r.Context(), p.ClinicID, rec.PatientID)
	if err != nil {
		return err
	}
	if !sameName(sig, pt.FirstName+" "+pt.LastName) {
		return errs.InvalidFields(errs.FieldError{Field: "signature", Message: "must be the patient's full name as the practice has it"})
	}
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = strings.ToValidUTF8(ua[:maxUserAgent], "")
	}
	a := Acceptance{Signature: sig, At: h.Now(), IP: httpapi.ClientIP(r), UserAgent: ua, By: p.UserID, Role: p.Role}
	var out record
	err = h.write(r, p, rec, actionAccept, "by: "+p.Role, func() (err error) {
		out, err = h.svc.Accept(r.Context(), p.ClinicID, rec.ID, a, p, h.audited(r, p, rec.PatientID))
		return err
	})
	if err != nil {
		return err
	}
	return h.answer(w, p, http.StatusOK, out)
}

// sameName reports whether a typed signature is the name on file, told
// apart by neither letter case, accents nor spacing.
func sameName(typed, name string) bool {
	fold := func(s string) string { return strings.Join(strings.Fields(patients.Fold(s)), " ") }
	return fold(typed) != "" && fold(typed) == fold(name)
}

func (h *handlers) complete(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.load(r, p)
	if err != nil {
		return err
	}
	if err := decodeOptional(w, r, &struct{}{}); err != nil {
		return err
	}
	itemID := r.PathValue("itemId")
	if _, err := completable(rec, itemID); err != nil {
		return err
	}
	var out record
	err = h.write(r, p, rec, actionComplete, "item: "+itemID, func() (err error) {
		out, err = h.svc.Complete(r.Context(), p.ClinicID, rec.ID, itemID, p)
		return err
	})
	if err != nil {
		return err
	}
	return h.answer(w, p, http.StatusOK, out)
}
