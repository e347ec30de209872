// Package patients is the patients resource group: demographics, contact
// details and preferences, medical history (allergies, medications,
// conditions), family links through a guarantor, hygiene recall, search and
// the patient's timeline. Every read and write of a record is audited.
package patients

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Record states.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// DefaultRecallMonths is the hygiene recall interval when nothing says otherwise.
const DefaultRecallMonths = 6

// Patient is a patient's record. Health information (allergies, medications,
// conditions) lives here too and is audited on every read and write.
type Patient struct {
	ID            string `bson:"_id" json:"id"`
	ClinicID      string `bson:"clinicId" json:"clinicId"`
	FirstName     string `bson:"firstName" json:"firstName"`
	LastName      string `bson:"lastName" json:"lastName"`
	PreferredName string `bson:"preferredName,omitempty" json:"preferredName,omitempty"`
	DateOfBirth   string `bson:"dateOfBirth" json:"dateOfBirth"` // YYYY-MM-DD
	// Sex is female, male, other or unknown.
	Sex              string            `bson:"sex,omitempty" json:"sex,omitempty"`
	Phone            string            `bson:"phone,omitempty" json:"phone,omitempty"`
	Email            string            `bson:"email,omitempty" json:"email,omitempty"`
	Address          *Address          `bson:"address,omitempty" json:"address,omitempty"`
	EmergencyContact *EmergencyContact `bson:"emergencyContact,omitempty" json:"emergencyContact,omitempty"`
	// PreferredContactMethod is sms, email, phone or none.
	PreferredContactMethod string `bson:"preferredContactMethod,omitempty" json:"preferredContactMethod,omitempty"`
	// Language is a BCP 47 tag ("en", "pt-PT").
	Language      string         `bson:"language,omitempty" json:"language,omitempty"`
	Communication *Communication `bson:"communication,omitempty" json:"communication"`
	// GuarantorID is the patient of the same clinic responsible for this
	// one's account: the family link. A guarantor has no guarantor.
	GuarantorID string `bson:"guarantorId,omitempty" json:"guarantorId,omitempty"`

	Allergies   []Allergy    `bson:"allergies,omitempty" json:"allergies"`
	Medications []Medication `bson:"medications,omitempty" json:"medications"`
	Conditions  []Condition  `bson:"conditions,omitempty" json:"conditions"`
	// MedicalHistoryUpdatedAt/By say when and by which user allergies,
	// medications or conditions last changed.
	MedicalHistoryUpdatedAt *time.Time `bson:"medicalHistoryUpdatedAt,omitempty" json:"medicalHistoryUpdatedAt"`
	MedicalHistoryUpdatedBy string     `bson:"medicalHistoryUpdatedBy,omitempty" json:"medicalHistoryUpdatedBy,omitempty"`

	Status    string    `bson:"status" json:"status"` // active | archived
	Recall    Recall    `bson:"recall" json:"recall"`
	Source    string    `bson:"source,omitempty" json:"source,omitempty"`
	CreatedAt time.Time `bson:"createdAt" json:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt" json:"updatedAt"`
	// Version counts applied changes; a change claims the version it starts
	// from, so two concurrent changes never overwrite each other.
	Version int `bson:"version" json:"-"`
	// Search holds the normalized fields search queries by.
	Search SearchKeys `bson:"search" json:"-"`
}

// Address is a postal address. Country is an ISO 3166-1 alpha-2 code.
type Address struct {
	Line1      string `bson:"line1,omitempty" json:"line1,omitempty"`
	Line2      string `bson:"line2,omitempty" json:"line2,omitempty"`
	City       string `bson:"city,omitempty" json:"city,omitempty"`
	Region     string `bson:"region,omitempty" json:"region,omitempty"`
	PostalCode string `bson:"postalCode,omitempty" json:"postalCode,omitempty"`
	Country    string `bson:"country,omitempty" json:"country,omitempty"`
}

// EmergencyContact is who to call when something happens in the chair.
type EmergencyContact struct {
	Name         string `bson:"name" json:"name"`
	Relationship string `bson:"relationship,omitempty" json:"relationship,omitempty"`
	Phone        string `bson:"phone" json:"phone"`
}

// Communication is what the practice may send the patient.
type Communication struct {
	AppointmentReminders bool `bson:"appointmentReminders" json:"appointmentReminders"`
	Marketing            bool `bson:"marketing" json:"marketing"`
}

// Allergy severities.
var severities = []string{"mild", "moderate", "severe", "life-threatening"}

// Allergy is a substance the patient reacts to: safety information that
// everyone treating or booking the patient must see.
type Allergy struct {
	Substance string `bson:"substance" json:"substance"`
	Severity  string `bson:"severity" json:"severity"`
}

// Medication is something the patient takes.
type Medication struct {
	Name string `bson:"name" json:"name"`
	Dose string `bson:"dose,omitempty" json:"dose,omitempty"`
}

