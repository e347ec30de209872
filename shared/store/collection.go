package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
)

// ClinicField is the tenancy key every stored record carries.
const ClinicField = "clinicId"

// ErrNoClinic is returned when a call reaches the data layer without a clinic:
// a programming error, never a client's.
var ErrNoClinic = errors.New("store: clinic id is required for every query and write")

// Collection is a tenant-scoped collection: every query and write it makes
// carries the caller's clinic id, so a handler cannot forget it. Its indexes
// are created idempotently on first use in each process.
type Collection struct {
	m       *Mongo
	name    string
	indexes []mongo.IndexModel

	mu      sync.Mutex
	ensured bool
}

// Collection declares a collection and the indexes its queries need. Declaring
// does no I/O.
func (m *Mongo) Collection(name string, indexes ...mongo.IndexModel) *Collection {
	return &Collection{m: m, name: name, indexes: indexes}
}

// Name is the collection's name.
func (c *Collection) Name() string { return c.name }

// raw returns the driver collection, creating the declared indexes once.
func (c *Collection) raw(ctx context.Context) (*mongo.Collection, error) {
	db, err := c.m.Database()
	if err != nil {
		return nil, err
	}
	coll := db.Collection(c.name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ensured && len(c.indexes) > 0 {
		if err := c.createMissingIndexes(ctx, coll); err != nil {
			return nil, err
		}
	}
	c.ensured = true
	return coll, nil
}

// createMissingIndexes lists the collection's indexes and creates only the
// declared ones it lacks. (FerretDB v1 on SQLite panics on createIndexes for
// an index that already exists after a restart, and on MongoDB skipping it
// saves a lock.)
func (c *Collection) createMissingIndexes(ctx context.Context, coll *mongo.Collection) error {
	ctx, cancel := c.m.callCtx(ctx)
	defer cancel()
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		return MapError(err)
	}
	var existing []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &existing); err != nil {
		return MapError(err)
	}
	have := map[string]bool{}
	for _, ix := range existing {
		have[ix.Name] = true
	}
	var missing []mongo.IndexModel
	for _, ix := range c.indexes {
		if !have[indexName(ix)] {
			missing = append(missing, ix)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = coll.Indexes().CreateMany(ctx, missing)
	return MapError(err)
}

// indexName is the index's explicit name or the server's default
// (field_direction joined by underscores).
func indexName(ix mongo.IndexModel) string {
	if ix.Options != nil && ix.Options.Name != nil {
		return *ix.Options.Name
	}
	keys, _ := ix.Keys.(bson.D)
	name := ""
	for i, k := range keys {
		if i > 0 {
			name += "_"
		}
		name += fmt.Sprintf("%s_%v", k.Key, k.Value)
	}
	return name
}

// EnsureIndexes creates the declared indexes now (deploy helpers and tests);
// normal use creates them lazily.
func (c *Collection) EnsureIndexes(ctx context.Context) error {
	_, err := c.raw(ctx)
	return err
}

// Unscoped runs fn on the driver collection without tenancy (with the
// per-call timeout and error mapping). Only for records that are not a
// clinic's (clinics themselves) or lookups that must cross clinics by design
// (login by email); every use says why in a comment.
func (c *Collection) Unscoped(ctx context.Context, fn func(ctx context.Context, coll *mongo.Collection) error) error {
	return c.call(ctx, fn)
}

// scope returns filter restricted to clinicID.
func scope(clinicID string, filter bson.D) (bson.D, error) {
	if clinicID == "" {
		return nil, ErrNoClinic
	}
	out := make(bson.D, 0, len(filter)+1)
	out = append(out, bson.E{Key: ClinicField, Value: clinicID})
	for _, e := range filter {
		if e.Key == ClinicField {
			return nil, errors.New("store: filters may not name clinicId; the scope sets it")
		}
		out = append(out, e)
	}
	return out, nil
}

// stamp marshals doc and sets its clinicId to clinicID, whatever doc said.
func stamp(clinicID string, doc any) (bson.D, error) {
	if clinicID == "" {
		return nil, ErrNoClinic
	}
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	out := make(bson.D, 0, len(d)+1)
	for _, e := range d {
		if e.Key != ClinicField {
			out = append(out, e)
		}
	}
	return append(out, bson.E{Key: ClinicField, Value: clinicID}), nil
}

// checkUpdate refuses updates that would move a record to another clinic.
func checkUpdate(update bson.D) error {
	if names(update, ClinicField) {
		return errors.New("store: updates may not change clinicId")
	}
	return nil
}

// names reports whether any operator of update names field.
func names(update bson.D, field string) bool {
	for _, op := range update {
		fields, _ := op.Value.(bson.D)
		for _, f := range fields {
			if f.Key == field {
				return true
			}
		}
	}
	return false
}

// call runs fn with the driver collection and a per-call timeout, mapping
// driver errors into the error model.
func (c *Collection) call(ctx context.Context, fn func(ctx context.Context, coll *mongo.Collection) error) error {
	coll, err := c.raw(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := c.m.callCtx(ctx)
	defer cancel()
	return MapError(fn(ctx, coll))
}

// InsertOne stores doc in clinicID. A unique index violation is Conflict.
func (c *Collection) InsertOne(ctx context.Context, clinicID string, doc any) error {
	d, err := stamp(clinicID, doc)
	if err != nil {
		return err
	}
	return c.insert(ctx, d)
}

func (c *Collection) insert(ctx context.Context, stamped bson.D) error {
	return c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		_, err := coll.InsertOne(ctx, stamped)
		return err
	})
}

