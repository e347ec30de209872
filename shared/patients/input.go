package patients

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/phone"
	// Named valid: this package's own validate judges a whole record.
	valid "github.com/topsmile/topsmile/shared/validate"
)

// Input is the body of POST /api/patients and PATCH /api/patients/{id}.
// A field that is absent (or null) is left as it is; "" clears an optional
// string, {} clears address or emergencyContact, [] clears a list. Lists and
// address-like objects are replaced whole; communication merges per flag.
// There is no id, clinicId, status or createdAt: the strict decoder refuses
// them (mass assignment).
type Input struct {
	FirstName              *string             `json:"firstName"`
	LastName               *string             `json:"lastName"`
	PreferredName          *string             `json:"preferredName"`
	DateOfBirth            *string             `json:"dateOfBirth"`
	Sex                    *string             `json:"sex"`
	Phone                  *string             `json:"phone"`
	Email                  *string             `json:"email"`
	Address                *Address            `json:"address"`
	EmergencyContact       *EmergencyContact   `json:"emergencyContact"`
	PreferredContactMethod *string             `json:"preferredContactMethod"`
	Language               *string             `json:"language"`
	Communication          *CommunicationInput `json:"communication"`
	GuarantorID            *string             `json:"guarantorId"`
	Allergies              *[]Allergy          `json:"allergies"`
	Medications            *[]Medication       `json:"medications"`
	Conditions             *[]Condition        `json:"conditions"`
	Recall                 *RecallInput        `json:"recall"`
}

// CommunicationInput changes communication preferences flag by flag.
type CommunicationInput struct {
	AppointmentReminders *bool `json:"appointmentReminders"`
	Marketing            *bool `json:"marketing"`
}

// RecallInput changes the recall. Setting lastHygieneVisit or
// intervalMonths without dueDate recomputes the due date.
type RecallInput struct {
	IntervalMonths   *int    `json:"intervalMonths"`
	LastHygieneVisit *string `json:"lastHygieneVisit"`
	DueDate          *string `json:"dueDate"`
}

// patientEditable are the fields a patient may change on their own record:
// how to reach them and what they want to receive. Everything else
// (identity, medical history, family link, recall) is the practice's.
var patientEditable = []string{
	"preferredName", "phone", "email", "address", "emergencyContact",
	"preferredContactMethod", "language", "communication",
}

// fields names, in the JSON spelling, the fields in sets.
func (in Input) fields() []string {
	var out []string
	v := reflect.ValueOf(in)
	for i := range v.NumField() {
		if !v.Field(i).IsNil() {
			out = append(out, strings.Split(v.Type().Field(i).Tag.Get("json"), ",")[0])
		}
	}
	return out
}

// paths are Fields plus the recall's own fields ("recall.dueDate"), so
// validation judges only what a request touched.
func (in Input) paths() []string {
	out := in.fields()
	if r := in.Recall; r != nil {
		for _, f := range []struct {
			name string
			set  bool
		}{{"intervalMonths", r.IntervalMonths != nil}, {"lastHygieneVisit", r.LastHygieneVisit != nil}, {"dueDate", r.DueDate != nil}} {
			if f.set {
				out = append(out, "recall."+f.name)
			}
		}
	}
	return out
}

// Limits on what one record holds.
const (
	maxName     = 100
	maxLine     = 200
	maxNotes    = 2000
	maxListSize = 100
)

