package documents

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Kinds of document.
var kinds = []string{"xray", "photo", "referral", "form", "other"}

// Statuses: a document is pending until its upload is checked, then stored
// (or rejected, its object deleted); a stored one is archived, never
// deleted (the record and its object are kept).
const (
	statusPending  = "pending"
	statusStored   = "stored"
	statusRejected = "rejected"
	statusArchived = "archived"
)

// MaxSize is the largest document accepted: 25 MB (a full-mouth series of
// X-rays as DICOM, a scanned multi-page form).
const MaxSize = 25 << 20

const (
	maxFileName    = 200
	maxDescription = 500
)

// record is a document as stored. The object's key is decided here from
// the clinic, patient and document ids, never by the client. The
// description (free text that may name a finding) is sealed; the rest is
// what a list filters and shows.
type record struct {
	ID          string `bson:"_id"`
	PatientID   string `bson:"patientId"`
	Kind        string `bson:"kind"`
	FileName    string `bson:"fileName"`
	ContentType string `bson:"contentType"`
	Size        int64  `bson:"size"`
	Tooth       string `bson:"tooth,omitempty"`
	TakenOn     string `bson:"takenOn,omitempty"`
	// Description is sealed to "documents/<id>/description".
	Description seal.Text  `bson:"description,omitempty"`
	Status      string     `bson:"status"`
	Key         string     `bson:"key"`
	UploadedBy  string     `bson:"uploadedBy"`
	CreatedAt   time.Time  `bson:"createdAt"`
	StoredAt    *time.Time `bson:"storedAt,omitempty"`
	ArchivedAt  *time.Time `bson:"archivedAt,omitempty"`
	// RejectedReason says what the checked object was instead (a size, a
	// detected type): no content.
	RejectedReason string `bson:"rejectedReason,omitempty"`
	// Version counts changes (store.Versions): each status move happens once.
	Version int `bson:"version"`
}

func where(id string) string { return "documents/" + id + "/description" }

// objectKey is where document id of patientID of clinicID is kept.
func objectKey(clinicID, patientID, id string) string {
	return "clinics/" + clinicID + "/patients/" + patientID + "/documents/" + id
}

