package patients

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/backoff"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Store keeps patient records.
type Store struct {
	patients *store.Collection
	// versions holds one claim per (patient, version, generation): an insert
	// into its unique _id is the only atomic "first writer wins" FerretDB
	// offers, so every change of a record claims the version it starts from.
	versions *store.Collection
	clock    clock.Clock
	// afterClaim, when set (tests only), runs between winning a version
	// claim and writing the change: where a crash would leave a claim behind.
	afterClaim func(patientID string, version int) error
}

// claimLease is how long a version claim holds before another writer may
// take over: longer than any request lives (functions time out at 10 s), so
// only a writer that died mid-change loses its claim.
const claimLease = 30 * time.Second

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
	return &Store{
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
		versions: m.Collection("patient_versions", idx("patientId", "version")),
		clock:    c,
	}
}

// EnsureIndexes creates the declared indexes now (deploy helpers, tests).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := s.patients.EnsureIndexes(ctx); err != nil {
		return err
	}
	return s.versions.EnsureIndexes(ctx)
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
	var p Patient
	if !ids.Valid(id) {
		return p, errNotFound
	}
	err := s.patients.FindOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}}, &p)
	if errs.Is(err, errs.NotFound) {
		return p, errNotFound
	}
	return p, err
}

var errNotFound = errs.E(errs.NotFound, "patient not found")

// Delete removes a record. Only for undoing a half-finished portal sign-up;
// patients are archived, never deleted.
func (s *Store) Delete(ctx context.Context, clinicID, id string) error {
	_, err := s.patients.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}})
	return err
}

// Query narrows a patient list. Zero fields do not filter, except Status,
// which defaults to active.
type Query struct {
	// Text is a search: every word must be the start of a name word, of the
	// e-mail address, or (digits) of the phone number's digits.
	Text string
	// Status is active (default), archived or all.
	Status string
	// RecallDue lists patients whose recall is due on or before this date,
	// soonest first.
	RecallDue string
	// FamilyOf lists the family of this patient: their guarantor and every
	// patient with that guarantor (or, for a guarantor, themself and every
	// patient they guarantee).
	FamilyOf string
	// OnlyID narrows the list to one patient (a patient's own view).
	OnlyID string
}

// List returns one page of clinicID's patients matching q, by name (or by
// recall due date when q.RecallDue is set).
func (s *Store) List(ctx context.Context, clinicID string, q Query, page store.PageRequest) (store.Page[Patient], error) {
	filter, err := s.filter(ctx, clinicID, q)
	if err != nil {
		return store.Page[Patient]{Items: []Patient{}}, err
	}
	sort := store.Sort{Field: "search.sortName"}
	if q.RecallDue != "" {
		sort = store.Sort{Field: "recall.dueDate"}
	}
	return store.FindPage[Patient](ctx, s.patients, clinicID, filter, sort, page)
}

func (s *Store) filter(ctx context.Context, clinicID string, q Query) (bson.D, error) {
	f := bson.D{}
	switch q.Status {
	case "", StatusActive:
		f = append(f, bson.E{Key: "status", Value: StatusActive})
	case StatusArchived:
		f = append(f, bson.E{Key: "status", Value: StatusArchived})
	case "all":
	default:
		return nil, errs.InvalidFields(errs.FieldError{Field: "status", Message: "must be active, archived or all"})
	}
	if q.OnlyID != "" {
		f = append(f, bson.E{Key: "_id", Value: q.OnlyID})
	}
	var and bson.A
	if q.Text != "" {
		conds, err := textFilter(q.Text)
		if err != nil {
			return nil, err
		}
		and = append(and, conds...)
	}
	if q.RecallDue != "" {
		if _, ok := parseDate(q.RecallDue); !ok {
			return nil, errs.InvalidFields(errs.FieldError{Field: "recallDue", Message: "must be a date YYYY-MM-DD"})
		}
		f = append(f, bson.E{Key: "recall.dueDate", Value: bson.D{{Key: "$lte", Value: q.RecallDue}}})
	}
	if q.FamilyOf != "" {
		p, err := s.Get(ctx, clinicID, q.FamilyOf)
		if err != nil {
			return nil, err
		}
		head := p.ID
		if p.GuarantorID != "" {
			head = p.GuarantorID
		}
		and = append(and, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "_id", Value: head}},
			bson.D{{Key: "guarantorId", Value: head}},
		}}})
	}
	if len(and) > 0 {
		f = append(f, bson.E{Key: "$and", Value: and})
	}
	return f, nil
}

