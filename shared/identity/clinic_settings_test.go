package identity_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
)

// Every clinic setting is checked before it is stored: a value out of
// bounds is a 400 naming its field, never a 500 (slotMinutes 0 used to
// divide by zero), and nothing is written.
func TestClinicSettingsAreValidatedFieldByField(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	bad := []struct {
		name  string
		field string
		value any
	}{
		{"slot of zero", "slotMinutes", 0},
		{"negative slot", "slotMinutes", -5},
		{"slot not dividing the hour", "slotMinutes", 25},
		{"slot of two hours", "slotMinutes", 120},
		{"unknown time zone", "timeZone", "Mars/Olympus_Mons"},
		{"empty time zone", "timeZone", ""},
		{"the server's local zone", "timeZone", "Local"},
		{"negative notice", "cancelNoticeHours", -1},
		{"notice over a week", "cancelNoticeHours", 169},
		{"lower-case currency", "currency", "usd"},
		{"currency of digits", "currency", "123"},
		{"idle logoff too short", "idleLogoffMinutes", 4},
		{"idle logoff too long", "idleLogoffMinutes", 121},
		{"no future appointments", "maxFutureAppointmentsPerPatient", 0},
		{"too many future appointments", "maxFutureAppointmentsPerPatient", 21},
		{"no waitlist entries", "maxWaitlistEntriesPerPatient", 0},
		{"too many waitlist entries", "maxWaitlistEntriesPerPatient", 21},
		{"blank name", "name", "   "},
		{"unknown tooth numbering", "toothNumbering", "palmer"},
		{"negative booking notice", "minBookingNoticeMinutes", -1},
		{"booking notice over a week", "minBookingNoticeMinutes", 10081},
		{"session of no hours", "sessionHours", 0},
		{"session over a day", "sessionHours", 25},
		{"address without a first line", "address.line1", map[string]any{"city": "Lisbon"}},
		{"address of blanks but a city", "address.line1", map[string]any{"line1": "   ", "city": "Lisbon"}},
		{"address without a city", "address.city", map[string]any{"line1": "1 Main St"}},
		{"address line too long", "address.line2", map[string]any{"line1": "1 Main St", "city": "Lisbon", "line2": strings.Repeat("x", 201)}},
		{"postal code too long", "address.postalCode", map[string]any{"line1": "1 Main St", "city": "Lisbon", "postalCode": strings.Repeat("9", 201)}},
		{"hours on a day that is not", "openingHours.funday", map[string]any{"funday": []any{map[string]string{"start": "08:00", "end": "12:00"}}}},
		{"hours not HH:MM", "openingHours.monday", map[string]any{"monday": []any{map[string]string{"start": "8am", "end": "12:00"}}}},
		{"hours ending before they start", "openingHours.tuesday", map[string]any{"tuesday": []any{map[string]string{"start": "17:00", "end": "08:00"}}}},
		{"hours starting at midnight's end", "openingHours.friday", map[string]any{"friday": []any{map[string]string{"start": "24:00", "end": "24:00"}}}},
		{"overlapping hours", "openingHours.wednesday", map[string]any{"wednesday": []any{map[string]string{"start": "13:00", "end": "17:00"}, map[string]string{"start": "08:00", "end": "13:30"}}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{tc.field: tc.value}, Status: 400,
				Want: apitest.Error("invalid", tc.field)}.Send(t, admin)
		})
	}
	defaults := identity.DefaultSettings()
	apitest.Case{Method: "GET", Path: "/api/clinic", Status: 200, Want: map[string]any{"settings": map[string]any{
		"slotMinutes": defaults.SlotMinutes, "timeZone": defaults.TimeZone, "maxFutureAppointmentsPerPatient": 2, "maxWaitlistEntriesPerPatient": 2, "toothNumbering": "universal", "minBookingNoticeMinutes": 120,
		"sessionHours": 12, "openingHours": map[string]any{}, "address": map[string]any{"line1": "", "city": ""}}}}.Send(t, admin)
	// Good values are stored and answered.
	good := map[string]any{"slotMinutes": 30, "timeZone": "Europe/Lisbon", "cancelNoticeHours": 168, "currency": "EUR", "idleLogoffMinutes": 120,
		"maxFutureAppointmentsPerPatient": 20, "maxWaitlistEntriesPerPatient": 1, "toothNumbering": "fdi", "minBookingNoticeMinutes": 10080,
		"sessionHours": 24, "address": map[string]any{"line1": "Rua Augusta 10", "line2": "2.º esq.", "city": "Lisboa", "region": "", "postalCode": "1100-053"},
		"openingHours": map[string]any{"monday": []any{map[string]any{"start": "08:00", "end": "12:30"}, map[string]any{"start": "12:30", "end": "18:00"}},
			"saturday": []any{map[string]any{"start": "09:00", "end": "24:00"}}}}
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: good, Status: 200, Want: map[string]any{"settings": good}}.Send(t, admin)
	apitest.Case{Method: "GET", Path: "/api/clinic", Status: 200, Want: map[string]any{"settings": good}}.Send(t, admin)
}

