package consents

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Template kinds.
const (
	KindTreatment     = "treatment"
	KindAnaesthesia   = "anaesthesia"
	KindPrivacy       = "privacy"
	KindFinancial     = "financial"
	KindMinorGuardian = "minor_guardian"
	KindOther         = "other"
)

// Kinds are the kinds a template may have.
var Kinds = []string{KindTreatment, KindAnaesthesia, KindPrivacy, KindFinancial, KindMinorGuardian, KindOther}

// Bounds of a template's text.
const (
	maxTitle = 200
	maxBody  = 20000
)

// Hash is the hash a signed text is known by: "sha256:<hex>" of its UTF-8
// bytes, so a printed consent can be checked against the record.
func Hash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// templateHead is what a template is across its versions: its kind and
// whether it can be sent. Flipping active changes no text, so it is no
// new version.
type templateHead struct {
	ID        string    `bson:"_id"`
	Kind      string    `bson:"kind"`
	Active    bool      `bson:"active"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// templateVersion is one version of a template's text, never changed once
// stored: consents sent from it name it, and a new wording is a new
// version. Its _id is "<templateId>:<version>", so two edits of the same
// version race for one insert and only one wins.
type templateVersion struct {
	ID         string    `bson:"_id"`
	TemplateID string    `bson:"templateId"`
	Version    int       `bson:"version"`
	Title      string    `bson:"title"`
	Kind       string    `bson:"kind"`
	Body       string    `bson:"body"`
	Hash       string    `bson:"hash"`
	CreatedAt  time.Time `bson:"createdAt"`
	CreatedBy  string    `bson:"createdBy"`
}

func versionID(templateID string, version int) string {
	return fmt.Sprintf("%s:%d", templateID, version)
}

// Template is a template's version as answered.
type Template struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind"`
	Body      string    `json:"body"`
	Active    bool      `json:"active"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy"`
}

func view(h templateHead, v templateVersion) Template {
	return Template{ID: h.ID, Version: v.Version, Title: v.Title, Kind: h.Kind, Body: v.Body, Active: h.Active,
		Hash: v.Hash, CreatedAt: v.CreatedAt, CreatedBy: v.CreatedBy}
}

var (
	errTemplateNotFound = errs.E(errs.NotFound, "consent template not found")
	errTemplateStale    = errs.E(errs.Conflict, "the template was changed meanwhile; reload it and edit the current version")
)

// templateStore keeps the clinic's consent templates.
type templateStore struct {
	heads    *store.Collection
	versions *store.Collection
}

func newTemplateStore(m *store.Mongo) *templateStore {
	return &templateStore{
		heads: m.Collection("consent_templates"),
		versions: m.Collection("consent_template_versions", mongo.IndexModel{Keys: bson.D{
			{Key: store.ClinicField, Value: 1}, {Key: "templateId", Value: 1}, {Key: "version", Value: 1}}}),
	}
}

// Create stores a new template at version 1. The head goes first: a head
// whose version never landed is not listed (see List) and is harmless.
func (s *templateStore) Create(ctx context.Context, clinicID string, v templateVersion) (Template, error) {
	h := templateHead{ID: v.TemplateID, Kind: v.Kind, Active: true, CreatedAt: v.CreatedAt, UpdatedAt: v.CreatedAt}
	if err := s.heads.InsertOne(ctx, clinicID, h); err != nil {
		return Template{}, err
	}
	if err := s.versions.InsertOne(ctx, clinicID, v); err != nil {
		return Template{}, err
	}
	return view(h, v), nil
}

// Latest is template id at its newest version.
func (s *templateStore) Latest(ctx context.Context, clinicID, id string) (Template, error) {
	if !ids.Valid(id) {
		return Template{}, errTemplateNotFound
	}
	h, err := store.One[templateHead](ctx, s.heads, clinicID, id, errTemplateNotFound)
	if err != nil {
		return Template{}, err
	}
	var vs []templateVersion
	err = s.versions.Find(ctx, clinicID, bson.D{{Key: "templateId", Value: id}}, &vs,
		options.Find().SetSort(bson.D{{Key: "version", Value: -1}}).SetLimit(1))
	if err != nil {
		return Template{}, err
	}
	if len(vs) == 0 {
		return Template{}, errTemplateNotFound
	}
	return view(h, vs[0]), nil
}

// List is the newest version of each template (the active ones unless
// all), by title. A clinic keeps tens of forms, so every version is read
// and the newest picked here (FerretDB has no $group accumulator for it).
func (s *templateStore) List(ctx context.Context, clinicID string, all bool) ([]Template, error) {
	filter := bson.D{}
	if !all {
		filter = bson.D{{Key: "active", Value: true}}
	}
	var heads []templateHead
	if err := s.heads.Find(ctx, clinicID, filter, &heads); err != nil {
		return nil, err
	}
	if len(heads) == 0 {
		return []Template{}, nil
	}
	idList := make([]string, len(heads))
	for i, h := range heads {
		idList[i] = h.ID
	}
	var vs []templateVersion
	if err := s.versions.Find(ctx, clinicID, bson.D{{Key: "templateId", Value: bson.D{{Key: "$in", Value: idList}}}}, &vs); err != nil {
		return nil, err
	}
	latest := map[string]templateVersion{}
	for _, v := range vs {
		if cur, ok := latest[v.TemplateID]; !ok || v.Version > cur.Version {
			latest[v.TemplateID] = v
		}
	}
	out := make([]Template, 0, len(heads))
	for _, h := range heads {
		if v, ok := latest[h.ID]; ok {
			out = append(out, view(h, v))
		}
	}
	slices.SortFunc(out, func(a, b Template) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Revise stores v, the version after the one its editor read. Of two
// edits of one version only the first insert lands; the other, and an
// edit of a version no longer the newest, is errTemplateStale.
func (s *templateStore) Revise(ctx context.Context, clinicID string, v templateVersion) error {
	err := s.versions.InsertOne(ctx, clinicID, v)
	if errs.Is(err, errs.Conflict) {
		return errTemplateStale
	}
	return err
}

// SetActive makes template id sendable or not. It is one field set to a
// value, so racing flips end with the last one, as a person would expect.
func (s *templateStore) SetActive(ctx context.Context, clinicID, id string, active bool, at time.Time) error {
	ok, err := s.heads.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "active", Value: active}, {Key: "updatedAt", Value: at}}}})
	if err == nil && !ok {
		return errTemplateNotFound
	}
	return err
}

// templateInput is a new template, or an edit's fields (all optional but
// version).
type templateInput struct {
	Title   *string `json:"title"`
	Kind    *string `json:"kind"`
	Body    *string `json:"body"`
	Active  *bool   `json:"active"`
	Version *int    `json:"version"`
}

// checkText checks a title and body given (nil: not given).
func checkText(v *errs.Validator, title, body *string) {
	if title != nil {
		t := strings.TrimSpace(*title)
		v.Check(t != "" && utf8.ValidString(t) && utf8.RuneCountInString(t) <= maxTitle, "title", "must be 1 to 200 characters")
	}
	if body != nil {
		v.Check(strings.TrimSpace(*body) != "" && utf8.ValidString(*body) && utf8.RuneCountInString(*body) <= maxBody,
			"body", "must be 1 to 20000 characters")
	}
}
