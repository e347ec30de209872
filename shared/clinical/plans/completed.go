package plans

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Completed is one page of clinicID's charge events (completed items,
// taken into the ledger or not) at or after from and before to, by id
// after afterID, at most limit: the practice's production report pages
// through them on the (clinicId, at) index.
func (c *MongoCharges) Completed(ctx context.Context, clinicID string, from, to time.Time, afterID string, limit int) ([]ChargeEvent, error) {
	f := bson.D{{Key: "at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}}
	if afterID != "" {
		f = append(f, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: afterID}}})
	}
	out := []ChargeEvent{}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit))
	return out, c.coll.Find(ctx, clinicID, f, &out, opts)
}
