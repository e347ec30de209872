// Package webhooks sends signed events to the endpoints a clinic's admin
// registers (DESIGN.md "Webhooks out"): appointments booked, moved or
// cancelled, patients updated, payments taken.
//
// The design fits FerretDB (no transactions, single-document atomic
// updates only), as a transactional outbox without the transaction:
//
//   - Producing an event (Store.Publish, called by the group that changed
//     something, through a small hook its composition root wires) reads
//     the clinic's endpoints subscribed to the event's type and inserts one
//     delivery document per endpoint into webhook_deliveries, each holding
//     the exact body that every attempt sends (so the receiver sees the same
//     event id and bytes on each retry). Nothing is sent on the request
//     path, and a clinic without endpoints pays one indexed read.
//   - The reminders function's minute sweep (Sender.Sweep) finds the due
//     deliveries of every clinic and claims each before posting. FerretDB's
//     conditional updates are not atomic, so the claim is an insert into a
//     unique index (shared/store.Claims) keyed by the delivery's state as
//     read (attempts made, and when it fell due): of every sender that read
//     that state only one wins, then marks it "sending" under a lease and a
//     token. A redelivered schedule or a second sweep finds nothing to win,
//     so one delivery is never posted twice at once; a sender that dies
//     mid-send leaves the lease to lapse and the next sweep races anew. The
//     outcome is written by _id and token, the attempt pushed onto the
//     document ($push with $slice).
//   - A failed attempt is retried with capped exponential backoff and
//     jitter (Schedule) until 24 hours after the event; then the delivery is
//     failed. An admin may resend it (a new 24-hour window, same event id).
//
// Each endpoint's signing secret is random, shown once at registration,
// and stored sealed under the PHI keys (shared/seal) bound to its record:
// the sender opens it to sign, nothing returns or logs it again.
//
// The SSRF guard (Guard) refuses loopback, private, link-local, CGNAT,
// unspecified, multicast and metadata addresses at registration and again
// at every connection (the dialer checks the address it actually
// connects to, so a name that rebinds to an internal address after
// registration is refused); redirects are not followed.
//
// Events carry ids and changed field names only, never names or health
// details.
package webhooks

import (
	"slices"
	"time"

	"github.com/topsmile/topsmile/shared/seal"
)

// Event types an endpoint may subscribe to.
const (
	AppointmentCreated   = "appointment.created"
	AppointmentUpdated   = "appointment.updated"
	AppointmentCancelled = "appointment.cancelled"
	PatientUpdated       = "patient.updated"
	PaymentSucceeded     = "payment.succeeded"
)

// EventTypes is the allowed set, in the order the contract lists them.
var EventTypes = []string{AppointmentCreated, AppointmentUpdated, AppointmentCancelled, PatientUpdated, PaymentSucceeded}

// IsEventType reports whether t is one of EventTypes.
func IsEventType(t string) bool { return slices.Contains(EventTypes, t) }

// Delivery statuses.
const (
	Pending   = "pending"   // due at NextAt
	Sending   = "sending"   // claimed until NextAt (the lease)
	Succeeded = "succeeded" // the receiver answered 2xx
	Failed    = "failed"    // out of time (24 h), or its endpoint is gone
)

// Statuses lists them for filters.
var Statuses = []string{Pending, Sending, Succeeded, Failed}

// Endpoint is a registered receiver of a clinic's events.
type Endpoint struct {
	ID          string    `bson:"_id" json:"id"`
	ClinicID    string    `bson:"clinicId" json:"-"`
	URL         string    `bson:"url" json:"url"`
	Events      []string  `bson:"events" json:"events"`
	Description string    `bson:"description,omitempty" json:"description,omitempty"`
	Secret      seal.Text `bson:"secret" json:"-"`
	CreatedBy   string    `bson:"createdBy,omitempty" json:"-"`
	CreatedAt   time.Time `bson:"createdAt" json:"createdAt"`
}

// Created is an endpoint as its registration answers it: the only time
// its secret is shown.
type Created struct {
	Endpoint
	SigningSecret string `json:"secret"`
}

// Event is what happened, as a producer tells it. Data holds ids and
// changed field names only.
type Event struct {
	Type string
	Data map[string]any
}

// Attempt is one try at a delivery.
type Attempt struct {
	At         time.Time `bson:"at" json:"at"`
	StatusCode int       `bson:"statusCode,omitempty" json:"statusCode,omitempty"`
	Error      string    `bson:"error,omitempty" json:"error,omitempty"`
	DurationMS int64     `bson:"durationMs" json:"durationMs"`
}

// Delivery is one event bound for one endpoint.
type Delivery struct {
	ID         string `bson:"_id" json:"id"`
	ClinicID   string `bson:"clinicId" json:"-"`
	EndpointID string `bson:"endpointId" json:"endpointId"`
	EventID    string `bson:"eventId" json:"eventId"`
	Type       string `bson:"type" json:"type"`
	// Body is the exact JSON every attempt posts.
	Body   string `bson:"body" json:"-"`
	Status string `bson:"status" json:"status"`
	// AttemptCount counts every try; Attempts keeps the last MaxAttemptsKept
	// in the order made (the API answers them newest first).
	AttemptCount int       `bson:"attemptCount" json:"attemptCount"`
	Attempts     []Attempt `bson:"attempts" json:"attempts"`
	// NextAt is when a pending delivery is due, or a claim's lease ends.
	NextAt time.Time `bson:"nextAt" json:"nextAt"`
	// GiveUpAt ends the retries (24 h after the event or a resend).
	GiveUpAt time.Time `bson:"giveUpAt" json:"giveUpAt"`
	// Claim is the token of whoever is sending it now.
	Claim     string    `bson:"claim,omitempty" json:"-"`
	CreatedAt time.Time `bson:"createdAt" json:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt" json:"updatedAt"`
}

// Newest returns d with its attempts newest first, as the API lists them.
func (d Delivery) Newest() Delivery {
	d.Attempts = slices.Clone(d.Attempts)
	slices.Reverse(d.Attempts)
	if d.Attempts == nil {
		d.Attempts = []Attempt{}
	}
	return d
}

// Timing of deliveries.
const (
	// RetryFor is how long after the event (or a resend) attempts go on.
	RetryFor = 24 * time.Hour
	// FirstRetry is the first backoff; each later one doubles, up to MaxRetry.
	FirstRetry = 30 * time.Second
	MaxRetry   = time.Hour
	// Lease is how long a claim holds a delivery: past a send's timeout, so
	// a sender that died mid-send leaves it to the next sweep.
	Lease = 2 * time.Minute
	// SendTimeout bounds one POST, connection to last byte.
	SendTimeout = 10 * time.Second
	// MaxAttemptsKept bounds the attempts kept on a delivery.
	MaxAttemptsKept = 50
	// MaxEndpoints bounds a clinic's endpoints.
	MaxEndpoints = 20
)

// Schedule is the wait before the retry after attempt n (1 for the
// first attempt): FirstRetry doubled n-1 times, capped at MaxRetry, with
// "equal jitter": half of it fixed, the other half scaled by rnd in
// [0,1), so retries of many deliveries spread out but none comes early.
func Schedule(n int, rnd float64) time.Duration {
	d := MaxRetry
	if n < 1 {
		n = 1
	}
	if n-1 < 20 && FirstRetry<<(n-1) < MaxRetry {
		d = FirstRetry << (n - 1)
	}
	rnd = min(max(rnd, 0), 1)
	return d/2 + time.Duration(float64(d/2)*rnd)
}
