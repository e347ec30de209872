// Package forms is the consents sent to patients as stored, and the one
// read of them that needs nothing else of the consents package: a
// patient's forms for a record export. It is its own package because
// consents links a PDF writer that a reader of the records (the admin
// function's export) must not carry; consents declares its store over the
// same Collection.
package forms

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/store"
)

// Signature is a signature, as stored and answered: who signed (and for
// whom), when, from where.
type Signature struct {
	// Name is the name as typed.
	Name            string    `bson:"name" json:"name"`
	SignedAt        time.Time `bson:"signedAt" json:"signedAt"`
	IP              string    `bson:"ip" json:"ip"`
	UserAgent       string    `bson:"userAgent" json:"userAgent"`
	SignerPatientID string    `bson:"signerPatientId" json:"signerPatientId"`
	// OnBehalfOf is the minor a guardian signed for (nil when the patient
	// signed for themself).
	OnBehalfOf   *string `bson:"onBehalfOf,omitempty" json:"onBehalfOf"`
	SignerUserID string  `bson:"signerUserId" json:"-"`
	// Zone and Local are the clinic's time zone and the signing time in
	// it, as the signer's practice read the clock: the PDF prints them
	// without reading the clinic's settings again.
	Zone  string `bson:"zone" json:"-"`
	Local string `bson:"local" json:"-"`
}

// Record is a consent as stored: the template's text as it was when sent,
// so a later edit of the template changes nothing here.
type Record struct {
	ID        string `bson:"_id"`
	PatientID string `bson:"patientId"`
	// PatientName and PatientDOB are whom the consent was sent to, as the
	// practice had them then: what the PDF names.
	PatientName string `bson:"patientName"`
	PatientDOB  string `bson:"patientDob"`
	// GuarantorID is the patient's guarantor when the consent was sent:
	// what the guardian's list finds it by. Whether that guardian may
	// still see or sign it is judged on the family as it is at the time.
	GuarantorID     string     `bson:"guarantorId,omitempty"`
	TemplateID      string     `bson:"templateId"`
	TemplateVersion int        `bson:"templateVersion"`
	Title           string     `bson:"title"`
	Kind            string     `bson:"kind"`
	Body            string     `bson:"body"`
	BodyHash        string     `bson:"bodyHash"`
	Status          string     `bson:"status"`
	SentAt          time.Time  `bson:"sentAt"`
	SentBy          string     `bson:"sentBy"`
	PlanID          string     `bson:"planId,omitempty"`
	AppointmentID   string     `bson:"appointmentId,omitempty"`
	Signature       *Signature `bson:"signature,omitempty"`
	// Version moves once, when it is signed (store.Versions): of racing
	// signatures exactly one lands.
	Version int `bson:"version"`
}

// Collection declares the consents collection and its indexes (no I/O):
// a patient's forms newest first, and a guardian's family's.
func Collection(m *store.Mongo) *store.Collection {
	byPatient := bson.D{{Key: store.ClinicField, Value: 1}, {Key: "patientId", Value: 1}, {Key: "sentAt", Value: 1}, {Key: "_id", Value: 1}}
	byGuarantor := bson.D{{Key: store.ClinicField, Value: 1}, {Key: "guarantorId", Value: 1}, {Key: "sentAt", Value: 1}}
	return m.Collection("consents", mongo.IndexModel{Keys: byPatient}, mongo.IndexModel{Keys: byGuarantor})
}

// Reader reads a patient's forms.
type Reader struct{ c *store.Collection }

// NewReader declares the read (no I/O).
func NewReader(m *store.Mongo) *Reader { return &Reader{c: Collection(m)} }

// ForPatient is patientID's forms (pending and signed), newest first, at
// most limit: one query on the (clinicId, patientId, sentAt) index.
func (r *Reader) ForPatient(ctx context.Context, clinicID, patientID string, limit int) ([]Record, error) {
	out := []Record{}
	opts := options.Find().SetSort(bson.D{{Key: "sentAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	return out, r.c.Find(ctx, clinicID, bson.D{{Key: "patientId", Value: patientID}}, &out, opts)
}
