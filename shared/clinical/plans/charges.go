package plans

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// ChargePending is a charge event's status until billing consumes it.
const ChargePending = "pending"

// ChargeEvent is the charge of one completed plan item, for billing to
// post to the patient's ledger.
type ChargeEvent struct {
	ID          string    `bson:"_id" json:"id"`
	ClinicID    string    `bson:"clinicId" json:"clinicId"`
	PatientID   string    `bson:"patientId" json:"patientId"`
	PlanID      string    `bson:"planId" json:"planId"`
	ItemID      string    `bson:"itemId" json:"itemId"`
	Code        string    `bson:"code" json:"code"`
	Description string    `bson:"description" json:"description"`
	Tooth       string    `bson:"tooth" json:"tooth"`
	Surfaces    []string  `bson:"surfaces" json:"surfaces"`
	AmountCents int64     `bson:"amountCents" json:"amountCents"`
	ProviderID  string    `bson:"providerId" json:"providerId"`
	At          time.Time `bson:"at" json:"at"`
	By          string    `bson:"by" json:"by"`
	Status      string    `bson:"status" json:"status"`
}

// MongoCharges keeps charge events in charge_events until billing takes
// them.
type MongoCharges struct{ coll *store.Collection }

var _ Charges = (*MongoCharges)(nil)

// NewCharges declares the collection (no I/O): one event per (clinic, plan,
// item), which a unique index holds, and billing's read of the pending.
func NewCharges(m *store.Mongo) *MongoCharges {
	return &MongoCharges{coll: m.Collection("charge_events",
		mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "planId", Value: 1}, {Key: "itemId", Value: 1}},
			Options: options.Index().SetUnique(true)},
		mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "status", Value: 1}, {Key: "at", Value: 1}}},
		// billing's take of one patient's pending charges.
		mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "patientId", Value: 1}, {Key: "status", Value: 1}, {Key: "at", Value: 1}}},
		// the production report's period (Completed).
		mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "at", Value: 1}}},
	)}
}

// Post stores e as pending; an item already posted is success and keeps
// its first event (a retried completion charges once).
func (c *MongoCharges) Post(ctx context.Context, e ChargeEvent) error {
	e.Status = ChargePending
	if e.Surfaces == nil {
		e.Surfaces = []string{}
	}
	err := c.coll.InsertOne(ctx, e.ClinicID, e)
	if errs.Is(err, errs.Conflict) {
		return nil
	}
	return err
}

// Pending is clinicID's charge events billing has not consumed, oldest
// first, at most limit.
func (c *MongoCharges) Pending(ctx context.Context, clinicID string, limit int) ([]ChargeEvent, error) {
	out := []ChargeEvent{}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit))
	return out, c.coll.Find(ctx, clinicID, bson.D{{Key: "status", Value: ChargePending}}, &out, opts)
}
