package ledger

import (
	"context"
	"fmt"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
)

// Audit actions.
const (
	actionLedgerRead    = "ledger.read"
	actionChargePost    = "charge.post"
	actionAdjustment    = "adjustment.post"
	actionPaymentPost   = "payment.post"
	actionRefundPost    = "refund.post"
	actionInvoiceCreate = "invoice.create"
	actionInvoiceRead   = "invoice.read"
	actionInvoiceVoid   = "invoice.void"
	actionStatementRead = "statement.read"
)

func paymentResource(id string) string { return "payments/" + id }

// CardPaid posts the card payment the processor reports settled: one entry
// per payment intent (its id is derived from the intent's), applied to the
// intent's invoice like a desk payment (what the invoice no longer needs
// is a credit), and with the refunds the processor reported before the
// success (kept on the payment's record until now) posted after it. A
// second report of the same intent posts nothing.
func (b *Book) CardPaid(ctx context.Context, clinicID string, cp core.CardPayment) error {
	if cp.PaymentIntentID == "" || cp.AmountCents <= 0 {
		return errs.E(errs.Invalid, "a card payment needs its intent and a positive amount")
	}
	inv, err := b.invoice(ctx, clinicID, cp.InvoiceID)
	if err != nil {
		return err
	}
	at := cp.At.UTC()
	if at.IsZero() {
		at = b.now()
	}
	e := entry{ID: cardPaymentID(clinicID, cp.PaymentIntentID), ClinicID: clinicID, PatientID: inv.PatientID, Kind: core.KindPatientPayment,
		AmountCents: cp.AmountCents, EffectCents: -cp.AmountCents, At: at, Description: "Card payment, invoice " + invoiceNumber(inv.Seq),
		InvoiceID: inv.ID, Method: MethodCard, Reference: cp.ChargeID, Processor: cp.PaymentIntentID, PostedBy: SystemActor}
	detail := fmt.Sprintf("card payment %s: %d cents; invoice %s", e.ID, e.AmountCents, inv.ID)
	fresh := false
	err = b.d.Audit.SystemGuarded(ctx, clinicID, core.Entry(actionPaymentPost, paymentResource(e.ID), inv.PatientID, detail), func() error {
		var err error
		if e, fresh, err = b.postOnce(ctx, e); err != nil {
			return err
		}
		p, err := b.paymentOf(ctx, e)
		if err != nil {
			return err
		}
		if _, _, err := b.apply(ctx, clinicID, inv.ID, e, p.RefundedCents); err != nil {
			return err
		}
		_, err = b.settle(ctx, p)
		return err
	})
	if err == nil && fresh {
		b.paid(ctx, e)
	}
	return err
}

// CardRefunded posts a refund the processor reports, once per refund id:
// ours (POST payments/{id}/refund already posted it under the same id) or
// one made in the processor's dashboard. A refund of an intent whose
// success has not arrived yet is kept on the payment's record and posts
// when the success does, so the balance nets right either way round.
func (b *Book) CardRefunded(ctx context.Context, clinicID string, r core.CardRefund) error {
	if r.RefundID == "" {
		return errs.E(errs.Invalid, "a card refund needs its id")
	}
	return b.cardBack(ctx, clinicID, r.PaymentIntentID, refundRec{EntryID: cardRefundID(clinicID, r.RefundID),
		AmountCents: r.AmountCents, At: r.At, Reason: "card refund", By: SystemActor, Processor: r.RefundID})
}

// CardDisputed posts a dispute opened on a card payment as a refund-kind
// entry with reason "dispute" (the amount has left the clinic's account),
// once per dispute id. A disputed amount is no longer refundable.
func (b *Book) CardDisputed(ctx context.Context, clinicID string, d core.CardDispute) error {
	if d.DisputeID == "" {
		return errs.E(errs.Invalid, "a dispute needs its id")
	}
	return b.cardBack(ctx, clinicID, d.PaymentIntentID, refundRec{EntryID: disputeEntryID(clinicID, d.DisputeID),
		AmountCents: d.AmountCents, At: d.At, Reason: "dispute", By: SystemActor, Processor: d.DisputeID, Dispute: true})
}

// cardBack records r, money the processor gave back of intent's payment.
func (b *Book) cardBack(ctx context.Context, clinicID, intent string, r refundRec) error {
	if intent == "" || r.AmountCents <= 0 {
		return errs.E(errs.Invalid, "a card refund or dispute needs its intent and a positive amount")
	}
	r.At = r.At.UTC()
	if r.At.IsZero() {
		r.At = b.now()
	}
	paymentID := cardPaymentID(clinicID, intent)
	patientID := ""
	if pay, err := b.entry(ctx, clinicID, paymentID, errPaymentNotFound); err == nil {
		patientID = pay.PatientID
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	seed := paymentRec{ID: paymentID, ClinicID: clinicID, Method: MethodCard, Intent: intent, Refunds: []refundRec{}}
	detail := fmt.Sprintf("%s %s of card payment %s: %d cents", r.Reason, r.EntryID, paymentID, r.AmountCents)
	return b.d.Audit.SystemGuarded(ctx, clinicID, core.Entry(actionRefundPost, paymentResource(paymentID), patientID, detail), func() error {
		p, _, err := b.addRefund(ctx, seed, func(paymentRec) (refundRec, error) { return r, nil })
		if err != nil {
			return err
		}
		_, err = b.settle(ctx, p)
		return err
	})
}
