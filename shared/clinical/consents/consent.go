package consents

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clinical/consents/forms"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Consent statuses.
const (
	StatusPending = "pending"
	StatusSigned  = "signed"
)

// Signature is a signature, as stored and answered (forms.Signature).
type Signature = forms.Signature

// consentRecord is a consent as stored (forms.Record).
type consentRecord = forms.Record

// Consent is a consent as answered.
type Consent struct {
	ID              string     `json:"id"`
	PatientID       string     `json:"patientId"`
	PatientName     string     `json:"patientName,omitempty"`
	TemplateID      string     `json:"templateId"`
	TemplateVersion int        `json:"templateVersion"`
	Title           string     `json:"title"`
	Kind            string     `json:"kind"`
	Body            string     `json:"body"`
	BodyHash        string     `json:"bodyHash"`
	Status          string     `json:"status"`
	SentAt          time.Time  `json:"sentAt"`
	SentBy          string     `json:"sentBy"`
	PlanID          *string    `json:"planId"`
	AppointmentID   *string    `json:"appointmentId"`
	Signature       *Signature `json:"signature"`
}

// viewOf is rec as answered.
func viewOf(rec consentRecord) Consent {
	c := Consent{ID: rec.ID, PatientID: rec.PatientID, TemplateID: rec.TemplateID, TemplateVersion: rec.TemplateVersion,
		Title: rec.Title, Kind: rec.Kind, Body: rec.Body, BodyHash: rec.BodyHash, Status: rec.Status, SentAt: rec.SentAt,
		SentBy: rec.SentBy, PlanID: nullable(rec.PlanID), AppointmentID: nullable(rec.AppointmentID)}
	if s := rec.Signature; s != nil {
		sig := *s
		c.Signature = &sig
	}
	return c
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

var (
	errConsentNotFound = errs.E(errs.NotFound, "consent not found")
	errAlreadySigned   = errs.E(errs.Conflict, "the consent is already signed; a signed consent cannot be signed again")
	errConsentBusy     = errs.E(errs.Conflict, "the consent is being signed right now; reload it")
)

// byNewest is the per-patient list's order.
var byNewest = store.Sort{Field: "sentAt", Desc: true, Type: bson.TypeDateTime}

// maxFamily bounds the consents a guardian's list reads (their own and
// their minors'): a family's forms, not a clinic's.
const maxFamily = 500

// consentStore keeps the consents sent to patients.
type consentStore struct {
	c        *store.Collection
	versions *store.Versions
}

func newConsentStore(m *store.Mongo, c clock.Clock) *consentStore {
	return &consentStore{c: forms.Collection(m), versions: store.NewVersions(m, c)}
}

func (s *consentStore) Insert(ctx context.Context, clinicID string, rec consentRecord) error {
	return s.c.InsertOne(ctx, clinicID, rec)
}

// Get is clinicID's consent id; a garbage id, a missing consent and
// another clinic's are all errConsentNotFound.
func (s *consentStore) Get(ctx context.Context, clinicID, id string) (consentRecord, error) {
	if !ids.Valid(id) {
		return consentRecord{}, errConsentNotFound
	}
	return store.One[consentRecord](ctx, s.c, clinicID, id, errConsentNotFound)
}

// List is one page of a patient's consents, newest first: one query on
// (clinicId, patientId, sentAt).
func (s *consentStore) List(ctx context.Context, clinicID, patientID string, page store.PageRequest) (store.Page[consentRecord], error) {
	return store.FindPage[consentRecord](ctx, s.c, clinicID, bson.D{{Key: "patientId", Value: patientID}}, byNewest, page)
}

// Family is the consents of patientID and of those whose guarantor they
// were when the consent was sent, in one query.
func (s *consentStore) Family(ctx context.Context, clinicID, patientID string) ([]consentRecord, error) {
	var out []consentRecord
	err := s.c.Find(ctx, clinicID, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "patientId", Value: patientID}}, bson.D{{Key: "guarantorId", Value: patientID}}}}}, &out,
		options.Find().SetSort(bson.D{{Key: "sentAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(maxFamily))
	return out, err
}

// Sign records sig on consent id if it is still at version, once, and
// reports whether this call did.
func (s *consentStore) Sign(ctx context.Context, clinicID, id string, version int, sig Signature) (consentRecord, bool, error) {
	var out consentRecord
	won, err := s.versions.Update(ctx, s.c, clinicID, id, version, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: StatusSigned}, {Key: "signature", Value: sig}}}}, &out)
	return out, won, err
}
