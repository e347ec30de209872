package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// dueDays is how long after issue an invoice falls due.
const dueDays = 30

// maxListedInvoices bounds one list.
const maxListedInvoices = 200

// invoiceRec is a stored invoice. Its lines never change; what payments
// change (paidCents, status, applied) changes through store.Versions.
type invoiceRec struct {
	ID          string `bson:"_id"`
	ClinicID    string `bson:"clinicId"`
	Seq         int64  `bson:"number"`
	PatientID   string `bson:"patientId"`
	GuarantorID string `bson:"guarantorId"`
	AmountCents int64  `bson:"amountCents"`
	PaidCents   int64  `bson:"paidCents"`
	Status      string `bson:"status"`
	Lines       []line `bson:"lines"`
	// Applied is what each payment paid of it, kept per payment so that
	// applying one twice changes nothing and a refund takes off what its
	// payment put on.
	Applied   []application `bson:"applied"`
	CreatedAt time.Time     `bson:"createdAt"`
	CreatedBy string        `bson:"createdBy"`
	DueDate   string        `bson:"dueDate"`
	VoidedAt  *time.Time    `bson:"voidedAt"`
	Version   int           `bson:"version"`
}

// line is one invoiced charge.
type line struct {
	EntryID     string    `bson:"entryId" json:"entryId"`
	Code        string    `bson:"code" json:"code"`
	Description string    `bson:"description" json:"description"`
	Tooth       string    `bson:"tooth" json:"tooth"`
	AmountCents int64     `bson:"amountCents" json:"amountCents"`
	At          time.Time `bson:"at" json:"at"`
}

// application is one payment's part of an invoice.
type application struct {
	PaymentID string `bson:"paymentId"`
	// AmountCents is the whole payment; AppliedCents what of it went to
	// this invoice when it was applied (the rest was a credit).
	AmountCents  int64 `bson:"amountCents"`
	AppliedCents int64 `bson:"appliedCents"`
	// RefundedCents is the most of the payment seen refunded. A refund
	// takes back the credit part first, then what was applied.
	RefundedCents int64 `bson:"refundedCents"`
}

// net is what the payment still pays of the invoice.
func (a application) net() int64 {
	back := min(max(a.RefundedCents-(a.AmountCents-a.AppliedCents), 0), a.AppliedCents)
	return a.AppliedCents - back
}

// lineClaim puts one charge on one invoice (unique (clinicId, entryId)).
type lineClaim struct {
	ID        string    `bson:"_id"`
	EntryID   string    `bson:"entryId"`
	InvoiceID string    `bson:"invoiceId"`
	PatientID string    `bson:"patientId"`
	At        time.Time `bson:"at"`
}

// Invoice is an invoice as the API answers it.
type Invoice struct {
	ID           string    `json:"id"`
	Number       string    `json:"number"`
	PatientID    string    `json:"patientId"`
	AmountCents  int64     `json:"amountCents"`
	PaidCents    int64     `json:"paidCents"`
	BalanceCents int64     `json:"balanceCents"`
	Status       string    `json:"status"`
	Lines        []line    `json:"lines"`
	CreatedAt    time.Time `json:"createdAt"`
	DueDate      string    `json:"dueDate"`
	Version      int       `json:"version"`
}

func invoiceNumber(seq int64) string { return fmt.Sprintf("INV-%06d", seq) }

func (r invoiceRec) balance() int64 { return max(r.AmountCents-r.PaidCents, 0) }

func (r invoiceRec) view() Invoice {
	lines := r.Lines
	if lines == nil {
		lines = []line{}
	}
	return Invoice{ID: r.ID, Number: invoiceNumber(r.Seq), PatientID: r.PatientID, AmountCents: r.AmountCents,
		PaidCents: r.PaidCents, BalanceCents: r.balance(), Status: r.Status, Lines: lines, CreatedAt: r.CreatedAt,
		DueDate: r.DueDate, Version: r.Version}
}

func (r invoiceRec) facts() core.InvoiceFacts {
	return core.InvoiceFacts{ID: r.ID, PatientID: r.PatientID, GuarantorID: r.GuarantorID, AmountCents: r.AmountCents,
		BalanceCents: r.balance(), Status: r.Status, Version: r.Version}
}

