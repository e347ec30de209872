package insurance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/billing/estimate"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/validate"
)

// Relationships of the patient to the subscriber.
var Relationships = []string{"self", "spouse", "child", "other"}

// Subscriber is the person who holds the policy (the patient, or their
// spouse or parent).
type Subscriber struct {
	Name        string `bson:"name" json:"name"`
	DateOfBirth string `bson:"dateOfBirth" json:"dateOfBirth"`
	// PatientID is the subscriber's own patient record, when they are a
	// patient of the clinic too.
	PatientID string `bson:"patientId,omitempty" json:"patientId,omitempty"`
}

// coverage is a stored coverage. It has no omitempty field but Subscriber's
// patient id, so a $set of every field replaces it whole.
type coverage struct {
	ID           string     `bson:"_id"`
	ClinicID     string     `bson:"clinicId"`
	PatientID    string     `bson:"patientId"`
	PlanID       string     `bson:"planId"`
	Priority     string     `bson:"priority"`
	Subscriber   Subscriber `bson:"subscriber"`
	Relationship string     `bson:"relationship"`
	// MemberID is sealed where memberWhere says: it identifies the
	// subscriber to the payer.
	MemberID seal.Text `bson:"memberId"`
	// EffectiveDate and TerminationDate ("" for none) are civil dates
	// (YYYY-MM-DD) in the clinic's calendar.
	EffectiveDate   string `bson:"effectiveDate"`
	TerminationDate string `bson:"terminationDate"`
	// ActiveSlot holds the patient's primary or secondary place while the
	// coverage is open-ended (slotOf), under a unique index: of two
	// coverages racing for one place, exactly one insert or update wins,
	// however FerretDB interleaves them. Once the coverage has a
	// termination date its slot is "<id>/ended", unique too (a null would
	// collide with every other ended coverage on FerretDB).
	ActiveSlot string    `bson:"activeSlot"`
	CreatedAt  time.Time `bson:"createdAt"`
	CreatedBy  string    `bson:"createdBy"`
	UpdatedAt  time.Time `bson:"updatedAt"`
	Version    int       `bson:"version"`
}

func memberWhere(id string) string { return "coverages/" + id + "/memberId" }

// slotOf is the ActiveSlot c holds.
func slotOf(c coverage) string {
	if c.TerminationDate != "" {
		return c.ID + "/ended"
	}
	return c.PatientID + "/" + c.Priority
}

// Usage is a coverage's usage in its current benefit year.
type Usage struct {
	BenefitYear        Span  `json:"benefitYear"`
	DeductibleMetCents int64 `json:"deductibleMetCents"`
	MaximumUsedCents   int64 `json:"maximumUsedCents"`
	// OrthoUsedCents is the ortho benefits paid, ever (the ortho maximum
	// is for life).
	OrthoUsedCents int64 `json:"orthoUsedCents"`
	// PendingCents is what the coverage is estimated to pay for the
	// patient's charges of the year no insurance payment has settled yet.
	PendingCents int64 `json:"pendingCents"`
}

// Span is a range of civil dates, both ends included.
type Span struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// PlanRef is the plan a coverage names, in brief.
type PlanRef struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Carrier struct {
		Name string `json:"name"`
	} `json:"carrier"`
}

// Coverage is a coverage as the API answers it.
type Coverage struct {
	ID              string     `json:"id"`
	PatientID       string     `json:"patientId"`
	PlanID          string     `json:"planId"`
	Plan            PlanRef    `json:"plan"`
	Priority        string     `json:"priority"`
	Subscriber      Subscriber `json:"subscriber"`
	Relationship    string     `json:"relationship"`
	MemberID        string     `json:"memberId"`
	EffectiveDate   string     `json:"effectiveDate"`
	TerminationDate *string    `json:"terminationDate"`
	Active          bool       `json:"active"`
	Usage           Usage      `json:"usage"`
	CreatedAt       time.Time  `json:"createdAt"`
	Version         int        `json:"version"`
}

// mask is a member id as a non-poster sees it: its last four characters.
func mask(id string) string {
	r := []rune(id)
	if len(r) <= 4 {
		return strings.Repeat("•", len(r))
	}
	return "••••" + string(r[len(r)-4:])
}

// CoverageInput is the body of POST /api/patients/{id}/coverage.
type CoverageInput struct {
	PlanID          string     `json:"planId"`
	Priority        string     `json:"priority"`
	Subscriber      Subscriber `json:"subscriber"`
	Relationship    string     `json:"relationship"`
	MemberID        string     `json:"memberId"`
	EffectiveDate   string     `json:"effectiveDate"`
	TerminationDate string     `json:"terminationDate"`
}

// maxMemberID bounds a member id (payers' are 9 to 20 characters).
const maxMemberID = 40

func checkPriority(v *errs.Validator, p string) {
	v.Check(p == estimate.Primary || p == estimate.Secondary, "priority", "must be primary or secondary")
}

func checkMemberID(v *errs.Validator, id *string) {
	*id = strings.TrimSpace(*id)
	v.Check(*id != "", "memberId", "is required")
	v.Check(utf8.RuneCountInString(*id) <= maxMemberID, "memberId", fmt.Sprintf("must be at most %d characters", maxMemberID))
}

func checkDate(v *errs.Validator, field, s string) {
	if s != "" {
		validate.Check(v, field, func() error { _, err := validate.Date(s); return err }())
	}
}

