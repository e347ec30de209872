package scheduling

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/validate"
)

// Deps are what the scheduling routes need.
type Deps struct {
	Store *Store
	Audit *audit.Log
	Log   *slog.Logger
}

// holdFor is how long a patient's hold blocks a slot.
const holdFor = 5 * time.Minute

// Routes registers the scheduling function's routes.
func Routes(r *authz.Router, d Deps) {
	h := &handlers{d}
	r.HandleFunc("GET /api/providers", h.listProviders)
	r.HandleFunc("POST /api/providers", h.createProvider)
	r.HandleFunc("GET /api/providers/{id}", h.getProvider)
	r.HandleFunc("PATCH /api/providers/{id}", patch(h, "provider.update", "providers/", d.Store.UpdateProvider))
	r.HandleFunc("PUT /api/providers/{id}/hours", h.putHours)
	r.HandleFunc("POST /api/providers/{id}/time-off", h.addTimeOff)
	r.HandleFunc("GET /api/operatories", h.listOperatories)
	r.HandleFunc("POST /api/operatories", h.createOperatory)
	r.HandleFunc("PATCH /api/operatories/{id}", patch(h, "operatory.update", "operatories/", d.Store.UpdateOperatory))
	r.HandleFunc("GET /api/appointment-types", h.listTypes)
	r.HandleFunc("POST /api/appointment-types", h.createType)
	r.HandleFunc("PATCH /api/appointment-types/{id}", patch(h, "appointment_type.update", "appointment-types/", d.Store.UpdateType))
	r.HandleFunc("GET /api/appointments", h.listAppointments)
	r.HandleFunc("POST /api/appointments", h.book)
	r.HandleFunc("GET /api/appointments/{id}", h.getAppointment)
	r.HandleFunc("PATCH /api/appointments/{id}", h.move)
	for _, action := range []string{"cancel", "confirm", "check-in", "complete", "no-show", "undo"} {
		r.HandleFunc("POST /api/appointments/{id}/"+action, h.transition(action))
	}
	r.HandleFunc("GET /api/availability", h.availability)
	WaitlistRoutes(r, d)
}

type handlers struct{ Deps }

func actor(p authz.Principal) Actor { return Actor{UserID: p.UserID, Role: p.Role} }

// Appointments and waitlist entries name a patient: reading one is audited
// (audit.Log.Request) before the answer is written, and changing one
// (audit.Log.Guarded) before the change is made, so that a trail that
// cannot be written stops the request with 503 and nothing happens that it
// does not show.

// apptEntry is the trail's entry for action on appointment id of patientID.
func apptEntry(action, id, patientID string) audit.Entry {
	return audit.Entry{Action: "appointment." + action, Resource: "appointments/" + id, PatientID: patientID, Outcome: audit.Success}
}

