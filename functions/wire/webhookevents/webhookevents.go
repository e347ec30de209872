// Package webhookevents is how a function that changes the schedule tells
// the clinic's webhooks: each booking, change and cancellation becomes
// one delivery per subscribed endpoint in the webhooks outbox, which the
// reminders function's sweep sends. Its own package, so only those
// functions link it.
package webhookevents

import (
	"context"
	"log/slog"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// Wire turns on st's webhook events into the outbox in m.
func Wire(st *scheduling.Store, m *store.Mongo, c clock.Clock, log *slog.Logger) {
	// A producer seals nothing and opens no secret: no keys.
	st.WithWebhooks(events{webhooks.NewProducer(m, c, log)})
}

type events struct{ webhooks.Producer }

var _ scheduling.WebhookEvents = events{}

// AppointmentChanged records the event with the appointment's ids, its
// version and the names of the fields that changed: never a name, a note
// or a reason's text.
func (e events) AppointmentChanged(ctx context.Context, clinicID, kind string, a scheduling.Appointment, fields []string) {
	if fields == nil {
		fields = []string{}
	}
	data := map[string]any{"appointmentId": a.ID, "patientId": a.PatientID, "providerId": a.ProviderID,
		"operatoryId": a.OperatoryID, "version": a.Version, "changedFields": fields}
	e.Emit(ctx, clinicID, kind, a.ID, data)
}
