package webhooks

import (
	"context"
	"log/slog"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/store"
)

// Producer turns the groups' change hooks into events in the outbox. It
// satisfies each group's small hook interface (patients.ChangeEvents,
// ledger.PaymentEvents) without importing them, so a function links the
// webhooks only with the groups it already serves. A failure is logged
// (ids and the type only) and dropped: a change stands whether or not a
// webhook records it.
type Producer struct {
	Store *Store
	Log   *slog.Logger
}

// NewProducer is a producer on m's outbox; a producer seals nothing and
// opens no secret, so it needs no keys.
func NewProducer(m *store.Mongo, c clock.Clock, log *slog.Logger) Producer {
	return Producer{Store: NewStore(m, nil, c), Log: log}
}

// Emit records an event of kind for clinicID's subscribed endpoints; data
// holds ids and changed field names only.
func (p Producer) Emit(ctx context.Context, clinicID, kind, subject string, data map[string]any) {
	if !IsEventType(kind) {
		return
	}
	if _, err := p.Store.Publish(ctx, clinicID, Event{Type: kind, Data: data}); err != nil {
		p.Log.WarnContext(ctx, "webhook event not recorded", "type", kind, "subject", subject, "err", err.Error())
	}
}

// PatientChanged is patient.updated: the record's id, its new version and
// the names of the fields that changed.
func (p Producer) PatientChanged(ctx context.Context, clinicID, patientID string, version int, fields []string) {
	if fields == nil {
		fields = []string{}
	}
	p.Emit(ctx, clinicID, PatientUpdated, patientID, map[string]any{"patientId": patientID, "version": version, "changedFields": fields})
}

// PaymentSucceeded is payment.succeeded: a payment posted to a patient's
// account (at the desk or by card), with its ids, amount and method.
func (p Producer) PaymentSucceeded(ctx context.Context, clinicID, paymentID, patientID, invoiceID string, amountCents int64, method string) {
	data := map[string]any{"paymentId": paymentID, "patientId": patientID, "amountCents": amountCents, "method": method}
	if invoiceID != "" {
		data["invoiceId"] = invoiceID
	}
	p.Emit(ctx, clinicID, PaymentSucceeded, paymentID, data)
}
