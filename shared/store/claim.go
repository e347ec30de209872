package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
)

// Claims make "exactly once" decisions with the one primitive that is atomic
// on every server we run on: an insert into a unique index. FerretDB's
// findAndModify is not atomic under concurrency (a filter on the old value
// can match in several racing requests), so single-use tokens, one-time
// codes and refresh rotation claim their key here first.
type Claims struct {
	coll  *Collection
	clock clock.Clock
}

// NewClaims declares the claims collection (its _id is the claim key).
func NewClaims(m *Mongo, c clock.Clock) *Claims {
	return &Claims{coll: m.Collection("claims"), clock: c}
}

// Claim records key for clinicID and reports whether this call was the first
// to do so. Keys are namespaced by the caller ("refresh:<hash>").
func (c *Claims) Claim(ctx context.Context, clinicID, key string) (bool, error) {
	err := c.coll.InsertOne(ctx, clinicID, bson.D{{Key: "_id", Value: key}, {Key: "at", Value: c.clock.Now().Truncate(time.Millisecond)}})
	switch {
	case err == nil:
		return true, nil
	case errs.Is(err, errs.Conflict):
		return false, nil
	default:
		return false, err
	}
}
