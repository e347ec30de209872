package patients

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

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
	// events, when set, hears of every stored change (WithEvents).
	events ChangeEvents
}

// ChangeEvents hears of each stored change of a record: its id, new
// version and the names of the top-level fields that changed (never their
// values). Its failures are its own: a change stands either way.
type ChangeEvents interface {
	PatientChanged(ctx context.Context, clinicID, patientID string, version int, fields []string)
}

// WithEvents turns on change events (the webhooks' patient.updated).
func (s *Store) WithEvents(e ChangeEvents) *Store {
	s.events = e
	return s
}

// eventTimeout bounds how long a change waits on its event.
const eventTimeout = 2 * time.Second

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
			// The new-patients report: a period's records in creation order.
			idx("createdAt", "_id"),
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
	var out, before Patient
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
			out, before = cur, cur
			return true, err
		}
		next.ID, next.ClinicID, next.CreatedAt = cur.ID, cur.ClinicID, cur.CreatedAt
		next.Version = cur.Version + 1
		next.UpdatedAt = s.clock.Now().UTC().Truncate(time.Millisecond)
		next.Search = keys(next)
		won, err := s.versions.Update(ctx, s.patients, clinicID, id, cur.Version, replacement(next), nil)
		if won {
			out, before = next, cur
		}
		return won, err
	})
	if err == nil && s.events != nil && out.Version != before.Version {
		ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), eventTimeout)
		defer cancel()
		s.events.PatientChanged(ectx, clinicID, id, out.Version, changedFields(before, out))
	}
	return out, err
}

// medicalFields are told apart from each other nowhere outside the
// record: a receiver hears "medicalHistory" changed, not which list.
var medicalFields = map[string]bool{"allergies": true, "medications": true, "conditions": true,
	"medicalHistoryUpdatedAt": true, "medicalHistoryUpdatedBy": true}

// changedFields names the stored top-level fields whose values differ
// between a and b (bookkeeping and search keys left out; the medical
// history's lists as one "medicalHistory").
func changedFields(a, b Patient) []string {
	values := func(p Patient) map[string]bson.RawValue {
		raw, err := bson.Marshal(p)
		out := map[string]bson.RawValue{}
		if err != nil {
			return out
		}
		elems, _ := bson.Raw(raw).Elements()
		for _, e := range elems {
			out[e.Key()] = e.Value()
		}
		return out
	}
	va, vb := values(a), values(b)
	fields := []string{}
	for _, k := range patientKeys {
		switch k {
		case "_id", store.ClinicField, "version", "updatedAt", "createdAt", "search":
			continue
		}
		x, inA := va[k]
		y, inB := vb[k]
		if inA == inB && (!inA || x.Equal(y)) {
			continue
		}
		if medicalFields[k] {
			k = "medicalHistory"
		}
		if !slices.Contains(fields, k) {
			fields = append(fields, k)
		}
	}
	return fields
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

// Created is a patient's id and when the record was made.
type Created struct {
	ID        string    `bson:"_id"`
	CreatedAt time.Time `bson:"createdAt"`
}

// CreatedBetween pages the patients (archived ones too) created in
// [from, to) in creation order, batch at a time, on the (clinicId,
// createdAt, _id) index: a period's new patients without reading the rest.
func (s *Store) CreatedBetween(ctx context.Context, clinicID string, from, to time.Time, batch int, each func([]Created) error) error {
	after := Created{CreatedAt: from}
	for first := true; ; first = false {
		keyset := bson.A{
			bson.D{{Key: "createdAt", Value: bson.D{{Key: "$gt", Value: after.CreatedAt}, {Key: "$lt", Value: to}}}},
			bson.D{{Key: "createdAt", Value: after.CreatedAt}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: after.ID}}}},
		}
		if first {
			keyset = bson.A{bson.D{{Key: "createdAt", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: to}}}}}
		}
		var page []Created
		opts := options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}).
			SetLimit(int64(batch)).SetProjection(bson.D{{Key: "createdAt", Value: 1}})
		if err := s.patients.Find(ctx, clinicID, bson.D{{Key: "$or", Value: keyset}}, &page, opts); err != nil {
			return err
		}
		if len(page) > 0 {
			if err := each(page); err != nil {
				return err
			}
		}
		if len(page) < batch {
			return nil
		}
		after = page[len(page)-1]
	}
}