// apply writes in's fields onto p, normalized (trimmed, canonical case).
// It reports whether the medical history changed.
func apply(p *Patient, in Input, country string) (medicalChanged bool) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&p.FirstName, in.FirstName)
	set(&p.LastName, in.LastName)
	set(&p.PreferredName, in.PreferredName)
	set(&p.DateOfBirth, in.DateOfBirth)
	set(&p.Sex, in.Sex)
	set(&p.Phone, in.Phone)
	p.Phone = e164(p.Phone, country)
	set(&p.Email, in.Email)
	p.Email = strings.ToLower(p.Email)
	set(&p.PreferredContactMethod, in.PreferredContactMethod)
	set(&p.GuarantorID, in.GuarantorID)
	if in.Language != nil {
		p.Language = strings.TrimSpace(*in.Language)
		if tag, err := language.Parse(p.Language); err == nil {
			p.Language = tag.String() // "pt-pt" → "pt-PT"
		}
	}
	if in.Address != nil {
		a := Address{
			Line1: strings.TrimSpace(in.Address.Line1), Line2: strings.TrimSpace(in.Address.Line2),
			City: strings.TrimSpace(in.Address.City), Region: strings.TrimSpace(in.Address.Region),
			PostalCode: strings.TrimSpace(in.Address.PostalCode), Country: strings.ToUpper(strings.TrimSpace(in.Address.Country)),
		}
		p.Address = &a
		if a == (Address{}) {
			p.Address = nil
		}
	}
	if in.EmergencyContact != nil {
		c := EmergencyContact{Name: strings.TrimSpace(in.EmergencyContact.Name),
			Relationship: strings.TrimSpace(in.EmergencyContact.Relationship), Phone: e164(strings.TrimSpace(in.EmergencyContact.Phone), country)}
		p.EmergencyContact = &c
		if c == (EmergencyContact{}) {
			p.EmergencyContact = nil
		}
	}
	if in.Communication != nil {
		c := Communication{}
		if p.Communication != nil {
			c = *p.Communication
		}
		if in.Communication.AppointmentReminders != nil {
			c.AppointmentReminders = *in.Communication.AppointmentReminders
		}
		if in.Communication.Marketing != nil {
			c.Marketing = *in.Communication.Marketing
		}
		p.Communication = &c
	}
	if in.Allergies != nil {
		list := make([]Allergy, 0, len(*in.Allergies))
		for _, a := range *in.Allergies {
			list = append(list, Allergy{Substance: strings.TrimSpace(a.Substance), Severity: strings.ToLower(strings.TrimSpace(a.Severity))})
		}
		medicalChanged = medicalChanged || !slices.Equal(list, p.Allergies)
		p.Allergies = emptyToNil(list)
	}
	if in.Medications != nil {
		list := make([]Medication, 0, len(*in.Medications))
		for _, m := range *in.Medications {
			list = append(list, Medication{Name: strings.TrimSpace(m.Name), Dose: strings.TrimSpace(m.Dose)})
		}
		medicalChanged = medicalChanged || !slices.Equal(list, p.Medications)
		p.Medications = emptyToNil(list)
	}
	if in.Conditions != nil {
		list := make([]Condition, 0, len(*in.Conditions))
		for _, c := range *in.Conditions {
			list = append(list, Condition{Name: strings.TrimSpace(c.Name), Notes: strings.TrimSpace(c.Notes)})
		}
		medicalChanged = medicalChanged || !slices.Equal(list, p.Conditions)
		p.Conditions = emptyToNil(list)
	}
	if in.Recall != nil {
		r := in.Recall
		if r.IntervalMonths != nil {
			p.Recall.IntervalMonths = *r.IntervalMonths
		}
		set(&p.Recall.LastHygieneVisit, r.LastHygieneVisit)
		set(&p.Recall.DueDate, r.DueDate)
		if r.DueDate == nil && (r.IntervalMonths != nil || r.LastHygieneVisit != nil) && p.Recall.LastHygieneVisit != "" {
			if due, err := dueDate(p.Recall.LastHygieneVisit, p.Recall.IntervalMonths); err == nil {
				p.Recall.DueDate = due
			}
		}
	}
	return medicalChanged
}

// emptyToNil stores an empty list as absent (and it reads back as []).
func emptyToNil[T any](list []T) []T {
	if len(list) == 0 {
		return nil
	}
	return list
}