// settle recomputes paidCents and the status from the applications.
func (r *invoiceRec) settle() {
	r.PaidCents = 0
	for _, a := range r.Applied {
		r.PaidCents += a.net()
	}
	if r.Status == core.InvoiceVoid {
		return
	}
	r.Status = core.InvoiceOpen
	if r.PaidCents >= r.AmountCents {
		r.Status = core.InvoicePaid
	}
}

func (b *Book) invoice(ctx context.Context, clinicID, id string) (invoiceRec, error) {
	if !ids.Valid(id) {
		return invoiceRec{}, errInvoiceNotFound
	}
	return store.One[invoiceRec](ctx, b.invoices, clinicID, id, errInvoiceNotFound)
}

// InvoiceFacts is invoice id of clinicID as the card part reads it
// (reconciled, so the patient is never asked for what was paid).
func (b *Book) InvoiceFacts(ctx context.Context, clinicID, id string) (core.InvoiceFacts, error) {
	r, err := b.reconciled(ctx, clinicID, id)
	if err != nil {
		return core.InvoiceFacts{}, err
	}
	return r.facts(), nil
}

// reconciled is invoice id with every payment posted to it applied. A
// payment's entry is posted before it is applied (money received is never
// lost from the account); when the application did not happen (the
// request died between the two), the next read of the invoice applies it,
// once, as apply is idempotent by the payment's id. One find over
// (clinicId, invoiceId).
func (b *Book) reconciled(ctx context.Context, clinicID, id string) (invoiceRec, error) {
	rec, err := b.invoice(ctx, clinicID, id)
	if err != nil {
		return rec, err
	}
	return b.reconcile(ctx, rec)
}

// reconcile is reconciled of rec, as read.
func (b *Book) reconcile(ctx context.Context, rec invoiceRec) (invoiceRec, error) {
	clinicID, id := rec.ClinicID, rec.ID
	var pays []entry
	f := bson.D{{Key: "invoiceId", Value: id}, {Key: "kind", Value: bson.D{{Key: "$in", Value: bson.A{core.KindPatientPayment, core.KindInsurancePayment}}}}}
	if err := b.entries.Find(ctx, clinicID, f, &pays); err != nil {
		return rec, err
	}
	for _, pay := range pays {
		if slices.ContainsFunc(rec.Applied, func(a application) bool { return a.PaymentID == pay.ID }) {
			continue
		}
		var refunded int64
		p, err := store.One[paymentRec](ctx, b.payments, clinicID, pay.ID, errPaymentNotFound)
		switch {
		case err == nil:
			refunded = p.RefundedCents
		case !errs.Is(err, errs.NotFound):
			return rec, err
		}
		if _, rec, err = b.apply(ctx, clinicID, id, pay, refunded); err != nil {
			return invoiceRec{}, err
		}
	}
	return rec, nil
}

var errNothingToInvoice = errs.E(errs.Unprocessable, "the patient has no uninvoiced charges")

