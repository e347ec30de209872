// Package outboxroutes is the admin's view of the outbox: the list of the
// clinic's messages and their retry. Its own package, so that the
// notifications consumer, which uses the outbox store, links no guard.
package outboxroutes

import (
	"context"
	"net/http"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/store"
)

// RouteDeps are what the admin's message routes need.
type RouteDeps struct {
	Publisher *outbox.Publisher
	// Redis holds the consumer's memory of delivered ids, which a retry
	// clears (notify.Forget).
	Redis *redis.Client
	Audit *audit.Log
}

// Routes mounts the admin's list of messages and their retry:
// GET /api/notifications (?status=&channel=&patientId=&cursor=&limit=)
// and POST /api/notifications/{id}/retry.
func Routes(r *authz.Router, d RouteDeps) {
	h := &handlers{d}
	r.HandleFunc("GET /api/notifications", h.list)
	r.HandleFunc("POST /api/notifications/{id}/retry", h.retry)
}

type handlers struct{ RouteDeps }

func (h *handlers) list(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	q := r.URL.Query()
	f := outbox.Filter{Status: q.Get("status"), Channel: notify.Channel(q.Get("channel")), PatientID: q.Get("patientId")}
	var v errs.Validator
	v.Check(f.Status == "" || slices.Contains(outbox.Statuses, f.Status), "status", "must be pending, queued, sent, failed or dead")
	v.Check(f.Channel == "" || f.Channel == notify.Email || f.Channel == notify.SMS, "channel", "must be email or sms")
	v.Check(len(f.PatientID) <= 64, "patientId", "is too long")
	if err := v.Err(); err != nil {
		return err
	}
	req, err := store.ParsePage(q)
	if err != nil {
		return err
	}
	page, err := h.Publisher.Store.List(r.Context(), p.ClinicID, f, req)
	if err != nil {
		return err
	}
	// Recipients are personal data: who read the list is on the trail.
	var patients []string
	for _, it := range page.Items {
		if it.PatientID != "" {
			patients = append(patients, it.PatientID)
		}
	}
	if err := h.Audit.Request(r, p.Actor(), audit.Entry{Action: "notification.list", Resource: "notifications", PatientIDs: patients, Outcome: audit.Success}); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, page)
	return nil
}

func (h *handlers) retry(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	id := r.PathValue("id")
	rec, err := h.Publisher.Store.Get(ctx, p.ClinicID, id)
	if errs.Is(err, errs.NotFound) {
		return errs.E(errs.NotFound, "message not found")
	}
	if err != nil {
		return err
	}
	var ok bool
	e := audit.Entry{Action: "notification.retry", Resource: "notifications/" + id, PatientID: rec.PatientID}
	err = h.Audit.Guarded(r, p.Actor(), e, func() (err error) {
		ok, err = h.Publisher.Retry(ctx, p.ClinicID, id, func(ctx context.Context, id string) error {
			return store.RedisError(notify.Forget(ctx, h.Redis, id))
		})
		return err
	})
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.Conflict, "only a failed or dead-lettered message can be retried; this one is %s", rec.Status)
	}
	if rec, err = h.Publisher.Store.Get(ctx, p.ClinicID, id); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusAccepted, rec)
	return nil
}
