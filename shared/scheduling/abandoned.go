package scheduling

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// abandonedAfter is when a booking still pending was given up by its
// request: far past the claims' lease and any function's timeout, so no
// request that is still running is overtaken.
const abandonedAfter = 5 * time.Minute

// abandonedIndex finds pending bookings across clinics (the sweep's one
// query): status first, so it reads the few pending ones only.
var abandonedIndex = mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "createdAt", Value: 1}}}

// FailAbandoned marks failed, in every clinic, the bookings their request
// never finished (it died, or the database went away before step 3 of
// Book): pending for longer than abandonedAfter. They held no time since
// their lease ran out and were never shown; now none is left half-written.
// Each is one document's update; it reports how many it failed.
func (s *Store) FailAbandoned(ctx context.Context) (int64, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	var n int64
	err := s.appts.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		res, err := coll.UpdateMany(ctx,
			bson.D{{Key: "status", Value: Pending}, {Key: "createdAt", Value: bson.D{{Key: "$lt", Value: now.Add(-abandonedAfter)}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Failed}, {Key: "updatedAt", Value: now}}}})
		if err != nil {
			return err
		}
		n = res.ModifiedCount
		return nil
	})
	return n, err
}