// FindOne decodes the first match into out; no match is NotFound.
func (c *Collection) FindOne(ctx context.Context, clinicID string, filter bson.D, out any, opts ...*options.FindOneOptions) error {
	f, err := scope(clinicID, filter)
	if err != nil {
		return err
	}
	return c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, f, opts...).Decode(out)
	})
}

// Get decodes the record with _id id into out when it is clinicID's; a
// missing record and another clinic's are both NotFound, and another
// clinic's data is never decoded. The filter sent is {_id} and nothing
// else: it is the only filter FerretDB hands down to its storage, which for
// any other (clinicId and _id included) decodes and tests every document of
// the collection, so a scoped read by id would cost more as the collection
// grows. Tenancy is checked on the document that comes back instead.
func (c *Collection) Get(ctx context.Context, clinicID, id string, out any) error {
	if clinicID == "" {
		return ErrNoClinic
	}
	raw, err := c.rawByID(ctx, id)
	if err != nil {
		return err
	}
	if owner, _ := raw.Lookup(ClinicField).StringValueOK(); owner != clinicID {
		return errs.E(errs.NotFound, "not found")
	}
	return MapError(bson.Unmarshal(raw, out))
}

// One is Get returning the record, or notFound (the caller's own words for
// it) when clinicID has none with that id.
func One[T any](ctx context.Context, c *Collection, clinicID, id string, notFound error) (T, error) {
	var v T
	err := c.Get(ctx, clinicID, id, &v)
	if errs.Is(err, errs.NotFound) {
		var zero T
		return zero, notFound
	}
	return v, err
}

func idFilter(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// rawByID reads the document with _id id, whoever's it is.
func (c *Collection) rawByID(ctx context.Context, id string) (bson.Raw, error) {
	var raw bson.Raw
	err := c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, idFilter(id)).Decode(&raw)
	})
	return raw, err
}

// updateByID applies update to the record with _id id, by that filter
// alone (see Get), and decodes the record after it into out when out is
// not nil. It checks no tenancy, so it stays inside the package: its callers
// have read the record as their clinic's first (ids and clinicId never
// change, so that read stays true) or wrote its id with the clinic in it.
func (c *Collection) updateByID(ctx context.Context, id string, update bson.D, out any) (matched bool, err error) {
	if err := checkUpdate(update); err != nil {
		return false, err
	}
	err = c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		if out != nil {
			err := coll.FindOneAndUpdate(ctx, idFilter(id), update, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(out)
			matched = err == nil
			return err
		}
		res, err := coll.UpdateOne(ctx, idFilter(id), update)
		matched = err == nil && res.MatchedCount > 0
		return err
	})
	return matched, err
}

