package scheduling

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
)

// Live event types: what the clinic's open screens are told changed (ids
// and versions only). They are the live package's names; scheduling does
// not link it (the composition root adapts).
const (
	LiveAppointmentCreated   = "appointment.created"
	LiveAppointmentUpdated   = "appointment.updated"
	LiveAppointmentCancelled = "appointment.cancelled"
	LiveWaitlistUpdated      = "waitlist.updated"
	LiveProviderUpdated      = "provider.updated"
)

// LiveEvents tells the clinic's open screens that something changed. It
// must not block for long (the composition root queues it) and reports
// its own failures: a change stands whether or not a screen hears of it.
type LiveEvents interface {
	Changed(ctx context.Context, clinicID, kind, id string, version int)
}

// liveTimeout bounds telling the screens, on a context of its own.
const liveTimeout = 2 * time.Second

// WithLive turns on live events.
func (s *Store) WithLive(l LiveEvents) *Store {
	s.liveEvents = l
	return s
}

func (s *Store) changed(ctx context.Context, clinicID, kind, id string, version int) {
	if s.liveEvents == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), liveTimeout)
	defer cancel()
	s.liveEvents.Changed(ctx, clinicID, kind, id, version)
}

// WebhookEvents hears of appointments booked, changed and cancelled, for
// the clinic's outbound webhooks (the composition root adapts it to
// shared/webhooks): the appointment as it now is and the names of the
// fields that changed (none for a booking). Like LiveEvents it reports its
// own failures: a change stands whether or not a webhook records it.
type WebhookEvents interface {
	AppointmentChanged(ctx context.Context, clinicID, kind string, a Appointment, fields []string)
}

// WithWebhooks turns on webhook events.
func (s *Store) WithWebhooks(w WebhookEvents) *Store {
	s.webhooks = w
	return s
}

// appointmentEvent tells the screens and the webhooks of a's new state.
func (s *Store) appointmentEvent(ctx context.Context, clinicID, kind string, a Appointment, fields []string) {
	s.changed(ctx, clinicID, kind, a.ID, a.Version)
	if s.webhooks == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), liveTimeout)
	defer cancel()
	s.webhooks.AppointmentChanged(ctx, clinicID, kind, a, fields)
}

// appointmentChanged is the event of a's new state, set naming what
// changed.
func (s *Store) appointmentChanged(ctx context.Context, clinicID string, a Appointment, set bson.D) {
	kind := LiveAppointmentUpdated
	if a.Status == Cancelled {
		kind = LiveAppointmentCancelled
	}
	fields := make([]string, 0, len(set))
	for _, e := range set {
		if e.Key != "updatedAt" && e.Key != "version" {
			fields = append(fields, e.Key)
		}
	}
	s.appointmentEvent(ctx, clinicID, kind, a, fields)
}