// validate checks the fields of p that this request touched (all of them on
// create), then the rules that span fields. Fields a request did not touch
// are not re-judged, so an old record with a since-tightened field can still
// have its phone number changed.
func validate(p Patient, touched []string, create bool, now time.Time, country string) error {
	t := func(field string) bool { return create || slices.Contains(touched, field) }
	var v errs.Validator
	name := func(field, value string, required bool) {
		switch {
		case value == "":
			v.Check(!required, field, "is required")
		default:
			v.Check(utf8.RuneCountInString(value) <= maxName, field, fmt.Sprintf("must be at most %d characters", maxName))
		}
	}
	if t("firstName") {
		name("firstName", p.FirstName, true)
	}
	if t("lastName") {
		name("lastName", p.LastName, true)
	}
	if t("preferredName") {
		name("preferredName", p.PreferredName, false)
	}
	if t("dateOfBirth") {
		dob, ok := parseDate(p.DateOfBirth)
		switch {
		case p.DateOfBirth == "":
			v.Check(false, "dateOfBirth", "is required")
		case !ok:
			v.Check(false, "dateOfBirth", "must be a date YYYY-MM-DD")
		default:
			v.Check(!dob.After(latestToday(now)), "dateOfBirth", "must not be in the future")
			v.Check(dob.Year() >= 1900, "dateOfBirth", "must be after 1900")
		}
	}
	if t("sex") && p.Sex != "" {
		v.Check(slices.Contains([]string{"female", "male", "other", "unknown"}, p.Sex), "sex", "must be female, male, other or unknown")
	}
	if t("phone") && p.Phone != "" {
		_, err := phone.E164(p.Phone, country)
		valid.Check(&v, "phone", err)
	}
	if t("email") && p.Email != "" {
		_, err := valid.Email(p.Email)
		valid.Check(&v, "email", err)
	}
	if p.Phone == "" && p.Email == "" && (t("phone") || t("email")) {
		v.Check(false, "phone", "a phone number or an email address is required")
		v.Check(false, "email", "a phone number or an email address is required")
	}
	if t("address") && p.Address != nil {
		a := p.Address
		for _, f := range []struct{ name, value string }{
			{"line1", a.Line1}, {"line2", a.Line2}, {"city", a.City}, {"region", a.Region}, {"postalCode", a.PostalCode},
		} {
			v.Check(utf8.RuneCountInString(f.value) <= maxLine, "address."+f.name, fmt.Sprintf("must be at most %d characters", maxLine))
		}
		if a.Country != "" {
			r, err := language.ParseRegion(a.Country)
			v.Check(len(a.Country) == 2 && err == nil && r.IsCountry(), "address.country", "must be an ISO 3166-1 alpha-2 country code")
		}
	}
	if t("emergencyContact") && p.EmergencyContact != nil {
		c := p.EmergencyContact
		name("emergencyContact.name", c.Name, true)
		name("emergencyContact.relationship", c.Relationship, false)
		_, err := phone.E164(c.Phone, country)
		valid.Check(&v, "emergencyContact.phone", err)
	}
	if t("preferredContactMethod") || t("phone") || t("email") {
		switch p.PreferredContactMethod {
		case "", "none":
		case "sms", "phone":
			v.Check(p.Phone != "", "preferredContactMethod", "needs a phone number on file")
		case "email":
			v.Check(p.Email != "", "preferredContactMethod", "needs an email address on file")
		default:
			v.Check(false, "preferredContactMethod", "must be sms, email, phone or none")
		}
	}
	if t("language") && p.Language != "" {
		tag, err := language.Parse(p.Language)
		v.Check(err == nil && tag != language.Und && len(p.Language) <= 35, "language", `must be a BCP 47 language tag such as "en" or "pt-PT"`)
	}
	if t("guarantorId") && p.GuarantorID != "" {
		v.Check(ids.Valid(p.GuarantorID), "guarantorId", "is not a patient of this practice")
		v.Check(p.GuarantorID != p.ID, "guarantorId", "cannot be the patient themself")
	}
	if t("allergies") {
		v.Check(len(p.Allergies) <= maxListSize, "allergies", fmt.Sprintf("must hold at most %d entries", maxListSize))
		seen := map[string]bool{}
		for i, a := range p.Allergies {
			f := fmt.Sprintf("allergies[%d]", i)
			name(f+".substance", a.Substance, true)
			v.Check(slices.Contains(severities, a.Severity), f+".severity", "must be mild, moderate, severe or life-threatening")
			v.Check(a.Substance == "" || !seen[Fold(a.Substance)], f+".substance", "is listed twice")
			seen[Fold(a.Substance)] = true
		}
	}
	if t("medications") {
		v.Check(len(p.Medications) <= maxListSize, "medications", fmt.Sprintf("must hold at most %d entries", maxListSize))
		for i, m := range p.Medications {
			f := fmt.Sprintf("medications[%d]", i)
			name(f+".name", m.Name, true)
			v.Check(utf8.RuneCountInString(m.Dose) <= maxName, f+".dose", fmt.Sprintf("must be at most %d characters", maxName))
		}
	}
	if t("conditions") {
		v.Check(len(p.Conditions) <= maxListSize, "conditions", fmt.Sprintf("must hold at most %d entries", maxListSize))
		for i, c := range p.Conditions {
			f := fmt.Sprintf("conditions[%d]", i)
			name(f+".name", c.Name, true)
			v.Check(utf8.RuneCountInString(c.Notes) <= maxNotes, f+".notes", fmt.Sprintf("must be at most %d characters", maxNotes))
		}
	}
	r := p.Recall
	if t("recall.intervalMonths") {
		v.Check(r.IntervalMonths >= 1 && r.IntervalMonths <= 60, "recall.intervalMonths", "must be from 1 to 60")
	}
	if t("recall.lastHygieneVisit") && r.LastHygieneVisit != "" {
		d, ok := parseDate(r.LastHygieneVisit)
		v.Check(ok && !d.After(latestToday(now)), "recall.lastHygieneVisit", "must be a past date YYYY-MM-DD")
	}
	if t("recall.dueDate") && r.DueDate != "" {
		_, ok := parseDate(r.DueDate)
		v.Check(ok, "recall.dueDate", "must be a date YYYY-MM-DD")
	}
	return v.Err()
}