// check trims in and is its field errors, or nil.
func (in *CoverageInput) check() error {
	var v errs.Validator
	v.Check(ids.Valid(in.PlanID), "planId", "must name an insurance plan")
	checkPriority(&v, in.Priority)
	in.Subscriber.Name = strings.TrimSpace(in.Subscriber.Name)
	v.Check(in.Subscriber.Name != "" && utf8.RuneCountInString(in.Subscriber.Name) <= maxText, "subscriber.name", "is required (at most 200 characters)")
	v.Check(in.Subscriber.DateOfBirth != "", "subscriber.dateOfBirth", "is required")
	checkDate(&v, "subscriber.dateOfBirth", in.Subscriber.DateOfBirth)
	v.Check(in.Subscriber.PatientID == "" || ids.Valid(in.Subscriber.PatientID), "subscriber.patientId", "must be a patient id")
	v.Check(slices.Contains(Relationships, in.Relationship), "relationship", "must be one of "+strings.Join(Relationships, ", "))
	checkMemberID(&v, &in.MemberID)
	v.Check(in.EffectiveDate != "", "effectiveDate", "is required")
	checkDate(&v, "effectiveDate", in.EffectiveDate)
	checkDate(&v, "terminationDate", in.TerminationDate)
	if in.EffectiveDate != "" && in.TerminationDate != "" {
		v.Check(in.TerminationDate >= in.EffectiveDate, "terminationDate", "must be on or after the effective date")
	}
	return v.Err()
}

// CoveragePatch is the body of PATCH /api/coverage/{id}: the fields to
// change and the version they were read at.
type CoveragePatch struct {
	// TerminationDate "" clears it (the coverage is open-ended again).
	TerminationDate *string `json:"terminationDate"`
	MemberID        *string `json:"memberId"`
	Priority        *string `json:"priority"`
	Version         *int    `json:"version"`
}

func (in *CoveragePatch) check(effective string) error {
	var v errs.Validator
	v.Check(in.Version != nil, "version", "is required (the version you read)")
	v.Check(in.TerminationDate != nil || in.MemberID != nil || in.Priority != nil, "terminationDate", "name a field to change (terminationDate, memberId, priority)")
	if in.TerminationDate != nil {
		checkDate(&v, "terminationDate", *in.TerminationDate)
		v.Check(*in.TerminationDate == "" || *in.TerminationDate >= effective, "terminationDate", "must be on or after the effective date")
	}
	if in.MemberID != nil {
		checkMemberID(&v, in.MemberID)
	}
	if in.Priority != nil {
		checkPriority(&v, *in.Priority)
	}
	return v.Err()
}

// coverages keeps patients' coverages.
type coverages struct {
	c        *store.Collection
	versions *store.Versions
	clock    clock.Clock
}

// maxCoverages bounds one patient's list (a handful over a lifetime).
const maxCoverages = 200

var (
	errCoverageNotFound = errs.E(errs.NotFound, "coverage not found")
	errSlotTaken        = errs.E(errs.Conflict, "the patient already has an active coverage of that priority; end it first (set its termination date)")
	errStale            = errs.E(errs.Conflict, "the coverage has changed since you read it; reload it")
)

func (s coverages) get(ctx context.Context, clinicID, id string) (coverage, error) {
	if !ids.Valid(id) {
		return coverage{}, errCoverageNotFound
	}
	return store.One[coverage](ctx, s.c, clinicID, id, errCoverageNotFound)
}

// insert stores c; a slot another coverage holds is errSlotTaken.
func (s coverages) insert(ctx context.Context, c coverage) error {
	err := s.c.InsertOne(ctx, c.ClinicID, c)
	if errs.Is(err, errs.Conflict) {
		return errSlotTaken
	}
	return err
}

// list is patientID's coverages, primary first, then by effective date
// (newest first), on the (clinicId, patientId) index.
func (s coverages) list(ctx context.Context, clinicID, patientID string) ([]coverage, error) {
	out := []coverage{}
	opts := options.Find().SetLimit(maxCoverages)
	if err := s.c.Find(ctx, clinicID, bson.D{{Key: "patientId", Value: patientID}}, &out, opts); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b coverage) int {
		if a.Priority != b.Priority {
			return strings.Compare(a.Priority, b.Priority) // "primary" < "secondary"
		}
		if a.EffectiveDate != b.EffectiveDate {
			return strings.Compare(b.EffectiveDate, a.EffectiveDate)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// change moves coverage id from version to the next with fn's result,
// once (store.Versions). A stale version is errStale: the client reloads.
// A slot another coverage holds is errSlotTaken.
func (s coverages) change(ctx context.Context, clinicID, id string, version int, fn func(c *coverage) error) (coverage, error) {
	cur, err := s.get(ctx, clinicID, id)
	if err != nil {
		return coverage{}, err
	}
	if cur.Version != version {
		return coverage{}, errStale
	}
	next := cur
	if err := fn(&next); err != nil {
		return coverage{}, err
	}
	next.ActiveSlot = slotOf(next)
	next.UpdatedAt = s.clock.Now().UTC().Truncate(time.Millisecond)
	won, err := s.versions.Update(ctx, s.c, clinicID, id, version, bson.D{{Key: "$set", Value: bson.D{
		{Key: "priority", Value: next.Priority},
		{Key: "memberId", Value: next.MemberID},
		{Key: "terminationDate", Value: next.TerminationDate},
		{Key: "activeSlot", Value: next.ActiveSlot},
		{Key: "updatedAt", Value: next.UpdatedAt},
	}}}, nil)
	switch {
	case errs.Is(err, errs.Conflict):
		return coverage{}, errSlotTaken
	case err != nil:
		return coverage{}, err
	case !won:
		return coverage{}, errStale
	}
	next.Version = version + 1
	return next, nil
}
