package cards

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// Intent statuses as we record them.
const (
	IntentCreated   = "created"
	IntentSucceeded = "succeeded"
	IntentFailed    = "failed"
)

// IntentRecord is our record of a payment intent we created: the webhook
// takes the clinic, the invoice and the amount from it, never from the
// event's metadata (which whoever holds the secret key could set to
// anything, and stripe-mock does not echo at all).
type IntentRecord struct {
	// ID is the PaymentIntent's id (pi_…), as Stripe answered it: stripe-mock
	// gives every intent the same client secret, so nothing is derived
	// from that.
	ID          string `bson:"_id"`
	ClinicID    string `bson:"clinicId"`
	InvoiceID   string `bson:"invoiceId"`
	PatientID   string `bson:"patientId"`
	AmountCents int64  `bson:"amountCents"`
	Currency    string `bson:"currency"`
	// Key is the idempotency key the intent was created under (clinic,
	// invoice, its version and balance): unique per clinic, so a repeated
	// click finds the intent it already has.
	Key    string `bson:"key"`
	Status string `bson:"status"`
	// FailureCode is Stripe's code for the last failed attempt (a decline
	// code or error code: never the card's details).
	FailureCode string    `bson:"failureCode,omitempty"`
	CreatedAt   time.Time `bson:"createdAt"`
	UpdatedAt   time.Time `bson:"updatedAt"`
}

// Store keeps the intents we created (stripe_intents) and the webhook
// events we claimed (stripe_events).
type Store struct {
	intents *store.Collection
	// events holds one document per event id being or done processing:
	// the unique insert that makes a redelivered event a no-op.
	events *store.Collection
	clock  clock.Clock
}

// NewStore declares the collections (no I/O).
func NewStore(m *store.Mongo, c clock.Clock) *Store {
	if c == nil {
		c = clock.Real{}
	}
	return &Store{
		intents: m.Collection("stripe_intents",
			// A repeated click finds its intent by key; two racing
			// clicks record one (the other's insert conflicts).
			mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "key", Value: 1}},
				Options: options.Index().SetUnique(true)},
		),
		events: m.Collection("stripe_events"),
		clock:  c,
	}
}

// EnsureIndexes creates the declared indexes now (deploy helpers, tests).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	return s.intents.EnsureIndexes(ctx)
}

func (s *Store) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

var errIntentNotFound = errs.E(errs.NotFound, "payment intent not found")

// Record stores rec, a created intent; an intent already recorded under
// its key (or id) is errs.Conflict.
func (s *Store) Record(ctx context.Context, rec IntentRecord) error {
	rec.CreatedAt, rec.UpdatedAt = s.now(), s.now()
	return s.intents.InsertOne(ctx, rec.ClinicID, rec)
}

// byKey is clinicID's intent recorded under key.
func (s *Store) byKey(ctx context.Context, clinicID, key string) (IntentRecord, error) {
	var rec IntentRecord
	err := s.intents.FindOne(ctx, clinicID, bson.D{{Key: "key", Value: key}}, &rec)
	if errs.Is(err, errs.NotFound) {
		return IntentRecord{}, errIntentNotFound
	}
	return rec, err
}

// Intent is the intent id we recorded, whichever clinic's: the webhook
// and the dev pay endpoint know only Stripe's id, and then act as the
// record's clinic. None is errs.NotFound.
func (s *Store) Intent(ctx context.Context, id string) (IntentRecord, error) {
	rec, _, err := s.lookup(ctx, id)
	return rec, err
}

func (s *Store) lookup(ctx context.Context, id string) (IntentRecord, store.Owned, error) {
	var rec IntentRecord
	if id == "" {
		return rec, store.Owned{}, errIntentNotFound
	}
	// Cross-clinic by design: a Stripe event names an intent, not a clinic.
	o, err := s.intents.Lookup(ctx, id, &rec)
	if errs.Is(err, errs.NotFound) {
		return rec, o, errIntentNotFound
	}
	return rec, o, err
}

// setStatus records what Stripe reported of intent o. A success is final:
// a failed attempt reported after it (Stripe does not order its events)
// does not undo it. Read-then-write is not atomic here, and need not be:
// the ledger, not this status, is what money rests on; the status only
// keeps the dev pay endpoint from paying twice and tells the desk why a
// payment failed.
func (s *Store) setStatus(ctx context.Context, o store.Owned, cur IntentRecord, status, code string) error {
	if cur.Status == IntentSucceeded || (cur.Status == status && cur.FailureCode == code) {
		return nil
	}
	set := bson.D{{Key: "status", Value: status}, {Key: "updatedAt", Value: s.now()}}
	if code != "" {
		set = append(set, bson.E{Key: "failureCode", Value: code})
	}
	_, err := o.Update(ctx, bson.D{{Key: "$set", Value: set}})
	return err
}

// claim claims event id for clinicID and reports whether this call was the
// first; release gives the claim back after a failure, so Stripe's retry
// processes the event again.
func (s *Store) claim(ctx context.Context, clinicID, id, kind string) (bool, error) {
	err := s.events.InsertOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}, {Key: "type", Value: kind}, {Key: "at", Value: s.now()}})
	switch {
	case err == nil:
		return true, nil
	case errs.Is(err, errs.Conflict):
		return false, nil
	default:
		return false, err
	}
}

func (s *Store) release(ctx context.Context, clinicID, id string) error {
	_, err := s.events.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}})
	return err
}
