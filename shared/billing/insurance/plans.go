package insurance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/billing/estimate"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Carrier is the insurance company that underwrites a plan.
type Carrier struct {
	Name    string `bson:"name" json:"name"`
	PayerID string `bson:"payerId" json:"payerId"`
	Phone   string `bson:"phone" json:"phone"`
}

// Deductible is a plan's deductible per benefit year. FamilyCents is kept
// and shown; estimates apply the individual deductible (a family's usage
// would need every member's ledger).
type Deductible struct {
	IndividualCents int64    `bson:"individualCents" json:"individualCents"`
	FamilyCents     int64    `bson:"familyCents" json:"familyCents"`
	WaivedFor       []string `bson:"waivedFor" json:"waivedFor"`
}

// Frequency is a frequency limit: Count of any of Codes per benefit year,
// or in Years years.
type Frequency struct {
	Codes []string `bson:"codes" json:"codes"`
	Count int      `bson:"count" json:"count"`
	Per   string   `bson:"per" json:"per"`
	Years int      `bson:"years,omitempty" json:"years,omitempty"`
}

// WaitingPeriod is the months from a coverage's start before Category is
// paid.
type WaitingPeriod struct {
	Category string `bson:"category" json:"category"`
	Months   int    `bson:"months" json:"months"`
}

// Plan is an insurance plan and its benefits, as stored and answered.
type Plan struct {
	ID       string  `bson:"_id" json:"id"`
	ClinicID string  `bson:"clinicId" json:"-"`
	Carrier  Carrier `bson:"carrier" json:"carrier"`
	Name     string  `bson:"name" json:"name"`
	// GroupNumber is the employer group's number on the payer's side.
	GroupNumber           string `bson:"groupNumber" json:"groupNumber"`
	BenefitYearStartMonth int    `bson:"benefitYearStartMonth" json:"benefitYearStartMonth"`
	// Coverage is the percent paid per category (estimate.Categories).
	Coverage                  map[string]int  `bson:"coverage" json:"coverage"`
	Deductible                Deductible      `bson:"deductible" json:"deductible"`
	AnnualMaximumCents        int64           `bson:"annualMaximumCents" json:"annualMaximumCents"`
	OrthoLifetimeMaximumCents int64           `bson:"orthoLifetimeMaximumCents" json:"orthoLifetimeMaximumCents"`
	Frequencies               []Frequency     `bson:"frequencies" json:"frequencies"`
	WaitingPeriods            []WaitingPeriod `bson:"waitingPeriods" json:"waitingPeriods"`
	CreatedAt                 time.Time       `bson:"createdAt" json:"createdAt"`
	CreatedBy                 string          `bson:"createdBy" json:"-"`
	Version                   int             `bson:"version" json:"version"`
}

// Benefits are the plan's benefits as the estimate engine reads them.
func (p Plan) Benefits() estimate.Benefits {
	b := estimate.Benefits{
		Coverage:                  p.Coverage,
		DeductibleCents:           p.Deductible.IndividualCents,
		DeductibleWaivedFor:       p.Deductible.WaivedFor,
		AnnualMaximumCents:        p.AnnualMaximumCents,
		OrthoLifetimeMaximumCents: p.OrthoLifetimeMaximumCents,
		BenefitYearStartMonth:     p.BenefitYearStartMonth,
	}
	for _, f := range p.Frequencies {
		b.Frequencies = append(b.Frequencies, estimate.Frequency{Codes: f.Codes, Count: f.Count, Per: f.Per, Years: f.Years})
	}
	for _, w := range p.WaitingPeriods {
		b.WaitingPeriods = append(b.WaitingPeriods, estimate.WaitingPeriod{Category: w.Category, Months: w.Months})
	}
	return b
}

// PlanInput is the body of POST /api/insurance/plans.
type PlanInput struct {
	Carrier                   Carrier         `json:"carrier"`
	Name                      string          `json:"name"`
	GroupNumber               string          `json:"groupNumber"`
	BenefitYearStartMonth     int             `json:"benefitYearStartMonth"`
	Coverage                  map[string]int  `json:"coverage"`
	Deductible                Deductible      `json:"deductible"`
	AnnualMaximumCents        int64           `json:"annualMaximumCents"`
	OrthoLifetimeMaximumCents int64           `json:"orthoLifetimeMaximumCents"`
	Frequencies               []Frequency     `json:"frequencies"`
	WaitingPeriods            []WaitingPeriod `json:"waitingPeriods"`
}

// Bounds of a plan's input.
const (
	maxText        = 200
	maxFrequencies = 50
	maxCodes       = 50
	// maxCents is a sanity bound on any amount of a plan ($10 million).
	maxCents = 1_000_000_000
)

