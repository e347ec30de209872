// Package core is what every part of the billing group shares: its
// dependencies, the facts it reads from other groups through small
// interfaces (patients, clinic settings, treatment plans, the fee schedule,
// the charges clinical posts), the seams between its own parts (insurance
// reads the ledger's history; the card part posts to the ledger), and the
// rules every billing route follows (a patient sees only their own money;
// every read and write of a patient's account is audited).
//
// Money is integer cents everywhere; one currency per clinic.
package core

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Deps are what the billing routes need.
type Deps struct {
	Mongo *store.Mongo
	Audit *audit.Log
	// Seal encrypts what billing keeps that identifies a person to a
	// payer (insurance member ids) at rest.
	Seal     *seal.Keys
	Clock    clock.Clock
	Log      *slog.Logger
	Patients Patients
	Settings Settings
	Plans    Plans
	Codes    Codes
	// Charges is the feed of completed plan items clinical posts.
	Charges ChargeFeed
	// Cards is the card processor (Stripe); nil where a function takes no
	// card payments (then the card routes answer 503 "not configured").
	Cards Cards
	// Payments hears of each payment posted to an account (the webhooks'
	// payment.succeeded); nil: none.
	Payments PaymentEvents
}

// PaymentEvents hears of a payment once, when it is first posted: its
// ids, amount and method, never what it paid for. Its failures are its
// own: the payment stands either way.
type PaymentEvents interface {
	PaymentSucceeded(ctx context.Context, clinicID, paymentID, patientID, invoiceID string, amountCents int64, method string)
}

// Now is the time as stored (BSON keeps milliseconds).
func (d Deps) Now() time.Time { return d.Clock.Now().UTC().Truncate(time.Millisecond) }

// PatientFacts are what billing reads of a patient record.
type PatientFacts struct {
	ID          string
	FirstName   string
	LastName    string
	DateOfBirth string // YYYY-MM-DD
	Email       string
	// GuarantorID is the family's guarantor ("" when the patient is their
	// own): statements and family balances go to the guarantor.
	GuarantorID string
	Archived    bool
}

// Name is "First Last".
func (p PatientFacts) Name() string { return p.FirstName + " " + p.LastName }

// Patients looks up a patient of a clinic; another clinic's, or none, is an
// errs.NotFound.
type Patients func(ctx context.Context, clinicID, patientID string) (PatientFacts, error)

// ClinicFacts are the clinic settings billing reads.
type ClinicFacts struct {
	Name     string
	TimeZone *time.Location
	// Currency is an ISO 4217 code ("USD").
	Currency string
}

// Settings reads a clinic's settings.
type Settings func(ctx context.Context, clinicID string) (ClinicFacts, error)

// PlanItem is one item of a treatment plan, for estimates.
type PlanItem struct {
	ID          string
	Code        string
	Description string
	// Category is the procedure code's category (diagnostic preventive
	// basic major endo perio prosth ortho surgery).
	Category string
	Tooth    string
	Surfaces []string
	FeeCents int64
	Phase    int
	Priority int
	// Status is planned, completed, ...; completed items are already on
	// the ledger.
	Status string
}

// Plan is a treatment plan as billing reads it.
type Plan struct {
	ID        string
	PatientID string
	Title     string
	Status    string
	Items     []PlanItem
}

// Plans reads a treatment plan of a clinic (another clinic's, or none, is
// an errs.NotFound).
type Plans func(ctx context.Context, clinicID, planID string) (Plan, error)

// Code is a procedure code of the clinic's fee schedule.
type Code struct {
	Code        string
	Description string
	Category    string
	FeeCents    int64
}

// Codes looks up a code of the clinic's fee schedule (case-insensitive);
// an unknown code is an errs.NotFound.
type Codes func(ctx context.Context, clinicID, code string) (Code, error)

// ChargeEvent is a completed plan item clinical posted, for the ledger.
type ChargeEvent struct {
	ID          string
	PatientID   string
	PlanID      string
	ItemID      string
	Code        string
	Description string
	Tooth       string
	Surfaces    []string
	AmountCents int64
	ProviderID  string
	At          time.Time
}

// ChargeFeed is the charges clinical posted that billing has not taken
// yet. The ledger posts each under an id derived from the event's (so a
// retried take posts once) and then marks it taken.
type ChargeFeed interface {
	// Pending is patientID's untaken events, oldest first.
	Pending(ctx context.Context, clinicID, patientID string) ([]ChargeEvent, error)
	// Taken marks event id as posted to the ledger (idempotent).
	Taken(ctx context.Context, clinicID, id string) error
}

// Ledger entry kinds (DESIGN "Ledger").
const (
	KindCharge           = "charge"
	KindInsurancePayment = "insurance_payment"
	KindPatientPayment   = "patient_payment"
	KindAdjustment       = "adjustment"
	KindRefund           = "refund"
)

// HistoryEntry is one ledger entry as insurance reads it: what was done
// (charges, for frequency limits) and what a coverage paid (insurance
// payments, for deductibles and maximums).
type HistoryEntry struct {
	ID          string
	Kind        string
	Code        string
	Category    string
	Tooth       string
	AmountCents int64
	// CoverageID is the coverage an insurance payment came from.
	CoverageID string
	// DeductibleCents is how much of the deductible an insurance payment's
	// EOB applied.
	DeductibleCents int64
	At              time.Time
}

