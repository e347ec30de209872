package chart

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Store keeps chart entries and perio exams.
type Store struct {
	entries *store.Collection
	exams   *store.Collection
	clock   clock.Clock
	seal    *seal.Keys
}

// Collections.
const (
	entriesName = "chart_entries"
	examsName   = "perio_exams"
)

// NewStore declares the collections and indexes (no I/O).
func NewStore(m *store.Mongo, c clock.Clock, k *seal.Keys) *Store {
	idx := func(unique bool, keys ...string) mongo.IndexModel {
		d := bson.D{{Key: store.ClinicField, Value: 1}}
		for _, key := range keys {
			d = append(d, bson.E{Key: key, Value: 1})
		}
		ix := mongo.IndexModel{Keys: d}
		if unique {
			ix.Options = options.Index().SetUnique(true)
		}
		return ix
	}
	return &Store{
		entries: m.Collection(entriesName,
			// A patient's chart is one read of this index, in order.
			idx(false, "patientId", "recordedAt"),
			// Each entry claims the next place in its patient's chart with
			// an insert: of two appends that judged the same chart, one
			// wins and the other judges again (FerretDB has no
			// transactions, and a unique index holds under races).
			idx(true, "patientId", "seq"),
		),
		exams: m.Collection(examsName, idx(false, "patientId", "recordedAt")),
		clock: c,
		seal:  k,
	}
}

// EnsureIndexes creates the declared indexes now (deploy helpers, tests).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := s.entries.EnsureIndexes(ctx); err != nil {
		return err
	}
	return s.exams.EnsureIndexes(ctx)
}

// entryDoc is an entry as stored.
type entryDoc struct {
	ID         string    `bson:"_id"`
	ClinicID   string    `bson:"clinicId"`
	PatientID  string    `bson:"patientId"`
	Seq        int64     `bson:"seq"`
	Tooth      string    `bson:"tooth"`
	Surfaces   []string  `bson:"surfaces"`
	Kind       string    `bson:"kind"`
	Status     string    `bson:"status"`
	Code       string    `bson:"code,omitempty"`
	ProviderID string    `bson:"providerId,omitempty"`
	RecordedBy string    `bson:"recordedBy,omitempty"`
	RecordedAt time.Time `bson:"recordedAt"`
	Note       seal.Text `bson:"note,omitempty"`
	Supersedes string    `bson:"supersedes,omitempty"`
}

func noteWhere(id string) string { return entriesName + "/" + id + "/note" }

func (s *Store) toDoc(e Entry) (entryDoc, error) {
	note, err := s.seal.Seal(e.Note, noteWhere(e.ID))
	if err != nil {
		return entryDoc{}, err
	}
	return entryDoc{ID: e.ID, PatientID: e.PatientID, Seq: e.seq, Tooth: e.Tooth, Surfaces: nonNil(e.Surfaces),
		Kind: e.Kind, Status: e.Status, Code: e.Code, ProviderID: e.ProviderID, RecordedBy: e.RecordedBy,
		RecordedAt: e.RecordedAt, Note: note, Supersedes: e.Supersedes}, nil
}

