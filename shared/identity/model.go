// Package identity is the users-and-clinics resource group: clinics and their
// settings, staff and patient accounts, passwords, and (with the auth issue)
// login, sessions and MFA.
package identity

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/phone"
)

// Role is a user's one role in their clinic.
type Role string

const (
	RoleAdmin        Role = "admin"
	RoleDentist      Role = "dentist"
	RoleHygienist    Role = "hygienist"
	RoleAssistant    Role = "assistant"
	RoleReceptionist Role = "receptionist"
	RolePatient      Role = "patient"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleDentist, RoleHygienist, RoleAssistant, RoleReceptionist, RolePatient}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Staff reports whether r is a practice role (not a patient).
func (r Role) Staff() bool { return r.Valid() && r != RolePatient }

// Clinic is one practice (tenant) and its settings.
type Clinic struct {
	ID   string `bson:"_id" json:"id"`
	Name string `bson:"name" json:"name"`
	// Slug is the clinic's short public name, unique across clinics: the
	// sign-up link's ?clinic= and the practice search answer it.
	Slug string `bson:"slug,omitempty" json:"slug"`
	// NameKeys are the name's folded words, for the practice search.
	NameKeys  []string       `bson:"nameKeys,omitempty" json:"-"`
	Settings  ClinicSettings `bson:"settings" json:"settings"`
	SeededAt  *time.Time     `bson:"seededAt,omitempty" json:"-"`
	CreatedAt time.Time      `bson:"createdAt" json:"createdAt"`
}

// ClinicSettings are per-practice rules.
type ClinicSettings struct {
	TimeZone          string `bson:"timeZone" json:"timeZone"` // IANA, e.g. America/New_York
	SlotMinutes       int    `bson:"slotMinutes" json:"slotMinutes"`
	CancelNoticeHours int    `bson:"cancelNoticeHours" json:"cancelNoticeHours"`
	Currency          string `bson:"currency" json:"currency"`
	// Country (ISO 3166-1 alpha-2) is where the practice is: phone numbers
	// typed without a country code are read as its national numbers.
	Country string `bson:"country,omitempty" json:"country"`
	// IdleLogoffMinutes is the practice's automatic logoff.
	IdleLogoffMinutes int `bson:"idleLogoffMinutes" json:"idleLogoffMinutes"`
	// MFARequired makes TOTP mandatory for admins and dentists.
	MFARequired bool `bson:"mfaRequired" json:"mfaRequired"`
	// MaxFutureAppointmentsPerPatient bounds what a patient may book
	// online (staff may book past it): sign-up is public, so without it one
	// account could take every slot of the online calendar.
	MaxFutureAppointmentsPerPatient int `bson:"maxFutureAppointmentsPerPatient" json:"maxFutureAppointmentsPerPatient"`
	// MaxWaitlistEntriesPerPatient bounds a patient's open waitlist entries.
	MaxWaitlistEntriesPerPatient int `bson:"maxWaitlistEntriesPerPatient" json:"maxWaitlistEntriesPerPatient"`
	// ToothNumbering is how the chart labels teeth: "universal" (1–32,
	// A–T) or "fdi" (ISO 3950, 11–48, 51–85). Stored entries keep both.
	ToothNumbering string `bson:"toothNumbering" json:"toothNumbering"`
	// MinBookingNoticeMinutes is how soon a patient may book online (staff
	// are not limited).
	MinBookingNoticeMinutes int `bson:"minBookingNoticeMinutes" json:"minBookingNoticeMinutes"`
	// SMSNumber is the clinic's texting number (E.164): replies to it
	// reach this clinic's inbox and confirm this clinic's appointments.
	SMSNumber string `bson:"smsNumber,omitempty" json:"smsNumber"`
	// QuietHours are when no reminder goes out, in the clinic's zone; a
	// reminder due inside them waits for their end.
	QuietHours QuietHours `bson:"quietHours" json:"quietHours"`
	// Reminders are the clinic's reminder rules.
	Reminders ReminderRules `bson:"reminders" json:"reminders"`
	// Address is where the practice is (shown to patients); empty until set.
	Address Address `bson:"address" json:"address"`
	// SessionHours is how long a sign-in lasts at most, however active
	// (new sign-ins; the deployment's SESSION_TTL caps it).
	SessionHours int `bson:"sessionHours" json:"sessionHours"`
	// OpeningHours are the practice's weekly hours in its zone, the shape
	// of a provider's hours: {"monday":[{"start":"08:00","end":"17:00"}]}.
	// Shown to patients and the default for a new provider.
	OpeningHours OpeningHours `bson:"openingHours" json:"openingHours"`
}

// Address is a postal address; Line1 and City are required once any part
// is given.
type Address struct {
	Line1      string `bson:"line1" json:"line1"`
	Line2      string `bson:"line2" json:"line2"`
	City       string `bson:"city" json:"city"`
	Region     string `bson:"region" json:"region"`
	PostalCode string `bson:"postalCode" json:"postalCode"`
}

// OpeningHours are windows per lower-case English weekday ("monday").
type OpeningHours map[string][]HoursWindow

