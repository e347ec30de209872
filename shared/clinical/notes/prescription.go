package notes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Prescription statuses.
const (
	RxActive       = "active"
	RxDiscontinued = "discontinued"
)

var rxForms = []string{"tablet", "capsule", "liquid", "suspension", "rinse", "gel", "cream", "injection", "patch", "other"}

// rxRecord is a prescription as stored. Its free text (the reason, the
// override's and the discontinuation's reasons) is sealed; the structured
// prescription (drug, strength, form, sig, quantity, refills) is not, as a
// pharmacy printout or a later interaction check reads it field by field.
type rxRecord struct {
	ID        string `bson:"_id"`
	PatientID string `bson:"patientId"`
	Drug      string `bson:"drug"`
	Strength  string `bson:"strength"`
	Form      string `bson:"form"`
	Sig       string `bson:"sig"`
	Quantity  int    `bson:"quantity"`
	Refills   int    `bson:"refills"`
	// Reason is sealed to "prescriptions/<id>/reason".
	Reason       seal.Text `bson:"reason"`
	Status       string    `bson:"status"`
	PrescriberID string    `bson:"prescriberId"`
	// CreatedAt is when it was prescribed (answered as prescribedAt); the
	// list's index orders by it.
	CreatedAt      time.Time  `bson:"createdAt"`
	DiscontinuedAt *time.Time `bson:"discontinuedAt,omitempty"`
	DiscontinuedBy string     `bson:"discontinuedBy,omitempty"`
	// DiscontinueReason is sealed to "prescriptions/<id>/discontinueReason".
	DiscontinueReason seal.Text   `bson:"discontinueReason,omitempty"`
	Override          *rxOverride `bson:"override,omitempty"`
	// Version counts changes (store.Versions): a discontinuation happens once.
	Version int `bson:"version"`
}

// rxOverride is a prescriber's decision to prescribe past recorded
// allergies: the allergies as recorded then, and why (sealed to
// "prescriptions/<id>/override.reason").
type rxOverride struct {
	Reason    seal.Text `bson:"reason"`
	Allergies []string  `bson:"allergies"`
}

func rxWhere(id, field string) string { return "prescriptions/" + id + "/" + field }

// Prescription is a prescription as answered.
type Prescription struct {
	ID                string        `json:"id"`
	PatientID         string        `json:"patientId"`
	Drug              string        `json:"drug"`
	Strength          string        `json:"strength"`
	Form              string        `json:"form"`
	Sig               string        `json:"sig"`
	Quantity          int           `json:"quantity"`
	Refills           int           `json:"refills"`
	Reason            string        `json:"reason"`
	Status            string        `json:"status"`
	PrescriberID      string        `json:"prescriberId"`
	PrescribedAt      time.Time     `json:"prescribedAt"`
	DiscontinuedAt    *time.Time    `json:"discontinuedAt"`
	DiscontinuedBy    *string       `json:"discontinuedBy"`
	DiscontinueReason *string       `json:"discontinueReason"`
	Override          *OverrideView `json:"override"`
}

// OverrideView is an allergy override as answered.
type OverrideView struct {
	Reason    string   `json:"reason"`
	Allergies []string `json:"allergies"`
}

func (rec rxRecord) view(k *seal.Keys) (Prescription, error) {
	reason, err := k.Open(rec.Reason, rxWhere(rec.ID, "reason"))
	if err != nil {
		return Prescription{}, err
	}
	out := Prescription{ID: rec.ID, PatientID: rec.PatientID, Drug: rec.Drug, Strength: rec.Strength, Form: rec.Form,
		Sig: rec.Sig, Quantity: rec.Quantity, Refills: rec.Refills, Reason: reason, Status: rec.Status,
		PrescriberID: rec.PrescriberID, PrescribedAt: rec.CreatedAt, DiscontinuedAt: rec.DiscontinuedAt,
		DiscontinuedBy: nullable(rec.DiscontinuedBy)}
	if !rec.DiscontinueReason.IsZero() {
		s, err := k.Open(rec.DiscontinueReason, rxWhere(rec.ID, "discontinueReason"))
		if err != nil {
			return Prescription{}, err
		}
		out.DiscontinueReason = &s
	}
	if rec.Override != nil {
		s, err := k.Open(rec.Override.Reason, rxWhere(rec.ID, "override.reason"))
		if err != nil {
			return Prescription{}, err
		}
		out.Override = &OverrideView{Reason: s, Allergies: append([]string{}, rec.Override.Allergies...)}
	}
	return out, nil
}

// rxInput is a new prescription's body.
type rxInput struct {
	Drug     string `json:"drug"`
	Strength string `json:"strength"`
	Form     string `json:"form"`
	Sig      string `json:"sig"`
	Quantity *int   `json:"quantity"`
	// Refills defaults to none.
	Refills  *int    `json:"refills"`
	Reason   string  `json:"reason"`
	Override *reason `json:"override"`
}

// reason is a body of one optional reason (an override, a discontinuation).
type reason struct {
	Reason *string `json:"reason"`
}

// checkLen checks that s, trimmed, has from min to max characters.
func checkLen(v *errs.Validator, field, s string, min, max int) {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case !utf8.ValidString(s):
		v.Check(false, field, "must be valid text")
	case min > 0 && n == 0:
		v.Check(false, field, "is required")
	default:
		v.Check(n >= min && n <= max, field, fmt.Sprintf("must be from %d to %d characters", min, max))
	}
}

// validate checks a new prescription, every field at once.
func (in rxInput) validate() error {
	var v errs.Validator
	checkLen(&v, "drug", in.Drug, 1, 100)
	checkLen(&v, "strength", in.Strength, 1, 50)
	form := strings.ToLower(strings.TrimSpace(in.Form))
	v.Check(slices.Contains(rxForms, form), "form", "must be one of "+strings.Join(rxForms, ", "))
	checkLen(&v, "sig", in.Sig, 1, 500)
	v.Check(in.Quantity != nil && *in.Quantity >= 1 && *in.Quantity <= 1000, "quantity", "must be a whole number from 1 to 1000")
	v.Check(in.Refills == nil || (*in.Refills >= 0 && *in.Refills <= 11), "refills", "must be a whole number from 0 to 11")
	checkLen(&v, "reason", in.Reason, 1, 500)
	if in.Override != nil {
		r := ""
		if in.Override.Reason != nil {
			r = *in.Override.Reason
		}
		checkLen(&v, "override.reason", r, 1, 500)
	}
	return v.Err()
}

// rxStore keeps prescriptions.
type rxStore struct{ records[rxRecord] }

func newRxStore(m *store.Mongo, c clock.Clock) *rxStore {
	return &rxStore{newRecords[rxRecord](m, c, "prescriptions", errRxNotFound)}
}

var errRxNotFound = errs.E(errs.NotFound, "prescription not found")

// Discontinue ends the active prescription rec (as read), once, and
// reports whether this call did: of racing calls one wins.
func (s *rxStore) Discontinue(ctx context.Context, clinicID string, rec rxRecord, by string, at time.Time, why seal.Text) (rxRecord, bool, error) {
	set := bson.D{{Key: "status", Value: RxDiscontinued}, {Key: "discontinuedAt", Value: at}, {Key: "discontinuedBy", Value: by}}
	if !why.IsZero() {
		set = append(set, bson.E{Key: "discontinueReason", Value: why})
	}
	var out rxRecord
	won, err := s.move(ctx, clinicID, rec.ID, rec.Version, bson.D{{Key: "$set", Value: set}}, &out)
	return out, won, err
}
