package scheduling

import (
	"context"
	"net/http"
	"strings"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

// Providers, chairs and appointment types name no patient: their reads
// are not audited. Their changes are (catalogWrite): who changed a
// provider's hours or took a chair out of use is on the trail.

// catalogWrite runs write, a change of the caller's clinic's catalog, on
// the trail as action on resource (attempt and outcome).
func (h *handlers) catalogWrite(r *http.Request, action, resource string, write func() error) error {
	p := authz.MustPrincipal(r.Context())
	return h.Audit.Guarded(r, p.Actor(), audit.Entry{Action: action, Resource: resource}, write)
}

func (h *handlers) listProviders(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	cat, err := h.Store.Catalog(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	out := cat.Providers
	if p.IsPatient() {
		out = nil
		for _, pr := range cat.Providers {
			if pr.Active {
				out = append(out, Provider{ID: pr.ID, Name: pr.Name, Kind: pr.Kind, Colour: pr.Colour, Specialties: pr.Specialties, Active: true})
			}
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(out))
	return nil
}

func (h *handlers) createProvider(w http.ResponseWriter, r *http.Request) error {
	var in ProviderInput
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	var out Provider
	err := h.catalogWrite(r, "provider.create", "providers", func() (err error) {
		out, err = h.Store.CreateProvider(r.Context(), p.ClinicID, in)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handlers) getProvider(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	out, err := h.Store.Provider(r.Context(), p.ClinicID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) putHours(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Hours map[string][]avail.Window `json:"hours"`
	}
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	week := avail.WeeklyHours{}
	for day, windows := range in.Hours {
		week[strings.ToLower(day)] = windows
	}
	p := authz.MustPrincipal(r.Context())
	var out Provider
	err := h.catalogWrite(r, "provider.hours", "providers/"+r.PathValue("id"), func() (err error) {
		out, err = h.Store.SetHours(r.Context(), p.ClinicID, r.PathValue("id"), week)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) addTimeOff(w http.ResponseWriter, r *http.Request) error {
	var in TimeOff
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	var out Provider
	err := h.catalogWrite(r, "provider.time_off", "providers/"+r.PathValue("id"), func() (err error) {
		out, err = h.Store.AddTimeOff(r.Context(), p.ClinicID, r.PathValue("id"), in)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handlers) listOperatories(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	cat, err := h.Store.Catalog(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(cat.Operatories))
	return nil
}

func (h *handlers) createOperatory(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	var out Operatory
	err := h.catalogWrite(r, "operatory.create", "operatories", func() (err error) {
		out, err = h.Store.CreateOperatory(r.Context(), p.ClinicID, in.Name)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handlers) listTypes(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	cat, err := h.Store.Catalog(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	out := cat.Types
	if p.IsPatient() || r.URL.Query().Get("bookableOnline") == "true" {
		out = nil
		for _, t := range cat.Types {
			if t.BookableOnline && t.Active {
				out = append(out, t)
			}
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(out))
	return nil
}

func (h *handlers) createType(w http.ResponseWriter, r *http.Request) error {
	var in AppointmentType
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	if in.ID != "" {
		return errs.InvalidFields(errs.FieldError{Field: "id", Message: "is assigned by the server"})
	}
	p := authz.MustPrincipal(r.Context())
	var out AppointmentType
	err := h.catalogWrite(r, "appointment_type.create", "appointment-types", func() (err error) {
		out, err = h.Store.CreateType(r.Context(), p.ClinicID, in)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// patch is the handler of a PATCH of one catalog document: the changes
// decoded (unknown fields 400), made to the caller's clinic's document id
// (another clinic's is 404) on the trail as action on prefix+id, the
// document answered.
func patch[I, O any](h *handlers, action, prefix string, update func(ctx context.Context, clinicID, id string, in I) (O, error)) httpapi.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in I
		if err := httpapi.Decode(w, r, &in); err != nil {
			return err
		}
		p := authz.MustPrincipal(r.Context())
		id := r.PathValue("id")
		var out O
		err := h.catalogWrite(r, action, prefix+id, func() (err error) {
			out, err = update(r.Context(), p.ClinicID, id, in)
			return err
		})
		if err != nil {
			return err
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
		return nil
	}
}
