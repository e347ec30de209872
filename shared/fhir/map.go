package fhir

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/billing/insurance"
	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/consents/forms"
	"github.com/topsmile/topsmile/shared/clinical/documents"
	"github.com/topsmile/topsmile/shared/clinical/notes"
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// Record is a patient's record as the groups answer it: what Everything
// maps. Each list is as its group read it (bounded there).
type Record struct {
	Patient       patients.Patient
	Appointments  []scheduling.Appointment
	Chart         []chart.Charted
	Plans         []plans.Plan
	Prescriptions []notes.Prescription
	Policies      []insurance.Policy
	Consents      []forms.Record
	Documents     []documents.Document
	// DocumentLinks puts the documents' download route in their
	// attachments; off for a patient's own export (the route is the
	// practice's: a link they cannot open is worse than none).
	DocumentLinks bool
}

// Everything is rec as a searchset Bundle: the Patient (search mode
// match) and everything of theirs (include). base is the absolute FHIR
// base URL ending in "/" (fullUrls are base + "Type/id"); self is the
// request's own absolute URL.
func Everything(base, self string, rec Record, now time.Time) Bundle {
	pid := rec.Patient.ID
	resources := []any{MapPatient(rec.Patient)}
	resources = appendAll(resources, MapAllergies(rec.Patient))
	for _, a := range rec.Appointments {
		resources = append(resources, MapAppointment(a))
	}
	resources = appendAll(resources, MapConditions(pid, rec.Chart))
	resources = appendAll(resources, MapProcedures(pid, rec.Plans))
	for _, p := range rec.Prescriptions {
		resources = append(resources, MapPrescription(pid, p))
	}
	for _, p := range rec.Policies {
		resources = append(resources, MapCoverage(pid, p))
	}
	for _, c := range rec.Consents {
		resources = append(resources, MapConsent(c))
	}
	for _, d := range rec.Documents {
		doc := MapDocument(d)
		if !rec.DocumentLinks {
			doc.Content[0].Attachment.URL = ""
		}
		resources = append(resources, doc)
	}
	b := Bundle{ResourceType: "Bundle", Type: "searchset", Timestamp: instant(now), Total: len(resources),
		Entry: make([]BundleEntry, 0, len(resources))}
	if self != "" {
		b.Link = []BundleLink{{Relation: "self", URL: self}}
	}
	for i, r := range resources {
		mode := "include"
		if i == 0 {
			mode = "match"
		}
		kind, id := identify(r)
		b.Entry = append(b.Entry, BundleEntry{FullURL: base + kind + "/" + id, Resource: r, Search: EntrySearch{Mode: mode}})
	}
	return b
}

func appendAll[T any](list []any, more []T) []any {
	for _, m := range more {
		list = append(list, m)
	}
	return list
}

// identify is a mapped resource's type and id.
func identify(r any) (string, string) {
	h := r.(interface{ head() Head }).head()
	return h.ResourceType, h.ID
}

