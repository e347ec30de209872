package notes

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Audited prescription actions.
const (
	actionRxRead        = "prescription.read"
	actionRxWrite       = "prescription.write"
	actionRxDiscontinue = "prescription.discontinue"
	actionRxOverride    = "prescription.allergy_override"
)

type rxHandlers struct {
	core.Deps
	rx *rxStore
}

func rxResource(id string) string { return "prescriptions/" + id }

var errPrescriber = errs.E(errs.Forbidden, "only a dentist prescribes or discontinues")

func (h *rxHandlers) list(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	q := r.URL.Query()
	page, err := store.ParsePage(q)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if status != "" && status != RxActive && status != "all" {
		return errs.InvalidFields(errs.FieldError{Field: "status", Message: "must be active or all"})
	}
	// Staff see the whole history unless they ask for the active ones; a
	// patient reads what they take now.
	activeOnly := status == RxActive || p.IsPatient()
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	var filter bson.D
	if activeOnly {
		filter = bson.D{{Key: "status", Value: RxActive}}
	}
	res, err := h.rx.List(r.Context(), p.ClinicID, pt.ID, filter, page)
	if err != nil {
		return err
	}
	out, err := viewPage(res, func(rec rxRecord) (Prescription, error) { return rec.view(h.Seal) })
	if err != nil {
		return err
	}
	shown := "all"
	if activeOnly {
		shown = RxActive
	}
	e := core.Entry(actionRxRead, "patients/"+pt.ID+"/prescriptions", pt.ID, fmt.Sprintf("prescriptions: %d; status: %s", len(out.Items), shown))
	if err := h.Read(r, p, e); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *rxHandlers) create(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.Subject(r, p)
	if err != nil {
		return err
	}
	id := ids.New()
	if !slices.Contains(core.Prescribers, p.Role) {
		return h.Deny(r, p, core.Entry(actionRxWrite, rxResource(id), pt.ID, "role does not prescribe"), errPrescriber)
	}
	var in rxInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	if pt.Archived {
		return errs.E(errs.Conflict, "the patient's record is archived; restore it before prescribing")
	}
	rec := rxRecord{ID: id, PatientID: pt.ID, Drug: strings.TrimSpace(in.Drug), Strength: strings.TrimSpace(in.Strength),
		Form: strings.ToLower(strings.TrimSpace(in.Form)), Sig: strings.TrimSpace(in.Sig), Quantity: *in.Quantity,
		Status: RxActive, PrescriberID: p.UserID, CreatedAt: h.Now(), Version: 1}
	if in.Refills != nil {
		rec.Refills = *in.Refills
	}
	if rec.Reason, err = h.Seal.Seal(strings.TrimSpace(in.Reason), rxWhere(id, "reason")); err != nil {
		return err
	}
	conflicts := allergyConflicts(rec.Drug, pt.Allergies)
	entry := core.Entry(actionRxWrite, rxResource(id), pt.ID, fmt.Sprintf("form: %s; quantity: %d; refills: %d; allergy conflicts: %d",
		rec.Form, rec.Quantity, rec.Refills, len(conflicts)))
	insert := func() error { return h.rx.Insert(r.Context(), p.ClinicID, rec) }
	if len(conflicts) > 0 {
		if in.Override == nil {
			msg := allergyMessage(strings.TrimSpace(pt.FirstName+" "+pt.LastName), conflicts)
			refusal := &errs.Error{Kind: errs.Unprocessable, Message: msg, Fields: []errs.FieldError{{Field: "drug", Message: msg}}}
			entry.Detail = fmt.Sprintf("refused: allergy conflicts: %d", len(conflicts))
			return h.Deny(r, p, entry, refusal)
		}
		o := &rxOverride{}
		for _, c := range conflicts {
			o.Allergies = append(o.Allergies, strings.TrimSpace(c.Allergy.Substance))
		}
		if o.Reason, err = h.Seal.Seal(strings.TrimSpace(*in.Override.Reason), rxWhere(id, "override.reason")); err != nil {
			return err
		}
		rec.Override = o
	}
	// An override given when no allergy stands in the way overrides
	// nothing, and is not kept as if it had.
	if rec.Override != nil {
		// Both records come before the prescription is stored: the
		// override itself, then the write it allows.
		override := core.Entry(actionRxOverride, rxResource(id), pt.ID, fmt.Sprintf("allergies overridden: %d", len(conflicts)))
		err = h.Write(r, p, override, func() error { return h.Write(r, p, entry, insert) })
	} else {
		err = h.Write(r, p, entry, insert)
	}
	if err != nil {
		return err
	}
	v, err := rec.view(h.Seal)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, v)
	return nil
}

func (h *rxHandlers) discontinue(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	rec, err := h.rx.Get(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !core.Owns(p, rec.PatientID) {
		return errRxNotFound
	}
	entry := core.Entry(actionRxDiscontinue, rxResource(rec.ID), rec.PatientID, "")
	if !slices.Contains(core.Prescribers, p.Role) {
		entry.Detail = "role does not prescribe"
		return h.Deny(r, p, entry, errPrescriber)
	}
	// The body is optional: no reason is a reason too.
	var in reason
	if r.ContentLength != 0 {
		if err := httpapi.Decode(w, r, &in); err != nil {
			return err
		}
	}
	why := ""
	if in.Reason != nil {
		var v errs.Validator
		checkLen(&v, "reason", *in.Reason, 0, 500)
		if err := v.Err(); err != nil {
			return err
		}
		why = strings.TrimSpace(*in.Reason)
	}
	if rec.Status != RxActive {
		return errs.E(errs.Conflict, "the prescription is already discontinued")
	}
	sealed, err := h.Seal.Seal(why, rxWhere(rec.ID, "discontinueReason"))
	if err != nil {
		return err
	}
	entry.Detail = fmt.Sprintf("reason given: %t", why != "")
	var out rxRecord
	err = h.Write(r, p, entry, func() error {
		var won bool
		out, won, err = h.rx.Discontinue(r.Context(), p.ClinicID, rec, p.UserID, h.Now(), sealed)
		if err == nil && !won {
			// Only a discontinuation changes a prescription.
			return errs.E(errs.Conflict, "the prescription is already discontinued")
		}
		return err
	})
	if err != nil {
		return err
	}
	v, err := out.view(h.Seal)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
	return nil
}
