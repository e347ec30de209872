// Package core is what every part of the clinical group shares: its
// dependencies, the patient and clinic facts it reads from other groups
// through small interfaces, and the rules every clinical route follows
// (the path's patient must be the caller's own when the caller is a
// patient, and must exist in the caller's clinic; every read and write of
// health information is audited).
package core

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Deps are what the clinical routes need.
type Deps struct {
	Mongo *store.Mongo
	Audit *audit.Log
	// Seal encrypts clinical free text at rest.
	Seal     *seal.Keys
	Clock    clock.Clock
	Log      *slog.Logger
	Patients Patients
	Settings Settings
	// Objects is the document store (S3); nil where a function serves no
	// documents.
	Objects Objects
}

// Objects is what the documents part needs of the object store (S3, or an
// S3-protocol server locally). Keys are decided by the server, never by a
// client. A missing object is an errs.NotFound; a store that cannot be
// reached is an errs.Unavailable.
type Objects interface {
	// PresignPut is a URL (and the headers the browser must send with it)
	// for one PUT of exactly size bytes of contentType to key, valid for ttl.
	PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (url string, headers map[string]string, err error)
	// PresignGet is a URL to download key as fileName (Content-Disposition)
	// with contentType, valid for ttl.
	PresignGet(ctx context.Context, key, fileName, contentType string, inline bool, ttl time.Duration) (string, error)
	// Head is the stored object's size.
	Head(ctx context.Context, key string) (size int64, err error)
	// ReadFirst is the object's first n bytes (fewer if it is shorter).
	ReadFirst(ctx context.Context, key string, n int64) ([]byte, error)
	// Delete removes key (a missing key is not an error).
	Delete(ctx context.Context, key string) error
}

// Allergy is a recorded allergy of a patient.
type Allergy struct {
	Substance string
	Severity  string
}

// PatientFacts are what clinical reads of a patient record (the patients
// group owns it).
type PatientFacts struct {
	ID        string
	FirstName string
	LastName  string
	// DateOfBirth is YYYY-MM-DD.
	DateOfBirth string
	// GuarantorID is the family's guarantor (a parent or guardian for a
	// minor), a patient of the same clinic; "" for none.
	GuarantorID string
	Archived    bool
	Allergies   []Allergy
}

// Patients looks up a patient of a clinic; a patient of another clinic, or
// none, is an errs.NotFound.
type Patients func(ctx context.Context, clinicID, patientID string) (PatientFacts, error)

// ClinicFacts are the clinic settings clinical reads (identity owns them).
type ClinicFacts struct {
	TimeZone *time.Location
	// Numbering is "universal" or "fdi".
	Numbering string
}

// Settings reads a clinic's settings.
type Settings func(ctx context.Context, clinicID string) (ClinicFacts, error)

// Now is the time as stored: BSON keeps milliseconds, so an answer built in
// memory matches the record read back later.
func (d Deps) Now() time.Time { return d.Clock.Now().UTC().Truncate(time.Millisecond) }

// ErrPatientNotFound is the answer for a patient the caller may not see.
var ErrPatientNotFound = errs.E(errs.NotFound, "patient not found")

// PathPatient is the patient id in path parameter param. A patient naming
// another patient is 404 (the guard's ownership rule says so too; this
// holds even if a policy forgot it).
func PathPatient(r *http.Request, p authz.Principal, param string) (string, error) {
	id := r.PathValue(param)
	if !ids.Valid(id) || (p.IsPatient() && id != p.PatientID) {
		return "", ErrPatientNotFound
	}
	return id, nil
}

// Subject is the path's patient ({id}), checked to exist in the caller's
// clinic: another clinic's patient is 404 before anything is read.
func (d Deps) Subject(r *http.Request, p authz.Principal) (PatientFacts, error) {
	id, err := PathPatient(r, p, "id")
	if err != nil {
		return PatientFacts{}, err
	}
	return d.Patients(r.Context(), p.ClinicID, id)
}

// Owns reports whether caller p may see a record of patientID: staff see
// their clinic's (the store scopes by clinic), a patient only their own.
func Owns(p authz.Principal, patientID string) bool {
	return !p.IsPatient() || p.PatientID == patientID
}

// Entry is the trail's entry for action on resource (e.g. "notes/<id>") of
// patientID. Detail never carries health information: counts, statuses,
// field names and ids only.
func Entry(action, resource, patientID, detail string) audit.Entry {
	return audit.Entry{Action: action, Resource: resource, PatientID: patientID, Outcome: audit.Success, Detail: detail}
}

// Read records a read before it is answered (a trail that cannot be
// written stops the request with 503: nothing is read unaudited).
func (d Deps) Read(r *http.Request, p authz.Principal, e audit.Entry) error {
	return d.Audit.Request(r, p.Actor(), e)
}

// Write records a write and makes it: the change runs only if the trail
// took the record.
func (d Deps) Write(r *http.Request, p authz.Principal, e audit.Entry, change func() error) error {
	return d.Audit.Guarded(r, p.Actor(), e, change)
}

// Deny records a refused request and returns answer (or the trail's error).
func (d Deps) Deny(r *http.Request, p authz.Principal, e audit.Entry, answer error) error {
	e.Outcome = audit.Denied
	if err := d.Audit.Request(r, p.Actor(), e); err != nil {
		return err
	}
	return answer
}

// Role sets of the clinical rules the handlers apply beyond the policy
// table (which already refuses the roles it does not list).
var (
	// Signers may sign clinical notes.
	Signers = []string{authz.Dentist, authz.Hygienist}
	// Prescribers may create and discontinue prescriptions.
	Prescribers = []string{authz.Dentist}
)
