package identity

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
)

// A clinic's slug is its short public name ("riverside-family-dental"): the
// sign-up link says /sign-up?clinic=<slug>, and sign-up accepts it in
// place of the clinic's id. It is unique across clinics: each slug in use
// is claimed by inserting it as the _id of clinic_slugs (FerretDB answers a
// unique violation caused by an update as an internal error, and does not
// make conditional updates atomic, so uniqueness rests on the insert).

// Slug bounds.
const (
	MinSlug = 3
	MaxSlug = 60
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// errSlugFormat is the field message of a malformed slug.
const errSlugFormat = "must be 3 to 60 lowercase letters, digits and single hyphens, such as riverside-family-dental"

// ValidSlug reports whether s can be a clinic's slug.
func ValidSlug(s string) bool {
	return len(s) >= MinSlug && len(s) <= MaxSlug && slugPattern.MatchString(s)
}

// ErrSlugTaken answers a slug another clinic has.
var ErrSlugTaken = &errs.Error{Kind: errs.Conflict, Message: "another practice already uses that sign-up address",
	Fields: []errs.FieldError{{Field: "slug", Message: "is taken by another practice; choose another"}}}

// fold lower-cases s and strips its accents ("Clínica São João" → "clinica sao joao").
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// words are s's folded words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })
}

// Slugify is the slug a clinic called name gets first: its words joined by
// hyphens, cut at a word within MaxSlug; a name too short for a slug is
// padded ("AB" → "ab-dental").
func Slugify(name string) string {
	var b strings.Builder
	for _, w := range words(name) {
		if b.Len() > 0 && b.Len()+1+len(w) > MaxSlug {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(w[:min(len(w), MaxSlug)])
	}
	s := b.String()
	if s == "" {
		s = "practice"
	}
	if len(s) < MinSlug {
		s += "-dental"
	}
	return s
}

// slugClaim is one slug in use, stamped with its clinic's id.
type slugClaim struct {
	Slug string `bson:"_id"`
}

// claimSlug claims slug for clinicID. false: another clinic has it. The
// clinic's own claim (a retry, a race with itself) counts as won.
func (s *Store) claimSlug(ctx context.Context, clinicID, slug string) (bool, error) {
	err := s.slugs.InsertOne(ctx, clinicID, slugClaim{Slug: slug})
	if !errs.Is(err, errs.Conflict) {
		return err == nil, err
	}
	var c slugClaim
	owned, err := s.slugs.Lookup(ctx, slug, &c)
	if err != nil {
		return false, err
	}
	return owned.ClinicID == clinicID, nil
}

// setSlug stores slug (claimed already) and the name keys on the clinic.
func (s *Store) setSlug(ctx context.Context, c Clinic, slug string) (Clinic, error) {
	var out Clinic
	// Unscoped: a clinic is its own tenant; c.ID is the caller's clinic.
	err := s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: c.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "slug", Value: slug}, {Key: "nameKeys", Value: words(c.Name)}}}}, afterUpdate).Decode(&out)
	})
	out.Settings = out.Settings.withDefaults()
	return out, err
}

// EnsureSlug gives c a slug if it has none (clinics made before slugs
// existed get theirs the first time they are read for it): the name's
// slug, or that with -2, -3, … when another clinic has it.
func (s *Store) EnsureSlug(ctx context.Context, c Clinic) (Clinic, error) {
	if c.Slug != "" {
		return c, nil
	}
	base := Slugify(c.Name)
	for i := 1; i <= 20; i++ {
		slug := base
		if i > 1 {
			suffix := fmt.Sprintf("-%d", i)
			slug = strings.TrimRight(base[:min(len(base), MaxSlug-len(suffix))], "-") + suffix
		}
		if i == 20 {
			// The last try: a random suffix (an object id's hex tail).
			slug = strings.TrimRight(base[:min(len(base), MaxSlug-9)], "-") + "-" + ids.New()[16:]
		}
		won, err := s.claimSlug(ctx, c.ID, slug)
		if err != nil {
			return c, err
		}
		if won {
			return s.setSlug(ctx, c, slug)
		}
	}
	return c, errs.E(errs.Conflict, "no free slug for %q", c.Name)
}

// SetSlug changes clinicID's slug: claimed first (409 when another clinic
// has it), then stored, then the old one released.
func (s *Store) SetSlug(ctx context.Context, c Clinic, slug string) (Clinic, error) {
	if !ValidSlug(slug) {
		return c, errs.InvalidFields(errs.FieldError{Field: "slug", Message: errSlugFormat})
	}
	if slug == c.Slug {
		return c, nil
	}
	won, err := s.claimSlug(ctx, c.ID, slug)
	if err != nil {
		return c, err
	}
	if !won {
		return c, ErrSlugTaken
	}
	out, err := s.setSlug(ctx, c, slug)
	if err != nil {
		return c, err
	}
	if c.Slug != "" {
		// A failure here only keeps the old slug reserved for this clinic.
		_, _ = s.slugs.DeleteOne(context.WithoutCancel(ctx), c.ID, bson.D{{Key: "_id", Value: c.Slug}})
	}
	return out, nil
}

// ClinicBySlug returns the clinic whose slug is slug, or NotFound.
func (s *Store) ClinicBySlug(ctx context.Context, slug string) (Clinic, error) {
	if !ValidSlug(slug) {
		return Clinic{}, errs.E(errs.NotFound, "no practice has that slug")
	}
	var claim slugClaim
	owned, err := s.slugs.Lookup(ctx, slug, &claim)
	if err != nil {
		return Clinic{}, err
	}
	c, err := s.Clinic(ctx, owned.ClinicID)
	if err == nil && c.Slug != slug {
		// A claim left behind by a change that stopped half-way.
		return Clinic{}, errs.E(errs.NotFound, "no practice has that slug")
	}
	return c, err
}

// ClinicListing is all the public practice search tells of a clinic.
type ClinicListing struct {
	Slug string `json:"slug" bson:"slug"`
	Name string `json:"name" bson:"name"`
}

// MaxClinicResults bounds one practice search.
const MaxClinicResults = 10

// SearchClinics lists up to MaxClinicResults clinics (name and slug only)
// each of whose query words starts a word of the clinic's name, by name.
func (s *Store) SearchClinics(ctx context.Context, q string) ([]ClinicListing, error) {
	ws := words(q)
	if len(ws) > 6 {
		ws = ws[:6]
	}
	out := []ClinicListing{}
	if len(ws) == 0 {
		return out, nil
	}
	and := bson.A{bson.D{{Key: "slug", Value: bson.D{{Key: "$exists", Value: true}}}}}
	for _, w := range ws {
		and = append(and, bson.D{{Key: "nameKeys", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(w)}}}})
	}
	// Unscoped: the public practice search crosses clinics by design; the
	// projection keeps it to name and slug.
	err := s.clinics.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		cur, err := coll.Find(ctx, bson.D{{Key: "$and", Value: and}}, options.Find().
			SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "slug", Value: 1}, {Key: "name", Value: 1}}).
			SetSort(bson.D{{Key: "name", Value: 1}}).SetLimit(MaxClinicResults))
		if err != nil {
			return err
		}
		return cur.All(ctx, &out)
	})
	return out, err
}