func (s *Store) fromDoc(d entryDoc) (Entry, error) {
	note, err := s.seal.Open(d.Note, noteWhere(d.ID))
	if err != nil {
		return Entry{}, errs.Wrap(errs.Internal, fmt.Errorf("chart entry %s: %w", d.ID, err), "internal error")
	}
	return Entry{ID: d.ID, PatientID: d.PatientID, seq: d.Seq, Tooth: d.Tooth, Surfaces: nonNil(d.Surfaces),
		Kind: d.Kind, Status: d.Status, Code: d.Code, ProviderID: d.ProviderID, RecordedBy: d.RecordedBy,
		RecordedAt: d.RecordedAt.UTC(), Note: note, Supersedes: d.Supersedes}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// read is patientID's entries recorded by asOf (all of them when asOf is
// zero), in recording order: one query, on the (clinicId, patientId,
// recordedAt) index. Without notes, the notes are neither read nor opened
// (judging an entry needs none of them).
func (s *Store) read(ctx context.Context, clinicID, patientID string, asOf time.Time, notes bool) ([]Entry, error) {
	filter := bson.D{{Key: "patientId", Value: patientID}}
	if !asOf.IsZero() {
		filter = append(filter, bson.E{Key: "recordedAt", Value: bson.D{{Key: "$lte", Value: asOf}}})
	}
	var docs []entryDoc
	opts := options.Find().SetSort(bson.D{{Key: "recordedAt", Value: 1}, {Key: "seq", Value: 1}})
	if !notes {
		opts.SetProjection(bson.D{{Key: "note", Value: 0}})
	}
	if err := s.entries.Find(ctx, clinicID, filter, &docs, opts); err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(docs))
	for _, d := range docs {
		e, err := s.fromDoc(d)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// entry is one stored entry of clinicID.
func (s *Store) entry(ctx context.Context, clinicID, id string) (Entry, error) {
	d, err := store.One[entryDoc](ctx, s.entries, clinicID, id, errs.E(errs.NotFound, "chart entry not found"))
	if err != nil {
		return Entry{}, err
	}
	return s.fromDoc(d)
}

// Chart is patientID's chart as of asOf: every entry recorded by then, in
// recording order, each with what superseded it by then.
func (s *Store) Chart(ctx context.Context, clinicID, patientID string, asOf time.Time) ([]Charted, error) {
	entries, err := s.read(ctx, clinicID, patientID, asOf, true)
	if err != nil {
		return nil, err
	}
	return derive(entries, asOf), nil
}

// judged is an entry judged against its patient's chart, ready to store
// (or, for a retried append, the entry already stored under its id).
type judged struct {
	entry  Entry
	stored bool
	// missing is set when the entry is refused for a missing tooth: the
	// entry in effect that made the tooth missing.
	missing *Entry
}

var errBusy = errs.E(errs.Conflict, "the chart is being changed by someone else; try again")

// prepare fills in what an entry gets once, before any judging, so every
// retry stores the same entry: its id and the time it was recorded.
func (s *Store) prepare(e Entry) Entry {
	e.Surfaces = slices.Clone(e.Surfaces)
	if e.ID == "" {
		e.ID = ids.New()
	}
	if e.RecordedAt.IsZero() {
		e.RecordedAt = s.clock.Now()
	}
	e.RecordedAt = e.RecordedAt.UTC().Truncate(time.Millisecond)
	return e
}

// judge validates e (400 with field details) and judges it against its
// patient's chart as stored now: a correction must name an entry of the
// same patient (400), and a restoration cannot go on a tooth that is
// missing when it is recorded (422). e must be prepared.
func (s *Store) judge(ctx context.Context, clinicID string, e Entry) (judged, error) {
	if err := validate(&e); err != nil {
		return judged{}, err
	}
	if !ids.Valid(e.PatientID) {
		return judged{}, errs.InvalidFields(errs.FieldError{Field: "patientId", Message: "must be a patient id"})
	}
	all, err := s.read(ctx, clinicID, e.PatientID, time.Time{}, false)
	if err != nil {
		return judged{}, err
	}
	var last int64
	found := false
	for _, x := range all {
		if x.ID == e.ID {
			// A retry of an append that was stored: the entry as it is,
			// note and all.
			stored, err := s.entry(ctx, clinicID, x.ID)
			return judged{entry: stored, stored: true}, err
		}
		found = found || x.ID == e.Supersedes
		last = max(last, x.seq)
	}
	if e.Supersedes != "" && !found {
		return judged{}, errs.InvalidFields(errs.FieldError{Field: "supersedes", Message: "is not an entry of this patient's chart"})
	}
	if slices.Contains(restorations, e.Kind) {
		if m, ok := missingTooth(derive(all, e.RecordedAt), e.Tooth, e.Supersedes); ok {
			return judged{entry: e, missing: &m}, errMissing(e, m)
		}
	}
	e.seq = last + 1
	return judged{entry: e}, nil
}

func errMissing(e, m Entry) error {
	name := "tooth " + e.Tooth
	if f := FDIOf(e.Tooth); f != "" {
		name += " (FDI " + f + ")"
	}
	return errs.E(errs.Unprocessable, "%s is missing on the chart (entry %s): a %s cannot be placed on it; chart an implant or a bridge pontic, or correct the chart by superseding that entry",
		name, m.ID, e.Kind)
}

// Append validates and stores one entry; an entry whose ID is already
// stored is returned as it is (idempotent). Errors: errs.Invalid with
// field details; errs.Unprocessable for a restoration on a missing tooth.
func (s *Store) Append(ctx context.Context, clinicID string, e Entry) (Entry, error) {
	return s.append(ctx, clinicID, s.prepare(e), nil)
}

// append stores prepared entry e, judging it against the chart each round
// (first, when set, is the first round's judgement, already made by the
// caller). A round that loses the race for the chart's next place judges
// again on the fresher chart, so no entry is stored against a chart that
// changed under it.
func (s *Store) append(ctx context.Context, clinicID string, e Entry, first *judged) (Entry, error) {
	var out Entry
	err := store.Retry(ctx, errBusy, func() (bool, error) {
		var j judged
		if first != nil {
			j, first = *first, nil
		} else {
			var err error
			if j, err = s.judge(ctx, clinicID, e); err != nil {
				return false, err
			}
		}
		if j.stored {
			out = j.entry
			return true, nil
		}
		doc, err := s.toDoc(j.entry)
		if err != nil {
			return false, err
		}
		switch err := s.entries.InsertOne(ctx, clinicID, doc); {
		case errs.Is(err, errs.Conflict):
			// Another append took this place (or this id was stored
			// meanwhile): the next round sees which.
			return false, nil
		case err != nil:
			return false, err
		}
		out = j.entry
		return true, nil
	})
	return out, err
}
