package patients_test

import (
	"context"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

// Every phone a record keeps is stored in E.164, read in the clinic's
// country (its setting in the identity group, wired by the composition
// root): "212.555.0147" at a US clinic, "020 7946 0958" at a British one.
func TestPhonesAreStoredInE164InTheClinicsCountry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	desk := string(identity.RoleReceptionist)
	body := func(phone, emergency string) map[string]any {
		return map[string]any{"firstName": "Ada", "lastName": "Byron", "dateOfBirth": "1990-12-10", "phone": phone,
			"emergencyContact": map[string]any{"name": "Mary", "phone": emergency}}
	}
	r := e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/patients", Body: body("212.555.0147", "1 (646) 555-0100"), Status: 201,
		Want: map[string]any{"phone": "+12125550147", "emergencyContact": map[string]any{"phone": "+16465550100"}}})
	id := r.JSON(t).(map[string]any)["id"].(string)
	e.Do(t, apitest.Case{As: desk, Method: "PATCH", Path: "/api/patients/" + id, Body: map[string]any{"phone": "+44 20 7946 0958"}, Status: 200,
		Want: map[string]any{"phone": "+442079460958"}})

	for _, tc := range []struct{ name, field, phone, emergency, message string }{
		{"no area code", "phone", "555-0147", "2125550100", "enter a number with its area code, e.g. (212) 555-0147"},
		{"letters", "phone", "ask at desk", "2125550100", "use only digits"},
		{"emergency contact's", "emergencyContact.phone", "2125550147", "411", "use only digits"},
		{"another country's national form", "phone", "020 7946 0958", "2125550100", "must have 10 digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/patients", Body: body(tc.phone, tc.emergency), Status: 400, Want: apitest.Error("invalid", tc.field)})
			if !strings.Contains(string(r.Body), tc.message) {
				t.Fatalf("message %s; want %q", r.Body, tc.message)
			}
			e.Do(t, apitest.Case{As: desk, Method: "PATCH", Path: "/api/patients/" + id, Body: map[string]any{"phone": tc.phone, "emergencyContact": map[string]any{"name": "Mary", "phone": tc.emergency}},
				Status: 400, Want: apitest.Error("invalid", tc.field)})
		})
	}

	// A British practice reads the same kind of typing as British numbers.
	gb := identity.DefaultSettings()
	gb.Country = "GB"
	if _, err := e.users.UpdateClinic(ctx, e.other.ID, nil, gb); err != nil {
		t.Fatal(err)
	}
	uk, _ := e.signIn(t, e.other.ID, identity.RoleReceptionist, "")
	apitest.Case{Method: "POST", Path: "/api/patients", Body: body("020 7946 0958", "07700 900123"), Status: 201,
		Want: map[string]any{"phone": "+442079460958", "emergencyContact": map[string]any{"phone": "+447700900123"}}}.Send(t, uk)
	apitest.Case{Method: "POST", Path: "/api/patients", Body: body("(212) 555-0147", "07700 900123"), Status: 400, Want: apitest.Error("invalid", "phone")}.Send(t, uk)
	apitest.Case{Method: "POST", Path: "/api/patients", Body: body("+1 (212) 555-0147", "07700 900123"), Status: 201, Want: map[string]any{"phone": "+12125550147"}}.Send(t, uk)
}

// A record stored before phones were normalized keeps its text until it is
// next saved, answers E.164 when the text parses, and is found by its
// number typed any way.
func TestOldRecordsPhonesReadAsE164(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	desk := string(identity.RoleReceptionist)
	old := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Old", LastName: "Record", Phone: "(212) 555-0188",
		EmergencyContact: &patients.EmergencyContact{Name: "Kin", Phone: "212.555.0189"}})
	odd := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Odd", LastName: "Record", Phone: "ask for Jo", Email: "odd@mail.example"})
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/patients/" + old.ID, Status: 200,
		Want: map[string]any{"phone": "+12125550188", "emergencyContact": map[string]any{"phone": "+12125550189"}}})
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/patients/" + odd.ID, Status: 200, Want: map[string]any{"phone": "ask for Jo"}})
	for _, q := range []string{"2125550188", "(212)%20555-0188", "555-0188", "0188"} {
		e.Do(t, apitest.Case{Name: q, As: desk, Method: "GET", Path: "/api/patients?q=" + q, Status: 200,
			Want: map[string]any{"items": []any{map[string]any{"id": old.ID, "phone": "+12125550188"}}}})
	}
	if got, _ := e.st.Get(context.Background(), e.clinic.ID, old.ID); got.Phone != "(212) 555-0188" {
		t.Fatalf("a read rewrote the stored text: %q", got.Phone)
	}
	// Saved again, it is stored normalized and still found.
	e.Do(t, apitest.Case{As: desk, Method: "PATCH", Path: "/api/patients/" + old.ID, Body: map[string]any{"phone": "(212) 555-0188"}, Status: 200})
	if got, _ := e.st.Get(context.Background(), e.clinic.ID, old.ID); got.Phone != "+12125550188" {
		t.Fatalf("saved: %q", got.Phone)
	}
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/patients?q=212%20555%200188", Status: 200,
		Want: map[string]any{"items": []any{map[string]any{"id": old.ID}}}})
}