// Search limits keep one query cheap.
const (
	maxQueryLen   = 100
	maxQueryWords = 6
)

// textFilter turns a search into anchored, escaped prefix matches on the
// normalized fields. A query of only digits and phone punctuation is one
// phone number ("555 01" is 55501); otherwise each word must match the start
// of a name word or of the e-mail address (or, if it is a number, of the
// phone's digits), so "ana sil" finds Ana Silva and "jo" finds João.
func textFilter(text string) (bson.A, error) {
	text = strings.TrimSpace(text)
	if len([]rune(text)) > maxQueryLen {
		return nil, errs.InvalidFields(errs.FieldError{Field: "q", Message: fmt.Sprintf("must be at most %d characters", maxQueryLen)})
	}
	prefix := func(s string) bson.D { return bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(s)}} }
	if digits := Digits(text); digits != "" && validPhoneQuery(text) {
		return bson.A{bson.D{{Key: "search.phones", Value: prefix(digits)}}}, nil
	}
	words := strings.Fields(Fold(text))
	if len(words) > maxQueryWords {
		return nil, errs.InvalidFields(errs.FieldError{Field: "q", Message: fmt.Sprintf("must be at most %d words", maxQueryWords)})
	}
	var out bson.A
	for _, w := range words {
		alts := bson.A{bson.D{{Key: "search.email", Value: prefix(w)}}}
		if n := lettersOnly(w); n != "" {
			alts = append(alts, bson.D{{Key: "search.names", Value: prefix(n)}})
		}
		if d := Digits(w); d != "" && d == w {
			alts = append(alts, bson.D{{Key: "search.phones", Value: prefix(d)}})
		}
		out = append(out, bson.D{{Key: "$or", Value: alts}})
	}
	return out, nil
}

// validPhoneQuery reports whether s is only digits and phone punctuation.
func validPhoneQuery(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune(" +-().", r) {
			return false
		}
	}
	return true
}

// reindexBatch is how many records Reindex reads per query.
const reindexBatch = 500

// Reindex computes the search keys of clinicID's records stored before
// these keys existed (they have no search.sortName), so they show in lists
// and search. It is idempotent; the local stack's kept data and a deploy
// helper can run it once per clinic. It reports how many it fixed.
func (s *Store) Reindex(ctx context.Context, clinicID string) (int, error) {
	missing := bson.E{Key: "search.sortName", Value: bson.D{{Key: "$exists", Value: false}}}
	fixed := 0
	for {
		var batch []Patient
		if err := s.patients.Find(ctx, clinicID, bson.D{missing}, &batch, options.Find().SetLimit(reindexBatch)); err != nil {
			return fixed, err
		}
		for _, p := range batch {
			// Only while still unindexed: a change made meanwhile has set the
			// keys from newer names.
			ok, err := s.patients.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: p.ID}, missing},
				bson.D{{Key: "$set", Value: bson.D{{Key: "search", Value: keys(p)}}}})
			if err != nil {
				return fixed, err
			}
			if ok {
				fixed++
			}
		}
		if len(batch) < reindexBatch {
			return fixed, nil
		}
	}
}