// check trims in's texts and codes and is its field errors (an Invalid
// error naming every bad field), or nil.
func (in *PlanInput) check() error {
	var v errs.Validator
	text := func(field string, s *string, required bool) {
		*s = strings.TrimSpace(*s)
		v.Check(!required || *s != "", field, "is required")
		v.Check(utf8.RuneCountInString(*s) <= maxText, field, fmt.Sprintf("must be at most %d characters", maxText))
	}
	text("carrier.name", &in.Carrier.Name, true)
	text("carrier.payerId", &in.Carrier.PayerID, false)
	text("carrier.phone", &in.Carrier.Phone, false)
	text("name", &in.Name, true)
	text("groupNumber", &in.GroupNumber, false)
	v.Check(in.BenefitYearStartMonth >= 1 && in.BenefitYearStartMonth <= 12, "benefitYearStartMonth", "must be a month from 1 to 12")
	v.Check(len(in.Coverage) > 0, "coverage", "name the percent covered for at least one category")
	for _, cat := range slices.Sorted(maps.Keys(in.Coverage)) {
		pct := in.Coverage[cat]
		field := "coverage." + cat
		v.Check(known(cat), field, "is not a category ("+strings.Join(estimate.Categories, ", ")+")")
		v.Check(pct >= 0 && pct <= 100, field, "must be a percent from 0 to 100")
	}
	cents := func(field string, c int64) {
		v.Check(c >= 0 && c <= maxCents, field, "must be whole cents from 0 to 1000000000")
	}
	cents("deductible.individualCents", in.Deductible.IndividualCents)
	cents("deductible.familyCents", in.Deductible.FamilyCents)
	cents("annualMaximumCents", in.AnnualMaximumCents)
	cents("orthoLifetimeMaximumCents", in.OrthoLifetimeMaximumCents)
	if in.Deductible.WaivedFor == nil {
		in.Deductible.WaivedFor = []string{}
	}
	for i, c := range in.Deductible.WaivedFor {
		v.Check(known(c), fmt.Sprintf("deductible.waivedFor[%d]", i), "is not a category")
	}
	v.Check(len(in.Frequencies) <= maxFrequencies, "frequencies", fmt.Sprintf("at most %d limits", maxFrequencies))
	if in.Frequencies == nil {
		in.Frequencies = []Frequency{}
	}
	for i := range in.Frequencies {
		f := &in.Frequencies[i]
		field := fmt.Sprintf("frequencies[%d]", i)
		v.Check(len(f.Codes) > 0 && len(f.Codes) <= maxCodes, field+".codes", fmt.Sprintf("name 1 to %d procedure codes", maxCodes))
		for j, c := range f.Codes {
			f.Codes[j] = strings.ToUpper(strings.TrimSpace(c))
			v.Check(f.Codes[j] != "" && len(f.Codes[j]) <= 20, fmt.Sprintf("%s.codes[%d]", field, j), "must be a procedure code")
		}
		v.Check(f.Count >= 1 && f.Count <= 100, field+".count", "must be from 1 to 100")
		switch f.Per {
		case estimate.PerBenefitYear:
			v.Check(f.Years == 0, field+".years", "is only for per \"years\"")
		case estimate.PerYears:
			v.Check(f.Years >= 1 && f.Years <= 20, field+".years", "must be from 1 to 20")
		default:
			v.Check(false, field+".per", "must be benefit_year or years")
		}
	}
	v.Check(len(in.WaitingPeriods) <= len(estimate.Categories), "waitingPeriods", "at most one per category")
	if in.WaitingPeriods == nil {
		in.WaitingPeriods = []WaitingPeriod{}
	}
	for i, w := range in.WaitingPeriods {
		field := fmt.Sprintf("waitingPeriods[%d]", i)
		v.Check(known(w.Category), field+".category", "is not a category")
		v.Check(w.Months >= 1 && w.Months <= 60, field+".months", "must be from 1 to 60")
	}
	return v.Err()
}

func known(category string) bool { return slices.Contains(estimate.Categories, category) }

// plans keeps the clinic's insurance plans.
type plans struct{ c *store.Collection }

// maxListedPlans bounds the list (a practice takes a few dozen plans).
const maxListedPlans = 1000

var errPlanNotFound = errs.E(errs.NotFound, "insurance plan not found")

func (s plans) insert(ctx context.Context, p Plan) error { return s.c.InsertOne(ctx, p.ClinicID, p) }

func (s plans) get(ctx context.Context, clinicID, id string) (Plan, error) {
	if !ids.Valid(id) {
		return Plan{}, errPlanNotFound
	}
	return store.One[Plan](ctx, s.c, clinicID, id, errPlanNotFound)
}

// list is the clinic's plans by carrier and name, on the (clinicId,
// carrier.name, name) index.
func (s plans) list(ctx context.Context, clinicID string) ([]Plan, error) {
	out := []Plan{}
	opts := options.Find().SetSort(bson.D{{Key: "carrier.name", Value: 1}, {Key: "name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(maxListedPlans)
	return out, s.c.Find(ctx, clinicID, bson.D{}, &out, opts)
}
