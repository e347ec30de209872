// Package fhir maps a patient's record, as the groups answer it, to FHIR
// R4 resources and a searchset Bundle (the answer of
// GET fhir/Patient/{id}/$everything). Pure functions, no I/O: the admin
// function reads the groups and hands the record here.
//
// Only what FHIR R4's JSON schema knows is written, and no empty string
// or empty list is (the schema refuses both).
package fhir

// ContentType is the FHIR JSON media type.
const ContentType = "application/fhir+json"

// Code systems.
const (
	// ToothSystem codes teeth in ISO 3950 (FDI two-digit numbers): HL7's
	// "Oral Site Codes".
	ToothSystem      = "http://terminology.hl7.org/CodeSystem/ex-tooth"
	CDTSystem        = "http://www.ada.org/cdt"
	LanguageSystem   = "urn:ietf:bcp:47"
	allergyClinical  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	conditionClin    = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	conditionVer     = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	conditionCat     = "http://terminology.hl7.org/CodeSystem/condition-category"
	consentScope     = "http://terminology.hl7.org/CodeSystem/consentscope"
	loinc            = "http://loinc.org"
	subscriberRel    = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
	coverageClass    = "http://terminology.hl7.org/CodeSystem/coverage-class"
	participationTyp = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
)

// Coding is a code in a system.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is codings and/or text.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Reference names another resource (relative to the Bundle's base) or
// only displays it.
type Reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

// Period is a start and/or end (dates or dateTimes).
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// HumanName is a person's name.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

// ContactPoint is a phone number or email address.
type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Address is a postal address.
type Address struct {
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
}

// Annotation is a note.
type Annotation struct {
	Text string `json:"text"`
}

// Attachment points at content (here: by URL or title, never inline).
type Attachment struct {
	ContentType string `json:"contentType,omitempty"`
	URL         string `json:"url,omitempty"`
	Size        int64  `json:"size,omitempty"`
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
}

// Quantity is a measured amount.
type Quantity struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// Head is a resource's type and id, first in its JSON.
type Head struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

func (h Head) head() Head { return h }

// Patient is FHIR's Patient.
type Patient struct {
	Head
	Active        bool                   `json:"active"`
	Name          []HumanName            `json:"name,omitempty"`
	Telecom       []ContactPoint         `json:"telecom,omitempty"`
	Gender        string                 `json:"gender,omitempty"`
	BirthDate     string                 `json:"birthDate,omitempty"`
	Address       []Address              `json:"address,omitempty"`
	Contact       []PatientContact       `json:"contact,omitempty"`
	Communication []PatientCommunication `json:"communication,omitempty"`
}

// PatientContact is someone to call for the patient.
type PatientContact struct {
	Relationship []CodeableConcept `json:"relationship,omitempty"`
	Name         *HumanName        `json:"name,omitempty"`
	Telecom      []ContactPoint    `json:"telecom,omitempty"`
}

// PatientCommunication is a language the patient speaks.
type PatientCommunication struct {
	Language  CodeableConcept `json:"language"`
	Preferred bool            `json:"preferred,omitempty"`
}

// AllergyIntolerance is FHIR's AllergyIntolerance.
type AllergyIntolerance struct {
	Head
	ClinicalStatus *CodeableConcept `json:"clinicalStatus,omitempty"`
	Criticality    string           `json:"criticality,omitempty"`
	Code           *CodeableConcept `json:"code,omitempty"`
	Patient        Reference        `json:"patient"`
	Note           []Annotation     `json:"note,omitempty"`
}

// Appointment is FHIR's Appointment.
type Appointment struct {
	Head
	Status            string                   `json:"status"`
	CancelationReason *CodeableConcept         `json:"cancelationReason,omitempty"`
	Start             string                   `json:"start,omitempty"`
	End               string                   `json:"end,omitempty"`
	MinutesDuration   int                      `json:"minutesDuration,omitempty"`
	Created           string                   `json:"created,omitempty"`
	Participant       []AppointmentParticipant `json:"participant"`
}

// AppointmentParticipant is who takes part in an appointment.
type AppointmentParticipant struct {
	Type   []CodeableConcept `json:"type,omitempty"`
	Actor  *Reference        `json:"actor,omitempty"`
	Status string            `json:"status"`
}