// IsGuarantor reports whether any patient of clinicID names id as guarantor.
func (s *Store) IsGuarantor(ctx context.Context, clinicID, id string) (bool, error) {
	n, err := s.patients.Count(ctx, clinicID, bson.D{{Key: "guarantorId", Value: id}})
	return n > 0, err
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

// maxUpdateAttempts bounds how often a change is re-applied to a fresher
// copy when other changes of the same record win the race.
const maxUpdateAttempts = 10

// update applies change to the current record and stores it, once: the
// change claims the version it was computed from, so of two concurrent
// changes one applies first and the other is re-applied to its result
// (nothing is lost, and the search keys always match the names stored).
// change reports whether it changed anything; errors it returns are
// returned as they are. UpdatedAt and the search keys are set here.
func (s *Store) update(ctx context.Context, clinicID, id string, change func(p *Patient) (bool, error)) (Patient, error) {
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		if attempt > 0 {
			if err := backoff.Sleep(ctx, attempt, retryBase, retryMax); err != nil {
				return Patient{}, err
			}
		}
		cur, err := s.Get(ctx, clinicID, id)
		if err != nil {
			return Patient{}, err
		}
		next := cur
		if next.Communication != nil {
			c := *next.Communication
			next.Communication = &c
		}
		changed, err := change(&next)
		if err != nil || !changed {
			return cur, err
		}
		next.ID, next.ClinicID, next.CreatedAt = cur.ID, cur.ClinicID, cur.CreatedAt
		next.Version = cur.Version + 1
		next.UpdatedAt = s.clock.Now().UTC().Truncate(time.Millisecond)
		next.Search = keys(next)
		won, err := s.claimVersion(ctx, clinicID, cur)
		if err != nil {
			return Patient{}, err
		}
		if !won {
			continue
		}
		if s.afterClaim != nil {
			if err := s.afterClaim(id, cur.Version); err != nil {
				return Patient{}, err
			}
		}
		matched, err := s.patients.UpdateOne(ctx, clinicID, versionFilter(cur), replacement(next))
		if err != nil {
			return Patient{}, err
		}
		if matched {
			// Claims of versions before this one can never be needed again.
			_, _ = s.versions.DeleteMany(context.WithoutCancel(ctx), clinicID, bson.D{
				{Key: "patientId", Value: id}, {Key: "version", Value: bson.D{{Key: "$lt", Value: next.Version}}}})
			return next, nil
		}
	}
	return Patient{}, errs.E(errs.Conflict, "the patient record is being changed by someone else; try again")
}

// versionFilter matches p's record while it is still at p's version
// (records from before versioning have none: they are version 0).
func versionFilter(p Patient) bson.D {
	if p.Version == 0 {
		return bson.D{{Key: "_id", Value: p.ID}, {Key: "$or", Value: bson.A{
			bson.D{{Key: "version", Value: 0}},
			bson.D{{Key: "version", Value: bson.D{{Key: "$exists", Value: false}}}},
		}}}
	}
	return bson.D{{Key: "_id", Value: p.ID}, {Key: "version", Value: p.Version}}
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
// has is set, every field it lacks (omitted when empty) is unset.
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
		if e.Key != "_id" && e.Key != store.ClinicField {
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

type versionClaim struct {
	ID         string    `bson:"_id"`
	PatientID  string    `bson:"patientId"`
	Version    int       `bson:"version"`
	Generation int       `bson:"generation"`
	At         time.Time `bson:"at"`
}

// maxGenerations bounds the take-overs of one version's claim.
const maxGenerations = 20

// claimVersion claims the right to move p from its version to the next. A
// claim whose writer died before writing (older than the lease, the record
// still at that version) is taken over by claiming the next generation of
// the same version, which again only one writer can win.
func (s *Store) claimVersion(ctx context.Context, clinicID string, p Patient) (bool, error) {
	for gen := 0; gen < maxGenerations; gen++ {
		c := versionClaim{ID: fmt.Sprintf("%s:%d:%d", p.ID, p.Version, gen), PatientID: p.ID, Version: p.Version, Generation: gen,
			At: s.clock.Now().UTC().Truncate(time.Millisecond)}
		err := s.versions.InsertOne(ctx, clinicID, c)
		if err == nil {
			return true, nil
		}
		if !errs.Is(err, errs.Conflict) {
			return false, err
		}
		var held versionClaim
		err = s.versions.FindOne(ctx, clinicID, bson.D{{Key: "_id", Value: c.ID}}, &held)
		if errs.Is(err, errs.NotFound) {
			return false, nil // released since: start over from a fresh read
		}
		if err != nil {
			return false, err
		}
		if s.clock.Now().Sub(held.At) < claimLease {
			return false, nil // a live writer holds it
		}
	}
	return false, nil
}

// An update that lost a version race waits below a ceiling that doubles per
// attempt from retryBase up to retryMax before it re-applies its change.
const (
	retryBase = 5 * time.Millisecond
	retryMax  = 200 * time.Millisecond
)
