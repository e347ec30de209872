// Package ledger is a patient's account: an append-only list of entries
// (charges, insurance and patient payments, adjustments, refunds) from
// which the balance and its aging are derived on every read, the invoices
// and statements made from it, and the posts the card part makes when the
// processor reports a payment, a refund or a dispute.
//
// Nothing in ledger_entries is edited in place: a correction is a new
// entry. What must change under concurrency is kept beside it in versioned
// records changed through store.Versions: an invoice's paid amount
// (invoices) and what of a payment has been refunded (payments).
package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// Payment methods.
const (
	MethodCash         = "cash"
	MethodCheque       = "cheque"
	MethodCard         = "card"
	MethodCardTerminal = "card_terminal"
	MethodInsurance    = "insurance"
)

// Adjustment types: the credits lower the balance, correction_debit raises
// it.
const (
	AdjWriteOff          = "write_off"
	AdjCourtesy          = "courtesy"
	AdjInsuranceWriteOff = "insurance_write_off"
	AdjCorrectionDebit   = "correction_debit"
	AdjCorrectionCredit  = "correction_credit"
)

// AdjustmentTypes are the accepted adjustment types.
var AdjustmentTypes = []string{AdjWriteOff, AdjCourtesy, AdjInsuranceWriteOff, AdjCorrectionDebit, AdjCorrectionCredit}

// SystemActor is the postedBy of what the processor reported.
const SystemActor = "system"

// Book is the ledger of every patient of every clinic: the store and the
// facts it reads. It satisfies core.Posting for the card part and its
// History method core.History for insurance.
type Book struct {
	d        core.Deps
	entries  *store.Collection
	payments *store.Collection
	invoices *store.Collection
	lines    *store.Collection
	versions *store.Versions
}

var _ core.Posting = (*Book)(nil)

var _ core.History = (*Book)(nil).History

// NewBook declares the collections and their indexes (no I/O).
func NewBook(d core.Deps) *Book {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return newStore(d)
}

// entry is one stored ledger entry. AmountCents is always positive;
// EffectCents is its signed effect on the balance.
type entry struct {
	ID          string `bson:"_id"`
	ClinicID    string `bson:"clinicId"`
	PatientID   string `bson:"patientId"`
	Kind        string `bson:"kind"`
	AmountCents int64  `bson:"amountCents"`
	EffectCents int64  `bson:"effectCents"`
	// At is when the entry counts from (a charge's date of service); for
	// aging, its date in the clinic's zone.
	At          time.Time `bson:"at"`
	Description string    `bson:"description"`
	Code        string    `bson:"code,omitempty"`
	// Category is the code's category (insurance reads it; the account
	// does not show it).
	Category       string `bson:"category,omitempty"`
	Tooth          string `bson:"tooth,omitempty"`
	PlanID         string `bson:"planId,omitempty"`
	ItemID         string `bson:"itemId,omitempty"`
	InvoiceID      string `bson:"invoiceId,omitempty"`
	Method         string `bson:"method,omitempty"`
	Reference      string `bson:"reference,omitempty"`
	Reason         string `bson:"reason,omitempty"`
	AdjustmentType string `bson:"adjustmentType,omitempty"`
	CoverageID     string `bson:"coverageId,omitempty"`
	PaymentID      string `bson:"paymentId,omitempty"`
	// Processor is the card processor's id of what this entry records
	// (payment intent, refund, dispute).
	Processor string      `bson:"processor,omitempty"`
	Lines     []eobLine   `bson:"lines,omitempty"`
	PostedBy  string      `bson:"postedBy"`
	PostedAt  time.Time   `bson:"postedAt"`
	ChargeRef *chargeFrom `bson:"chargeEvent,omitempty"`
}

// chargeFrom names the charge event a charge was taken from.
type chargeFrom struct {
	EventID    string `bson:"eventId"`
	ProviderID string `bson:"providerId,omitempty"`
}

