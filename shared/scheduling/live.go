package scheduling

import (
	"context"
	"time"
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

// appointmentChanged is the event of a's new state.
func (s *Store) appointmentChanged(ctx context.Context, clinicID string, a Appointment) {
	kind := LiveAppointmentUpdated
	if a.Status == Cancelled {
		kind = LiveAppointmentCancelled
	}
	s.changed(ctx, clinicID, kind, a.ID, a.Version)
}
