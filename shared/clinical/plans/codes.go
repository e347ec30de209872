package plans

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Categories of procedure codes.
var Categories = []string{"diagnostic", "preventive", "basic", "major", "endo", "perio", "prosth", "ortho", "surgery"}

// ChartKinds a procedure code may chart as (the chart's kinds of work).
var ChartKinds = []string{"filling", "crown", "bridge", "implant", "root_canal", "sealant", "veneer", "extraction", "procedure"}

// Limits of the fee schedule.
const (
	maxCodeLen        = 16
	maxDescriptionLen = 200
	maxFeeCents       = 10_000_000
	// maxCodes bounds a clinic's schedule (and so its one document, about
	// 2 MB at this size): clinics keep hundreds of codes.
	maxCodes = 5000
	// maxListed is the most codes one list answers.
	maxListed = 2000
)

// Code is one procedure code of a clinic's fee schedule.
type Code struct {
	ID          string `bson:"id" json:"id"`
	Code        string `bson:"code" json:"code"`
	Description string `bson:"description" json:"description"`
	Category    string `bson:"category" json:"category"`
	FeeCents    int64  `bson:"feeCents" json:"feeCents"`
	Active      bool   `bson:"active" json:"active"`
	// ChartKind is what a completed item of this code charts as; empty:
	// the chart derives it from the category.
	ChartKind string `bson:"chartKind" json:"chartKind,omitempty"`
}

// key is the code as codes are told apart: "fil-c1" and "FIL-C1" are one.
func key(code string) string { return strings.ToUpper(code) }

var codePattern = regexp.MustCompile(`^[A-Za-z0-9.-]{1,16}$`)

// CodeInput is a code as a client sends it (POST and each CSV row).
type CodeInput struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Category    string `json:"category"`
	FeeCents    *int64 `json:"feeCents"`
	ChartKind   string `json:"chartKind"`
}

// check reports what is wrong with in, each problem under its field name.
func (in CodeInput) check() []errs.FieldError {
	var v []errs.FieldError
	add := func(field, msg string) { v = append(v, errs.FieldError{Field: field, Message: msg}) }
	if !codePattern.MatchString(in.Code) {
		add("code", fmt.Sprintf("must be 1 to %d letters, digits, dots or hyphens", maxCodeLen))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Description)); n == 0 || n > maxDescriptionLen || !utf8.ValidString(in.Description) {
		add("description", fmt.Sprintf("must be 1 to %d characters", maxDescriptionLen))
	}
	if !slices.Contains(Categories, in.Category) {
		add("category", "must be one of "+strings.Join(Categories, ", "))
	}
	if in.FeeCents == nil || *in.FeeCents < 0 || *in.FeeCents > maxFeeCents {
		add("feeCents", fmt.Sprintf("must be an integer from 0 to %d", maxFeeCents))
	}
	if in.ChartKind != "" && !slices.Contains(ChartKinds, in.ChartKind) {
		add("chartKind", "must be one of "+strings.Join(ChartKinds, ", ")+", or empty")
	}
	return v
}

// code is in as a new active code (in has been checked).
func (in CodeInput) code() Code {
	return Code{ID: ids.New(), Code: in.Code, Description: strings.TrimSpace(in.Description), Category: in.Category,
		FeeCents: *in.FeeCents, Active: true, ChartKind: in.ChartKind}
}

// schedule is a clinic's whole fee schedule, one document (its _id is the
// clinic's id): an import replaces it in one write, so nothing is ever
// half-imported, and a plan prices its items from one read.
type schedule struct {
	ID        string    `bson:"_id"`
	ClinicID  string    `bson:"clinicId"`
	Codes     []Code    `bson:"codes"`
	UpdatedAt time.Time `bson:"updatedAt"`
	Version   int       `bson:"version"`
}

// find is the code whose key is k.
func (s schedule) find(k string) (Code, bool) {
	i := slices.IndexFunc(s.Codes, func(c Code) bool { return key(c.Code) == k })
	if i < 0 {
		return Code{}, false
	}
	return s.Codes[i], true
}

// Codes keeps the clinics' fee schedules.
type Codes struct {
	coll     *store.Collection
	versions *store.Versions
	clock    clock.Clock
}

// NewCodes declares the schedules' collection (no I/O). Each is read and
// written by _id alone, so it needs no index of its own.
func NewCodes(m *store.Mongo, c clock.Clock) *Codes {
	return &Codes{coll: m.Collection("fee_schedules"), versions: store.NewVersions(m, c), clock: c}
}

// Schedule is clinicID's fee schedule, sorted by code; a clinic that never
// had one has an empty one.
func (s *Codes) Schedule(ctx context.Context, clinicID string) ([]Code, error) {
	sc, err := s.read(ctx, clinicID)
	return sc.Codes, err
}

