package notes

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Note types and statuses.
const (
	TypeSOAP      = "soap"
	TypeProcedure = "procedure"
	TypeProgress  = "progress"

	StatusDraft  = "draft"
	StatusSigned = "signed"
)

var noteTypes = []string{TypeSOAP, TypeProcedure, TypeProgress}

// soapFields are a SOAP note's text; procedure and progress notes have a
// body only.
var soapFields = []string{"subjective", "objective", "assessment", "plan"}

// maxNoteText bounds each text field (a long procedure note is a few
// thousand characters).
const maxNoteText = 20000

// noteText is a note's free text in the clear.
type noteText struct {
	Subjective, Objective, Assessment, Plan, Body string
}

// field is the text of field name.
func (t *noteText) field(name string) *string {
	switch name {
	case "subjective":
		return &t.Subjective
	case "objective":
		return &t.Objective
	case "assessment":
		return &t.Assessment
	case "plan":
		return &t.Plan
	case "body":
		return &t.Body
	}
	return nil
}

// textFields are the names of noteText's fields, as stored and answered.
var textFields = append(slices.Clone(soapFields), "body")

// sealedText is a note's free text as stored: each field sealed to its
// note and field ("notes/<id>/<field>"), absent when empty.
type sealedText struct {
	Subjective seal.Text `bson:"subjective,omitempty"`
	Objective  seal.Text `bson:"objective,omitempty"`
	Assessment seal.Text `bson:"assessment,omitempty"`
	Plan       seal.Text `bson:"plan,omitempty"`
	Body       seal.Text `bson:"body,omitempty"`
}

func (s *sealedText) field(name string) *seal.Text {
	switch name {
	case "subjective":
		return &s.Subjective
	case "objective":
		return &s.Objective
	case "assessment":
		return &s.Assessment
	case "plan":
		return &s.Plan
	case "body":
		return &s.Body
	}
	return nil
}

func noteWhere(id, field string) string { return "notes/" + id + "/" + field }

// sealNote seals every field of t for note id.
func sealNote(k *seal.Keys, id string, t noteText) (sealedText, error) {
	var out sealedText
	for _, f := range textFields {
		v, err := k.Seal(*t.field(f), noteWhere(id, f))
		if err != nil {
			return out, err
		}
		*out.field(f) = v
	}
	return out, nil
}

// openNote opens every field of note id's stored text.
func openNote(k *seal.Keys, id string, s sealedText) (noteText, error) {
	var out noteText
	for _, f := range textFields {
		v, err := k.Open(*s.field(f), noteWhere(id, f))
		if err != nil {
			return out, err
		}
		*out.field(f) = v
	}
	return out, nil
}

// noteRecord is a note as stored.
type noteRecord struct {
	ID            string     `bson:"_id"`
	PatientID     string     `bson:"patientId"`
	AppointmentID string     `bson:"appointmentId,omitempty"`
	Type          string     `bson:"type"`
	TemplateID    string     `bson:"templateId,omitempty"`
	Text          sealedText `bson:",inline"`
	Status        string     `bson:"status"`
	AuthorID      string     `bson:"authorId"`
	AuthorRole    string     `bson:"authorRole"`
	CreatedAt     time.Time  `bson:"createdAt"`
	UpdatedAt     time.Time  `bson:"updatedAt"`
	SignedAt      *time.Time `bson:"signedAt,omitempty"`
	SignedBy      string     `bson:"signedBy,omitempty"`
	Amends        string     `bson:"amends,omitempty"`
	Amendments    []string   `bson:"amendments,omitempty"`
	// Version counts the changes of a draft: a signature is made on the
	// version it was judged on, never on one edited in between.
	Version int `bson:"version"`
}

// Note is a note as answered.
type Note struct {
	ID            string     `json:"id"`
	PatientID     string     `json:"patientId"`
	AppointmentID *string    `json:"appointmentId"`
	Type          string     `json:"type"`
	TemplateID    *string    `json:"templateId"`
	Subjective    string     `json:"subjective"`
	Objective     string     `json:"objective"`
	Assessment    string     `json:"assessment"`
	Plan          string     `json:"plan"`
	Body          string     `json:"body"`
	Status        string     `json:"status"`
	AuthorID      string     `json:"authorId"`
	AuthorRole    string     `json:"authorRole"`
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
	SignedAt      *time.Time `json:"signedAt"`
	SignedBy      *string    `json:"signedBy"`
	Amends        *string    `json:"amends"`
	Amendments    []string   `json:"amendments"`
}

