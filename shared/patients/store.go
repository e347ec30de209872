package patients

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Store keeps patient records.
type Store struct {
	patients *store.Collection
	// versions makes each change of a record apply once (store.Versions).
	versions *store.Versions
	clock    clock.Clock
	// afterClaim, when set (tests only), runs between winning a version
	// claim and writing the change: where a crash would leave a claim behind.
	afterClaim func(patientID string, version int) error
}

// claimLease is how long a version claim holds before another writer may
// take over.
const claimLease = store.VersionLease

// NewStore declares the collections and the indexes the screens query by,
// each led by clinicId (no I/O).
func NewStore(m *store.Mongo, c clock.Clock) *Store {
	idx := func(keys ...string) mongo.IndexModel {
		d := bson.D{{Key: store.ClinicField, Value: 1}}
		for _, k := range keys {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		return mongo.IndexModel{Keys: d}
	}
	s := &Store{
		patients: m.Collection("patients",
			// The patient list: active (or archived) patients by name, and
			// every patient by name for ?status=all.
			idx("status", "search.sortName", "_id"),
			idx("search.sortName", "_id"),
			// ?q=: anchored prefixes on the normalized words, phone
			// suffixes and e-mail.
			idx("status", "search.names"),
			idx("status", "search.phones"),
			idx("status", "search.email"),
			// ?recallDue=: due dates in order.
			idx("status", "recall.dueDate", "_id"),
			// ?familyOf= and the "is anyone's guarantor" check.
			idx("guarantorId"),
		),
		versions: store.NewVersions(m, c),
		clock:    c,
	}
	// The package's tests set afterClaim after construction.
	s.versions.SetAfterClaim(func(_, id string, version int) error {
		if s.afterClaim == nil {
			return nil
		}
		return s.afterClaim(id, version)
	})
	return s
}

// EnsureIndexes creates the declared indexes now (deploy helpers, tests).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	return s.patients.EnsureIndexes(ctx)
}

// Create stores a new patient record in clinicID with the given id, with
// the defaults a new patient has (active, 6-month recall, reminders on,
// marketing off). Callers validate; the portal sign-up calls this too.
func (s *Store) Create(ctx context.Context, clinicID string, p Patient) (Patient, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	p.ClinicID, p.CreatedAt, p.UpdatedAt, p.Version = clinicID, now, now, 0
	if p.ID == "" {
		p.ID = ids.New()
	}
	if p.Status == "" {
		p.Status = StatusActive
	}
	if p.Recall.IntervalMonths <= 0 {
		p.Recall.IntervalMonths = DefaultRecallMonths
	}
	if p.Communication == nil {
		p.Communication = &Communication{AppointmentReminders: true}
	}
	p.Search = keys(p)
	return p, s.patients.InsertOne(ctx, clinicID, p)
}

// Get returns one patient of clinicID; another clinic's id is NotFound.
func (s *Store) Get(ctx context.Context, clinicID, id string) (Patient, error) {
	if !ids.Valid(id) {
		return Patient{}, errNotFound
	}
	return store.One[Patient](ctx, s.patients, clinicID, id, errNotFound)
}

var errNotFound = errs.E(errs.NotFound, "patient not found")

// Delete removes a record. Only for undoing a half-finished portal sign-up;
// patients are archived, never deleted.
func (s *Store) Delete(ctx context.Context, clinicID, id string) error {
	_, err := s.patients.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}})
	return err
}

// Archive sets a record's status to archived (nothing is deleted). It
// reports whether this call archived it (false: it already was).
func (s *Store) Archive(ctx context.Context, clinicID, id string) (Patient, bool, error) {
	archived := false
	p, err := s.update(ctx, clinicID, id, func(p *Patient) (bool, error) {
		archived = p.Status != StatusArchived
		p.Status = StatusArchived
		return archived, nil
	})
	return p, archived, err
}

