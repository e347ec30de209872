package patients

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/store"
)

// Store keeps patient records.
type Store struct {
	patients *store.Collection
	clock    clock.Clock
}

// NewStore declares the collection and the indexes its screens query by.
func NewStore(m *store.Mongo, c clock.Clock) *Store {
	idx := func(keys ...string) mongo.IndexModel {
		d := bson.D{{Key: "clinicId", Value: 1}}
		for _, k := range keys {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		return mongo.IndexModel{Keys: d}
	}
	return &Store{
		patients: m.Collection("patients",
			idx("search.lastName", "search.firstName"),
			idx("search.firstName"),
			idx("search.phone"),
			idx("search.email"),
		),
		clock: c,
	}
}

// Create stores a new patient record in clinicID with the given id.
func (s *Store) Create(ctx context.Context, clinicID string, p Patient) (Patient, error) {
	now := s.clock.Now()
	p.ClinicID, p.CreatedAt, p.UpdatedAt = clinicID, now, now
	if p.Status == "" {
		p.Status = "active"
	}
	p.Search = keys(p)
	return p, s.patients.InsertOne(ctx, clinicID, p)
}

// Get returns one patient of clinicID.
func (s *Store) Get(ctx context.Context, clinicID, id string) (Patient, error) {
	var p Patient
	return p, s.patients.FindOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}}, &p)
}

// Delete removes a record. Only for undoing a half-finished portal sign-up;
// patients are archived, never deleted.
func (s *Store) Delete(ctx context.Context, clinicID, id string) error {
	_, err := s.patients.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}})
	return err
}
