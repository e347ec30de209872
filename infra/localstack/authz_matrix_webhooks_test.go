package localstack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/webhooks"
)

func newWebhooks(t *testing.T, d localstack.Deps) *webhooks.Store {
	t.Helper()
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	return webhooks.NewStore(d.Mongo, keys, d.Clock)
}

// webhookTarget fills a webhook route's {id} with an endpoint of clinic
// (one per clinic, registered again once an admin's cell deleted it) and
// {deliveryId} with a delivery of it. The endpoint's address is a
// documentation one the guard refuses: nothing is ever sent to it.
func (m *matrix) webhookTarget(path, clinic string) string {
	m.t.Helper()
	ctx := context.Background()
	page, err := m.webhooks.List(ctx, clinic, store.PageRequest{Limit: 1})
	if err != nil {
		m.t.Fatal(err)
	}
	var id string
	if len(page.Items) > 0 {
		id = page.Items[0].ID
	} else {
		c, err := m.webhooks.Create(ctx, clinic, webhooks.NewEndpoint{URL: "https://192.0.2.10/hook", Events: []string{webhooks.AppointmentCreated}})
		if err != nil {
			m.t.Fatal(err)
		}
		id = c.ID
	}
	path = strings.Replace(path, "{id}", id, 1)
	if !strings.Contains(path, "{deliveryId}") {
		return path
	}
	if _, err := m.webhooks.Publish(ctx, clinic, webhooks.Event{Type: webhooks.AppointmentCreated, Data: map[string]any{"appointmentId": "matrix"}}); err != nil && !errs.Is(err, errs.Conflict) {
		m.t.Fatal(err)
	}
	ds, err := m.webhooks.Deliveries(ctx, clinic, id, "", store.PageRequest{Limit: 1})
	if err != nil || len(ds.Items) == 0 {
		m.t.Fatalf("no delivery: %v", err)
	}
	return strings.Replace(path, "{deliveryId}", ds.Items[0].ID, 1)
}
