package patients

import (
	"context"
	"net/http"
	"slices"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// OptOuts is the messaging opt-out ledger as the patients routes see it
// (the notifications group's, wired by the composition root): per clinic,
// channel ("email", "sms") and address.
type OptOuts interface {
	OptedOut(ctx context.Context, clinicID, channel, address string) (bool, error)
	SetOptedOut(ctx context.Context, clinicID, channel, address string, out bool, source string) error
}

// CommunicationView is a patient's messaging preferences: how they like to
// be reached, whether they want reminders, and which channels they refused.
type CommunicationView struct {
	PreferredContactMethod string          `json:"preferredContactMethod"`
	Email                  string          `json:"email"`
	Phone                  string          `json:"phone"`
	AppointmentReminders   bool            `json:"appointmentReminders"`
	OptOuts                map[string]bool `json:"optOuts"`
}

type communicationInput struct {
	PreferredContactMethod *string `json:"preferredContactMethod"`
	AppointmentReminders   *bool   `json:"appointmentReminders"`
	OptOuts                *struct {
		Email *bool `json:"email"`
		SMS   *bool `json:"sms"`
	} `json:"optOuts"`
}

const actionCommunication = "patient.communication"

// CommunicationRoutes mounts GET and PUT /api/patients/{id}/communication:
// staff record what a patient asked for, a patient sets their own.
func CommunicationRoutes(r *authz.Router, d Deps, ledger OptOuts) {
	h := &commHandlers{handlers: handlers{d}, ledger: ledger}
	r.HandleFunc("GET /api/patients/{id}/communication", h.get)
	r.HandleFunc("PUT /api/patients/{id}/communication", h.put)
}

type commHandlers struct {
	handlers
	ledger OptOuts
}

func (h *commHandlers) view(ctx context.Context, clinicID string, pt Patient) (CommunicationView, error) {
	c := CommunicationView{PreferredContactMethod: pt.PreferredContactMethod, Email: pt.Email, Phone: pt.Phone,
		AppointmentReminders: pt.Communication == nil || pt.Communication.AppointmentReminders,
		OptOuts:              map[string]bool{"email": false, "sms": false}}
	if c.PreferredContactMethod == "" {
		c.PreferredContactMethod = "email"
	}
	for ch, addr := range map[string]string{"email": pt.Email, "sms": pt.Phone} {
		if addr == "" {
			continue
		}
		out, err := h.ledger.OptedOut(ctx, clinicID, ch, addr)
		if err != nil {
			return c, err
		}
		c.OptOuts[ch] = out
	}
	return c, nil
}

func (h *commHandlers) get(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	pt, err := h.record(r, p)
	if err != nil {
		return err
	}
	if err := h.Audit.Request(r, p.Actor(), entry(actionRead, pt.ID, "communication")); err != nil {
		return err
	}
	c, err := h.view(r.Context(), p.ClinicID, pt)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *commHandlers) put(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	id, err := pathPatient(r, p)
	if err != nil {
		return err
	}
	var in communicationInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	cur, err := h.Store.Get(ctx, p.ClinicID, id)
	if err != nil {
		return err
	}
	var v errs.Validator
	if in.PreferredContactMethod != nil {
		m := *in.PreferredContactMethod
		v.Check(slices.Contains([]string{"email", "sms", "phone", "none"}, m), "preferredContactMethod", "must be email, sms, phone or none")
		v.Check(m != "sms" || cur.Phone != "", "preferredContactMethod", "needs a phone number on file")
		v.Check(m != "email" || cur.Email != "", "preferredContactMethod", "needs an email address on file")
	}
	if in.OptOuts != nil {
		v.Check(in.OptOuts.Email == nil || cur.Email != "", "optOuts.email", "there is no email address on file")
		v.Check(in.OptOuts.SMS == nil || cur.Phone != "", "optOuts.sms", "there is no phone number on file")
	}
	if in.PreferredContactMethod == nil && in.OptOuts == nil && in.AppointmentReminders == nil {
		v.Check(false, "optOuts", "the request names nothing to change")
	}
	if err := v.Err(); err != nil {
		return err
	}
	source := "staff"
	if p.IsPatient() {
		source = "patient"
	}
	err = h.Audit.Guarded(r, p.Actor(), entry(actionCommunication, id, "preferences"), func() error {
		if in.PreferredContactMethod != nil || in.AppointmentReminders != nil {
			var err error
			cur, err = h.Store.update(ctx, p.ClinicID, id, func(pt *Patient) (bool, error) {
				before := *pt
				if in.PreferredContactMethod != nil {
					pt.PreferredContactMethod = *in.PreferredContactMethod
				}
				if in.AppointmentReminders != nil {
					c := Communication{}
					if pt.Communication != nil {
						c = *pt.Communication
					}
					c.AppointmentReminders = *in.AppointmentReminders
					pt.Communication = &c
				}
				changed := before.PreferredContactMethod != pt.PreferredContactMethod ||
					(before.Communication == nil) != (pt.Communication == nil) ||
					(before.Communication != nil && *before.Communication != *pt.Communication)
				return changed, nil
			})
			if err != nil {
				return err
			}
		}
		if in.OptOuts == nil {
			return nil
		}
		for _, c := range []struct {
			ch, addr string
			out      *bool
		}{{"email", cur.Email, in.OptOuts.Email}, {"sms", cur.Phone, in.OptOuts.SMS}} {
			if c.out == nil {
				continue
			}
			if err := h.ledger.SetOptedOut(ctx, p.ClinicID, c.ch, c.addr, *c.out, source); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	c, err := h.view(ctx, p.ClinicID, cur)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, c)
	return nil
}