func (s *Codes) read(ctx context.Context, clinicID string) (schedule, error) {
	var sc schedule
	err := s.coll.Get(ctx, clinicID, clinicID, &sc)
	if errs.Is(err, errs.NotFound) {
		return schedule{ID: clinicID, ClinicID: clinicID, Version: -1}, nil
	}
	return sc, err
}

var errScheduleBusy = errs.E(errs.Conflict, "the fee schedule is being changed by someone else; try again")

// change applies fn to clinicID's codes and stores the result, once: of
// two racing changes one applies first and the other is re-applied to its
// result (fn must be safe to run again on a fresher copy).
func (s *Codes) change(ctx context.Context, clinicID string, fn func(codes []Code) ([]Code, error)) ([]Code, error) {
	var out []Code
	err := store.Retry(ctx, errScheduleBusy, func() (bool, error) {
		cur, err := s.read(ctx, clinicID)
		if err != nil {
			return false, err
		}
		next, err := fn(slices.Clone(cur.Codes))
		if err != nil {
			return false, err
		}
		if len(next) > maxCodes {
			return false, errs.E(errs.Unprocessable, "a fee schedule holds at most %d codes", maxCodes)
		}
		slices.SortFunc(next, func(a, b Code) int { return strings.Compare(key(a.Code), key(b.Code)) })
		now := s.clock.Now().UTC().Truncate(time.Millisecond)
		if cur.Version < 0 {
			// The first write creates the document; a racing first write
			// makes this insert a Conflict, and the round is run again on
			// what that one stored.
			err := s.coll.InsertOne(ctx, clinicID, schedule{ID: clinicID, Codes: next, UpdatedAt: now})
			if errs.Is(err, errs.Conflict) {
				return false, nil
			}
			out = next
			return err == nil, err
		}
		won, err := s.versions.Update(ctx, s.coll, clinicID, clinicID, cur.Version,
			bsonSet("codes", next, "updatedAt", now), nil)
		if won {
			out = next
		}
		return won, err
	})
	return out, err
}

// Create adds one code; a code the schedule has (in any letter case) is a
// Conflict.
func (s *Codes) Create(ctx context.Context, clinicID string, in CodeInput) (Code, error) {
	if fields := in.check(); len(fields) > 0 {
		return Code{}, errs.InvalidFields(fields...)
	}
	c := in.code()
	_, err := s.change(ctx, clinicID, func(codes []Code) ([]Code, error) {
		if slices.ContainsFunc(codes, func(x Code) bool { return key(x.Code) == key(c.Code) }) {
			return nil, errs.E(errs.Conflict, "the fee schedule already has code %s", c.Code)
		}
		return append(codes, c), nil
	})
	return c, err
}

// Imported is what an import did.
type Imported struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// Upsert stores rows (checked, their codes distinct) in one write: a code
// the schedule has keeps its id and takes the row's description, category,
// fee and chart kind (and is active again); others are added.
func (s *Codes) Upsert(ctx context.Context, clinicID string, rows []CodeInput) (Imported, error) {
	var res Imported
	_, err := s.change(ctx, clinicID, func(codes []Code) ([]Code, error) {
		res = Imported{}
		at := make(map[string]int, len(codes))
		for i, c := range codes {
			at[key(c.Code)] = i
		}
		for _, in := range rows {
			c := in.code()
			if i, ok := at[key(c.Code)]; ok {
				c.ID = codes[i].ID
				codes[i] = c
				res.Updated++
				continue
			}
			at[key(c.Code)] = len(codes)
			codes = append(codes, c)
			res.Created++
		}
		return codes, nil
	})
	return res, err
}

// AddMissing adds the codes of rows the schedule lacks and leaves the
// others as the clinic keeps them (the seed: a clinic's own fees win).
func (s *Codes) AddMissing(ctx context.Context, clinicID string, rows []CodeInput) error {
	_, err := s.change(ctx, clinicID, func(codes []Code) ([]Code, error) {
		for _, in := range rows {
			if !slices.ContainsFunc(codes, func(x Code) bool { return key(x.Code) == key(in.Code) }) {
				codes = append(codes, in.code())
			}
		}
		return codes, nil
	})
	return err
}

// filter is the codes matching text (a code prefix or words of the
// description, case-insensitively) and category, at most maxListed.
func filter(codes []Code, text, category string) []Code {
	text = strings.ToLower(strings.TrimSpace(text))
	out := []Code{}
	for _, c := range codes {
		if category != "" && c.Category != category {
			continue
		}
		if text != "" && !strings.HasPrefix(strings.ToLower(c.Code), text) && !strings.Contains(strings.ToLower(c.Description), text) {
			continue
		}
		if out = append(out, c); len(out) == maxListed {
			break
		}
	}
	return out
}