// parseDate reads a calendar date YYYY-MM-DD (and refuses 2026-02-30).
func parseDate(s string) (time.Time, bool) {
	t, err := valid.Date(s)
	return t, err == nil
}

// latestToday is the latest calendar date anywhere on earth at now (UTC+14):
// a baby born today in any clinic's time zone is not "in the future".
func latestToday(now time.Time) time.Time {
	d := now.UTC().Add(14 * time.Hour)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// e164 stores a valid phone number in E.164 (read in the clinic's
// country), as the contract answers it; anything else stays as typed for
// validate to refuse.
func e164(s, country string) string {
	if n, err := phone.E164(s, country); err == nil {
		return n
	}
	return s
}

// isE164 reports whether s is stored in E.164 already.
func isE164(s string) bool {
	return len(s) > 1 && s[0] == '+' && strings.Trim(s[1:], "0123456789") == ""
}

// dueDate is visit plus months, on the same day of the month or the
// month's last day when it is shorter (31 August + 6 months = 28 February).
func dueDate(visit string, months int) (string, error) {
	d, ok := parseDate(visit)
	if !ok {
		return "", errs.InvalidFields(errs.FieldError{Field: "visitDate", Message: "must be a date YYYY-MM-DD"})
	}
	if months <= 0 {
		months = DefaultRecallMonths
	}
	first := time.Date(d.Year(), d.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d.Day(), last), 0, 0, 0, 0, time.UTC).Format(time.DateOnly), nil
}