// view opens rec for an answer.
func (rec noteRecord) view(k *seal.Keys) (Note, error) {
	t, err := openNote(k, rec.ID, rec.Text)
	if err != nil {
		return Note{}, err
	}
	return Note{
		ID: rec.ID, PatientID: rec.PatientID, AppointmentID: nullable(rec.AppointmentID), Type: rec.Type,
		TemplateID: nullable(rec.TemplateID), Subjective: t.Subjective, Objective: t.Objective,
		Assessment: t.Assessment, Plan: t.Plan, Body: t.Body, Status: rec.Status, AuthorID: rec.AuthorID,
		AuthorRole: rec.AuthorRole, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt, SignedAt: rec.SignedAt,
		SignedBy: nullable(rec.SignedBy), Amends: nullable(rec.Amends), Amendments: append([]string{}, rec.Amendments...),
	}, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// noteFields are the fields a draft's author changes (PATCH), and part of
// a new note's body.
type noteFields struct {
	AppointmentID *string `json:"appointmentId"`
	Subjective    *string `json:"subjective"`
	Objective     *string `json:"objective"`
	Assessment    *string `json:"assessment"`
	Plan          *string `json:"plan"`
	Body          *string `json:"body"`
}

func (in *noteFields) text(name string) *string {
	switch name {
	case "subjective":
		return in.Subjective
	case "objective":
		return in.Objective
	case "assessment":
		return in.Assessment
	case "plan":
		return in.Plan
	case "body":
		return in.Body
	}
	return nil
}

// given are the names of the text fields the request sets.
func (in *noteFields) given() []string {
	var out []string
	for _, f := range textFields {
		if in.text(f) != nil {
			out = append(out, f)
		}
	}
	return out
}

// noteInput is the body of a new note or an amendment.
type noteInput struct {
	Type       *string `json:"type"`
	TemplateID *string `json:"templateId"`
	noteFields
}

// checkText checks the text fields given for a note of type typ: within
// bounds, and only the fields the type has (a body on a SOAP note would
// never be shown, so it is refused rather than kept out of sight).
func checkText(v *errs.Validator, typ string, in noteFields) {
	for _, f := range in.given() {
		s := *in.text(f)
		v.Check(utf8.ValidString(s) && utf8.RuneCountInString(s) <= maxNoteText, f, "must be at most 20000 characters")
		if strings.TrimSpace(s) == "" || !slices.Contains(noteTypes, typ) {
			continue
		}
		if typ == TypeSOAP {
			v.Check(f != "body", f, "a SOAP note has no body: write it in subjective, objective, assessment and plan")
		} else {
			v.Check(f == "body", f, "a "+typ+" note is written in body; subjective, objective, assessment and plan are for SOAP notes")
		}
	}
}

// checkAppointment checks an appointmentId given: an id (whether the
// appointment exists is scheduling's to say; see the package report).
func checkAppointment(v *errs.Validator, id *string, allowEmpty bool) {
	if id == nil || (allowEmpty && *id == "") {
		return
	}
	v.Check(ids.Valid(*id), "appointmentId", "must be an appointment id")
}

// signable checks that text is enough to sign: a SOAP note needs an
// assessment or a plan, the others a body.
func signable(typ string, t noteText) error {
	if typ == TypeSOAP {
		if strings.TrimSpace(t.Assessment) == "" && strings.TrimSpace(t.Plan) == "" {
			msg := "a SOAP note is signed with an assessment or a plan"
			return errs.InvalidFields(errs.FieldError{Field: "assessment", Message: msg}, errs.FieldError{Field: "plan", Message: msg})
		}
		return nil
	}
	if strings.TrimSpace(t.Body) == "" {
		return errs.InvalidFields(errs.FieldError{Field: "body", Message: "is required to sign a " + typ + " note"})
	}
	return nil
}

// noteStore keeps notes.
type noteStore struct{ records[noteRecord] }

func newNoteStore(m *store.Mongo, c clock.Clock) *noteStore {
	return &noteStore{newRecords[noteRecord](m, c, "notes", errNoteNotFound)}
}

var (
	errNoteNotFound = errs.E(errs.NotFound, "note not found")
	errNoteBusy     = errs.E(errs.Conflict, "the note is being changed by someone else; try again")
	errSigned       = errs.E(errs.Conflict, "the note is signed and cannot be changed; amend it to correct it")
	errNotAuthor    = errs.E(errs.Forbidden, "only the author of a draft may edit it")
)

// UpdateDraft sets (and, for "", unsets) fields of authorID's draft. The
// change is field by field, so when another edit lands first it is made
// again on the result; a draft signed meanwhile is errSigned.
func (s *noteStore) UpdateDraft(ctx context.Context, clinicID, id, authorID string, set, unset bson.D) (noteRecord, error) {
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	var out noteRecord
	err := store.Retry(ctx, errNoteBusy, func() (bool, error) {
		cur, err := s.Get(ctx, clinicID, id)
		switch {
		case err != nil:
			return false, err
		case cur.Status != StatusDraft:
			return false, errSigned
		case cur.AuthorID != authorID:
			return false, errNotAuthor
		}
		return s.move(ctx, clinicID, id, cur.Version, update, &out)
	})
	return out, err
}

// Sign signs the draft as it was at version, once, and reports whether
// this call did: of racing signatures one wins, and a draft edited since
// version is not signed (the signer judged another text).
func (s *noteStore) Sign(ctx context.Context, clinicID, id string, version int, by string, at time.Time) (noteRecord, bool, error) {
	var out noteRecord
	won, err := s.move(ctx, clinicID, id, version, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: StatusSigned}, {Key: "signedAt", Value: at}, {Key: "signedBy", Value: by}, {Key: "updatedAt", Value: at}}}}, &out)
	return out, won, err
}

// Link lists amendment on its original. It touches nothing else of the
// original: its text, signature and updatedAt stay as signed.
func (s *noteStore) Link(ctx context.Context, clinicID, originalID, amendmentID string) error {
	return store.Retry(ctx, errNoteBusy, func() (bool, error) {
		cur, err := s.Get(ctx, clinicID, originalID)
		if err != nil || slices.Contains(cur.Amendments, amendmentID) {
			return err == nil, err
		}
		return s.move(ctx, clinicID, originalID, cur.Version, bson.D{{Key: "$push", Value: bson.D{{Key: "amendments", Value: amendmentID}}}}, nil)
	})
}