// Condition is FHIR's Condition.
type Condition struct {
	Head
	ClinicalStatus     *CodeableConcept  `json:"clinicalStatus,omitempty"`
	VerificationStatus *CodeableConcept  `json:"verificationStatus,omitempty"`
	Category           []CodeableConcept `json:"category,omitempty"`
	Code               *CodeableConcept  `json:"code,omitempty"`
	BodySite           []CodeableConcept `json:"bodySite,omitempty"`
	Subject            Reference         `json:"subject"`
	RecordedDate       string            `json:"recordedDate,omitempty"`
	Asserter           *Reference        `json:"asserter,omitempty"`
	Note               []Annotation      `json:"note,omitempty"`
}

// Procedure is FHIR's Procedure.
type Procedure struct {
	Head
	Status            string            `json:"status"`
	Code              *CodeableConcept  `json:"code,omitempty"`
	Subject           Reference         `json:"subject"`
	PerformedDateTime string            `json:"performedDateTime,omitempty"`
	BodySite          []CodeableConcept `json:"bodySite,omitempty"`
}

// MedicationRequest is FHIR's MedicationRequest.
type MedicationRequest struct {
	Head
	Status                    string            `json:"status"`
	StatusReason              *CodeableConcept  `json:"statusReason,omitempty"`
	Intent                    string            `json:"intent"`
	MedicationCodeableConcept CodeableConcept   `json:"medicationCodeableConcept"`
	Subject                   Reference         `json:"subject"`
	AuthoredOn                string            `json:"authoredOn,omitempty"`
	Requester                 *Reference        `json:"requester,omitempty"`
	ReasonCode                []CodeableConcept `json:"reasonCode,omitempty"`
	DosageInstruction         []Dosage          `json:"dosageInstruction,omitempty"`
	DispenseRequest           *DispenseRequest  `json:"dispenseRequest,omitempty"`
}

// Dosage is how to take a medication.
type Dosage struct {
	Text string `json:"text"`
}

// DispenseRequest is what the pharmacy hands out.
type DispenseRequest struct {
	NumberOfRepeatsAllowed *int      `json:"numberOfRepeatsAllowed,omitempty"`
	Quantity               *Quantity `json:"quantity,omitempty"`
}

// Coverage is FHIR's Coverage.
type Coverage struct {
	Head
	Status       string           `json:"status"`
	Subscriber   *Reference       `json:"subscriber,omitempty"`
	SubscriberID string           `json:"subscriberId,omitempty"`
	Beneficiary  Reference        `json:"beneficiary"`
	Relationship *CodeableConcept `json:"relationship,omitempty"`
	Period       *Period          `json:"period,omitempty"`
	Payor        []Reference      `json:"payor"`
	Class        []CoverageClass  `json:"class,omitempty"`
	Order        int              `json:"order,omitempty"`
}

// CoverageClass is a plan or group of a coverage.
type CoverageClass struct {
	Type  CodeableConcept `json:"type"`
	Value string          `json:"value"`
	Name  string          `json:"name,omitempty"`
}

// Consent is FHIR's Consent.
type Consent struct {
	Head
	Status           string            `json:"status"`
	Scope            CodeableConcept   `json:"scope"`
	Category         []CodeableConcept `json:"category"`
	Patient          Reference         `json:"patient"`
	DateTime         string            `json:"dateTime,omitempty"`
	SourceAttachment *Attachment       `json:"sourceAttachment,omitempty"`
	PolicyRule       *CodeableConcept  `json:"policyRule,omitempty"`
}

// DocumentReference is FHIR's DocumentReference.
type DocumentReference struct {
	Head
	Status      string           `json:"status"`
	Type        *CodeableConcept `json:"type,omitempty"`
	Subject     Reference        `json:"subject"`
	Date        string           `json:"date,omitempty"`
	Description string           `json:"description,omitempty"`
	Content     []DocContent     `json:"content"`
}

// DocContent is a document's content: where to fetch it.
type DocContent struct {
	Attachment Attachment `json:"attachment"`
}

// Bundle is FHIR's Bundle.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Timestamp    string        `json:"timestamp,omitempty"`
	Total        int           `json:"total"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry"`
}

// BundleLink is a link of the bundle (its own URL).
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is one resource of a bundle.
type BundleEntry struct {
	FullURL  string      `json:"fullUrl"`
	Resource any         `json:"resource"`
	Search   EntrySearch `json:"search"`
}

// EntrySearch says why an entry is in a searchset.
type EntrySearch struct {
	Mode string `json:"mode"`
}