// HoursWindow is a local "HH:MM" span within one day; End may be "24:00".
type HoursWindow struct {
	Start string `bson:"start" json:"start"`
	End   string `bson:"end" json:"end"`
}

// Weekdays are OpeningHours' keys.
var Weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// QuietHours are "HH:MM" local times; Start after End spans midnight,
// Start equal to End means none.
type QuietHours struct {
	Start string `bson:"start" json:"start"`
	End   string `bson:"end" json:"end"`
}

// ReminderRules say which scheduled messages a clinic sends. Hours are
// before the appointment's start; 0 turns a rule off.
type ReminderRules struct {
	ConfirmHours int  `bson:"confirmHours" json:"confirmHours"` // ask for a confirmation (default 48)
	FirstHours   int  `bson:"firstHours" json:"firstHours"`     // first reminder (default 24)
	SecondHours  int  `bson:"secondHours" json:"secondHours"`   // last reminder (default 2)
	Recall       bool `bson:"recall" json:"recall"`             // tell patients their recall is due
	Consents     bool `bson:"consents" json:"consents"`         // remind of forms waiting to be signed
	Set          bool `bson:"set" json:"-"`                     // stored by the clinic (else defaults)
}

// MaxReminderHours bounds a reminder's lead time (two weeks).
const MaxReminderHours = 336

// ValidHHMM reports whether s is a 24-hour "HH:MM".
func ValidHHMM(s string) bool {
	t, err := time.Parse("15:04", s)
	return err == nil && t.Format("15:04") == s
}

// clockMinutes is "HH:MM" (00:00 to 24:00) as minutes since midnight, or
// -1. (Scheduling's avail reads the same format; identity cannot import it:
// auth and the other functions would then link the scheduling group.)
func clockMinutes(s string) int {
	if s == "24:00" {
		return 24 * 60
	}
	if !ValidHHMM(s) {
		return -1
	}
	t, _ := time.Parse("15:04", s)
	return t.Hour()*60 + t.Minute()
}

// Problems lists, per field ("openingHours.monday"), what is wrong with h:
// an unknown day, a window not HH:MM or not ending after it starts, or
// windows of a day that overlap (touching is fine).
func (h OpeningHours) Problems() []errs.FieldError {
	var out []errs.FieldError
	for _, day := range slices.Sorted(maps.Keys(h)) {
		field := "openingHours." + day
		if !slices.Contains(Weekdays, day) {
			out = append(out, errs.FieldError{Field: field, Message: "is not a weekday (sunday … saturday)"})
			continue
		}
		ws := slices.Clone(h[day])
		slices.SortFunc(ws, func(a, b HoursWindow) int { return clockMinutes(a.Start) - clockMinutes(b.Start) })
		for i, w := range ws {
			if msg := windowProblem(w, ws[:i]); msg != "" {
				out = append(out, errs.FieldError{Field: field, Message: msg})
				break // one problem a day is enough to fix
			}
		}
	}
	return out
}

// windowProblem is what is wrong with w, the next of a day's windows sorted
// by start after earlier, or "".
func windowProblem(w HoursWindow, earlier []HoursWindow) string {
	a, b := clockMinutes(w.Start), clockMinutes(w.End)
	switch {
	case a < 0 || b < 0 || a == 24*60:
		return "times must be HH:MM (24-hour)"
	case b <= a:
		return w.Start + "–" + w.End + " must end after it starts"
	case len(earlier) > 0 && a < clockMinutes(earlier[len(earlier)-1].End):
		p := earlier[len(earlier)-1]
		return w.Start + "–" + w.End + " overlaps " + p.Start + "–" + p.End
	}
	return ""
}

// Tooth numbering systems.
var NumberingChoices = []string{"universal", "fdi"}

// DefaultSettings are a new clinic's settings.
func DefaultSettings() ClinicSettings {
	return ClinicSettings{TimeZone: "America/New_York", SlotMinutes: 15, CancelNoticeHours: 24, Currency: "USD", Country: "US", IdleLogoffMinutes: 15,
		MaxFutureAppointmentsPerPatient: 2, MaxWaitlistEntriesPerPatient: 2, ToothNumbering: "universal", MinBookingNoticeMinutes: 120,
		QuietHours: QuietHours{Start: "21:00", End: "08:00"}, SessionHours: DefaultSessionHours, OpeningHours: OpeningHours{},
		Reminders: ReminderRules{ConfirmHours: 48, FirstHours: 24, SecondHours: 2, Recall: true, Consents: true, Set: true}}
}

// SlotChoices are the appointment grids a practice may choose: each divides
// an hour, so every hour starts on the grid.
var SlotChoices = []int{5, 10, 15, 20, 30, 60}

// Bounds of the numeric settings (PATCH /api/clinic answers 400 outside).
const (
	MaxCancelNoticeHours    = 168 // a week
	MinIdleLogoffMinutes    = 5
	MaxIdleLogoffMinutes    = 120
	MaxPatientLimit         = 20    // of either per-patient limit
	MaxBookingNoticeMinutes = 10080 // a week
	MinSessionHours         = 1
	MaxSessionHours         = 24
	DefaultSessionHours     = 12
	MaxAddressPart          = 200
)