// validID is FHIR's id: 1 to 64 of letters, digits, '-' and '.'.
var validID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// resourceID is s when it is a valid FHIR id, else a stable digest of it.
func resourceID(s string) string {
	if validID.MatchString(s) {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

func ref(kind, id string) Reference { return Reference{Reference: kind + "/" + resourceID(id)} }

func refPtr(kind, id string) *Reference {
	if id == "" {
		return nil
	}
	r := ref(kind, id)
	return &r
}

// instant is t in UTC as FHIR's instant/dateTime ("" for the zero time).
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func instantPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return instant(*t)
}

func coded(system, code, display string) *CodeableConcept {
	return &CodeableConcept{Coding: []Coding{{System: system, Code: code, Display: display}}}
}

func text(s string) *CodeableConcept {
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	return &CodeableConcept{Text: s}
}

func notes1(s string) []Annotation {
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	return []Annotation{{Text: s}}
}

// words is a code as words: "root_canal" → "Root canal".
func words(code string) string {
	s := strings.ReplaceAll(code, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// MapPatient is the patient's demographics: name (official, and the
// preferred first name as the usual one), phone (E.164 as stored) and
// email, sex as FHIR's gender, birth date, address, emergency contact and
// preferred language.
func MapPatient(p patients.Patient) Patient {
	out := Patient{Head: Head{"Patient", resourceID(p.ID)}, Active: p.Status != patients.StatusArchived,
		Gender: gender(p.Sex), BirthDate: p.DateOfBirth}
	official := HumanName{Use: "official", Family: strings.TrimSpace(p.LastName)}
	if f := strings.TrimSpace(p.FirstName); f != "" {
		official.Given = []string{f}
	}
	out.Name = []HumanName{official}
	if pref := strings.TrimSpace(p.PreferredName); pref != "" && pref != official.Family {
		out.Name = append(out.Name, HumanName{Use: "usual", Family: official.Family, Given: []string{pref}})
	}
	out.Telecom = telecom(p.Phone, p.Email)
	if a := p.Address; a != nil {
		addr := Address{City: a.City, State: a.Region, PostalCode: a.PostalCode, Country: a.Country}
		for _, l := range []string{a.Line1, a.Line2} {
			if l = strings.TrimSpace(l); l != "" {
				addr.Line = append(addr.Line, l)
			}
		}
		if addr.Line != nil || addr.City != "" || addr.State != "" || addr.PostalCode != "" || addr.Country != "" {
			out.Address = []Address{addr}
		}
	}
	if e := p.EmergencyContact; e != nil && strings.TrimSpace(e.Name) != "" {
		c := PatientContact{Name: &HumanName{Text: strings.TrimSpace(e.Name)}, Telecom: telecom(e.Phone, "")}
		c.Relationship = []CodeableConcept{{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0131", Code: "C", Display: "Emergency Contact"}}, Text: strings.TrimSpace(e.Relationship)}}
		out.Contact = []PatientContact{c}
	}
	if lang := strings.TrimSpace(p.Language); lang != "" {
		out.Communication = []PatientCommunication{{Language: CodeableConcept{Coding: []Coding{{System: LanguageSystem, Code: lang}}}, Preferred: true}}
	}
	return out
}

func telecom(phone, email string) []ContactPoint {
	var out []ContactPoint
	if phone = strings.TrimSpace(phone); phone != "" {
		out = append(out, ContactPoint{System: "phone", Value: phone})
	}
	if email = strings.TrimSpace(email); email != "" {
		out = append(out, ContactPoint{System: "email", Value: email})
	}
	return out
}

// gender is FHIR's administrative gender of a stored sex (the same four
// words; anything else is left out).
func gender(sex string) string {
	switch sex {
	case "female", "male", "other", "unknown":
		return sex
	}
	return ""
}

// Criticality is FHIR's criticality of an allergy's recorded severity:
// severe and life-threatening reactions are high, mild and moderate low,
// anything else unable-to-assess.
func Criticality(severity string) string {
	switch strings.ToLower(strings.TrimSpace(severity)) {
	case "severe", "life-threatening":
		return "high"
	case "mild", "moderate":
		return "low"
	}
	return "unable-to-assess"
}

// MapAllergies is the allergies of the patient's medical history, each
// with its criticality; the recorded severity is kept as a note.
func MapAllergies(p patients.Patient) []AllergyIntolerance {
	out := make([]AllergyIntolerance, 0, len(p.Allergies))
	for i, a := range p.Allergies {
		ai := AllergyIntolerance{Head: Head{"AllergyIntolerance", resourceID(p.ID + "-allergy-" + strconv.Itoa(i+1))},
			ClinicalStatus: coded(allergyClinical, "active", "Active"), Criticality: Criticality(a.Severity),
			Code: text(a.Substance), Patient: ref("Patient", p.ID)}
		if s := strings.TrimSpace(a.Severity); s != "" {
			ai.Note = []Annotation{{Text: "Recorded severity: " + s}}
		}
		out = append(out, ai)
	}
	return out
}

// AppointmentStatus is FHIR's status of a scheduling status.
func AppointmentStatus(s scheduling.Status) string {
	switch s {
	case scheduling.Scheduled, scheduling.Confirmed:
		return "booked"
	case scheduling.CheckedIn:
		return "arrived"
	case scheduling.Completed:
		return "fulfilled"
	case scheduling.Cancelled:
		return "cancelled"
	case scheduling.NoShow:
		return "noshow"
	case scheduling.Pending, scheduling.Held:
		return "pending"
	case scheduling.Failed:
		return "entered-in-error"
	}
	return "proposed"
}

// MapAppointment is a visit: when, its status, the patient and the
// provider. The desk's notes on it are not the patient's record and are
// left out; a cancellation's reason code is kept.
func MapAppointment(a scheduling.Appointment) Appointment {
	out := Appointment{Head: Head{"Appointment", resourceID(a.ID)}, Status: AppointmentStatus(a.Status),
		Start: instant(a.Start), End: instant(a.End), Created: instant(a.CreatedAt)}
	if d := int(a.End.Sub(a.Start) / time.Minute); d > 0 {
		out.MinutesDuration = d
	}
	if a.Status == scheduling.Cancelled && a.CancelReason != "" {
		out.CancelationReason = &CodeableConcept{Text: words(a.CancelReason)}
	}
	out.Participant = []AppointmentParticipant{{Actor: refPtr("Patient", a.PatientID), Status: "accepted"}}
	if a.ProviderID != "" {
		out.Participant = append(out.Participant, AppointmentParticipant{
			Type:  []CodeableConcept{*coded(participationTyp, "PPRF", "primary performer")},
			Actor: refPtr("Practitioner", a.ProviderID), Status: "accepted"})
	}
	return out
}

// ToothSite is a Universal tooth as a FHIR body site: coded in ISO 3950
// (FDI), with both numbers and the surfaces in words. nil for no tooth.
func ToothSite(universal string, surfaces []string) []CodeableConcept {
	if universal == "" {
		return nil
	}
	site := CodeableConcept{Text: "Tooth " + universal + " (Universal)"}
	if fdi := chart.FDIOf(universal); fdi != "" {
		site.Coding = []Coding{{System: ToothSystem, Code: fdi, Display: "Tooth " + fdi + " (FDI)"}}
		site.Text = "Tooth " + fdi + " (FDI), " + universal + " (Universal)"
	}
	if len(surfaces) > 0 {
		site.Text += ", surfaces " + strings.Join(surfaces, "")
	}
	return []CodeableConcept{site}
}

// MapConditions is the chart's conditions in effect now (findings such as
// caries or a fracture that no later entry superseded), each on its tooth,
// with the entry's note (the chart store opens it).
func MapConditions(patientID string, entries []chart.Charted) []Condition {
	out := []Condition{}
	for _, e := range entries {
		if e.Status != chart.StatusCondition || e.SupersededBy != "" {
			continue
		}
		out = append(out, Condition{Head: Head{"Condition", resourceID(e.ID)},
			ClinicalStatus:     coded(conditionClin, "active", "Active"),
			VerificationStatus: coded(conditionVer, "confirmed", "Confirmed"),
			Category:           []CodeableConcept{*coded(conditionCat, "problem-list-item", "Problem List Item")},
			Code:               text(words(e.Kind)), BodySite: ToothSite(e.Tooth, e.Surfaces), Subject: ref("Patient", patientID),
			RecordedDate: instant(e.RecordedAt), Asserter: refPtr("Practitioner", e.ProviderID), Note: notes1(e.Note)})
	}
	return out
}

// MapProcedures is the completed items of the patient's treatment plans:
// the code as stored (CDT), when it was done and on which tooth.
func MapProcedures(patientID string, ps []plans.Plan) []Procedure {
	out := []Procedure{}
	for _, p := range ps {
		for _, it := range p.Items {
			if it.Status != plans.ItemCompleted {
				continue
			}
			code := &CodeableConcept{Coding: []Coding{{System: CDTSystem, Code: it.Code, Display: it.Description}}, Text: it.Description}
			if it.Description == "" {
				code.Text = it.Code
			}
			pr := Procedure{Head: Head{"Procedure", resourceID(p.ID + "-" + it.ID)}, Status: "completed", Code: code,
				Subject: ref("Patient", patientID), PerformedDateTime: instantPtr(it.CompletedAt)}
			if it.Tooth != nil {
				pr.BodySite = ToothSite(*it.Tooth, it.Surfaces)
			}
			out = append(out, pr)
		}
	}
	return out
}

// MedicationStatus is FHIR's status of a prescription's.
func MedicationStatus(s string) string {
	switch s {
	case notes.RxActive:
		return "active"
	case notes.RxDiscontinued:
		return "stopped"
	}
	return "unknown"
}

// MapPrescription is a prescription: the drug as written, its sig,
// quantity and refills, why it was prescribed and, once discontinued,
// why it was stopped (both opened by the prescriptions' store). An
// allergy override's reasoning is the prescriber's, not exported.
func MapPrescription(patientID string, p notes.Prescription) MedicationRequest {
	drug := strings.Join(strings.Fields(strings.Join([]string{p.Drug, p.Strength, p.Form}, " ")), " ")
	out := MedicationRequest{Head: Head{"MedicationRequest", resourceID(p.ID)}, Status: MedicationStatus(p.Status), Intent: "order",
		MedicationCodeableConcept: CodeableConcept{Text: drug}, Subject: ref("Patient", patientID), AuthoredOn: instant(p.PrescribedAt),
		Requester: refPtr("Practitioner", p.PrescriberID)}
	if r := text(p.Reason); r != nil {
		out.ReasonCode = []CodeableConcept{*r}
	}
	if p.DiscontinueReason != nil {
		out.StatusReason = text(*p.DiscontinueReason)
	}
	if s := strings.TrimSpace(p.Sig); s != "" {
		out.DosageInstruction = []Dosage{{Text: s}}
	}
	refills := max(p.Refills, 0)
	out.DispenseRequest = &DispenseRequest{NumberOfRepeatsAllowed: &refills}
	if p.Quantity > 0 {
		out.DispenseRequest.Quantity = &Quantity{Value: float64(p.Quantity), Unit: p.Form}
	}
	return out
}

// MapCoverage is an insurance policy: the carrier as payor, the plan and
// group, the subscriber and the patient's relationship to them, the
// member id and the policy's dates; primary is order 1.
func MapCoverage(patientID string, p insurance.Policy) Coverage {
	payor := strings.TrimSpace(p.Carrier.Name)
	if payor == "" {
		payor = "Insurance carrier"
	}
	out := Coverage{Head: Head{"Coverage", resourceID(p.ID)}, Status: "active", SubscriberID: p.MemberID,
		Beneficiary: ref("Patient", patientID), Payor: []Reference{{Display: payor}}}
	if p.Relationship != "" {
		out.Relationship = coded(subscriberRel, p.Relationship, words(p.Relationship))
	}
	if p.Relationship == "self" {
		out.Subscriber = refPtr("Patient", patientID)
	} else if p.Subscriber.PatientID != "" {
		out.Subscriber = refPtr("Patient", p.Subscriber.PatientID)
	}
	if p.EffectiveDate != "" || p.TerminationDate != "" {
		out.Period = &Period{Start: p.EffectiveDate, End: p.TerminationDate}
	}
	switch p.Priority {
	case "primary":
		out.Order = 1
	case "secondary":
		out.Order = 2
	}
	if p.PlanID != "" {
		out.Class = append(out.Class, CoverageClass{Type: *coded(coverageClass, "plan", "Plan"), Value: p.PlanID, Name: p.PlanName})
	}
	if g := strings.TrimSpace(p.GroupNumber); g != "" {
		out.Class = append(out.Class, CoverageClass{Type: *coded(coverageClass, "group", "Group"), Value: g})
	}
	return out
}

// MapConsent is a consent form sent to the patient: proposed until
// signed, then active as of the signature; a signed form points at its
// PDF (the existing route), the form's text stays there.
func MapConsent(c forms.Record) Consent {
	out := Consent{Head: Head{"Consent", resourceID(c.ID)}, Status: "proposed",
		Scope:    *coded(consentScope, "treatment", "Treatment"),
		Category: []CodeableConcept{{Coding: []Coding{{System: loinc, Code: "59284-0", Display: "Patient Consent"}}, Text: words(c.Kind)}},
		Patient:  ref("Patient", c.PatientID), DateTime: instant(c.SentAt), PolicyRule: text(c.Title)}
	if out.PolicyRule == nil {
		out.PolicyRule = text("Consent form")
	}
	att := &Attachment{Title: strings.TrimSpace(c.Title)}
	if c.Signature != nil {
		out.Status, out.DateTime = "active", instant(c.Signature.SignedAt)
		att.ContentType, att.URL = "application/pdf", "/api/consents/"+c.ID+"/pdf"
	}
	if att.Title != "" || att.URL != "" {
		out.SourceAttachment = att
	}
	return out
}

// MapDocument is a document's metadata and where to download it (the
// documents' own route, which answers a short-lived link): never its
// bytes.
func MapDocument(d documents.Document) DocumentReference {
	date := d.CreatedAt
	if d.StoredAt != nil {
		date = *d.StoredAt
	}
	att := Attachment{ContentType: d.ContentType, URL: "/api/documents/" + d.ID, Size: max(d.Size, 0), Title: d.FileName}
	if d.TakenOn != nil {
		att.Creation = *d.TakenOn
	}
	return DocumentReference{Head: Head{"DocumentReference", resourceID(d.ID)}, Status: "current", Type: text(words(d.Kind)),
		Subject: ref("Patient", d.PatientID), Date: instant(date), Description: strings.TrimSpace(d.Description),
		Content: []DocContent{{Attachment: att}}}
}