// Document is a document as answered.
type Document struct {
	ID          string     `json:"id"`
	PatientID   string     `json:"patientId"`
	Kind        string     `json:"kind"`
	FileName    string     `json:"fileName"`
	ContentType string     `json:"contentType"`
	Size        int64      `json:"size"`
	Tooth       *string    `json:"tooth"`
	TakenOn     *string    `json:"takenOn"`
	Description string     `json:"description"`
	Status      string     `json:"status"`
	UploadedBy  string     `json:"uploadedBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	StoredAt    *time.Time `json:"storedAt"`
	ArchivedAt  *time.Time `json:"archivedAt"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// view opens rec for the answer.
func view(keys *seal.Keys, rec record) (Document, error) {
	desc, err := keys.Open(rec.Description, where(rec.ID))
	if err != nil {
		return Document{}, errs.Wrap(errs.Internal, err, "internal error")
	}
	return Document{
		ID: rec.ID, PatientID: rec.PatientID, Kind: rec.Kind, FileName: rec.FileName, ContentType: rec.ContentType, Size: rec.Size,
		Tooth: optional(rec.Tooth), TakenOn: optional(rec.TakenOn), Description: desc, Status: rec.Status,
		UploadedBy: rec.UploadedBy, CreatedAt: rec.CreatedAt, StoredAt: rec.StoredAt, ArchivedAt: rec.ArchivedAt,
	}, nil
}

// createInput is POST patients/{id}/documents.
type createInput struct {
	Kind        string  `json:"kind"`
	FileName    string  `json:"fileName"`
	ContentType string  `json:"contentType"`
	Size        int64   `json:"size"`
	Tooth       *string `json:"tooth"`
	TakenOn     *string `json:"takenOn"`
	Description *string `json:"description"`
}

// validate judges in, every field at once, and answers it normalized: the
// file name sanitized, the tooth upper-cased.
func (in createInput) validate(now time.Time, tz *time.Location) (createInput, error) {
	var v errs.Validator
	v.Check(slices.Contains(kinds, in.Kind), "kind", "must be one of "+strings.Join(kinds, ", "))
	name := strings.TrimSpace(in.FileName)
	v.Check(name != "" && utf8.RuneCountInString(name) <= maxFileName, "fileName", fmt.Sprintf("must be 1 to %d characters", maxFileName))
	in.FileName = SanitizeFileName(name)
	v.Check(slices.Contains(contentTypes, in.ContentType), "contentType", "must be one of "+strings.Join(contentTypes, ", ")+" (JPEG, PNG, PDF or DICOM)")
	v.Check(in.Size >= 1, "size", "must be the file's size in bytes (at least 1)")
	v.Check(in.Size <= MaxSize, "size", "must be at most 25 MB (26214400 bytes)")
	if in.Tooth != nil {
		t, ok := chart.LookupTooth(*in.Tooth)
		v.Check(ok, "tooth", "must be a Universal tooth number (1-32, A-T)")
		if ok {
			in.Tooth = &t.Universal
		}
	}
	if in.TakenOn != nil {
		d, err := time.ParseInLocation(time.DateOnly, *in.TakenOn, tz)
		v.Check(err == nil, "takenOn", "must be a date YYYY-MM-DD")
		v.Check(err != nil || !d.After(now.In(tz)), "takenOn", "cannot be in the future")
	}
	if in.Description != nil {
		v.Check(utf8.RuneCountInString(*in.Description) <= maxDescription, "description", fmt.Sprintf("must be at most %d characters", maxDescription))
	}
	return in, v.Err()
}

var errNotFound = errs.E(errs.NotFound, "document not found")

// byNewest is the list's order.
var byNewest = store.Sort{Field: "createdAt", Desc: true, Type: bson.TypeDateTime}

// docStore keeps the documents collection.
type docStore struct {
	c        *store.Collection
	versions *store.Versions
}

// newStore declares the collection with the index its list reads: a
// patient's documents, newest first, in one query.
func newStore(m *store.Mongo, c clock.Clock) *docStore {
	keys := bson.D{{Key: store.ClinicField, Value: 1}, {Key: "patientId", Value: 1}, {Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}
	return &docStore{c: m.Collection("documents", mongo.IndexModel{Keys: keys}), versions: store.NewVersions(m, c)}
}

func (s *docStore) insert(ctx context.Context, clinicID string, rec record) error {
	return s.c.InsertOne(ctx, clinicID, rec)
}

// get is clinicID's document id; a garbage id, a missing one and another
// clinic's are all errNotFound.
func (s *docStore) get(ctx context.Context, clinicID, id string) (record, error) {
	if !ids.Valid(id) {
		return record{}, errNotFound
	}
	return store.One[record](ctx, s.c, clinicID, id, errNotFound)
}

// move applies set to rec if it is still at its version, once; false means
// another change came first (the caller reads it again).
func (s *docStore) move(ctx context.Context, clinicID string, rec record, set bson.D, out *record) (bool, error) {
	update := bson.D{{Key: "$set", Value: set}}
	if out == nil {
		// A nil *record in an interface is not "no output".
		return s.versions.Update(ctx, s.c, clinicID, rec.ID, rec.Version, update, nil)
	}
	return s.versions.Update(ctx, s.c, clinicID, rec.ID, rec.Version, update, out)
}

// listFilter is GET patients/{id}/documents' query.
type listFilter struct {
	Kind, Tooth string
	// Statuses are the statuses listed (none: every status).
	Statuses []string
}

func (s *docStore) list(ctx context.Context, clinicID, patientID string, f listFilter, page store.PageRequest) (store.Page[record], error) {
	filter := bson.D{{Key: "patientId", Value: patientID}}
	if f.Kind != "" {
		filter = append(filter, bson.E{Key: "kind", Value: f.Kind})
	}
	if f.Tooth != "" {
		filter = append(filter, bson.E{Key: "tooth", Value: f.Tooth})
	}
	if len(f.Statuses) == 1 {
		filter = append(filter, bson.E{Key: "status", Value: f.Statuses[0]})
	} else if len(f.Statuses) > 1 {
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: f.Statuses}}})
	}
	return store.FindPage[record](ctx, s.c, clinicID, filter, byNewest, page)
}