func (h *handlers) listAppointments(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	q := r.URL.Query()
	page, err := store.ParsePage(q)
	if err != nil {
		return err
	}
	var v errs.Validator
	f := ListFilter{From: validate.QueryInstant(q, "from", &v), To: validate.QueryInstant(q, "to", &v),
		ProviderID: q.Get("providerId"), OperatoryID: q.Get("operatoryId"), PatientID: q.Get("patientId"), Status: Status(q.Get("status"))}
	if err := v.Err(); err != nil {
		return err
	}
	if p.IsPatient() {
		f.PatientID = p.PatientID // a patient sees only their own
	}
	out, err := h.Store.List(r.Context(), p.ClinicID, f, page)
	if err != nil {
		return err
	}
	listed := make([]string, 0, len(out.Items))
	for _, a := range out.Items {
		listed = append(listed, a.PatientID)
	}
	if err := h.Audit.Request(r, p.Actor(), audit.Entry{Action: "appointment.list", Resource: "appointments", PatientID: f.PatientID, PatientIDs: listed,
		Outcome: audit.Success, Detail: fmt.Sprintf("results: %d", len(out.Items))}); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

type bookRequest struct {
	PatientID   string    `json:"patientId"`
	ProviderID  string    `json:"providerId"`
	OperatoryID string    `json:"operatoryId"`
	TypeID      string    `json:"typeId"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Notes       string    `json:"notes"`
	Hold        bool      `json:"hold"`
	// WaitlistEntryID: the desk books a waitlisted patient, taking their
	// entry off the list as booked (BookFromWaitlist).
	WaitlistEntryID string `json:"waitlistEntryId"`
}

func (h *handlers) book(w http.ResponseWriter, r *http.Request) error {
	var in bookRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	b := Booking{ID: ids.New(), PatientID: in.PatientID, ProviderID: in.ProviderID, OperatoryID: in.OperatoryID, TypeID: in.TypeID,
		Start: in.Start, End: in.End, Notes: in.Notes, Source: "staff"}
	if p.IsPatient() {
		// A patient books for themselves, a type bookable online, through a hold.
		b.OnlineOnly = true
		if in.PatientID != "" && in.PatientID != p.PatientID {
			return errs.E(errs.NotFound, "not found")
		}
		b.PatientID, b.Source, b.End = p.PatientID, "portal", time.Time{}
		if in.WaitlistEntryID != "" {
			return errs.InvalidFields(errs.FieldError{Field: "waitlistEntryId", Message: "is for the practice; answer your offer instead"})
		}
		if !in.Hold {
			// A hold first, then confirm: what a patient has not
			// confirmed frees itself in minutes.
			return errs.E(errs.Unprocessable, "online bookings are held first (hold: true), then confirmed")
		}
		b.Hold = holdFor
	} else if in.Hold {
		return errs.InvalidFields(errs.FieldError{Field: "hold", Message: "holds are for patients booking online"})
	} else if !ids.Valid(in.PatientID) {
		return errs.InvalidFields(errs.FieldError{Field: "patientId", Message: "is required"})
	}
	var a Appointment
	err := h.Audit.Guarded(r, p.Actor(), apptEntry("create", b.ID, b.PatientID), func() (err error) {
		if in.WaitlistEntryID == "" {
			a, err = h.Store.Book(ctx, p.ClinicID, b, actor(p))
			return err
		}
		booked := entryEntry("book", in.WaitlistEntryID, b.PatientID)
		booked.Detail = "appointments/" + b.ID
		return h.Audit.Guarded(r, p.Actor(), booked, func() (err error) {
			a, err = h.Store.BookFromWaitlist(ctx, p.ClinicID, in.WaitlistEntryID, b, actor(p))
			return err
		})
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, a)
	return nil
}

// own loads an appointment the caller may see: a patient's own only (404
// otherwise, never another patient's).
func (h *handlers) own(r *http.Request, p authz.Principal) (Appointment, error) {
	a, err := h.Store.Get(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return a, err
	}
	if p.IsPatient() && a.PatientID != p.PatientID {
		return Appointment{}, errNotFound
	}
	return a, nil
}

func (h *handlers) getAppointment(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	a, err := h.own(r, p)
	if err != nil {
		return err
	}
	if err := h.Audit.Request(r, p.Actor(), apptEntry("read", a.ID, a.PatientID)); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, a)
	return nil
}

type moveRequest struct {
	ProviderID  *string    `json:"providerId"`
	OperatoryID *string    `json:"operatoryId"`
	Start       *time.Time `json:"start"`
	End         *time.Time `json:"end"`
	Notes       *string    `json:"notes"`
}

func (h *handlers) move(w http.ResponseWriter, r *http.Request) error {
	var in moveRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	// Read first: the trail names the patient before the move is made.
	a, err := h.own(r, p)
	if err != nil {
		return err
	}
	var out Appointment
	err = h.Audit.Guarded(r, p.Actor(), apptEntry("move", a.ID, a.PatientID), func() (err error) {
		out, err = h.Store.Reschedule(r.Context(), p.ClinicID, a.ID, Move(in), actor(p))
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

type actionRequest struct {
	Reason     string `json:"reason"`
	ReasonText string `json:"reasonText"`
}

// cancelReason checks a cancellation's reason: one of CancelReasons
// (patient_request when none is given), "other" with a text. Releasing a
// hold is no visit cancelled: its reason is not held to the list.
func (in actionRequest) cancelReason(a Appointment) (CancelReason, error) {
	why := CancelReason{Code: strings.TrimSpace(in.Reason), Text: strings.TrimSpace(in.ReasonText)}
	if a.Status == Held && !slices.Contains(CancelReasons, why.Code) {
		why.Text = why.Code + why.Text
		why.Code = "patient_request"
		if r := []rune(why.Text); len(r) > maxReasonText {
			why.Text = string(r[:maxReasonText])
		}
		return why, nil
	}
	if why.Code == "" {
		why.Code = "patient_request"
	}
	var v errs.Validator
	v.Check(slices.Contains(CancelReasons, why.Code), "reason", "must be one of "+strings.Join(CancelReasons, ", "))
	v.Check(why.Code != "other" || why.Text != "", "reasonText", "is required when the reason is other")
	v.Check(utf8.RuneCountInString(why.Text) <= maxReasonText, "reasonText", fmt.Sprintf("must be at most %d characters", maxReasonText))
	return why, v.Err()
}

func (h *handlers) transition(action string) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in actionRequest
		if r.ContentLength != 0 {
			if err := httpapi.Decode(w, r, &in); err != nil {
				return err
			}
		}
		ctx := r.Context()
		p := authz.MustPrincipal(ctx)
		a, err := h.own(r, p)
		if err != nil {
			return err
		}
		var why CancelReason
		if action == "cancel" {
			if why, err = in.cancelReason(a); err != nil {
				return err
			}
		}
		late := false
		if action == "cancel" && a.Status != Held {
			cat, err := h.Store.Catalog(ctx, p.ClinicID)
			if err != nil {
				return err
			}
			notice := time.Duration(cat.Settings.CancelNoticeHours) * time.Hour
			late = a.Start.Sub(h.Store.clock.Now()) < notice
			if late && p.IsPatient() {
				return errs.E(errs.Unprocessable, "appointments can be cancelled online up to %d hours before; please call the practice", cat.Settings.CancelNoticeHours)
			}
		}
		var out Appointment
		err = h.Audit.Guarded(r, p.Actor(), apptEntry(action, a.ID, a.PatientID), func() (err error) {
			out, err = h.Store.Transition(ctx, p.ClinicID, a.ID, action, actor(p), why, late)
			return err
		})
		if err != nil {
			return err
		}
		if action == "complete" {
			if err := h.Store.completed(ctx, p.ClinicID, out); err != nil {
				h.Log.ErrorContext(ctx, "recall update failed", "appointment", a.ID, "err", err.Error())
			}
		}
		if action == "cancel" && a.Status != Held {
			// The freed time goes to the waitlist; a failure here must not
			// undo the cancellation, which is done.
			if _, err := h.Store.OfferFreedSlot(context.WithoutCancel(ctx), p.ClinicID, a, actor(p)); err != nil {
				h.Log.ErrorContext(ctx, "waitlist offer failed", "appointment", a.ID, "err", err.Error())
			}
		}
		if a.Status == Held {
			// A hold offered from the waitlist: confirming it accepted the
			// offer, cancelling it declined it. Left unsettled on failure,
			// the offer is settled when answered or when it lapses.
			if err := h.Store.SettleHold(context.WithoutCancel(ctx), p.ClinicID, out, actor(p)); err != nil {
				h.Log.ErrorContext(ctx, "waitlist offer not settled", "appointment", a.ID, "err", err.Error())
			}
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
		return nil
	}
}