// RecordHygieneVisit moves a patient's recall after a completed hygiene
// visit: recall.lastHygieneVisit becomes visitDate (only when it is newer
// than the one on file) and recall.dueDate visitDate plus intervalMonths
// (when not positive, the patient's own interval, else 6). The scheduling
// group calls it when a hygiene appointment completes.
func (s *Store) RecordHygieneVisit(ctx context.Context, clinicID, patientID string, visitDate string, intervalMonths int) error {
	if _, ok := parseDate(visitDate); !ok {
		return errs.InvalidFields(errs.FieldError{Field: "visitDate", Message: "must be a date YYYY-MM-DD"})
	}
	_, err := s.update(ctx, clinicID, patientID, func(p *Patient) (bool, error) {
		// Dates as YYYY-MM-DD order as strings.
		if p.Recall.LastHygieneVisit != "" && p.Recall.LastHygieneVisit >= visitDate {
			return false, nil
		}
		months := intervalMonths
		if months <= 0 {
			months = p.Recall.IntervalMonths
		}
		due, err := dueDate(visitDate, months)
		if err != nil {
			return false, err
		}
		p.Recall.LastHygieneVisit, p.Recall.DueDate = visitDate, due
		if p.Recall.IntervalMonths <= 0 {
			p.Recall.IntervalMonths = DefaultRecallMonths
		}
		return true, nil
	})
	return err
}

var errBusy = errs.E(errs.Conflict, "the patient record is being changed by someone else; try again")

// update applies change to the current record and stores it, once (see
// store.Versions): of two concurrent changes one applies first and the
// other is re-applied to its result, so nothing is lost and the search keys
// always match the names stored. change reports whether it changed
// anything; errors it returns are returned as they are. UpdatedAt and the
// search keys are set here.
func (s *Store) update(ctx context.Context, clinicID, id string, change func(p *Patient) (bool, error)) (Patient, error) {
	var out Patient
	err := store.Retry(ctx, errBusy, func() (bool, error) {
		cur, err := s.Get(ctx, clinicID, id)
		if err != nil {
			return false, err
		}
		next := cur
		if next.Communication != nil {
			c := *next.Communication
			next.Communication = &c
		}
		changed, err := change(&next)
		if err != nil || !changed {
			out = cur
			return true, err
		}
		next.ID, next.ClinicID, next.CreatedAt = cur.ID, cur.ClinicID, cur.CreatedAt
		next.Version = cur.Version + 1
		next.UpdatedAt = s.clock.Now().UTC().Truncate(time.Millisecond)
		next.Search = keys(next)
		won, err := s.versions.Update(ctx, s.patients, clinicID, id, cur.Version, replacement(next), nil)
		if won {
			out = next
		}
		return won, err
	})
	return out, err
}

// patientKeys are the top-level stored field names of Patient.
var patientKeys = func() []string {
	var out []string
	t := reflect.TypeFor[Patient]()
	for i := range t.NumField() {
		out = append(out, strings.Split(t.Field(i).Tag.Get("bson"), ",")[0])
	}
	return out
}()

// replacement is the update that makes a record exactly p: every field it
// has is set, every field it lacks (omitted when empty) is unset. The
// version is left to store.Versions, which increments it.
func replacement(p Patient) bson.D {
	raw, err := bson.Marshal(p)
	var doc bson.D
	if err == nil {
		err = bson.Unmarshal(raw, &doc)
	}
	if err != nil {
		// Patient always marshals; a failure here is a programming error.
		panic(fmt.Sprintf("patients: marshal record: %v", err))
	}
	set, present := bson.D{}, map[string]bool{}
	for _, e := range doc {
		present[e.Key] = true
		if e.Key != "_id" && e.Key != store.ClinicField && e.Key != "version" {
			set = append(set, e)
		}
	}
	unset := bson.D{}
	for _, k := range patientKeys {
		if !present[k] {
			unset = append(unset, bson.E{Key: k, Value: ""})
		}
	}
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	return update
}
