package plans

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Store keeps treatment plans and the claims on their groups' acceptance.
type Store struct {
	plans *store.Collection
	// acceptances holds one document per accepted group (_id: clinic and
	// group): the unique insert that lets exactly one option win.
	acceptances *store.Collection
	versions    *store.Versions
	clock       clock.Clock
	// afterWrite, when set (tests only), runs after a plan's change is
	// stored: where a crash would leave the follow-up work undone.
	afterWrite func(planID string) error
}

// maxListedPlans bounds one patient's list (a patient has a handful).
const maxListedPlans = 500

// NewStore declares the collections and their indexes, each led by
// clinicId (no I/O).
func NewStore(m *store.Mongo, c clock.Clock) *Store {
	idx := func(keys ...string) mongo.IndexModel {
		d := bson.D{{Key: store.ClinicField, Value: 1}}
		for _, k := range keys {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		return mongo.IndexModel{Keys: d}
	}
	return &Store{
		plans: m.Collection("treatment_plans",
			// A patient's plans, newest first, in one query.
			idx("patientId", "createdAt"),
			// The options of one problem.
			idx("groupId"),
		),
		acceptances: m.Collection("plan_acceptances"),
		versions:    store.NewVersions(m, c),
		clock:       c,
	}
}

// EnsureIndexes creates the declared indexes now (deploy helpers, tests).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	return s.plans.EnsureIndexes(ctx)
}

func (s *Store) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

var errPlanNotFound = errs.E(errs.NotFound, "treatment plan not found")

func (s *Store) insert(ctx context.Context, clinicID string, r record) error {
	return s.plans.InsertOne(ctx, clinicID, r)
}

// get is plan id of clinicID; another clinic's is NotFound.
func (s *Store) get(ctx context.Context, clinicID, id string) (record, error) {
	if !ids.Valid(id) {
		return record{}, errPlanNotFound
	}
	return store.One[record](ctx, s.plans, clinicID, id, errPlanNotFound)
}

// list is patientID's plans, newest first, drafts only when withDrafts:
// one query, on the (clinicId, patientId, createdAt) index.
func (s *Store) list(ctx context.Context, clinicID, patientID string, withDrafts bool) ([]record, error) {
	f := bson.D{{Key: "patientId", Value: patientID}}
	if !withDrafts {
		f = append(f, bson.E{Key: "status", Value: bson.D{{Key: "$ne", Value: StatusDraft}}})
	}
	out := []record{}
	opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(maxListedPlans)
	return out, s.plans.Find(ctx, clinicID, f, &out, opts)
}

// group is the plans of group groupID.
func (s *Store) group(ctx context.Context, clinicID, groupID string) ([]record, error) {
	var out []record
	return out, s.plans.Find(ctx, clinicID, bson.D{{Key: "groupId", Value: groupID}}, &out)
}

var errPlanBusy = errs.E(errs.Conflict, "the treatment plan is being changed by someone else; try again")

// change applies fn to plan id and stores the result, once (store.Versions):
// of two racing changes one applies first and the other is re-applied to
// its result, where fn judges it again (a transition that no longer
// applies fails there with fn's Conflict). fn's errors are returned as
// they are.
func (s *Store) change(ctx context.Context, clinicID, id string, fn func(r *record) error) (record, error) {
	var out record
	err := store.Retry(ctx, errPlanBusy, func() (bool, error) {
		cur, err := s.get(ctx, clinicID, id)
		if err != nil {
			return false, err
		}
		next := cur
		next.Items = append([]item(nil), cur.Items...)
		if err := fn(&next); err != nil {
			if errors.Is(err, errUnchanged) {
				out = cur
				return true, nil
			}
			return false, err
		}
		next.ID, next.ClinicID, next.PatientID, next.GroupID = cur.ID, cur.ClinicID, cur.PatientID, cur.GroupID
		next.CreatedAt, next.CreatedBy = cur.CreatedAt, cur.CreatedBy
		next.UpdatedAt = s.now()
		next.total()
		won, err := s.versions.Update(ctx, s.plans, clinicID, id, cur.Version, replacement(next), nil)
		if won {
			next.Version = cur.Version + 1
			out = next
		}
		return won, err
	})
	if err == nil && s.afterWrite != nil {
		err = s.afterWrite(id)
	}
	return out, err
}

