package ledger

import (
	"context"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// paymentRec is the versioned record of what a payment has given back:
// the refunds (and disputes) taken off it. The ledger entries stay
// append-only; this record is what two racing refunds contend for, through
// store.Versions, so that together they never exceed the payment. Its _id
// is the payment entry's. It is made when the first refund comes, or, for
// a card payment whose refund the processor reported before its success,
// by that refund, without a patient until the success arrives.
type paymentRec struct {
	ID       string `bson:"_id"`
	ClinicID string `bson:"clinicId"`
	// PatientID is "" while the payment itself has not posted.
	PatientID     string      `bson:"patientId"`
	Posted        bool        `bson:"posted"`
	AmountCents   int64       `bson:"amountCents"`
	Method        string      `bson:"method"`
	InvoiceID     string      `bson:"invoiceId"`
	Intent        string      `bson:"intent"`
	RefundedCents int64       `bson:"refundedCents"`
	Refunds       []refundRec `bson:"refunds"`
	Version       int         `bson:"version"`
}

// refundRec is one refund (or dispute) of a payment, enough to post its
// entry whenever the patient is known.
type refundRec struct {
	EntryID     string    `bson:"entryId"`
	AmountCents int64     `bson:"amountCents"`
	At          time.Time `bson:"at"`
	Reason      string    `bson:"reason"`
	By          string    `bson:"by"`
	// Processor is the processor's refund or dispute id.
	Processor string `bson:"processor"`
	Dispute   bool   `bson:"dispute"`
}

// refundable is what of the payment can still be refunded.
func (p paymentRec) refundable() int64 { return max(p.AmountCents-p.RefundedCents, 0) }

// paymentOf is the record of payment pay, made from it when there is none
// yet (and brought up to it when a refund made it before the payment
// posted).
func (b *Book) paymentOf(ctx context.Context, pay entry) (paymentRec, error) {
	seed := seedOf(pay)
	p, err := b.ensurePayment(ctx, seed)
	if err != nil || p.Posted {
		return p, err
	}
	err = store.Retry(ctx, errBusy, func() (bool, error) {
		cur, err := store.One[paymentRec](ctx, b.payments, pay.ClinicID, pay.ID, errPaymentNotFound)
		if err != nil || cur.Posted {
			p = cur
			return err == nil, err
		}
		set := bson.D{{Key: "$set", Value: bson.D{{Key: "patientId", Value: seed.PatientID}, {Key: "posted", Value: true},
			{Key: "amountCents", Value: seed.AmountCents}, {Key: "method", Value: seed.Method}, {Key: "invoiceId", Value: seed.InvoiceID}}}}
		won, err := b.versions.Update(ctx, b.payments, pay.ClinicID, pay.ID, cur.Version, set, &p)
		return won, err
	})
	return p, err
}

// seedOf is the record of posted payment pay before any refund.
func seedOf(pay entry) paymentRec {
	return paymentRec{ID: pay.ID, ClinicID: pay.ClinicID, PatientID: pay.PatientID, Posted: true, AmountCents: pay.AmountCents,
		Method: pay.Method, InvoiceID: pay.InvoiceID, Intent: pay.Processor, Refunds: []refundRec{}}
}

// ensurePayment is the stored record of seed's id, or seed stored.
func (b *Book) ensurePayment(ctx context.Context, seed paymentRec) (paymentRec, error) {
	p, err := store.One[paymentRec](ctx, b.payments, seed.ClinicID, seed.ID, errPaymentNotFound)
	if !errs.Is(err, errs.NotFound) {
		return p, err
	}
	err = b.payments.InsertOne(ctx, seed.ClinicID, seed)
	if errs.Is(err, errs.Conflict) {
		return store.One[paymentRec](ctx, b.payments, seed.ClinicID, seed.ID, errPaymentNotFound)
	}
	return seed, err
}

// addRefund adds the refund that next makes of the payment's current
// record, once: next derives the refund (and refuses one that does not
// fit); a refund whose entry id is already on the record is not added
// again. Of two racing refunds one moves the record first and the other's
// next judges the moved record.
func (b *Book) addRefund(ctx context.Context, seed paymentRec, next func(p paymentRec) (refundRec, error)) (paymentRec, refundRec, error) {
	var out paymentRec
	var ref refundRec
	err := store.Retry(ctx, errBusy, func() (bool, error) {
		cur, err := b.ensurePayment(ctx, seed)
		if err != nil {
			return false, err
		}
		r, err := next(cur)
		if err != nil {
			return false, err
		}
		if i := slices.IndexFunc(cur.Refunds, func(x refundRec) bool { return x.EntryID == r.EntryID }); i >= 0 {
			out, ref = cur, cur.Refunds[i]
			return true, nil
		}
		update := bson.D{{Key: "$inc", Value: bson.D{{Key: "refundedCents", Value: r.AmountCents}}},
			{Key: "$push", Value: bson.D{{Key: "refunds", Value: r}}}}
		won, err := b.versions.Update(ctx, b.payments, seed.ClinicID, seed.ID, cur.Version, update, &out)
		ref = r
		return won, err
	})
	return out, ref, err
}

// settle posts the entries of p's refunds (each once: their ids are
// derived) and takes them off p's invoice, once p's payment has posted. It
// is safe to run again: a refund whose entry a crash left unposted is
// posted by the next settle of its payment.
func (b *Book) settle(ctx context.Context, p paymentRec) ([]entry, error) {
	if !p.Posted {
		return nil, nil
	}
	out := make([]entry, 0, len(p.Refunds))
	for _, r := range p.Refunds {
		desc := "Refund"
		if r.Dispute {
			desc = "Card payment disputed"
		}
		e, err := b.post(ctx, entry{ID: r.EntryID, ClinicID: p.ClinicID, PatientID: p.PatientID, Kind: core.KindRefund,
			AmountCents: r.AmountCents, EffectCents: r.AmountCents, At: r.At, Description: desc, InvoiceID: p.InvoiceID,
			Method: p.Method, Reason: r.Reason, PaymentID: p.ID, Processor: r.Processor, PostedBy: r.By})
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if p.InvoiceID != "" && p.RefundedCents > 0 {
		if err := b.refundApplied(ctx, p.ClinicID, p.InvoiceID, p.ID, p.RefundedCents); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var errNothingRefundable = errs.E(errs.Unprocessable, "nothing of this payment is left to refund")

// RefundInput is the body of POST payments/{id}/refund.
type RefundInput struct {
	// AmountCents defaults to all that is still refundable.
	AmountCents *int64 `json:"amountCents"`
	Reason      string `json:"reason"`
}

// refund refunds amount (0: all that is left) of payment pay for reason,
// posted by by. A card payment is refunded through the processor first,
// under an idempotency key of the payment and what was refunded before
// (a retried click asks for the same refund), and its entry takes its id
// from the processor's refund, so the charge.refunded event that follows
// finds it posted. A desk refund's entry id is derived from the payment
// record's version, one refund per version.
func (b *Book) refund(ctx context.Context, pay entry, amount int64, reason, by string) (refundRec, entry, error) {
	seed := seedOf(pay)
	cur, err := b.paymentOf(ctx, pay)
	if err != nil {
		return refundRec{}, entry{}, err
	}
	if _, err := b.settle(ctx, cur); err != nil { // what a crash left unposted first
		return refundRec{}, entry{}, err
	}
	fits := func(p paymentRec) (int64, error) {
		n := amount
		if n == 0 {
			n = p.refundable()
		}
		switch {
		case p.refundable() == 0:
			return 0, errNothingRefundable
		case n > p.refundable():
			return 0, errs.E(errs.Unprocessable, "at most %d cents of this payment can be refunded", p.refundable())
		}
		return n, nil
	}
	var next func(p paymentRec) (refundRec, error)
	if pay.Method == MethodCard {
		if b.d.Cards == nil {
			return refundRec{}, entry{}, core.ErrCardsNotConfigured
		}
		n, err := fits(cur)
		if err != nil {
			return refundRec{}, entry{}, err
		}
		key := "refund-" + pay.ID + "-" + strconv.FormatInt(cur.RefundedCents, 10)
		refundID, err := b.d.Cards.Refund(ctx, pay.Processor, n, key)
		if err != nil {
			return refundRec{}, entry{}, err
		}
		r := refundRec{EntryID: cardRefundID(pay.ClinicID, refundID), AmountCents: n, At: b.now(), Reason: reason, By: by, Processor: refundID}
		// The processor has made the refund: it is recorded whatever the
		// record says by now (the processor never refunds past a charge).
		next = func(paymentRec) (refundRec, error) { return r, nil }
	} else {
		next = func(p paymentRec) (refundRec, error) {
			n, err := fits(p)
			if err != nil {
				return refundRec{}, err
			}
			id := derivedID(pay.ClinicID, "refund:"+pay.ID+":"+strconv.Itoa(p.Version))
			return refundRec{EntryID: id, AmountCents: n, At: b.now(), Reason: reason, By: by}, nil
		}
	}
	p, r, err := b.addRefund(ctx, seed, next)
	if err != nil {
		return refundRec{}, entry{}, err
	}
	posted, err := b.settle(ctx, p)
	if err != nil {
		return refundRec{}, entry{}, err
	}
	i := slices.IndexFunc(posted, func(e entry) bool { return e.ID == r.EntryID })
	if i < 0 {
		return refundRec{}, entry{}, errs.E(errs.Internal, "refund not posted")
	}
	return r, posted[i], nil
}
