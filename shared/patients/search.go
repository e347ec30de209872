package patients

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

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
	// RecallFrom, with RecallDue, leaves out recalls due before this date
	// (the reminders skip a backlog of long-lapsed ones).
	RecallFrom string
	// FamilyOf lists the family of this patient: their guarantor and every
	// patient with that guarantor (or, for a guarantor, themself and every
	// patient they guarantee).
	FamilyOf string
	// OnlyID narrows the list to one patient (a patient's own view).
	OnlyID string
	// IDs lists just these patients, archived ones too (a screen naming the
	// patients it shows); it combines with no other filter but OnlyID.
	IDs []string
}

// MaxIDs is how many patients one ?ids= list may name: one page.
const MaxIDs = store.MaxLimit

// ParseIDs reads a ?ids= value: comma-separated patient ids, 1 to MaxIDs
// of them once duplicates are dropped.
func ParseIDs(s string) ([]string, error) {
	invalid := func(msg string) error { return errs.InvalidFields(errs.FieldError{Field: "ids", Message: msg}) }
	var out []string
	for _, id := range strings.Split(s, ",") {
		if !ids.Valid(id) {
			return nil, invalid("must be comma-separated patient ids")
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
		if len(out) > MaxIDs {
			return nil, invalid(fmt.Sprintf("must name at most %d patients", MaxIDs))
		}
	}
	return out, nil
}

// List returns one page of clinicID's patients matching q, by name (or by
// recall due date when q.RecallDue is set).
func (s *Store) List(ctx context.Context, clinicID string, q Query, page store.PageRequest) (store.Page[Patient], error) {
	filter, err := s.filter(ctx, clinicID, q)
	if err != nil {
		return store.Page[Patient]{Items: []Patient{}}, err
	}
	sort := store.Sort{Field: "search.sortName", Type: bson.TypeString}
	if q.RecallDue != "" {
		sort = store.Sort{Field: "recall.dueDate", Type: bson.TypeString}
	}
	return store.FindPage[Patient](ctx, s.patients, clinicID, filter, sort, page)
}

func (s *Store) filter(ctx context.Context, clinicID string, q Query) (bson.D, error) {
	f := bson.D{}
	status := q.Status
	if status == "" && len(q.IDs) > 0 {
		// An old appointment may name a patient archived since.
		status = "all"
	}
	switch status {
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
	if len(q.IDs) > 0 {
		and = append(and, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: q.IDs}}}})
	}
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
		due := bson.D{{Key: "$lte", Value: q.RecallDue}}
		if q.RecallFrom != "" {
			if _, ok := parseDate(q.RecallFrom); !ok {
				return nil, errs.InvalidFields(errs.FieldError{Field: "recallFrom", Message: "must be a date YYYY-MM-DD"})
			}
			due = append(due, bson.E{Key: "$gte", Value: q.RecallFrom})
		}
		f = append(f, bson.E{Key: "recall.dueDate", Value: due})
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