// deleteByID removes the document with _id id (see updateByID for who may).
func (c *Collection) deleteByID(ctx context.Context, id string) error {
	return c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		_, err := coll.DeleteOne(ctx, idFilter(id))
		return err
	})
}

// Find decodes every match into out, a pointer to a slice.
func (c *Collection) Find(ctx context.Context, clinicID string, filter bson.D, out any, opts ...*options.FindOptions) error {
	f, err := scope(clinicID, filter)
	if err != nil {
		return err
	}
	return c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		cur, err := coll.Find(ctx, f, opts...)
		if err != nil {
			return err
		}
		return cur.All(ctx, out)
	})
}

// UpdateOne applies update to the first match and reports whether one matched.
func (c *Collection) UpdateOne(ctx context.Context, clinicID string, filter, update bson.D, opts ...*options.UpdateOptions) (matched bool, err error) {
	f, err := scope(clinicID, filter)
	if err != nil {
		return false, err
	}
	if err := checkUpdate(update); err != nil {
		return false, err
	}
	err = c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		res, err := coll.UpdateOne(ctx, f, update, opts...)
		if err == nil {
			matched = res.MatchedCount > 0 || res.UpsertedCount > 0
		}
		return err
	})
	return matched, err
}

// FindOneAndUpdate applies update atomically to the first match and decodes
// the document (after the update unless opts say otherwise); no match is NotFound.
func (c *Collection) FindOneAndUpdate(ctx context.Context, clinicID string, filter, update bson.D, out any, opts ...*options.FindOneAndUpdateOptions) error {
	f, err := scope(clinicID, filter)
	if err != nil {
		return err
	}
	if err := checkUpdate(update); err != nil {
		return err
	}
	opts = append([]*options.FindOneAndUpdateOptions{options.FindOneAndUpdate().SetReturnDocument(options.After)}, opts...)
	return c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOneAndUpdate(ctx, f, update, opts...).Decode(out)
	})
}

// DeleteOne removes the first match and reports whether one was removed.
func (c *Collection) DeleteOne(ctx context.Context, clinicID string, filter bson.D) (deleted bool, err error) {
	f, err := scope(clinicID, filter)
	if err != nil {
		return false, err
	}
	err = c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		res, err := coll.DeleteOne(ctx, f)
		if err == nil {
			deleted = res.DeletedCount > 0
		}
		return err
	})
	return deleted, err
}

// Count counts matches.
func (c *Collection) Count(ctx context.Context, clinicID string, filter bson.D) (n int64, err error) {
	f, err := scope(clinicID, filter)
	if err != nil {
		return 0, err
	}
	err = c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		n, err = coll.CountDocuments(ctx, f)
		return err
	})
	return n, err
}

// InsertMany stores docs in clinicID in order, in one round trip. On a unique
// violation it returns Conflict; the documents before the failing one stay
// written (ordered insert), and the caller cleans them up.
func (c *Collection) InsertMany(ctx context.Context, clinicID string, docs []any) error {
	stamped := make([]any, 0, len(docs))
	for _, d := range docs {
		s, err := stamp(clinicID, d)
		if err != nil {
			return err
		}
		stamped = append(stamped, s)
	}
	return c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		_, err := coll.InsertMany(ctx, stamped, options.InsertMany().SetOrdered(true))
		return err
	})
}

// DeleteMany removes every match and returns how many.
func (c *Collection) DeleteMany(ctx context.Context, clinicID string, filter bson.D) (n int64, err error) {
	f, err := scope(clinicID, filter)
	if err != nil {
		return 0, err
	}
	err = c.call(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		res, err := coll.DeleteMany(ctx, f)
		if err == nil {
			n = res.DeletedCount
		}
		return err
	})
	return n, err
}
