// Package live tells every open screen of a clinic, within a second, that
// something it shows changed: one small event ({"type","id","version","at"},
// ids and versions only, never a name or a health detail) per change, sent
// to each of the clinic's live connections.
//
// The parts:
//   - Registry keeps the clinic's connections in Redis (with limits per user
//     and per clinic, and a lifetime so a connection whose $disconnect was
//     lost is forgotten);
//   - Fanout sends one event to every connection of a clinic in parallel,
//     closing those whose session was revoked and forgetting those that
//     are gone;
//   - a Poster carries the bytes: API Gateway's Management API deployed
//     (PostToConnection), an in-process WebSocket hub locally;
//   - producers (scheduling) hand events to a Publisher, which puts them on
//     the live queue deployed (the fan-out runs off the request path, so a
//     booking does not wait on fifty screens) and calls the fan-out in the
//     background locally.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Event is one change, as the SPA receives it.
type Event struct {
	Type    string    `json:"type"` // e.g. appointment.created
	ID      string    `json:"id"`
	Version int       `json:"version"`
	At      time.Time `json:"at"`
}

// Event types the schedule screens listen for.
const (
	AppointmentCreated  = "appointment.created"
	AppointmentUpdated  = "appointment.updated" // moved, status changed, undone
	AppointmentCanceled = "appointment.cancelled"
	WaitlistUpdated     = "waitlist.updated" // added, offer made or answered, removed
	ProviderUpdated     = "provider.updated" // hours, time off, details
)

// Envelope is an event for one clinic, as it travels on the live queue.
type Envelope struct {
	ClinicID string `json:"clinicId"`
	Event    Event  `json:"event"`
}

// Publisher hands an event for the clinic's screens to the fan-out.
type Publisher interface {
	PublishLive(ctx context.Context, clinicID string, ev Event) error
}

// ErrGone is a connection that no longer exists (API Gateway's 410).
var ErrGone = errors.New("live: connection gone")

// Poster delivers bytes to one connection, or closes it.
type Poster interface {
	Post(ctx context.Context, connID string, data []byte) error
	Close(ctx context.Context, connID string) error
}

// Marshal is ev as sent on the wire.
func (ev Event) Marshal() ([]byte, error) { return json.Marshal(ev) }
