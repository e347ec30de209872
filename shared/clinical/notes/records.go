package notes

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// records is a collection of a patient's records of one kind (notes,
// prescriptions), each with a createdAt, listed newest first.
type records[T any] struct {
	c        *store.Collection
	notFound error
	// versions makes each change of a record happen once: FerretDB's
	// conditional updates are not atomic (two racing signatures could both
	// match "status: draft"), so every change moves the record's version
	// through a claim (store.Versions).
	versions *store.Versions
}

// byNewest is the lists' order.
var byNewest = store.Sort{Field: "createdAt", Desc: true, Type: bson.TypeDateTime}

// newRecords declares the collection with the index its list reads: a
// patient's records, newest first, in one query.
func newRecords[T any](m *store.Mongo, c clock.Clock, name string, notFound error) records[T] {
	keys := bson.D{{Key: store.ClinicField, Value: 1}, {Key: "patientId", Value: 1}, {Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}
	return records[T]{c: m.Collection(name, mongo.IndexModel{Keys: keys}), notFound: notFound, versions: store.NewVersions(m, c)}
}

// move applies update to record id if it is still at version, once, and
// reports whether this call did (false: another change came first). out,
// when not nil, receives the record as written.
func (s records[T]) move(ctx context.Context, clinicID, id string, version int, update bson.D, out *T) (bool, error) {
	if out == nil {
		return s.versions.Update(ctx, s.c, clinicID, id, version, update, nil)
	}
	return s.versions.Update(ctx, s.c, clinicID, id, version, update, out)
}

// Get is clinicID's record id; a garbage id, a missing record and another
// clinic's are all notFound.
func (s records[T]) Get(ctx context.Context, clinicID, id string) (T, error) {
	if !ids.Valid(id) {
		var zero T
		return zero, s.notFound
	}
	return store.One[T](ctx, s.c, clinicID, id, s.notFound)
}

func (s records[T]) Insert(ctx context.Context, clinicID string, rec T) error {
	return s.c.InsertOne(ctx, clinicID, rec)
}

// List is one page of the patient's records matching filter, newest first.
func (s records[T]) List(ctx context.Context, clinicID, patientID string, filter bson.D, page store.PageRequest) (store.Page[T], error) {
	f := append(bson.D{{Key: "patientId", Value: patientID}}, filter...)
	return store.FindPage[T](ctx, s.c, clinicID, f, byNewest, page)
}

// viewPage is page with each record opened by view for the answer.
func viewPage[R, V any](page store.Page[R], view func(R) (V, error)) (store.Page[V], error) {
	out := store.Page[V]{Items: make([]V, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, rec := range page.Items {
		v, err := view(rec)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}
