// Package patients is the patients resource group: demographics, medical
// history, family links and search. This first part holds the record and
// the portal sign-up link the identity group needs; the full group (routes,
// search, timeline) arrives with the patients & scheduling issue.
package patients

import (
	"strings"
	"time"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"unicode"
)

// Patient is a patient's record. Health information (allergies, medications,
// conditions) lives here too and is audited on every read and write.
type Patient struct {
	ID            string `bson:"_id" json:"id"`
	ClinicID      string `bson:"clinicId" json:"clinicId"`
	FirstName     string `bson:"firstName" json:"firstName"`
	LastName      string `bson:"lastName" json:"lastName"`
	PreferredName string `bson:"preferredName,omitempty" json:"preferredName,omitempty"`
	DateOfBirth   string `bson:"dateOfBirth" json:"dateOfBirth"` // YYYY-MM-DD
	Phone         string `bson:"phone,omitempty" json:"phone,omitempty"`
	Email         string `bson:"email,omitempty" json:"email,omitempty"`
	// PreferredContactMethod is sms, email, phone or none.
	PreferredContactMethod string    `bson:"preferredContactMethod,omitempty" json:"preferredContactMethod,omitempty"`
	Status                 string    `bson:"status" json:"status"` // active | archived
	Source                 string    `bson:"source,omitempty" json:"source,omitempty"`
	CreatedAt              time.Time `bson:"createdAt" json:"createdAt"`
	UpdatedAt              time.Time `bson:"updatedAt" json:"updatedAt"`
	// Search holds normalized name, phone and email prefixes' sources
	// (lower case, accents removed, digits only for phones).
	Search SearchKeys `bson:"search" json:"-"`
}

// SearchKeys are indexed normalized fields for prefix search without $text.
type SearchKeys struct {
	FirstName string `bson:"firstName"`
	LastName  string `bson:"lastName"`
	Phone     string `bson:"phone,omitempty"`
	Email     string `bson:"email,omitempty"`
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

// keys computes p's search keys.
func keys(p Patient) SearchKeys {
	return SearchKeys{FirstName: Fold(p.FirstName), LastName: Fold(p.LastName), Phone: Digits(p.Phone), Email: strings.ToLower(strings.TrimSpace(p.Email))}
}