// eobLine is what an insurance payment's EOB says it paid of one charge.
type eobLine struct {
	EntryID         string `bson:"entryId" json:"entryId"`
	PaidCents       int64  `bson:"paidCents" json:"paidCents"`
	DeductibleCents int64  `bson:"deductibleCents" json:"deductibleCents"`
}

// isPayment reports whether e is a payment (something a refund can undo).
func (e entry) isPayment() bool {
	return e.Kind == core.KindPatientPayment || e.Kind == core.KindInsurancePayment
}

// Entry is a ledger entry as the API answers it.
type Entry struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	AmountCents    int64     `json:"amountCents"`
	EffectCents    int64     `json:"effectCents"`
	BalanceCents   int64     `json:"balanceCents"`
	At             time.Time `json:"at"`
	Description    string    `json:"description"`
	Code           string    `json:"code,omitempty"`
	Tooth          string    `json:"tooth,omitempty"`
	PlanID         string    `json:"planId,omitempty"`
	ItemID         string    `json:"itemId,omitempty"`
	InvoiceID      string    `json:"invoiceId,omitempty"`
	Method         string    `json:"method,omitempty"`
	Reference      string    `json:"reference,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	AdjustmentType string    `json:"adjustmentType,omitempty"`
	CoverageID     string    `json:"coverageId,omitempty"`
	PaymentID      string    `json:"paymentId,omitempty"`
	RefundedCents  *int64    `json:"refundedCents,omitempty"`
	Lines          []eobLine `json:"lines,omitempty"`
	PostedBy       string    `json:"postedBy"`
}

// view is e as answered, with the running balance after it; refunded is
// what of a payment has been refunded so far.
func (e entry) view(balance, refunded int64) Entry {
	out := Entry{ID: e.ID, Kind: e.Kind, AmountCents: e.AmountCents, EffectCents: e.EffectCents, BalanceCents: balance,
		At: e.At, Description: e.Description, Code: e.Code, Tooth: e.Tooth, PlanID: e.PlanID, ItemID: e.ItemID,
		InvoiceID: e.InvoiceID, Method: e.Method, Reference: e.Reference, Reason: e.Reason, AdjustmentType: e.AdjustmentType,
		CoverageID: e.CoverageID, PaymentID: e.PaymentID, Lines: e.Lines, PostedBy: e.PostedBy}
	if e.isPayment() {
		out.RefundedCents = &refunded
	}
	return out
}

// derivedID is a record id made from seed within clinicID: the same seed
// always names the same record (so a retried post is one insert that
// conflicts), and it has the shape of ids.New, so routes accept it.
func derivedID(clinicID, seed string) string {
	sum := sha256.Sum256([]byte(clinicID + "\x00" + seed))
	return hex.EncodeToString(sum[:12])
}

// Seeds of derived ids, one per kind of outside event.
func chargeEntryID(clinicID, eventID string) string {
	return derivedID(clinicID, "charge-event:"+eventID)
}
func cardPaymentID(clinicID, intentID string) string {
	return derivedID(clinicID, "card-payment:"+intentID)
}
func cardRefundID(clinicID, refundID string) string {
	return derivedID(clinicID, "card-refund:"+refundID)
}
func disputeEntryID(clinicID, disputeID string) string {
	return derivedID(clinicID, "card-dispute:"+disputeID)
}

var (
	errPatientNotFound = core.ErrPatientNotFound
	errPaymentNotFound = errs.E(errs.NotFound, "payment not found")
	errInvoiceNotFound = errs.E(errs.NotFound, "invoice not found")
	errBusy            = errs.E(errs.Conflict, "the record is being changed by someone else; try again")
)

// now is the time as stored.
func (b *Book) now() time.Time { return b.d.Now() }

// settings are clinicID's facts, with UTC and USD where the clinic says
// nothing.
func (b *Book) settings(ctx context.Context, clinicID string) (core.ClinicFacts, error) {
	f, err := b.d.Settings(ctx, clinicID)
	if err != nil {
		return core.ClinicFacts{}, err
	}
	if f.TimeZone == nil {
		f.TimeZone = time.UTC
	}
	if f.Currency == "" {
		f.Currency = "USD"
	}
	return f, nil
}