// withDefaults is s with every setting that a stored clinic lacks or holds
// out of bounds (written before the setting existed or was checked)
// replaced by its default, so no reader divides by a zero grid or lets a
// patient book without a limit.
func (s ClinicSettings) withDefaults() ClinicSettings {
	d := DefaultSettings()
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		s.TimeZone = d.TimeZone
	}
	if !slices.Contains(SlotChoices, s.SlotMinutes) {
		s.SlotMinutes = d.SlotMinutes
	}
	if s.CancelNoticeHours < 0 || s.CancelNoticeHours > MaxCancelNoticeHours {
		s.CancelNoticeHours = d.CancelNoticeHours
	}
	if !validCurrency(s.Currency) {
		s.Currency = d.Currency
	}
	if !phone.Supported(s.Country) {
		s.Country = d.Country
	}
	if s.IdleLogoffMinutes < MinIdleLogoffMinutes || s.IdleLogoffMinutes > MaxIdleLogoffMinutes {
		s.IdleLogoffMinutes = d.IdleLogoffMinutes
	}
	if s.MaxFutureAppointmentsPerPatient < 1 || s.MaxFutureAppointmentsPerPatient > MaxPatientLimit {
		s.MaxFutureAppointmentsPerPatient = d.MaxFutureAppointmentsPerPatient
	}
	if s.MaxWaitlistEntriesPerPatient < 1 || s.MaxWaitlistEntriesPerPatient > MaxPatientLimit {
		s.MaxWaitlistEntriesPerPatient = d.MaxWaitlistEntriesPerPatient
	}
	if !slices.Contains(NumberingChoices, s.ToothNumbering) {
		s.ToothNumbering = d.ToothNumbering
	}
	// (A clinic stored before the notice existed reads 0, no notice: 0 is
	// a valid choice and cannot be told from a missing one.)
	if !ValidHHMM(s.QuietHours.Start) || !ValidHHMM(s.QuietHours.End) {
		s.QuietHours = d.QuietHours
	}
	if !s.Reminders.Set {
		s.Reminders = d.Reminders
	}
	if s.MinBookingNoticeMinutes < 0 || s.MinBookingNoticeMinutes > MaxBookingNoticeMinutes {
		s.MinBookingNoticeMinutes = d.MinBookingNoticeMinutes
	}
	if s.SessionHours < MinSessionHours || s.SessionHours > MaxSessionHours {
		s.SessionHours = d.SessionHours
	}
	if s.OpeningHours == nil || len(s.OpeningHours.Problems()) > 0 {
		s.OpeningHours = d.OpeningHours
	}
	return s
}

// validCurrency reports whether c looks like an ISO 4217 code (three
// capital letters).
func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// User is an account. PasswordHash and MFA secrets never leave the store:
// they carry json:"-".
type User struct {
	ID           string   `bson:"_id" json:"id"`
	ClinicID     string   `bson:"clinicId" json:"clinicId"`
	Email        string   `bson:"email" json:"email"`
	PasswordHash string   `bson:"passwordHash" json:"-"`
	Role         Role     `bson:"role" json:"role"`
	FirstName    string   `bson:"firstName" json:"firstName"`
	LastName     string   `bson:"lastName" json:"lastName"`
	PatientID    string   `bson:"patientId,omitempty" json:"patientId,omitempty"`
	Disabled     bool     `bson:"disabled" json:"disabled"`
	MFA          MFAState `bson:"mfa" json:"-"`
	// ResetEpoch names the user's current password-reset generation: a
	// reset link works only while it still is the one the link was issued
	// under. Every new request, redemption and password change starts a
	// new one, so at most one link is live.
	ResetEpoch string `bson:"resetEpoch,omitempty" json:"-"`
	// Unverified marks a self sign-up whose email has not been confirmed
	// yet: it cannot sign in until POST auth/verify-email (or a password
	// reset, which proves the mailbox too).
	Unverified bool `bson:"unverified,omitempty" json:"-"`
	// MFAEnabled mirrors MFA.Enabled for responses.
	MFAEnabled bool      `bson:"-" json:"mfaEnabled"`
	CreatedAt  time.Time `bson:"createdAt" json:"createdAt"`
	UpdatedAt  time.Time `bson:"updatedAt" json:"updatedAt"`
}

// MFAState is a user's TOTP enrolment. Secrets are stored encrypted
// (AES-GCM, DATA_KEY); recovery codes are stored hashed.
type MFAState struct {
	Enabled  bool     `bson:"enabled"`
	Secret   string   `bson:"secret,omitempty"`
	Pending  string   `bson:"pending,omitempty"`
	LastStep int64    `bson:"lastStep"`
	Recovery []string `bson:"recovery,omitempty"`
}

// actor is u as the audit trail names whoever acts as them.
func (u User) actor() audit.Actor {
	return audit.Actor{ClinicID: u.ClinicID, UserID: u.ID, Role: string(u.Role)}
}

// Public returns u ready for a response.
func (u User) Public() User {
	u.MFAEnabled = u.MFA.Enabled
	return u
}

// NormalizeEmail is the form emails are stored and looked up in.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