// The address is trimmed, and an empty one clears it.
func TestClinicAddressIsTrimmedAndClears(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"address": map[string]any{"line1": "  1 Main St ", "city": " Springfield\t"}}, Status: 200,
		Want: map[string]any{"settings": map[string]any{"address": map[string]any{"line1": "1 Main St", "line2": "", "city": "Springfield"}}}}.Send(t, admin)
	// Other settings leave it as it is.
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"slotMinutes": 10}, Status: 200,
		Want: map[string]any{"settings": map[string]any{"address": map[string]any{"line1": "1 Main St"}}}}.Send(t, admin)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"address": map[string]any{"line1": " "}}, Status: 200,
		Want: map[string]any{"settings": map[string]any{"address": map[string]any{"line1": "", "city": ""}}}}.Send(t, admin)
}

// A clinic's sessionHours bound its new sign-ins: however active, a
// one-hour sign-in cannot refresh past its hour.
func TestClinicSessionHoursEndSignIns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	admin.MustDo(t, "PATCH", "/api/clinic", map[string]any{"sessionHours": 1}, 200)
	c, u := e.signedIn(t, e.clinic.ID, identity.RoleReceptionist)
	for range 5 { // active: a refresh every 10 minutes, inside the idle logoff
		e.clock.Advance(10 * time.Minute)
		with(refreshOK, user(u)).Send(t, c)
	}
	e.clock.Advance(11 * time.Minute)
	refreshGone.Send(t, c)
}

// A clinic stored before a setting existed, or with a value no longer
// allowed, reads with the default in its place.
func TestClinicSettingsFromOldDataReadWithDefaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	db, err := e.fe.Mongo(t).Database()
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Collection("clinics").UpdateOne(context.Background(), bson.D{{Key: "_id", Value: e.clinic.ID}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "settings.slotMinutes", Value: 0}, {Key: "settings.timeZone", Value: "Nowhere/Land"}, {Key: "settings.minBookingNoticeMinutes", Value: -5}, {Key: "settings.sessionHours", Value: 99}}},
		{Key: "$unset", Value: bson.D{{Key: "settings.maxFutureAppointmentsPerPatient", Value: ""}, {Key: "settings.maxWaitlistEntriesPerPatient", Value: ""}}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.users.Clinic(context.Background(), e.clinic.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := identity.DefaultSettings(); !reflect.DeepEqual(c.Settings, want) {
		t.Fatalf("settings %+v, want the defaults %+v", c.Settings, want)
	}
	// And an admin's edit of another setting keeps working.
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"cancelNoticeHours": 48}, Status: 200,
		Want: map[string]any{"settings": map[string]any{"cancelNoticeHours": 48, "slotMinutes": 15}}}.Send(t, admin)
}
