package ledger

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// maxEntries bounds one patient's ledger read (years of visits are a few
// hundred entries).
const maxEntries = 5000

func index(unique bool, keys ...string) mongo.IndexModel {
	d := bson.D{{Key: store.ClinicField, Value: 1}}
	for _, k := range keys {
		d = append(d, bson.E{Key: k, Value: 1})
	}
	m := mongo.IndexModel{Keys: d}
	if unique {
		m.Options = options.Index().SetUnique(true)
	}
	return m
}

func newStore(d core.Deps) *Book {
	return &Book{
		d: d,
		// A patient's ledger, oldest first, in one find.
		entries: d.Mongo.Collection("ledger_entries", index(false, "patientId", "at"),
			// The payments posted to an invoice (reconcile).
			index(false, "invoiceId")),
		// What of each payment has been refunded (versioned; _id is the
		// payment entry's).
		payments: d.Mongo.Collection("payments"),
		invoices: d.Mongo.Collection("invoices",
			// The per-clinic invoice number: the unique insert that hands
			// each number out once.
			index(true, "number"),
			index(false, "patientId", "createdAt"),
			index(false, "guarantorId", "createdAt"),
			index(false, "createdAt"),
		),
		// One document per invoiced charge: the unique (clinicId, entryId)
		// puts a charge on at most one invoice however many race.
		lines:    d.Mongo.Collection("invoice_lines", index(true, "entryId"), index(false, "patientId")),
		versions: store.NewVersions(d.Mongo, d.Clock),
	}
}

// EnsureIndexes creates the declared indexes now (deploy helpers, tests).
func (b *Book) EnsureIndexes(ctx context.Context) error {
	for _, c := range []*store.Collection{b.entries, b.invoices, b.lines} {
		if err := c.EnsureIndexes(ctx); err != nil {
			return err
		}
	}
	return nil
}

// post stores e once: an entry whose (derived) id is already stored is
// success, and the stored one is what answers, so a retried post posts
// nothing twice.
func (b *Book) post(ctx context.Context, e entry) (entry, error) {
	e, _, err := b.postOnce(ctx, e)
	return e, err
}

// postOnce is post, also reporting whether this call inserted the entry.
func (b *Book) postOnce(ctx context.Context, e entry) (entry, bool, error) {
	if e.PostedAt.IsZero() {
		e.PostedAt = b.now()
	}
	err := b.entries.InsertOne(ctx, e.ClinicID, e)
	if errs.Is(err, errs.Conflict) {
		prior, err := store.One[entry](ctx, b.entries, e.ClinicID, e.ID, errs.E(errs.Internal, "ledger entry vanished"))
		return prior, false, err
	}
	return e, err == nil, err
}

// paid tells d.Payments of a payment this call posted.
func (b *Book) paid(ctx context.Context, e entry) {
	if b.d.Payments == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), eventTimeout)
	defer cancel()
	b.d.Payments.PaymentSucceeded(ctx, e.ClinicID, e.ID, e.PatientID, e.InvoiceID, e.AmountCents, e.Method)
}

// eventTimeout bounds how long a payment waits on its event.
const eventTimeout = 2 * time.Second

// entry is entry id of clinicID.
func (b *Book) entry(ctx context.Context, clinicID, id string, notFound error) (entry, error) {
	return store.One[entry](ctx, b.entries, clinicID, id, notFound)
}

// read is patientID's entries, oldest first (entries of one instant in the
// order they were posted), after taking the patient's
// pending charge events into the ledger: one find on (clinicId,
// patientId, at), and the take only when clinical posted something.
func (b *Book) read(ctx context.Context, clinicID, patientID string) ([]entry, error) {
	if err := b.take(ctx, clinicID, patientID); err != nil {
		return nil, err
	}
	out := []entry{}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "postedAt", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(maxEntries)
	return out, b.entries.Find(ctx, clinicID, bson.D{{Key: "patientId", Value: patientID}}, &out, opts)
}

// take posts patientID's pending charge events, each under an id derived
// from the event's (a take that died halfway and is retried posts each
// once), and marks each taken after its entry is stored.
func (b *Book) take(ctx context.Context, clinicID, patientID string) error {
	if b.d.Charges == nil {
		return nil
	}
	events, err := b.d.Charges.Pending(ctx, clinicID, patientID)
	if err != nil {
		return err
	}
	for _, ev := range events {
		e := entry{ID: chargeEntryID(clinicID, ev.ID), ClinicID: clinicID, PatientID: ev.PatientID, Kind: core.KindCharge,
			AmountCents: ev.AmountCents, EffectCents: ev.AmountCents, At: ev.At.UTC(), Description: ev.Description,
			Code: ev.Code, Category: b.category(ctx, clinicID, ev.Code), Tooth: ev.Tooth, PlanID: ev.PlanID, ItemID: ev.ItemID,
			PostedBy: SystemActor, ChargeRef: &chargeFrom{EventID: ev.ID, ProviderID: ev.ProviderID}}
		if e.PatientID == "" {
			e.PatientID = patientID
		}
		if _, err := b.post(ctx, e); err != nil {
			return err
		}
		if err := b.d.Charges.Taken(ctx, clinicID, ev.ID); err != nil {
			return err
		}
	}
	return nil
}

// category is code's category in the fee schedule, "" when the schedule no
// longer has it (insurance then treats the charge as uncategorised).
func (b *Book) category(ctx context.Context, clinicID, code string) string {
	if b.d.Codes == nil || code == "" {
		return ""
	}
	c, err := b.d.Codes(ctx, clinicID, code)
	if err != nil {
		return ""
	}
	return c.Category
}

// History is patientID's entries as insurance reads them, oldest first:
// charges with their code and category, and each insurance payment broken
// out per charge its EOB lines name (with that charge's code and category
// and the deductible the line applied), or whole when it has no lines.
func (b *Book) History(ctx context.Context, clinicID, patientID string) ([]core.HistoryEntry, error) {
	es, err := b.read(ctx, clinicID, patientID)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]entry, len(es))
	for _, e := range es {
		byID[e.ID] = e
	}
	out := make([]core.HistoryEntry, 0, len(es))
	for _, e := range es {
		h := core.HistoryEntry{ID: e.ID, Kind: e.Kind, Code: e.Code, Category: e.Category, Tooth: e.Tooth,
			AmountCents: e.AmountCents, CoverageID: e.CoverageID, At: e.At}
		if e.Kind != core.KindInsurancePayment || len(e.Lines) == 0 {
			out = append(out, h)
			continue
		}
		for _, l := range e.Lines {
			c := byID[l.EntryID]
			out = append(out, core.HistoryEntry{ID: e.ID, Kind: e.Kind, Code: c.Code, Category: c.Category, Tooth: c.Tooth,
				AmountCents: l.PaidCents, CoverageID: e.CoverageID, DeductibleCents: l.DeductibleCents, At: e.At})
		}
	}
	return out, nil
}