// Condition is a medical condition on file.
type Condition struct {
	Name  string `bson:"name" json:"name"`
	Notes string `bson:"notes,omitempty" json:"notes,omitempty"`
}

// Recall is the hygiene recall: when the patient should next be seen.
// DueDate is absent until known, so a due-date query never matches it.
type Recall struct {
	IntervalMonths   int    `bson:"intervalMonths" json:"intervalMonths"`
	LastHygieneVisit string `bson:"lastHygieneVisit,omitempty" json:"lastHygieneVisit,omitempty"`
	DueDate          string `bson:"dueDate,omitempty" json:"dueDate,omitempty"`
}

// Summary is a patient as lists show it: who, how to reach them, and whether
// they have allergies on file, without the medical history itself.
type Summary struct {
	ID            string `json:"id"`
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	PreferredName string `json:"preferredName,omitempty"`
	DateOfBirth   string `json:"dateOfBirth"`
	Phone         string `json:"phone,omitempty"`
	Email         string `json:"email,omitempty"`
	Status        string `json:"status"`
	GuarantorID   string `json:"guarantorId,omitempty"`
	RecallDueDate string `json:"recallDueDate,omitempty"`
	AllergyAlert  bool   `json:"allergyAlert"`
}

// Summary returns p as lists show it.
func (p Patient) Summary() Summary {
	return Summary{
		ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, PreferredName: p.PreferredName,
		DateOfBirth: p.DateOfBirth, Phone: p.Phone, Email: p.Email, Status: p.Status,
		GuarantorID: p.GuarantorID, RecallDueDate: p.Recall.DueDate, AllergyAlert: len(p.Allergies) > 0,
	}
}

// withEmptyLists makes absent lists encode as [] rather than null, so a
// client can tell "no allergies on file" without a null check.
func (p Patient) withEmptyLists() Patient {
	if p.Allergies == nil {
		p.Allergies = []Allergy{}
	}
	if p.Medications == nil {
		p.Medications = []Medication{}
	}
	if p.Conditions == nil {
		p.Conditions = []Condition{}
	}
	if p.Communication == nil {
		p.Communication = &Communication{}
	}
	return p
}

// phones are the record's phone numbers (its own and its emergency
// contact's), to read or rewrite in place.
func (p *Patient) phones() []*string {
	out := []*string{&p.Phone}
	if p.EmergencyContact != nil {
		out = append(out, &p.EmergencyContact.Phone)
	}
	return out
}

// SearchKeys are indexed normalized fields for prefix search without $text
// (lower case, accents removed, digits only for phones).
type SearchKeys struct {
	FirstName string `bson:"firstName"`
	LastName  string `bson:"lastName"`
	// SortName orders lists: last name, then first name, folded.
	SortName string `bson:"sortName"`
	// Names are the folded words of first, last and preferred names, each
	// with and without its inner punctuation ("o'brien" gives "obrien",
	// "o" and "brien"), so every word can be found by its prefix.
	Names []string `bson:"names"`
	Phone string   `bson:"phone,omitempty"`
	// Phones are the suffixes of the phone's digits (four digits or more),
	// so a prefix query finds a number whatever the country code or
	// formatting: "555 01" finds "+1 (555) 010-2030".
	Phones []string `bson:"phones,omitempty"`
	Email  string   `bson:"email,omitempty"`
}

// Fold lower-cases s and strips accents ("Sónia" → "sonia").
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.TrimSpace(out))
}

// Digits keeps only digits ("+1 (555) 010-2030" → "15550102030").
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// minPhoneSuffix is the shortest phone suffix indexed: the last four digits,
// which is how people often look a number up.
const minPhoneSuffix = 4

// keys computes p's search keys.
func keys(p Patient) SearchKeys {
	k := SearchKeys{
		FirstName: Fold(p.FirstName), LastName: Fold(p.LastName),
		Phone: Digits(p.Phone), Email: Fold(p.Email),
	}
	k.SortName = k.LastName + " " + k.FirstName
	seen := map[string]bool{}
	for _, name := range []string{p.FirstName, p.LastName, p.PreferredName} {
		for _, w := range nameWords(name) {
			if !seen[w] {
				seen[w] = true
				k.Names = append(k.Names, w)
			}
		}
	}
	for i := 0; len(k.Phone)-i >= minPhoneSuffix; i++ {
		k.Phones = append(k.Phones, k.Phone[i:])
	}
	return k
}

// nameWords splits a name into folded words, each whole with its
// punctuation removed and in its punctuation-separated parts.
func nameWords(name string) []string {
	var out []string
	for _, w := range strings.Fields(Fold(name)) {
		if joined := lettersOnly(w); joined != "" {
			out = append(out, joined)
		}
		parts := strings.FieldsFunc(w, func(r rune) bool { return !isWordRune(r) })
		if len(parts) > 1 {
			out = append(out, parts...)
		}
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// lettersOnly drops every rune that is not a letter or digit.
func lettersOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if isWordRune(r) {
			return r
		}
		return -1
	}, s)
}
