package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// The minute sweep sends the webhooks' due deliveries, through the guard
// as deployed: a receiver on loopback (where only a test could listen) is
// refused at the dial and hears nothing; the attempt is recorded.
func TestSweepSendsWebhooksThroughTheGuard(t *testing.T) {
	e := newEnv(t, ny(t, "2026-12-08 12:00"), false)
	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(rcv.Close)
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := webhooks.NewStore(e.Mongo, keys, e.Clock)
	ep, err := st.Create(ctx, e.Clinic.ID, webhooks.NewEndpoint{URL: rcv.URL + "/hook", Events: []string{webhooks.AppointmentCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := st.Publish(ctx, e.Clinic.ID, webhooks.Event{Type: webhooks.AppointmentCreated, Data: map[string]any{"appointmentId": "a"}}); err != nil || n != 1 {
		t.Fatalf("published %d: %v", n, err)
	}
	if res := e.job(t, `{"job":"sweep"}`); res.Webhooks != 1 {
		t.Fatalf("sweep: %+v", res)
	}
	page, err := st.Deliveries(ctx, e.Clinic.ID, ep.ID, "", store.PageRequest{Limit: 5})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%v %d", err, len(page.Items))
	}
	d := page.Items[0]
	if hits.Load() != 0 || d.AttemptCount != 1 || !strings.Contains(d.Attempts[0].Error, "refused") || d.Status != webhooks.Pending {
		t.Errorf("receiver hit %d times; delivery %+v", hits.Load(), d)
	}
}
