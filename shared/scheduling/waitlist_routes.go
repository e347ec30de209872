package scheduling

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// WaitlistRoutes registers the waitlist routes (the scheduling function).
func WaitlistRoutes(r *authz.Router, d Deps) {
	h := &handlers{d}
	r.HandleFunc("GET /api/waitlist", h.listWaitlist)
	r.HandleFunc("POST /api/waitlist", h.addWaitlist)
	r.HandleFunc("PATCH /api/waitlist/{id}", h.patchWaitlist)
	r.HandleFunc("DELETE /api/waitlist/{id}", h.deleteWaitlist)
	r.HandleFunc("POST /api/waitlist/{id}/offer", h.offerWaitlist)
}

// entryEntry is the trail's entry for action on waitlist entry id of patientID.
func entryEntry(action, id, patientID string) audit.Entry {
	return audit.Entry{Action: "waitlist." + action, Resource: "waitlist/" + id, PatientID: patientID, Outcome: audit.Success}
}

func (h *handlers) listWaitlist(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	// Lapsed offers move on before anyone looks at the list: the system's
	// doing, not the caller's.
	if err := h.Store.ExpireOffers(ctx, p.ClinicID, h.Audit); err != nil {
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
	listed := make([]string, 0, len(list))
	for _, e := range list {
		listed = append(listed, e.PatientID)
	}
	if err := h.Audit.Request(r, p.Actor(), audit.Entry{Action: "waitlist.list", Resource: "waitlist", PatientID: patientID, PatientIDs: listed,
		Outcome: audit.Success, Detail: fmt.Sprintf("results: %d", len(list))}); err != nil {
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
	var patientID string // as the body names it; validated with the rest
	if in.PatientID != nil && ids.Valid(strings.TrimSpace(*in.PatientID)) {
		patientID = strings.TrimSpace(*in.PatientID)
	}
	id := ids.New()
	var e WaitlistEntry
	err := h.Audit.Guarded(r, p.Actor(), entryEntry("create", id, patientID), func() (err error) {
		e, err = h.Store.addToWaitlist(r.Context(), p.ClinicID, id, in, p.IsPatient())
		return err
	})
	if err != nil {
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
	case "":
		if p.IsPatient() {
			return errs.InvalidFields(errs.FieldError{Field: "answer", Message: "accept or decline an offer; ask the practice to change your preferences"})
		}
	default:
		return errs.InvalidFields(errs.FieldError{Field: "answer", Message: "must be accept or decline"})
	}
	var out WaitlistEntry
	err = h.Audit.Guarded(r, p.Actor(), entryEntry("update", e.ID, e.PatientID), func() (err error) {
		if in.Answer == "" {
			out, err = h.Store.UpdateWaitlist(ctx, p.ClinicID, e.ID, in.WaitlistInput)
		} else {
			out, err = h.Store.AnswerOffer(ctx, p.ClinicID, e.ID, in.Answer == "accept", actor(p))
		}
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) deleteWaitlist(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	e, err := h.ownEntry(r, p)
	if err != nil {
		return err
	}
	err = h.Audit.Guarded(r, p.Actor(), entryEntry("remove", e.ID, e.PatientID), func() error {
		return h.Store.RemoveFromWaitlist(r.Context(), p.ClinicID, e.ID, actor(p))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type offerRequest struct {
	ProviderID  string    `json:"providerId"`
	OperatoryID string    `json:"operatoryId"`
	Start       time.Time `json:"start"`
}

// offerWaitlist offers a waiting patient a time the desk chose, now
// (Store.OfferTime): 409 when the time is taken or the entry not waiting.
func (h *handlers) offerWaitlist(w http.ResponseWriter, r *http.Request) error {
	var in offerRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	e, err := h.ownEntry(r, p)
	if err != nil {
		return err
	}
	var out WaitlistEntry
	err = h.Audit.Guarded(r, p.Actor(), entryEntry("offer", e.ID, e.PatientID), func() (err error) {
		out, err = h.Store.OfferTime(r.Context(), p.ClinicID, e.ID, Booking{ProviderID: in.ProviderID, OperatoryID: in.OperatoryID, Start: in.Start}, actor(p))
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}
