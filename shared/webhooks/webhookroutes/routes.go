// Package webhookroutes is the admin's side of outbound webhooks: the
// clinic's endpoints (register, list, delete) and each one's deliveries
// (list, resend). Its own package, so the sender, which the reminders
// function runs, links no guard.
package webhookroutes

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// Deps are what the routes need.
type Deps struct {
	Store *webhooks.Store
	Guard *webhooks.Guard
	Audit *audit.Log
}

// Routes mounts GET,POST /api/webhook-endpoints, DELETE
// /api/webhook-endpoints/{id}, GET /api/webhook-endpoints/{id}/deliveries
// (?status=&limit=&cursor=) and POST
// /api/webhook-endpoints/{id}/deliveries/{deliveryId}/resend.
func Routes(r *authz.Router, d Deps) {
	h := &handlers{d}
	r.HandleFunc("GET /api/webhook-endpoints", h.list)
	r.HandleFunc("POST /api/webhook-endpoints", h.create)
	r.HandleFunc("DELETE /api/webhook-endpoints/{id}", h.remove)
	r.HandleFunc("GET /api/webhook-endpoints/{id}/deliveries", h.deliveries)
	r.HandleFunc("POST /api/webhook-endpoints/{id}/deliveries/{deliveryId}/resend", h.resend)
}

type handlers struct{ Deps }

// maxDescription bounds an endpoint's description (runes).
const maxDescription = 200

type createBody struct {
	URL         *string  `json:"url"`
	Events      []string `json:"events"`
	Description *string  `json:"description"`
}

func (h *handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	var b createBody
	if err := httpapi.Decode(w, r, &b); err != nil {
		return err
	}
	var v errs.Validator
	url := ""
	if b.URL != nil {
		url = strings.TrimSpace(*b.URL)
	}
	if url == "" {
		v.Check(false, "url", "is required")
	} else if problem := h.Guard.URLProblem(r.Context(), url); problem != "" {
		v.Check(false, "url", problem)
	}
	var events []string
	for _, e := range b.Events {
		if !webhooks.IsEventType(e) {
			v.Check(false, "events", "unknown event "+quote(e)+"; one of "+strings.Join(webhooks.EventTypes, ", "))
			continue
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	v.Check(len(b.Events) > 0, "events", "must name at least one of "+strings.Join(webhooks.EventTypes, ", "))
	desc := ""
	if b.Description != nil {
		desc = strings.TrimSpace(*b.Description)
	}
	v.Check(utf8.RuneCountInString(desc) <= maxDescription, "description", "must be at most 200 characters")
	if err := v.Err(); err != nil {
		return err
	}
	var created webhooks.Created
	// The trail names the endpoint's host and events, never its secret.
	e := audit.Entry{Action: "webhook_endpoint.create", Resource: "webhook-endpoints", Detail: "events=" + strings.Join(events, ",")}
	err := h.Audit.Guarded(r, p.Actor(), e, func() (err error) {
		created, err = h.Store.Create(r.Context(), p.ClinicID, webhooks.NewEndpoint{URL: url, Events: events, Description: desc, CreatedBy: p.UserID})
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/webhook-endpoints/"+created.ID)
	httpapi.WriteJSON(w, http.StatusCreated, created)
	return nil
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + s + `"`
}

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	req, err := store.ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := h.Store.List(r.Context(), p.ClinicID, req)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, page)
	return nil
}

func (h *handlers) remove(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	id := r.PathValue("id")
	if _, err := h.Store.Endpoint(r.Context(), p.ClinicID, id); err != nil {
		return err
	}
	e := audit.Entry{Action: "webhook_endpoint.delete", Resource: "webhook-endpoints/" + id}
	if err := h.Audit.Guarded(r, p.Actor(), e, func() error { return h.Store.Delete(r.Context(), p.ClinicID, id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) deliveries(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	q := r.URL.Query()
	status := q.Get("status")
	var v errs.Validator
	v.Check(status == "" || slices.Contains(webhooks.Statuses, status), "status", "must be pending, sending, succeeded or failed")
	if err := v.Err(); err != nil {
		return err
	}
	req, err := store.ParsePage(q)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	page, err := h.Store.Deliveries(r.Context(), p.ClinicID, id, status, req)
	if err != nil {
		return err
	}
	if len(page.Items) == 0 && req.Cursor == "" {
		// An empty first page: say 404 when there is no such endpoint.
		if _, err := h.Store.Endpoint(r.Context(), p.ClinicID, id); err != nil {
			return err
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, page)
	return nil
}

func (h *handlers) resend(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	id, did := r.PathValue("id"), r.PathValue("deliveryId")
	var (
		d  webhooks.Delivery
		ok bool
	)
	e := audit.Entry{Action: "webhook_delivery.resend", Resource: "webhook-endpoints/" + id + "/deliveries/" + did}
	err := h.Audit.Guarded(r, p.Actor(), e, func() (err error) {
		d, ok, err = h.Store.Resend(r.Context(), p.ClinicID, id, did)
		return err
	})
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.Conflict, "only a succeeded or failed delivery can be resent; this one is %s", d.Status)
	}
	httpapi.WriteJSON(w, http.StatusAccepted, d)
	return nil
}
