// Package scheduling is the front desk's day: providers and their hours,
// operatories (chairs), appointment types, appointments with a status
// machine and history, availability, holds for self-booking, and the
// waitlist.
//
// No double booking, without transactions: every appointment claims the
// 5-minute cells its padded interval covers, for its provider and for its
// chair, by inserting documents with unique ids into slot_claims. Two
// bookings that overlap anywhere collide on at least one cell, and the
// database lets exactly one insert of a given id succeed. Claims are a cache
// of the appointments' truth: a claim whose appointment is gone, cancelled,
// an expired hold, a booking that never finished, or that no longer covers
// the cell (the appointment moved) is stale, and the next booking that
// collides with it deletes it and retries. So a process dying between two
// writes never blocks a slot for ever.
package scheduling

import (
	"slices"
	"time"

	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

// Provider is a dentist or hygienist who sees patients.
type Provider struct {
	ID          string            `bson:"_id" json:"id"`
	ClinicID    string            `bson:"clinicId" json:"-"`
	UserID      string            `bson:"userId,omitempty" json:"userId,omitempty"`
	Name        string            `bson:"name" json:"name"`
	Kind        string            `bson:"kind" json:"kind"` // dentist | hygienist
	Colour      string            `bson:"colour" json:"colour"`
	Specialties []string          `bson:"specialties" json:"specialties"`
	Hours       avail.WeeklyHours `bson:"hours" json:"hours"`
	TimeOff     []TimeOff         `bson:"timeOff" json:"timeOff"`
	Operatories []string          `bson:"operatories" json:"operatories"` // chairs they may use, preferred first
	Active      bool              `bson:"active" json:"active"`
	UpdatedAt   time.Time         `bson:"updatedAt" json:"updatedAt"`
}

// TimeOff is a provider's absence, local dates inclusive.
type TimeOff struct {
	From   string `bson:"from" json:"from"`
	To     string `bson:"to" json:"to"`
	Reason string `bson:"reason,omitempty" json:"reason,omitempty"`
}

// availProvider is p as the availability engine sees it.
func (p Provider) availProvider() avail.Provider {
	off := make([]avail.DateRange, 0, len(p.TimeOff))
	for _, t := range p.TimeOff {
		off = append(off, avail.DateRange{From: t.From, To: t.To})
	}
	return avail.Provider{ID: p.ID, Hours: p.Hours, TimeOff: off, Operatories: p.Operatories}
}

// Operatory is a chair.
type Operatory struct {
	ID       string `bson:"_id" json:"id"`
	ClinicID string `bson:"clinicId" json:"-"`
	Name     string `bson:"name" json:"name"`
	Active   bool   `bson:"active" json:"active"`
}

// AppointmentType is a kind of visit.
type AppointmentType struct {
	ID                 string `bson:"_id" json:"id"`
	ClinicID           string `bson:"clinicId" json:"-"`
	Name               string `bson:"name" json:"name"`
	Category           string `bson:"category" json:"category"` // hygiene | exam | restorative | surgery | emergency | other
	DurationMinutes    int    `bson:"durationMinutes" json:"durationMinutes"`
	Colour             string `bson:"colour" json:"colour"`
	DefaultOperatoryID string `bson:"defaultOperatoryId,omitempty" json:"defaultOperatoryId,omitempty"`
	BufferBefore       int    `bson:"bufferBeforeMinutes" json:"bufferBeforeMinutes"`
	BufferAfter        int    `bson:"bufferAfterMinutes" json:"bufferAfterMinutes"`
	BookableOnline     bool   `bson:"bookableOnline" json:"bookableOnline"`
	RecallMonths       int    `bson:"recallMonths,omitempty" json:"recallMonths,omitempty"`
	// ProviderKinds are the provider kinds (dentist, hygienist) that may
	// take this visit; empty: any.
	ProviderKinds []string `bson:"providerKinds,omitempty" json:"providerKinds"`
	// Active: offered for new bookings. Stored as its negation, so that
	// types stored before it existed read as active.
	Active   bool `bson:"-" json:"active"`
	Inactive bool `bson:"inactive,omitempty" json:"-"`
}

// ProviderKinds are the kinds a provider has.
var ProviderKinds = []string{"dentist", "hygienist"}

// takes reports whether a provider of kind may take a visit of type t.
func (t AppointmentType) takes(kind string) bool {
	return len(t.ProviderKinds) == 0 || slices.Contains(t.ProviderKinds, kind)
}

// Status is an appointment's state.
type Status string

const (
	Pending   Status = "pending" // being booked; invisible until its claims are in
	Held      Status = "held"    // a patient's hold, expires by itself
	Scheduled Status = "scheduled"
	Confirmed Status = "confirmed"
	CheckedIn Status = "checked_in"
	Completed Status = "completed"
	NoShow    Status = "no_show"
	Cancelled Status = "cancelled"
	Failed    Status = "failed" // a booking that lost its race or never finished
)

// transitions is the status machine: which action moves which status where.
var transitions = map[string]struct {
	from []Status
	to   Status
}{
	"confirm":  {[]Status{Held, Scheduled}, Confirmed},
	"check-in": {[]Status{Scheduled, Confirmed}, CheckedIn},
	"complete": {[]Status{CheckedIn}, Completed},
	"no-show":  {[]Status{Scheduled, Confirmed}, NoShow},
	"cancel":   {[]Status{Held, Scheduled, Confirmed}, Cancelled},
}

// occupies reports whether an appointment in status s holds its time.
func (s Status) occupies() bool {
	switch s {
	case Held, Scheduled, Confirmed, CheckedIn, Completed, NoShow:
		return true
	}
	return false
}

// movable reports whether an appointment in status s may change time, provider or chair.
func (s Status) movable() bool { return s == Scheduled || s == Confirmed || s == Held }

// Appointment is one booking.
type Appointment struct {
	ID           string    `bson:"_id" json:"id"`
	ClinicID     string    `bson:"clinicId" json:"-"`
	PatientID    string    `bson:"patientId" json:"patientId"`
	ProviderID   string    `bson:"providerId" json:"providerId"`
	OperatoryID  string    `bson:"operatoryId" json:"operatoryId"`
	TypeID       string    `bson:"typeId,omitempty" json:"typeId,omitempty"`
	Start        time.Time `bson:"start" json:"start"`
	End          time.Time `bson:"end" json:"end"`
	BufferBefore int       `bson:"bufferBeforeMinutes" json:"bufferBeforeMinutes"`
	BufferAfter  int       `bson:"bufferAfterMinutes" json:"bufferAfterMinutes"`
	Status       Status    `bson:"status" json:"status"`
	Source       string    `bson:"source" json:"source"` // staff | portal | waitlist
	Notes        string    `bson:"notes,omitempty" json:"notes,omitempty"`
	// CancelReason is one of CancelReasons; CancelReasonText says more
	// (required for "other").
	CancelReason     string     `bson:"cancelReason,omitempty" json:"cancelReason,omitempty"`
	CancelReasonText string     `bson:"cancelReasonText,omitempty" json:"cancelReasonText,omitempty"`
	LateCancel       bool       `bson:"lateCancel,omitempty" json:"lateCancel,omitempty"`
	HoldExpiresAt    *time.Time `bson:"holdExpiresAt,omitempty" json:"holdExpiresAt,omitempty"`
	// WaitlistEntryID is the entry a hold was offered to (see Offer).
	WaitlistEntryID string    `bson:"waitlistEntryId,omitempty" json:"waitlistEntryId,omitempty"`
	Version         int       `bson:"version" json:"version"`
	History         []Change  `bson:"history" json:"history"`
	CreatedAt       time.Time `bson:"createdAt" json:"createdAt"`
	UpdatedAt       time.Time `bson:"updatedAt" json:"updatedAt"`
}

// Change is one history entry: who did what, from → to.
type Change struct {
	At     time.Time `bson:"at" json:"at"`
	By     string    `bson:"by" json:"by"`
	ByRole string    `bson:"byRole" json:"byRole"`
	Action string    `bson:"action" json:"action"`
	From   string    `bson:"from,omitempty" json:"from,omitempty"`
	To     string    `bson:"to,omitempty" json:"to,omitempty"`
	// Reason and ReasonText of a cancellation.
	Reason     string `bson:"reason,omitempty" json:"reason,omitempty"`
	ReasonText string `bson:"reasonText,omitempty" json:"reasonText,omitempty"`
}

// CancelReasons are the reasons a cancellation may give.
var CancelReasons = []string{"patient_request", "illness", "schedule_conflict", "no_transport", "clinic_closed", "other"}

// CancelReason is why an appointment is cancelled: a code of
// CancelReasons and, for "other" (or to say more), a text.
type CancelReason struct {
	Code string
	Text string
}

// Bounds of an appointment's free text.
const (
	maxNotes      = 1000
	maxReasonText = 200
)

// undoable are the statuses an undo reverts, within the appointment's day.
var undoable = []Status{CheckedIn, NoShow}

// undoTo is the status undo restores: the one a was in before its last
// check-in or no-show (scheduled when the history does not say).
func (a Appointment) undoTo() Status {
	for i := len(a.History) - 1; i >= 0; i-- {
		c := a.History[i]
		if c.To == string(a.Status) && c.From != "" {
			switch Status(c.From) {
			case Scheduled, Confirmed:
				return Status(c.From)
			}
		}
	}
	return Scheduled
}

// lapsed reports whether a hold can no longer be confirmed at now.
func (a Appointment) lapsed(now time.Time) bool {
	return a.HoldExpiresAt == nil || !now.Before(*a.HoldExpiresAt)
}

// padded is the interval the appointment blocks, buffers included.
func (a Appointment) padded() avail.Interval {
	return avail.Padded(avail.Interval{Start: a.Start, End: a.End},
		time.Duration(a.BufferBefore)*time.Minute, time.Duration(a.BufferAfter)*time.Minute)
}