// createInvoice invoices pt's charges that are on no invoice yet. Each is
// claimed first by a unique insert into invoice_lines, so of two racing
// invoices a charge lands on one; the invoice is then stored with the
// charges this call won, under the next number of the clinic (claimed by
// the unique number index). A claim whose invoice was never stored (its
// writer died) is taken back once it is older than the lease.
func (b *Book) createInvoice(ctx context.Context, clinicID string, pt core.PatientFacts, by string) (invoiceRec, error) {
	es, err := b.read(ctx, clinicID, pt.ID)
	if err != nil {
		return invoiceRec{}, err
	}
	held, err := b.heldLines(ctx, clinicID, pt.ID)
	if err != nil {
		return invoiceRec{}, err
	}
	now := b.now()
	rec := invoiceRec{ID: ids.New(), ClinicID: clinicID, PatientID: pt.ID, GuarantorID: pt.GuarantorID,
		Status: core.InvoiceOpen, Lines: []line{}, Applied: []application{}, CreatedAt: now, CreatedBy: by}
	var claims []string
	for _, e := range es {
		if e.Kind != core.KindCharge || held[e.ID] {
			continue
		}
		c := lineClaim{ID: ids.New(), EntryID: e.ID, InvoiceID: rec.ID, PatientID: pt.ID, At: now}
		err := b.lines.InsertOne(ctx, clinicID, c)
		if errs.Is(err, errs.Conflict) {
			continue // a racing invoice has it
		}
		if err != nil {
			b.releaseLines(ctx, clinicID, rec.ID)
			return invoiceRec{}, err
		}
		claims = append(claims, c.ID)
		rec.Lines = append(rec.Lines, line{EntryID: e.ID, Code: e.Code, Description: e.Description, Tooth: e.Tooth, AmountCents: e.AmountCents, At: e.At})
		rec.AmountCents += e.AmountCents
	}
	if len(claims) == 0 {
		return invoiceRec{}, errNothingToInvoice
	}
	f, err := b.settings(ctx, clinicID)
	if err != nil {
		b.releaseLines(ctx, clinicID, rec.ID)
		return invoiceRec{}, err
	}
	rec.DueDate = now.In(f.TimeZone).AddDate(0, 0, dueDays).Format(time.DateOnly)
	if err := b.insertNumbered(ctx, &rec); err != nil {
		b.releaseLines(ctx, clinicID, rec.ID)
		return invoiceRec{}, err
	}
	return rec, nil
}

// insertNumbered stores rec under the clinic's next invoice number: the
// highest stored plus one, and on a conflict (a racing invoice took it)
// the one after.
func (b *Book) insertNumbered(ctx context.Context, rec *invoiceRec) error {
	var last invoiceRec
	err := b.invoices.FindOne(ctx, rec.ClinicID, bson.D{}, &last, options.FindOne().SetSort(bson.D{{Key: "number", Value: -1}}).SetProjection(bson.D{{Key: "number", Value: 1}}))
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	rec.Seq = last.Seq
	for range 50 {
		rec.Seq++
		err := b.invoices.InsertOne(ctx, rec.ClinicID, *rec)
		if !errs.Is(err, errs.Conflict) {
			return err
		}
	}
	return errBusy
}

// heldLines are the charges of patientID on an invoice. A claim of an
// invoice that does not exist and is older than the lease is dropped (its
// writer died between the claim and the invoice), so the charge can be
// invoiced again.
func (b *Book) heldLines(ctx context.Context, clinicID, patientID string) (map[string]bool, error) {
	var claims []lineClaim
	if err := b.lines.Find(ctx, clinicID, bson.D{{Key: "patientId", Value: patientID}}, &claims); err != nil {
		return nil, err
	}
	held := make(map[string]bool, len(claims))
	var invs []invoiceRec
	loaded := false
	for _, c := range claims {
		held[c.EntryID] = true
		if b.now().Sub(c.At) < store.VersionLease {
			continue
		}
		if !loaded {
			f := bson.D{{Key: "patientId", Value: patientID}}
			if err := b.invoices.Find(ctx, clinicID, f, &invs, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}})); err != nil {
				return nil, err
			}
			loaded = true
		}
		if slices.ContainsFunc(invs, func(r invoiceRec) bool { return r.ID == c.InvoiceID }) {
			continue
		}
		if _, err := b.lines.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: c.ID}}); err != nil {
			return nil, err
		}
		delete(held, c.EntryID)
	}
	return held, nil
}

// releaseLines drops invoiceID's claims (best effort: a claim left behind
// is taken back by heldLines after the lease).
func (b *Book) releaseLines(ctx context.Context, clinicID, invoiceID string) {
	_, _ = b.lines.DeleteMany(context.WithoutCancel(ctx), clinicID, bson.D{{Key: "invoiceId", Value: invoiceID}})
}