// History is a patient's ledger entries, oldest first (the ledger
// satisfies it; insurance reads usage and frequency from it).
type History func(ctx context.Context, clinicID, patientID string) ([]HistoryEntry, error)

// CardPayment is a card payment the processor reports settled.
type CardPayment struct {
	// EventID is the processor's event id; an event already processed has
	// no second effect.
	EventID         string
	InvoiceID       string
	PaymentIntentID string
	ChargeID        string
	AmountCents     int64
	Currency        string
	At              time.Time
}

// CardRefund is a refund the processor reports made.
type CardRefund struct {
	EventID         string
	PaymentIntentID string
	ChargeID        string
	// RefundID is the processor's refund id: one refund posts once however
	// it arrives (our own refund call, or the charge.refunded event).
	RefundID    string
	AmountCents int64
	At          time.Time
}

// Cards is the card processor: a payment intent for an invoice's open
// balance, a refund of a card payment. A processor that cannot be reached
// is an errs.Unavailable.
type Cards interface {
	// Intent creates (or, for the same idempotency key, reuses) a payment
	// intent of amountCents for invoiceID, with metadata.invoiceId.
	Intent(ctx context.Context, in IntentInput) (Intent, error)
	// Refund refunds amountCents of payment intent id (0: the rest).
	Refund(ctx context.Context, paymentIntentID string, amountCents int64, idempotencyKey string) (refundID string, err error)
}

// IntentInput is what a payment intent is made of.
type IntentInput struct {
	ClinicID       string
	InvoiceID      string
	PatientID      string
	AmountCents    int64
	Currency       string
	IdempotencyKey string
}

// Intent is a created payment intent: only these two leave the server.
type Intent struct {
	ID           string `json:"paymentIntentId"`
	ClientSecret string `json:"clientSecret"`
}

// ErrPatientNotFound is the answer for a patient the caller may not see.
var ErrPatientNotFound = errs.E(errs.NotFound, "patient not found")

// PathPatient is the patient id in path parameter param; a patient naming
// another patient is 404.
func PathPatient(r *http.Request, p authz.Principal, param string) (string, error) {
	id := r.PathValue(param)
	if !ids.Valid(id) || (p.IsPatient() && id != p.PatientID) {
		return "", ErrPatientNotFound
	}
	return id, nil
}

// Subject is the path's patient ({id}), checked to exist in the caller's
// clinic.
func (d Deps) Subject(r *http.Request, p authz.Principal) (PatientFacts, error) {
	id, err := PathPatient(r, p, "id")
	if err != nil {
		return PatientFacts{}, err
	}
	return d.Patients(r.Context(), p.ClinicID, id)
}

// Owns reports whether caller p may see a record of patientID: staff see
// their clinic's, a patient their own and (as guarantor) their family's
// when guarantorID names them.
func Owns(p authz.Principal, patientID, guarantorID string) bool {
	return !p.IsPatient() || p.PatientID == patientID || (guarantorID != "" && p.PatientID == guarantorID)
}

// Entry is the trail's entry for action on resource of patientID. Detail
// never carries health information or card data: amounts, counts,
// statuses and ids only.
func Entry(action, resource, patientID, detail string) audit.Entry {
	return audit.Entry{Action: action, Resource: resource, PatientID: patientID, Outcome: audit.Success, Detail: detail}
}

// Read records a read before it is answered.
func (d Deps) Read(r *http.Request, p authz.Principal, e audit.Entry) error {
	return d.Audit.Request(r, p.Actor(), e)
}

// Write records a write and makes it: the change runs only if the trail
// took the record.
func (d Deps) Write(r *http.Request, p authz.Principal, e audit.Entry, change func() error) error {
	return d.Audit.Guarded(r, p.Actor(), e, change)
}

// ErrCardsNotConfigured answers card routes where no processor is set.
var ErrCardsNotConfigured = errs.E(errs.Unavailable, "card payments are not configured for this clinic")

// Role sets of the billing rules the handlers apply beyond the policy
// table.
var (
	// Posters may post payments, adjustments and refunds.
	Posters = []string{authz.Admin, authz.Receptionist}
)

// CardDispute is a dispute the processor reports opened on a card charge:
// the disputed amount leaves the clinic's account until it is resolved.
type CardDispute struct {
	EventID         string
	DisputeID       string
	PaymentIntentID string
	ChargeID        string
	AmountCents     int64
	Reason          string
	At              time.Time
}

// InvoiceFacts are what the card part reads of an invoice.
type InvoiceFacts struct {
	ID           string
	PatientID    string
	GuarantorID  string
	AmountCents  int64
	BalanceCents int64
	Status       string
	Version      int
}

// Invoice statuses.
const (
	InvoiceOpen = "open"
	InvoicePaid = "paid"
	InvoiceVoid = "void"
)

// Posting is what the card part needs of the ledger: reading an invoice,
// and posting what the processor reports. Each post is idempotent by the
// processor's own id (intent, refund, dispute), so a webhook delivered
// twice, or after our own call already posted it, has no second effect,
// and posts that arrive out of order net to the right balance.
type Posting interface {
	InvoiceFacts(ctx context.Context, clinicID, invoiceID string) (InvoiceFacts, error)
	CardPaid(ctx context.Context, clinicID string, p CardPayment) error
	CardRefunded(ctx context.Context, clinicID string, r CardRefund) error
	CardDisputed(ctx context.Context, clinicID string, d CardDispute) error
}
