package audit

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/store"
)

// Filter narrows a listing. Zero fields do not filter; From is inclusive and
// To exclusive. PatientID matches the records about that patient and the
// list reads that returned them.
type Filter struct {
	PatientID string
	ActorID   string
	Action    string
	From, To  time.Time
}

// List returns one page of clinicID's records matching f, newest first.
func (l *Log) List(ctx context.Context, clinicID string, f Filter, page store.PageRequest) (store.Page[Record], error) {
	filter := bson.D{}
	if f.PatientID != "" {
		// In $and: a page's cursor adds its own $or.
		filter = append(filter, bson.E{Key: "$and", Value: bson.A{bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "patientId", Value: f.PatientID}}, bson.D{{Key: "patientIds", Value: f.PatientID}},
		}}}}})
	}
	for _, c := range []struct{ field, value string }{
		{"actorId", f.ActorID}, {"action", f.Action},
	} {
		if c.value != "" {
			filter = append(filter, bson.E{Key: c.field, Value: c.value})
		}
	}
	at := bson.D{}
	if !f.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: f.From.UTC()})
	}
	if !f.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: f.To.UTC()})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	return store.FindPage[Record](ctx, l.coll, clinicID, filter, store.Sort{Field: "seq", Desc: true, Type: bson.TypeInt64}, page)
}