// replacement is the update that makes a stored plan r (but its _id,
// clinic and version, which Versions increments). record has no omitempty
// field, so $set of every field leaves nothing of the old record behind.
func replacement(r record) bson.D {
	raw, err := bson.Marshal(r)
	var doc bson.D
	if err == nil {
		err = bson.Unmarshal(raw, &doc)
	}
	if err != nil {
		// A record always marshals; a failure here is a programming error.
		panic(fmt.Sprintf("plans: marshal record: %v", err))
	}
	set := bson.D{}
	for _, e := range doc {
		if e.Key != "_id" && e.Key != store.ClinicField && e.Key != "version" {
			set = append(set, e)
		}
	}
	return bson.D{{Key: "$set", Value: set}}
}

// bsonSet is a $set of the name/value pairs.
func bsonSet(pairs ...any) bson.D {
	set := bson.D{}
	for i := 0; i+1 < len(pairs); i += 2 {
		set = append(set, bson.E{Key: pairs[i].(string), Value: pairs[i+1]})
	}
	return bson.D{{Key: "$set", Value: set}}
}

// acceptance is the claim of a group's acceptance by one of its plans.
type acceptance struct {
	ID      string    `bson:"_id"`
	GroupID string    `bson:"groupId"`
	PlanID  string    `bson:"planId"`
	At      time.Time `bson:"at"`
}

func acceptanceID(clinicID, groupID string) string { return clinicID + ":" + groupID }

// claimLease is how long an acceptance claim holds while its plan is not
// yet accepted: longer than any request lives, so only a claim whose
// writer died is taken over.
const claimLease = store.VersionLease

var errGroupDecided = errs.E(errs.Conflict, "another option for this problem has been accepted")

// claimGroup claims group groupID's acceptance for planID: exactly one plan
// of a group wins, however many race. A claim is held by its plan while the
// plan is accepted, or while its acceptance may still be in flight (the
// claim is younger than the lease). It is taken over from a plan that was
// rejected (rejection is final, so that plan can never be accepted) and
// from a stale claim (its writer died before the plan moved), also the
// caller's own: a stale claim is dropped and claimed afresh, which again
// only one caller can win. Otherwise the holder's id and errGroupDecided.
func (s *Store) claimGroup(ctx context.Context, clinicID, groupID, planID string) (holder string, err error) {
	id := acceptanceID(clinicID, groupID)
	for range 4 {
		err := s.acceptances.InsertOne(ctx, clinicID, acceptance{ID: id, GroupID: groupID, PlanID: planID, At: s.now()})
		if !errs.Is(err, errs.Conflict) {
			return "", err
		}
		var held acceptance
		err = s.acceptances.Get(ctx, clinicID, id, &held)
		if errs.Is(err, errs.NotFound) {
			continue // dropped meanwhile: claim again
		}
		if err != nil {
			return "", err
		}
		fresh := s.clock.Now().Sub(held.At) < claimLease
		if held.PlanID == planID && fresh {
			return "", nil // this plan's acceptance, retried or doubled
		}
		other, err := s.get(ctx, clinicID, held.PlanID)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return "", err
		}
		if err == nil && (accepted(other.Status) || fresh && other.Status != StatusRejected) {
			return held.PlanID, errGroupDecided
		}
		// Drop exactly the claim read (a racing taker's fresh one differs
		// in plan or time) and claim again.
		if _, err := s.acceptances.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}, {Key: "planId", Value: held.PlanID}, {Key: "at", Value: held.At}}); err != nil {
			return "", err
		}
	}
	return "", errGroupDecided
}
