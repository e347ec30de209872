package scheduling

import (
	"net/http"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
)

// WaitlistRoutes registers the waitlist routes (the scheduling function).
func WaitlistRoutes(r *authz.Router, d Deps) {
	h := &handlers{d}
	r.HandleFunc("GET /api/waitlist", h.listWaitlist)
	r.HandleFunc("POST /api/waitlist", h.addWaitlist)
	r.HandleFunc("PATCH /api/waitlist/{id}", h.patchWaitlist)
	r.HandleFunc("DELETE /api/waitlist/{id}", h.deleteWaitlist)
}

func (h *handlers) listWaitlist(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	// Lapsed offers move on before anyone looks at the list.
	if err := h.Store.ExpireOffers(ctx, p.ClinicID, actor(p)); err != nil {
		return err
	}
	patientID := r.URL.Query().Get("patientId")
	if p.IsPatient() {
		patientID = p.PatientID
	}
	list, err := h.Store.ListWaitlist(ctx, p.ClinicID, patientID)
	if err != nil {
		return err
	}
	if err := h.audit(r, p, "waitlist.list", "waitlist", patientID); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(list))
	return nil
}

func (h *handlers) addWaitlist(w http.ResponseWriter, r *http.Request) error {
	var in WaitlistInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	if p.IsPatient() {
		in.PatientID = &p.PatientID
		if in.Urgency != nil {
			return errs.InvalidFields(errs.FieldError{Field: "urgency", Message: "is set by the practice"})
		}
	}
	e, err := h.Store.AddToWaitlist(r.Context(), p.ClinicID, in)
	if err != nil {
		return err
	}
	if err := h.audit(r, p, "waitlist.create", "waitlist/"+e.ID, e.PatientID); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, e)
	return nil
}

type patchWaitlistRequest struct {
	WaitlistInput
	Answer string `json:"answer"` // accept | decline an open offer
}

func (h *handlers) ownEntry(r *http.Request, p authz.Principal) (WaitlistEntry, error) {
	e, err := h.Store.WaitlistEntryByID(r.Context(), p.ClinicID, r.PathValue("id"))
	if err == nil && p.IsPatient() && e.PatientID != p.PatientID {
		return WaitlistEntry{}, errs.E(errs.NotFound, "waitlist entry not found")
	}
	return e, err
}

func (h *handlers) patchWaitlist(w http.ResponseWriter, r *http.Request) error {
	var in patchWaitlistRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	e, err := h.ownEntry(r, p)
	if err != nil {
		return err
	}
	switch in.Answer {
	case "accept", "decline":
		e, err = h.Store.AnswerOffer(ctx, p.ClinicID, e.ID, in.Answer == "accept", actor(p))
	case "":
		if p.IsPatient() {
			return errs.InvalidFields(errs.FieldError{Field: "answer", Message: "accept or decline an offer; ask the practice to change your preferences"})
		}
		e, err = h.Store.UpdateWaitlist(ctx, p.ClinicID, e.ID, in.WaitlistInput)
	default:
		return errs.InvalidFields(errs.FieldError{Field: "answer", Message: "must be accept or decline"})
	}
	if err != nil {
		return err
	}
	if err := h.audit(r, p, "waitlist.update", "waitlist/"+e.ID, e.PatientID); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *handlers) deleteWaitlist(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	e, err := h.ownEntry(r, p)
	if err != nil {
		return err
	}
	if err := h.Store.RemoveFromWaitlist(r.Context(), p.ClinicID, e.ID, actor(p)); err != nil {
		return err
	}
	if err := h.audit(r, p, "waitlist.remove", "waitlist/"+e.ID, e.PatientID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