// changeInvoice applies fn to invoice id and stores the result once
// (store.Versions): of racing changes one applies first and the others are
// re-applied to its result. fn returns false to store nothing.
func (b *Book) changeInvoice(ctx context.Context, clinicID, id string, fn func(r *invoiceRec) (bool, error)) (invoiceRec, error) {
	var out invoiceRec
	err := store.Retry(ctx, errBusy, func() (bool, error) {
		cur, err := b.invoice(ctx, clinicID, id)
		if err != nil {
			return false, err
		}
		next := cur
		next.Applied = slices.Clone(cur.Applied)
		change, err := fn(&next)
		if err != nil || !change {
			out = cur
			return err == nil, err
		}
		next.settle()
		set := bson.D{{Key: "$set", Value: bson.D{{Key: "paidCents", Value: next.PaidCents}, {Key: "status", Value: next.Status},
			{Key: "applied", Value: next.Applied}, {Key: "voidedAt", Value: next.VoidedAt}}}}
		won, err := b.versions.Update(ctx, b.invoices, clinicID, id, cur.Version, set, nil)
		if won {
			next.Version = cur.Version + 1
			out = next
		}
		return won, err
	})
	return out, err
}

// apply puts payment pay (of which refunded is refunded so far) on
// invoice id, once: it pays what is left of the invoice and no more, the
// rest is a credit on the account. A void invoice takes nothing. It
// answers what went to the invoice.
func (b *Book) apply(ctx context.Context, clinicID, id string, pay entry, refunded int64) (int64, invoiceRec, error) {
	var applied int64
	rec, err := b.changeInvoice(ctx, clinicID, id, func(r *invoiceRec) (bool, error) {
		if i := slices.IndexFunc(r.Applied, func(a application) bool { return a.PaymentID == pay.ID }); i >= 0 {
			applied = r.Applied[i].AppliedCents
			return false, nil
		}
		applied = 0
		if r.Status != core.InvoiceVoid {
			applied = min(pay.AmountCents, r.balance())
		}
		r.Applied = append(r.Applied, application{PaymentID: pay.ID, AmountCents: pay.AmountCents, AppliedCents: applied, RefundedCents: refunded})
		return true, nil
	})
	return applied, rec, err
}

// refundApplied tells invoice id that refunded of payment paymentID has
// been refunded in all; what the refunds take back beyond the payment's
// credit part comes off the invoice's paid amount. Telling it the same or
// less again changes nothing.
func (b *Book) refundApplied(ctx context.Context, clinicID, id, paymentID string, refunded int64) error {
	_, err := b.changeInvoice(ctx, clinicID, id, func(r *invoiceRec) (bool, error) {
		i := slices.IndexFunc(r.Applied, func(a application) bool { return a.PaymentID == paymentID })
		if i < 0 || r.Applied[i].RefundedCents >= refunded {
			return false, nil
		}
		r.Applied[i].RefundedCents = refunded
		return true, nil
	})
	return err
}

var errVoidPaid = errs.E(errs.Conflict, "the invoice has payments on it; refund them before voiding it")

// void voids invoice id when nothing is paid on it, and frees its charges
// to be invoiced again.
func (b *Book) void(ctx context.Context, clinicID, id string) (invoiceRec, error) {
	rec, err := b.changeInvoice(ctx, clinicID, id, func(r *invoiceRec) (bool, error) {
		switch {
		case r.Status == core.InvoiceVoid:
			return false, errs.E(errs.Conflict, "the invoice is already void")
		case r.PaidCents > 0:
			return false, errVoidPaid
		}
		at := b.now()
		r.Status, r.VoidedAt = core.InvoiceVoid, &at
		return true, nil
	})
	if err != nil {
		return rec, err
	}
	_, err = b.lines.DeleteMany(ctx, clinicID, bson.D{{Key: "invoiceId", Value: id}})
	return rec, err
}

// listInvoices is the invoices matching filter, newest first.
func (b *Book) listInvoices(ctx context.Context, clinicID string, filter bson.D) ([]invoiceRec, error) {
	out := []invoiceRec{}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(maxListedInvoices)
	return out, b.invoices.Find(ctx, clinicID, filter, &out, opts)
}

// familyFilter matches the invoices of patientID and of those whose
// guarantor patientID is.
func familyFilter(patientID string) bson.D {
	return bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "patientId", Value: patientID}}, bson.D{{Key: "guarantorId", Value: patientID}}}}}
}
