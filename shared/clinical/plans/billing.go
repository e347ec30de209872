package plans

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// maxPendingCharges bounds one take: a patient completes a handful of items
// between two reads of their ledger; the rest are taken by the next read.
const maxPendingCharges = 200

// What the billing group reads of treatment plans, procedure codes and the
// charges of completed items. Billing does not import this package; its
// function's composition root adapts these to billing's own interfaces.

// Items is what an estimate needs of plan id: its patient, title, status
// and items (without the plan's sealed notes). Another clinic's plan, or
// none, is an errs.NotFound.
func (s *Store) Items(ctx context.Context, clinicID, id string) (Plan, error) {
	r, err := s.get(ctx, clinicID, id)
	if err != nil {
		return Plan{}, err
	}
	return r.view(""), nil
}

// Find is code k of clinicID's schedule (case-insensitive), ok false when
// the schedule has no such code.
func (s *Codes) Find(ctx context.Context, clinicID, k string) (Code, bool, error) {
	sc, err := s.read(ctx, clinicID)
	if err != nil {
		return Code{}, false, err
	}
	c, ok := sc.find(key(k))
	return c, ok, nil
}

// ChargeTaken is a charge event's status once billing has posted it.
const ChargeTaken = "taken"

// PendingFor is patientID's charge events billing has not taken, oldest
// first: one query on the (clinicId, patientId, status) index.
func (c *MongoCharges) PendingFor(ctx context.Context, clinicID, patientID string) ([]ChargeEvent, error) {
	out := []ChargeEvent{}
	return out, c.coll.Find(ctx, clinicID, bson.D{{Key: "patientId", Value: patientID}, {Key: "status", Value: ChargePending}}, &out,
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(maxPendingCharges))
}

// Taken marks event id as posted; marking it again changes nothing.
func (c *MongoCharges) Taken(ctx context.Context, clinicID, id string, at time.Time) error {
	_, err := c.coll.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: ChargeTaken}, {Key: "takenAt", Value: at}}}})
	return err
}

// ForPatient is patientID's plans other than drafts, newest first (at most
// 500), without their sealed notes: what a record export reads of a
// patient's treatment (its completed items are the procedures done). One
// query, on the (clinicId, patientId, createdAt) index.
func (s *Store) ForPatient(ctx context.Context, clinicID, patientID string) ([]Plan, error) {
	recs, err := s.list(ctx, clinicID, patientID, false)
	if err != nil {
		return nil, err
	}
	out := make([]Plan, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.view(""))
	}
	return out, nil
}
