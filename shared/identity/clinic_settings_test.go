package identity_test

import (
	"context"
	"testing"

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
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{tc.field: tc.value}, Status: 400,
				Want: apitest.Error("invalid", tc.field)}.Send(t, admin)
		})
	}
	defaults := identity.DefaultSettings()
	apitest.Case{Method: "GET", Path: "/api/clinic", Status: 200, Want: map[string]any{"settings": map[string]any{
		"slotMinutes": defaults.SlotMinutes, "timeZone": defaults.TimeZone, "maxFutureAppointmentsPerPatient": 2, "maxWaitlistEntriesPerPatient": 2, "toothNumbering": "universal", "minBookingNoticeMinutes": 120}}}.Send(t, admin)
	// Good values are stored and answered.
	good := map[string]any{"slotMinutes": 30, "timeZone": "Europe/Lisbon", "cancelNoticeHours": 168, "currency": "EUR", "idleLogoffMinutes": 120,
		"maxFutureAppointmentsPerPatient": 20, "maxWaitlistEntriesPerPatient": 1, "toothNumbering": "fdi", "minBookingNoticeMinutes": 10080}
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: good, Status: 200, Want: map[string]any{"settings": good}}.Send(t, admin)
	apitest.Case{Method: "GET", Path: "/api/clinic", Status: 200, Want: map[string]any{"settings": good}}.Send(t, admin)
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
		{Key: "$set", Value: bson.D{{Key: "settings.slotMinutes", Value: 0}, {Key: "settings.timeZone", Value: "Nowhere/Land"}, {Key: "settings.minBookingNoticeMinutes", Value: -5}}},
		{Key: "$unset", Value: bson.D{{Key: "settings.maxFutureAppointmentsPerPatient", Value: ""}, {Key: "settings.maxWaitlistEntriesPerPatient", Value: ""}}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.users.Clinic(context.Background(), e.clinic.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := identity.DefaultSettings(); c.Settings != want {
		t.Fatalf("settings %+v, want the defaults %+v", c.Settings, want)
	}
	// And an admin's edit of another setting keeps working.
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"cancelNoticeHours": 48}, Status: 200,
		Want: map[string]any{"settings": map[string]any{"cancelNoticeHours": 48, "slotMinutes": 15}}}.Send(t, admin)
}
