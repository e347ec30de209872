package patients_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
)

// page is a decoded list answer.
type page struct {
	Items      []patients.Summary `json:"items"`
	NextCursor *string            `json:"nextCursor"`
}

func names(items []patients.Summary) []string {
	out := []string{}
	for _, s := range items {
		out = append(out, s.FirstName+" "+s.LastName)
	}
	return out
}

func validBody() map[string]any {
	return map[string]any{"firstName": "Ana", "lastName": "Silva", "dateOfBirth": "1990-05-01", "phone": "(212) 555-0123"}
}

func TestCreateReturnsTheFullNormalizedRecord(t *testing.T) {
	e := newEnv(t)
	desk := e.staff(identity.RoleReceptionist)
	r := desk.do("POST", "/api/patients", map[string]any{
		"firstName": " João ", "lastName": "Silva", "preferredName": "Jo", "dateOfBirth": "1980-02-29", "sex": "male",
		"phone": "+1 (212) 555-0147", "email": "Joao.Silva@Example.com",
		"address":                map[string]any{"line1": "1 Rua Augusta", "city": "Lisboa", "postalCode": "1100-048", "country": "pt"},
		"emergencyContact":       map[string]any{"name": "Maria Silva", "relationship": "spouse", "phone": "+351 912 000 111"},
		"preferredContactMethod": "sms", "language": "pt-pt",
		"communication": map[string]any{"marketing": true},
		"allergies":     []map[string]any{{"substance": "Penicillin", "severity": "Severe"}},
		"medications":   []map[string]any{{"name": "Lisinopril", "dose": "10 mg daily"}},
		"conditions":    []map[string]any{{"name": "Hypertension"}},
		"recall":        map[string]any{"intervalMonths": 4},
	})
	expectStatus(t, r, 201)
	var p patients.Patient
	r.decode(t, &p)
	switch {
	case !ids.Valid(p.ID), p.ClinicID != e.clinic.ID, p.Status != "active":
		t.Fatalf("id/clinic/status: %+v", p)
	case p.FirstName != "João", p.Email != "joao.silva@example.com", p.Language != "pt-PT", p.Address == nil || p.Address.Country != "PT",
		p.Phone != "+12125550147", p.EmergencyContact == nil || p.EmergencyContact.Phone != "+351912000111":
		t.Fatalf("normalization: %s", r.body)
	case p.Communication == nil || !p.Communication.AppointmentReminders || !p.Communication.Marketing:
		t.Fatalf("communication defaults not merged: %+v", p.Communication)
	case len(p.Allergies) != 1 || p.Allergies[0] != (patients.Allergy{Substance: "Penicillin", Severity: "severe"}):
		t.Fatalf("allergies: %+v", p.Allergies)
	case p.MedicalHistoryUpdatedBy != desk.user.ID || p.MedicalHistoryUpdatedAt == nil:
		t.Fatalf("medical history stamp: %v %q", p.MedicalHistoryUpdatedAt, p.MedicalHistoryUpdatedBy)
	case p.Recall.IntervalMonths != 4, p.CreatedAt.IsZero():
		t.Fatalf("recall/createdAt: %s", r.body)
	}
	for _, leak := range []string{`"search"`, `"version"`} {
		if strings.Contains(string(r.body), leak) {
			t.Errorf("internal field %s in response: %s", leak, r.body)
		}
	}
	// The stored record reads back the same.
	var got patients.Patient
	g := desk.do("GET", "/api/patients/"+p.ID, nil)
	expectStatus(t, g, 200)
	g.decode(t, &got)
	if got.FirstName != p.FirstName || got.Email != p.Email || len(got.Medications) != 1 || got.EmergencyContact == nil || got.EmergencyContact.Name != "Maria Silva" {
		t.Fatalf("read back %s", g.body)
	}
	// A minimal record answers with empty lists, not nulls, and defaults.
	r = desk.do("POST", "/api/patients", map[string]any{"firstName": "Bea", "lastName": "Lima", "dateOfBirth": "2001-01-01", "email": "bea@example.com"})
	expectStatus(t, r, 201)
	for _, want := range []string{`"allergies":[]`, `"medications":[]`, `"conditions":[]`, `"intervalMonths":6`, `"appointmentReminders":true`, `"marketing":false`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("minimal record lacks %s: %s", want, r.body)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	e := newEnv(t)
	desk := e.staff(identity.RoleReceptionist)
	tomorrowPlus := e.clock.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	tests := []struct {
		name   string
		change func(b map[string]any)
		fields []string
	}{
		{"missing names", func(b map[string]any) { delete(b, "firstName"); delete(b, "lastName") }, []string{"firstName", "lastName"}},
		{"blank first name", func(b map[string]any) { b["firstName"] = "   " }, []string{"firstName"}},
		{"missing date of birth", func(b map[string]any) { delete(b, "dateOfBirth") }, []string{"dateOfBirth"}},
		{"month 13", func(b map[string]any) { b["dateOfBirth"] = "1990-13-01" }, []string{"dateOfBirth"}},
		{"30 February", func(b map[string]any) { b["dateOfBirth"] = "2023-02-30" }, []string{"dateOfBirth"}},
		{"not ISO", func(b map[string]any) { b["dateOfBirth"] = "05/01/1990" }, []string{"dateOfBirth"}},
		{"future date of birth", func(b map[string]any) { b["dateOfBirth"] = tomorrowPlus }, []string{"dateOfBirth"}},
		{"date of birth not a string", func(b map[string]any) { b["dateOfBirth"] = 19900501 }, []string{"dateOfBirth"}},
		{"neither phone nor email", func(b map[string]any) { delete(b, "phone") }, []string{"phone", "email"}},
		{"empty phone and email", func(b map[string]any) { b["phone"], b["email"] = "", "" }, []string{"phone", "email"}},
		{"phone with letters", func(b map[string]any) { b["phone"] = "call me maybe" }, []string{"phone"}},
		{"phone too short", func(b map[string]any) { b["phone"] = "12-345" }, []string{"phone"}},
		{"phone with an unassigned area code", func(b map[string]any) { b["phone"] = "+1 555 010 2030" }, []string{"phone"}},
		{"phone with an extension", func(b map[string]any) { b["phone"] = "212 555 0123 ext. 4" }, []string{"phone"}},
		{"email without a dot in the domain", func(b map[string]any) { b["email"] = "ana@clinic" }, []string{"email"}},
		{"bad email", func(b map[string]any) { b["email"] = "ana@" }, []string{"email"}},
		{"bad severity", func(b map[string]any) {
			b["allergies"] = []map[string]any{{"substance": "Latex", "severity": "deadly"}}
		}, []string{"allergies[0].severity"}},
		{"allergy without substance", func(b map[string]any) {
			b["allergies"] = []map[string]any{{"substance": "Latex", "severity": "mild"}, {"severity": "mild"}}
		}, []string{"allergies[1].substance"}},
		{"allergy listed twice", func(b map[string]any) {
			b["allergies"] = []map[string]any{{"substance": "Latex", "severity": "mild"}, {"substance": "latex", "severity": "severe"}}
		}, []string{"allergies[1].substance"}},
		{"medication without name", func(b map[string]any) { b["medications"] = []map[string]any{{"dose": "5 mg"}} }, []string{"medications[0].name"}},
		{"condition without name", func(b map[string]any) { b["conditions"] = []map[string]any{{"notes": "x"}} }, []string{"conditions[0].name"}},
		{"unknown sex", func(b map[string]any) { b["sex"] = "robot" }, []string{"sex"}},
		{"not a language tag", func(b map[string]any) { b["language"] = "not a language!" }, []string{"language"}},
		{"unknown contact method", func(b map[string]any) { b["preferredContactMethod"] = "fax" }, []string{"preferredContactMethod"}},
		{"email preferred without email", func(b map[string]any) { b["preferredContactMethod"] = "email" }, []string{"preferredContactMethod"}},
		{"country not a code", func(b map[string]any) { b["address"] = map[string]any{"city": "Porto", "country": "Portugal"} }, []string{"address.country"}},
		{"emergency contact without phone", func(b map[string]any) { b["emergencyContact"] = map[string]any{"name": "Rui"} }, []string{"emergencyContact.phone"}},
		{"recall interval out of range", func(b map[string]any) { b["recall"] = map[string]any{"intervalMonths": 0} }, []string{"recall.intervalMonths"}},
		{"recall visit in the future", func(b map[string]any) { b["recall"] = map[string]any{"lastHygieneVisit": tomorrowPlus} }, []string{"recall.lastHygieneVisit"}},
		{"unknown guarantor", func(b map[string]any) { b["guarantorId"] = ids.New() }, []string{"guarantorId"}},
		{"several problems at once", func(b map[string]any) {
			delete(b, "lastName")
			b["email"] = "nope"
			b["allergies"] = []map[string]any{{"substance": "Latex", "severity": "very"}}
		}, []string{"lastName", "email", "allergies[0].severity"}},
		// Mass assignment: fields the server owns are unknown to the decoder.
		{"id in body", func(b map[string]any) { b["id"] = ids.New() }, []string{"id"}},
		{"clinicId in body", func(b map[string]any) { b["clinicId"] = e.other.ID }, []string{"clinicId"}},
		{"status in body", func(b map[string]any) { b["status"] = "archived" }, []string{"status"}},
		{"createdAt in body", func(b map[string]any) { b["createdAt"] = "2020-01-01T00:00:00Z" }, []string{"createdAt"}},
		{"unknown address field", func(b map[string]any) { b["address"] = map[string]any{"planet": "Mars"} }, []string{"planet"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := validBody()
			tc.change(b)
			r := desk.do("POST", "/api/patients", b)
			expectStatus(t, r, 400)
			apiErr := r.apiError(t)
			var got []string
			for _, f := range apiErr.Fields {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.fields))
			if apiErr.Code != "invalid" || !slices.Equal(got, want) {
				t.Fatalf("code %q fields %v, want %v: %s", apiErr.Code, got, want, r.body)
			}
		})
	}
	// The valid body itself is accepted, and nothing refused was stored.
	expectStatus(t, desk.do("POST", "/api/patients", validBody()), 201)
	var all page
	r := desk.do("GET", "/api/patients?status=all", nil)
	expectStatus(t, r, 200)
	r.decode(t, &all)
	if len(all.Items) != 1 {
		t.Fatalf("stored %d patients, want only the valid one: %v", len(all.Items), names(all.Items))
	}
}

// seedSearch stores the search table's patients.
func seedSearch(e *env) {
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "João", LastName: "Silva", Phone: "+1 (555) 010-2030", Email: "joao.silva@example.com"})
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Ana", LastName: "Silva", Phone: "+351 912 345 678", Email: "ana@correio.pt"})
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Anabela", LastName: "Costa", Email: "anabela.costa@example.com"})
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Seán", LastName: "O'Brien", Phone: "(020) 7946 0958"})
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Zoë", LastName: "Åberg", Email: "zoe@example.com"})
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Mary", LastName: "Jones", Phone: "+1 555 777 1234", Status: patients.StatusArchived})
	// Another clinic's João never shows up.
	e.mustPatient(e.other.ID, patients.Patient{FirstName: "João", LastName: "Silva", Phone: "+1 (555) 010-2030"})
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	seedSearch(e)
	desk := e.staff(identity.RoleReceptionist)
	tests := []struct {
		name, q, status string
		want            []string
	}{
		{"no query lists active patients by last name", "", "", []string{"Zoë Åberg", "Anabela Costa", "Seán O'Brien", "Ana Silva", "João Silva"}},
		{"prefix without accent finds accented name", "jo", "", []string{"João Silva"}},
		{"upper case with accent", "JOÃO", "", []string{"João Silva"}},
		{"accent-free full name", "joao", "", []string{"João Silva"}},
		{"last name prefix", "sil", "", []string{"Ana Silva", "João Silva"}},
		{"first name prefix matches several", "ana", "", []string{"Anabela Costa", "Ana Silva"}},
		{"multi-word first then last", "ana sil", "", []string{"Ana Silva"}},
		{"multi-word last then first", "silva an", "", []string{"Ana Silva"}},
		{"multi-word with extra spaces and case", "  ANA   SILVA ", "", []string{"Ana Silva"}},
		{"accents on both name parts", "zoe ab", "", []string{"Zoë Åberg"}},
		{"apostrophe dropped", "obr", "", []string{"Seán O'Brien"}},
		{"apostrophe typed", "o'brien", "", []string{"Seán O'Brien"}},
		{"part after apostrophe", "brien", "", []string{"Seán O'Brien"}},
		{"phone digits with space", "555 01", "", []string{"João Silva"}},
		{"phone as formatted", "(555) 010-2030", "", []string{"João Silva"}},
		{"phone with country code", "+1 555 010", "", []string{"João Silva"}},
		{"phone last four", "2030", "", []string{"João Silva"}},
		{"international phone", "912 345", "", []string{"Ana Silva"}},
		{"email prefix", "anabela.co", "", []string{"Anabela Costa"}},
		{"email with at sign", "ana@corr", "", []string{"Ana Silva"}},
		{"email is case-insensitive", "JOAO.SILVA@", "", []string{"João Silva"}},
		{"archived excluded by default", "jones", "", []string{}},
		{"archived on request", "jones", "archived", []string{"Mary Jones"}},
		{"all statuses", "jo", "all", []string{"Mary Jones", "João Silva"}},
		{"archived phone excluded", "555 777", "", []string{}},
		{"regex wildcard is literal", "ana@corr.*", "", []string{}},
		{"regex dot is literal", "joao.silva@example.c.m", "", []string{}},
		{"punctuation in a name query is dropped", "^ana$", "", []string{"Anabela Costa", "Ana Silva"}},
		{"no match", "xyz", "", []string{}},
		{"a word matching nothing rules the rest out", "ana xyz", "", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{}
			if tc.q != "" {
				v.Set("q", tc.q)
			}
			if tc.status != "" {
				v.Set("status", tc.status)
			}
			r := desk.do("GET", "/api/patients?"+v.Encode(), nil)
			expectStatus(t, r, 200)
			var got page
			r.decode(t, &got)
			if !slices.Equal(names(got.Items), tc.want) {
				t.Fatalf("q=%q status=%q: got %v, want %v", tc.q, tc.status, names(got.Items), tc.want)
			}
			if got.NextCursor != nil {
				t.Fatalf("nextCursor %q on a short list", *got.NextCursor)
			}
		})
	}
	for _, bad := range []string{"status=deleted", "q=" + strings.Repeat("a", 101), "recallDue=tomorrow", "limit=0", "limit=201", "cursor=forged"} {
		r := desk.do("GET", "/api/patients?"+bad, nil)
		if r.status != 400 || r.apiError(t).Code != "invalid" {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
}

func TestSearchPaginatesAcrossPages(t *testing.T) {
	e := newEnv(t)
	var want []string
	for i := 1; i <= 7; i++ {
		first := string(rune('A'+i-1)) + "lex"
		e.mustPatient(e.clinic.ID, patients.Patient{FirstName: first, LastName: "Pager"})
		want = append(want, first+" Pager")
	}
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Other", LastName: "Person"})
	desk := e.staff(identity.RoleReceptionist)
	var got []string
	var sizes []int
	cursor := ""
	for range 5 {
		r := desk.do("GET", "/api/patients?q=pager&limit=3&cursor="+url.QueryEscape(cursor), nil)
		expectStatus(t, r, 200)
		var p page
		r.decode(t, &p)
		got = append(got, names(p.Items)...)
		sizes = append(sizes, len(p.Items))
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	if !slices.Equal(sizes, []int{3, 3, 1}) || !slices.Equal(got, want) {
		t.Fatalf("pages of %v gave %v, want %v", sizes, got, want)
	}
}

func TestListsCarryNoMedicalHistory(t *testing.T) {
	e := newEnv(t)
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Allergic", LastName: "Person",
		Allergies: []patients.Allergy{{Substance: "Latex", Severity: "severe"}}, Medications: []patients.Medication{{Name: "Warfarin"}},
		Recall: patients.Recall{IntervalMonths: 6, DueDate: "2026-03-01"}})
	e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Healthy", LastName: "Person"})
	r := e.staff(identity.RoleReceptionist).do("GET", "/api/patients?q=person", nil)
	expectStatus(t, r, 200)
	for _, field := range []string{"allergies", "medications", "conditions", "Latex", "Warfarin", "medicalHistory"} {
		if strings.Contains(string(r.body), field) {
			t.Errorf("list shows %s: %s", field, r.body)
		}
	}
	var p page
	r.decode(t, &p)
	if len(p.Items) != 2 || !p.Items[0].AllergyAlert || p.Items[1].AllergyAlert || p.Items[0].RecallDueDate != "2026-03-01" {
		t.Fatalf("summaries: %+v", p.Items)
	}
}

func TestRecallDueList(t *testing.T) {
	e := newEnv(t)
	due := func(first, date, status string) {
		e.mustPatient(e.clinic.ID, patients.Patient{FirstName: first, LastName: "Recall", Status: status, Recall: patients.Recall{IntervalMonths: 6, DueDate: date}})
	}
	due("March", "2026-03-01", "")
	due("January", "2026-01-10", "")
	due("February", "2026-02-01", "")
	due("Never", "", "")
	due("Archived", "2026-01-01", patients.StatusArchived)
	e.mustPatient(e.other.ID, patients.Patient{FirstName: "Elsewhere", LastName: "Recall", Recall: patients.Recall{DueDate: "2026-01-01"}})
	desk := e.staff(identity.RoleReceptionist)
	for _, tc := range []struct {
		date string
		want []string
	}{
		{"2026-02-01", []string{"January Recall", "February Recall"}},
		{"2025-12-31", []string{}},
		{"2030-01-01", []string{"January Recall", "February Recall", "March Recall"}},
	} {
		r := desk.do("GET", "/api/patients?recallDue="+tc.date, nil)
		expectStatus(t, r, 200)
		var p page
		r.decode(t, &p)
		if !slices.Equal(names(p.Items), tc.want) {
			t.Errorf("recallDue=%s: %v, want %v", tc.date, names(p.Items), tc.want)
		}
	}
	// Paginated in due-date order too.
	r := desk.do("GET", "/api/patients?recallDue=2030-01-01&limit=2", nil)
	var p page
	r.decode(t, &p)
	if p.NextCursor == nil || !slices.Equal(names(p.Items), []string{"January Recall", "February Recall"}) {
		t.Fatalf("first page %v", names(p.Items))
	}
	r = desk.do("GET", "/api/patients?recallDue=2030-01-01&limit=2&cursor="+url.QueryEscape(*p.NextCursor), nil)
	r.decode(t, &p)
	if p.NextCursor != nil || !slices.Equal(names(p.Items), []string{"March Recall"}) {
		t.Fatalf("second page %v", names(p.Items))
	}
}

func TestRecordHygieneVisit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Rita", LastName: "Recall"})
	recall := func() patients.Recall {
		t.Helper()
		got, err := e.st.Get(ctx, e.clinic.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Recall
	}
	steps := []struct {
		name            string
		visit           string
		months          int
		wantLast, wantD string
	}{
		{"first visit, default interval", "2018-01-15", 0, "2018-01-15", "2018-07-15"},
		{"an older visit changes nothing", "2017-12-01", 3, "2018-01-15", "2018-07-15"},
		{"the same visit again changes nothing", "2018-01-15", 3, "2018-01-15", "2018-07-15"},
		{"a newer visit with its own interval", "2018-02-10", 3, "2018-02-10", "2018-05-10"},
		{"end of month clamps", "2018-08-31", 6, "2018-08-31", "2019-02-28"},
		{"into a leap February", "2019-08-31", 6, "2019-08-31", "2020-02-29"},
	}
	for _, s := range steps {
		if err := e.st.RecordHygieneVisit(ctx, e.clinic.ID, p.ID, s.visit, s.months); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := recall(); got.LastHygieneVisit != s.wantLast || got.DueDate != s.wantD {
			t.Fatalf("%s: recall %+v, want last %s due %s", s.name, got, s.wantLast, s.wantD)
		}
	}
	// The patient's own interval applies when the caller gives none.
	desk := e.staff(identity.RoleHygienist)
	expectStatus(t, desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{"recall": map[string]any{"intervalMonths": 4}}), 200)
	if err := e.st.RecordHygieneVisit(ctx, e.clinic.ID, p.ID, "2020-01-05", 0); err != nil {
		t.Fatal(err)
	}
	if got := recall(); got.DueDate != "2020-05-05" || got.IntervalMonths != 4 {
		t.Fatalf("with the patient's 4-month interval: %+v", got)
	}
	// It shows in the due list.
	r := desk.do("GET", "/api/patients?recallDue=2020-05-05", nil)
	var pg page
	r.decode(t, &pg)
	if !slices.Equal(names(pg.Items), []string{"Rita Recall"}) {
		t.Fatalf("due list %v", names(pg.Items))
	}
	if err := e.st.RecordHygieneVisit(ctx, e.other.ID, p.ID, "2021-01-01", 6); !errs.Is(err, errs.NotFound) {
		t.Fatalf("other clinic: %v, want not found", err)
	}
	if err := e.st.RecordHygieneVisit(ctx, e.clinic.ID, p.ID, "01/02/2029", 6); !errs.Is(err, errs.Invalid) {
		t.Fatalf("bad date: %v, want invalid", err)
	}
}

func TestPatientChangesOnlyTheirOwnContactDetails(t *testing.T) {
	e := newEnv(t)
	me := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Paula", LastName: "Portal", Phone: "555 111 2222",
		Allergies: []patients.Allergy{{Substance: "Latex", Severity: "moderate"}}})
	other := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Otto", LastName: "Other", Phone: "555 333 4444"})
	pc := e.signIn(e.clinic.ID, identity.RolePatient, me.ID)

	// Own record: readable in full, allergies included.
	r := pc.do("GET", "/api/patients/"+me.ID, nil)
	expectStatus(t, r, 200)
	var p patients.Patient
	r.decode(t, &p)
	if len(p.Allergies) != 1 {
		t.Fatalf("own record without allergies: %s", r.body)
	}

	// Contact details and preferences: allowed.
	r = pc.do("PATCH", "/api/patients/"+me.ID, map[string]any{
		"phone": "+1 212 555 0199", "email": "paula@new.example", "preferredName": "Pau",
		"address": map[string]any{"line1": "2 Elm St", "city": "Springfield", "country": "US"}, "preferredContactMethod": "email",
		"language": "en-GB", "communication": map[string]any{"marketing": true},
		"emergencyContact": map[string]any{"name": "Pedro", "phone": "212 555 0111"},
	})
	expectStatus(t, r, 200)
	r.decode(t, &p)
	if p.Phone != "+12125550199" || p.Email != "paula@new.example" || p.Language != "en-GB" || !p.Communication.Marketing ||
		!p.Communication.AppointmentReminders || p.Address.City != "Springfield" || p.PreferredName != "Pau" {
		t.Fatalf("contact change not applied: %s", r.body)
	}

	// Anything else: 403 with a message that says what to do, nothing changed.
	for _, body := range []map[string]any{
		{"allergies": []map[string]any{}},
		{"firstName": "Someone"},
		{"dateOfBirth": "1999-01-01"},
		{"phone": "555 000 0000", "medications": []map[string]any{{"name": "x"}}},
		{"guarantorId": other.ID},
		{"recall": map[string]any{"dueDate": "2030-01-01"}},
	} {
		r := pc.do("PATCH", "/api/patients/"+me.ID, body)
		expectStatus(t, r, 403)
		if msg := r.apiError(t).Message; !strings.Contains(msg, "contact details") || !strings.Contains(msg, "ask the practice") {
			t.Errorf("unhelpful message %q", msg)
		}
	}
	got, err := e.st.Get(context.Background(), e.clinic.ID, me.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Paula" || len(got.Allergies) != 1 || got.Phone != "+12125550199" || got.GuarantorID != "" {
		t.Fatalf("refused changes leaked through: %+v", got)
	}
	var denied int
	for _, rec := range e.auditRecords(e.clinic.ID, audit.Filter{PatientID: me.ID, Action: "patient.update"}) {
		if rec.Outcome == audit.Denied && rec.ActorID == pc.user.ID && strings.HasPrefix(rec.Detail, "fields refused: ") {
			denied++
		}
	}
	if denied != 6 {
		t.Fatalf("%d denied updates in the trail, want 6", denied)
	}

	// Server-owned fields: 400 from the strict decoder.
	for _, field := range []string{"status", "clinicId", "id", "createdAt", "medicalHistoryUpdatedBy"} {
		r := pc.do("PATCH", "/api/patients/"+me.ID, map[string]any{field: "x"})
		if r.status != 400 || len(r.apiError(t).Fields) != 1 || r.apiError(t).Fields[0].Field != field {
			t.Errorf("%s: %d %s", field, r.status, r.body)
		}
	}

	// Another patient's record: 404 on every route, never the data.
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/patients/" + other.ID, nil},
		{"PATCH", "/api/patients/" + other.ID, map[string]any{"phone": "555 666 7777"}},
		{"GET", "/api/patients/" + other.ID + "/timeline", nil},
		{"GET", "/api/patients?familyOf=" + other.ID, nil},
	} {
		r := pc.do(req.method, req.path, req.body)
		if r.status != 404 || strings.Contains(string(r.body), "Otto") {
			t.Errorf("%s %s: %d %s", req.method, req.path, r.status, r.body)
		}
	}
	if got, _ := e.st.Get(context.Background(), e.clinic.ID, other.ID); got.Phone != "555 333 4444" {
		t.Fatalf("other patient changed: %+v", got)
	}
	// A patient's list is their own record only, and they cannot archive.
	r = pc.do("GET", "/api/patients", nil)
	expectStatus(t, r, 200)
	var pg page
	r.decode(t, &pg)
	if len(pg.Items) != 1 || pg.Items[0].ID != me.ID {
		t.Fatalf("patient list: %s", r.body)
	}
	expectStatus(t, pc.do("DELETE", "/api/patients/"+me.ID, nil), 403)
	expectStatus(t, pc.do("POST", "/api/patients", validBody()), 403)
}

func TestRolesOnPatientRecords(t *testing.T) {
	e := newEnv(t)
	p := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Alba", LastName: "Allergic",
		Allergies: []patients.Allergy{{Substance: "Penicillin", Severity: "life-threatening"}}})
	for _, role := range []identity.Role{identity.RoleReceptionist, identity.RoleAssistant, identity.RoleHygienist, identity.RoleDentist, identity.RoleAdmin} {
		t.Run(string(role)+" reads allergies", func(t *testing.T) {
			r := e.staff(role).do("GET", "/api/patients/"+p.ID, nil)
			expectStatus(t, r, 200)
			var got patients.Patient
			r.decode(t, &got)
			if len(got.Allergies) != 1 || got.Allergies[0].Severity != "life-threatening" {
				t.Fatalf("allergies hidden from %s: %s", role, r.body)
			}
		})
	}
	assistant := e.staff(identity.RoleAssistant)
	expectStatus(t, assistant.do("POST", "/api/patients", validBody()), 403)
	expectStatus(t, assistant.do("PATCH", "/api/patients/"+p.ID, map[string]any{"phone": "555 010 9999"}), 403)
	expectStatus(t, assistant.do("DELETE", "/api/patients/"+p.ID, nil), 403)
	expectStatus(t, assistant.do("GET", "/api/patients?q=alba", nil), 200)
	// Signed out: 401.
	anon := &client{e: e, cookies: map[string]string{}, ip: "10.9.9.9"}
	expectStatus(t, anon.do("GET", "/api/patients/"+p.ID, nil), 401)
}

func TestOtherClinicsPatientsAreNotFound(t *testing.T) {
	e := newEnv(t)
	theirs := e.mustPatient(e.other.ID, patients.Patient{FirstName: "Bruno", LastName: "Elsewhere", Phone: "555 222 3333"})
	mine := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Carla", LastName: "Here", Phone: "555 444 5555"})
	admin := e.staff(identity.RoleAdmin)
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/patients/" + theirs.ID, nil},
		{"PATCH", "/api/patients/" + theirs.ID, map[string]any{"phone": "555 666 7777"}},
		{"DELETE", "/api/patients/" + theirs.ID, nil},
		{"GET", "/api/patients/" + theirs.ID + "/timeline", nil},
		{"GET", "/api/patients?familyOf=" + theirs.ID, nil},
		{"GET", "/api/patients/not-an-id", nil},
	} {
		r := admin.do(req.method, req.path, req.body)
		if r.status != 404 || r.apiError(t).Code != "not_found" || strings.Contains(string(r.body), "Bruno") {
			t.Errorf("%s %s: %d %s", req.method, req.path, r.status, r.body)
		}
	}
	// Naming another clinic's patient as guarantor is refused like a stranger.
	r := admin.do("PATCH", "/api/patients/"+mine.ID, map[string]any{"guarantorId": theirs.ID})
	if r.status != 400 || r.apiError(t).Fields[0].Field != "guarantorId" {
		t.Fatalf("foreign guarantor: %d %s", r.status, r.body)
	}
	r = admin.do("GET", "/api/patients?q=bruno&status=all", nil)
	var pg page
	r.decode(t, &pg)
	if len(pg.Items) != 0 {
		t.Fatalf("search crossed clinics: %s", r.body)
	}
	got, err := e.st.Get(context.Background(), e.other.ID, theirs.ID)
	if err != nil || got.Phone != "555 222 3333" || got.Status != "active" {
		t.Fatalf("other clinic's record changed: %+v %v", got, err)
	}
	if len(e.timeline.askedFor()) != 0 {
		t.Fatalf("timeline sources were asked about another clinic's patient: %v", e.timeline.askedFor())
	}
}

func TestArchiveKeepsTheRecord(t *testing.T) {
	e := newEnv(t)
	p := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Olga", LastName: "Old", Phone: "555 808 0808",
		Allergies: []patients.Allergy{{Substance: "Iodine", Severity: "mild"}}})
	desk := e.staff(identity.RoleReceptionist)
	r := desk.do("DELETE", "/api/patients/"+p.ID, nil)
	expectStatus(t, r, 200)
	var got patients.Patient
	r.decode(t, &got)
	if got.Status != "archived" || got.FirstName != "Olga" || len(got.Allergies) != 1 {
		t.Fatalf("archive answered %s", r.body)
	}
	// Still readable, still whole.
	r = desk.do("GET", "/api/patients/"+p.ID, nil)
	expectStatus(t, r, 200)
	r.decode(t, &got)
	if got.Status != "archived" || got.Phone != "555 808 0808" || len(got.Allergies) != 1 {
		t.Fatalf("archived record: %s", r.body)
	}
	// Out of default search, in archived search.
	for q, want := range map[string]int{"q=olga": 0, "q=olga&status=archived": 1, "q=808": 0} {
		var pg page
		desk.do("GET", "/api/patients?"+q, nil).decode(t, &pg)
		if len(pg.Items) != want {
			t.Errorf("%s: %d results, want %d", q, len(pg.Items), want)
		}
	}
	// Archiving twice is fine.
	expectStatus(t, desk.do("DELETE", "/api/patients/"+p.ID, nil), 200)
	acts := actions(e.auditRecords(e.clinic.ID, audit.Filter{PatientID: p.ID}))
	if !slices.Contains(acts, "patient.archive") {
		t.Fatalf("no archive audit: %v", acts)
	}
}

func actions(recs []audit.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Action)
	}
	return out
}

func TestEveryReadAndWriteIsAudited(t *testing.T) {
	e := newEnv(t)
	dentist := e.staff(identity.RoleDentist)
	r := dentist.do("POST", "/api/patients", validBody())
	expectStatus(t, r, 201)
	var p patients.Patient
	r.decode(t, &p)
	expectStatus(t, dentist.do("GET", "/api/patients/"+p.ID, nil), 200)
	expectStatus(t, dentist.do("PATCH", "/api/patients/"+p.ID, map[string]any{"allergies": []map[string]any{{"substance": "Latex", "severity": "severe"}}}), 200)
	expectStatus(t, dentist.do("GET", "/api/patients/"+p.ID+"/timeline", nil), 200)
	expectStatus(t, dentist.do("GET", "/api/patients?q=ana%20silva", nil), 200)

	recs := e.auditRecords(e.clinic.ID, audit.Filter{PatientID: p.ID})
	if got, want := actions(recs), []string{"patient.create", "patient.read", "patient.update", "patient.read"}; !slices.Equal(got, want) {
		t.Fatalf("actions about the patient %v, want %v", got, want)
	}
	for _, rec := range recs {
		if rec.ActorID != dentist.user.ID || rec.ActorRole != "dentist" || rec.Outcome != audit.Success || rec.RequestID == "" ||
			!strings.HasPrefix(rec.Resource, "patients/"+p.ID) || rec.IP == "" {
			t.Errorf("record %+v", rec)
		}
	}
	if !strings.Contains(recs[2].Detail, "allergies") || strings.Contains(recs[2].Detail, "Latex") {
		t.Errorf("update detail should name fields, never values: %q", recs[2].Detail)
	}
	search := e.auditRecords(e.clinic.ID, audit.Filter{Action: "patient.search"})
	if len(search) != 1 || search[0].ActorID != dentist.user.ID || !strings.Contains(search[0].Detail, "results: 1") ||
		strings.Contains(strings.ToLower(search[0].Detail), "silva") {
		t.Fatalf("search audit %+v", search)
	}
	if v, err := e.svc.Audit.Verify(context.Background(), e.clinic.ID); err != nil || !v.OK {
		t.Fatalf("chain: %+v %v", v, err)
	}
}

func TestNoAuditNoAccess(t *testing.T) {
	e := newEnv(t, withDeadAudit(t))
	p := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Secret", LastName: "Person", Phone: "555 010 1111"})
	desk := e.staff(identity.RoleReceptionist)
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/patients/" + p.ID, nil},
		{"GET", "/api/patients?q=secret", nil},
		{"GET", "/api/patients/" + p.ID + "/timeline", nil},
		{"PATCH", "/api/patients/" + p.ID, map[string]any{"phone": "212 555 0122"}},
		{"DELETE", "/api/patients/" + p.ID, nil},
		{"POST", "/api/patients", validBody()},
	} {
		r := desk.do(req.method, req.path, req.body)
		if r.status != 503 || r.apiError(t).Code != "unavailable" || strings.Contains(string(r.body), "Secret") {
			t.Errorf("%s %s: %d %s", req.method, req.path, r.status, r.body)
		}
	}
	got, err := e.st.Get(context.Background(), e.clinic.ID, p.ID)
	if err != nil || got.Phone != "555 010 1111" || got.Status != "active" {
		t.Fatalf("unaudited write happened: %+v %v", got, err)
	}
	pg, err := e.st.List(context.Background(), e.clinic.ID, patients.Query{Status: "all"}, store.PageRequest{})
	if err != nil || len(pg.Items) != 1 {
		t.Fatalf("unaudited create happened: %d %v", len(pg.Items), err)
	}
}

func TestPatchUpdatesSearchAndMedicalStamp(t *testing.T) {
	e := newEnv(t)
	desk := e.staff(identity.RoleReceptionist)
	r := desk.do("POST", "/api/patients", validBody())
	expectStatus(t, r, 201)
	var p patients.Patient
	r.decode(t, &p)
	if p.MedicalHistoryUpdatedAt != nil {
		t.Fatalf("no medical history yet, but stamped: %s", r.body)
	}
	search := func(q string) []string {
		var pg page
		desk.do("GET", "/api/patients?q="+url.QueryEscape(q), nil).decode(t, &pg)
		return names(pg.Items)
	}
	e.clock.Advance(time.Minute)
	r = desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{"lastName": "Gonçalves", "phone": "+44 20 7946 0000", "email": "ana.g@example.com"})
	expectStatus(t, r, 200)
	if got := search("ana gonc"); !slices.Equal(got, []string{"Ana Gonçalves"}) {
		t.Fatalf("new name not searchable: %v", got)
	}
	if got := search("ana silva"); len(got) != 0 {
		t.Fatalf("old name still found: %v", got)
	}
	if got := search("7946 0000"); len(got) != 1 {
		t.Fatalf("new phone not searchable: %v", got)
	}
	if got := search("212 555"); len(got) != 0 {
		t.Fatalf("old phone still found: %v", got)
	}
	// A contact change leaves the medical stamp alone; a history change sets it.
	var got patients.Patient
	r.decode(t, &got)
	if got.MedicalHistoryUpdatedAt != nil || !got.UpdatedAt.After(p.UpdatedAt) {
		t.Fatalf("after contact change: %s", r.body)
	}
	hyg := e.staff(identity.RoleHygienist)
	e.clock.Advance(time.Minute)
	r = hyg.do("PATCH", "/api/patients/"+p.ID, map[string]any{
		"medications": []map[string]any{{"name": "Metformin", "dose": "500 mg"}}, "conditions": []map[string]any{{"name": "Diabetes", "notes": "type 2"}}})
	expectStatus(t, r, 200)
	r.decode(t, &got)
	if got.MedicalHistoryUpdatedBy != hyg.user.ID || got.MedicalHistoryUpdatedAt == nil || !got.MedicalHistoryUpdatedAt.Equal(e.clock.Now().UTC().Truncate(time.Millisecond)) {
		t.Fatalf("medical stamp: %v %q", got.MedicalHistoryUpdatedAt, got.MedicalHistoryUpdatedBy)
	}
	// The same history again is not a change.
	stamp := *got.MedicalHistoryUpdatedAt
	e.clock.Advance(time.Minute)
	r = desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{"medications": []map[string]any{{"name": "Metformin", "dose": "500 mg"}}})
	expectStatus(t, r, 200)
	r.decode(t, &got)
	if !got.MedicalHistoryUpdatedAt.Equal(stamp) || got.MedicalHistoryUpdatedBy != hyg.user.ID {
		t.Fatalf("unchanged history restamped: %s", r.body)
	}
	// Clearing: [] empties a list, "" an optional field, {} an object; the
	// last contact cannot go.
	r = desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{"conditions": []any{}, "email": "", "address": map[string]any{}})
	expectStatus(t, r, 200)
	var cleared patients.Patient
	r.decode(t, &cleared)
	if len(cleared.Conditions) != 0 || cleared.Email != "" || cleared.Address != nil || len(cleared.Medications) != 1 {
		t.Fatalf("clearing: %s", r.body)
	}
	r = desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{"phone": ""})
	if r.status != 400 {
		t.Fatalf("removing the last contact: %d %s", r.status, r.body)
	}
	expectStatus(t, desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{}), 400)
}

func TestConcurrentPatchesAllApply(t *testing.T) {
	e := newEnv(t)
	p := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Old", LastName: "Name", Phone: "555 010 0000"})
	desk := e.staff(identity.RoleReceptionist)
	bodies := []map[string]any{
		{"firstName": "Xavier"},
		{"lastName": "Quintanilha"},
		{"preferredName": "Xavi"},
		{"email": "xq@example.com"},
		{"language": "es"},
		{"address": map[string]any{"city": "Madrid", "country": "ES"}},
		{"emergencyContact": map[string]any{"name": "Yara", "phone": "212 555 0177"}},
		{"allergies": []map[string]any{{"substance": "Aspirin", "severity": "moderate"}}},
	}
	var wg sync.WaitGroup
	codes := make([]int, len(bodies))
	for i, b := range bodies {
		wg.Go(func() { codes[i] = desk.do("PATCH", "/api/patients/"+p.ID, b).status })
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Fatalf("patch %d (%v): %d", i, bodies[i], c)
		}
	}
	got, err := e.st.Get(context.Background(), e.clinic.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Xavier" || got.LastName != "Quintanilha" || got.PreferredName != "Xavi" || got.Email != "xq@example.com" ||
		got.Language != "es" || got.Address == nil || got.Address.City != "Madrid" || got.EmergencyContact == nil || len(got.Allergies) != 1 {
		t.Fatalf("a concurrent change was lost: %+v", got)
	}
	if got.Version != len(bodies) {
		t.Fatalf("version %d after %d changes", got.Version, len(bodies))
	}
	// The search keys match the names stored, whichever change came last.
	var pg page
	desk.do("GET", "/api/patients?q=xavier%20quint", nil).decode(t, &pg)
	if len(pg.Items) != 1 {
		t.Fatalf("search keys stale after concurrent changes: %+v", got.Search)
	}
}

func TestAbandonedChangeClaimIsTakenOverAfterTheLease(t *testing.T) {
	e := newEnv(t)
	p := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Crash", LastName: "Test", Phone: "555 010 0001"})
	desk := e.staff(identity.RoleReceptionist)
	// A writer claims the record's version and dies before writing.
	crash := errors.New("writer died")
	e.st.SetAfterClaim(func(string, int) error { return crash })
	if r := desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{"phone": "212 555 0102"}); r.status != 500 {
		t.Fatalf("crashed write: %d %s", r.status, r.body)
	}
	e.st.SetAfterClaim(nil)
	// While its lease runs, others are told to retry rather than overwrite.
	r := desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{"phone": "212 555 0103"})
	if r.status != 409 {
		t.Fatalf("during the lease: %d %s", r.status, r.body)
	}
	e.clock.Advance(patients.ClaimLease + time.Second)
	r = desk.do("PATCH", "/api/patients/"+p.ID, map[string]any{"phone": "212 555 0104"})
	expectStatus(t, r, 200)
	got, _ := e.st.Get(context.Background(), e.clinic.ID, p.ID)
	if got.Phone != "+12125550104" || got.Version != 1 {
		t.Fatalf("after take-over: phone %q version %d", got.Phone, got.Version)
	}
	// The failed attempts are in the trail as failures.
	var failures int
	for _, rec := range e.auditRecords(e.clinic.ID, audit.Filter{PatientID: p.ID}) {
		if rec.Outcome == audit.Failure {
			failures++
		}
	}
	if failures != 2 {
		t.Fatalf("%d failure records, want 2", failures)
	}
}

func TestFamilyLinks(t *testing.T) {
	e := newEnv(t)
	desk := e.staff(identity.RoleReceptionist)
	create := func(body map[string]any) (response, patients.Patient) {
		r := desk.do("POST", "/api/patients", body)
		var p patients.Patient
		if r.status == 201 {
			r.decode(t, &p)
		}
		return r, p
	}
	body := func(first string, extra ...any) map[string]any {
		b := map[string]any{"firstName": first, "lastName": "Family", "dateOfBirth": "1980-01-01", "phone": "212 555 0140"}
		for i := 0; i+1 < len(extra); i += 2 {
			b[extra[i].(string)] = extra[i+1]
		}
		return b
	}
	_, parent := create(body("Parent"))
	r, kid1 := create(body("Kid1", "guarantorId", parent.ID))
	expectStatus(t, r, 201)
	if kid1.GuarantorID != parent.ID {
		t.Fatalf("guarantor not stored: %s", r.body)
	}
	_, kid2 := create(body("Kid2"))
	expectStatus(t, desk.do("PATCH", "/api/patients/"+kid2.ID, map[string]any{"guarantorId": parent.ID}), 200)
	_, stranger := create(body("Stranger"))

	for _, from := range []string{parent.ID, kid1.ID, kid2.ID} {
		var pg page
		rr := desk.do("GET", "/api/patients?familyOf="+from, nil)
		expectStatus(t, rr, 200)
		rr.decode(t, &pg)
		if got := names(pg.Items); !slices.Equal(got, []string{"Kid1 Family", "Kid2 Family", "Parent Family"}) {
			t.Errorf("family of %s: %v", from, got)
		}
	}
	var pg page
	desk.do("GET", "/api/patients?familyOf="+stranger.ID, nil).decode(t, &pg)
	if got := names(pg.Items); !slices.Equal(got, []string{"Stranger Family"}) {
		t.Errorf("family of a single patient: %v", got)
	}

	for name, tc := range map[string]struct {
		id   string
		body map[string]any
	}{
		"guarantor with a guarantor": {stranger.ID, map[string]any{"guarantorId": kid1.ID}},
		"guarantor gets a guarantor": {parent.ID, map[string]any{"guarantorId": stranger.ID}},
		"own guarantor":              {stranger.ID, map[string]any{"guarantorId": stranger.ID}},
		"not an id":                  {stranger.ID, map[string]any{"guarantorId": "mum"}},
	} {
		r := desk.do("PATCH", "/api/patients/"+tc.id, tc.body)
		if r.status != 400 || r.apiError(t).Fields[0].Field != "guarantorId" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	expectStatus(t, desk.do("DELETE", "/api/patients/"+stranger.ID, nil), 200)
	if r, _ := create(body("Late", "guarantorId", stranger.ID)); r.status != 400 {
		t.Errorf("archived guarantor: %d %s", r.status, r.body)
	}
	// Unlinking.
	r = desk.do("PATCH", "/api/patients/"+kid2.ID, map[string]any{"guarantorId": ""})
	expectStatus(t, r, 200)
	desk.do("GET", "/api/patients?familyOf="+parent.ID, nil).decode(t, &pg)
	if got := names(pg.Items); !slices.Equal(got, []string{"Kid1 Family", "Parent Family"}) {
		t.Errorf("after unlinking: %v", got)
	}
}

func TestTimelineMergesSourcesNewestFirst(t *testing.T) {
	e := newEnv(t)
	p := e.mustPatient(e.clinic.ID, patients.Patient{FirstName: "Tina", LastName: "Timeline", Phone: "555 010 5555"})
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	e.timeline.set(p.ID,
		patients.TimelineEntry{At: day(1), Kind: "appointment", ID: "a1", Title: "Cleaning", Status: "completed"},
		patients.TimelineEntry{At: day(3), Kind: "note", ID: "n1", Title: "SOAP note", Status: "signed"},
	)
	payments := patients.TimelineFunc(func(_ context.Context, _ authz.Principal, id string) ([]patients.TimelineEntry, error) {
		if id != p.ID {
			return nil, nil
		}
		return []patients.TimelineEntry{{At: day(2), Kind: "payment", ID: "pay1", Title: "Card payment", Status: "succeeded"},
			{At: day(4).In(time.FixedZone("x", 3600)), Kind: "appointment", ID: "a2", Title: "Exam", Status: "scheduled"}}, nil
	})
	// A second source wired beside the fake one.
	e2 := newEnvWithSources(t, e, payments)

	type tl struct {
		Items []patients.TimelineEntry `json:"items"`
	}
	entryIDs := func(r response) []string {
		var out tl
		r.decode(t, &out)
		var got []string
		for _, it := range out.Items {
			got = append(got, it.ID)
		}
		return got
	}
	dentist := e2.staff(identity.RoleDentist)
	r := dentist.do("GET", "/api/patients/"+p.ID+"/timeline", nil)
	expectStatus(t, r, 200)
	if got := entryIDs(r); !slices.Equal(got, []string{"a2", "n1", "pay1", "a1"}) {
		t.Fatalf("dentist timeline %v", got)
	}
	if !strings.Contains(string(r.body), `"at":"2026-03-04T09:00:00Z"`) {
		t.Fatalf("instants not in UTC: %s", r.body)
	}
	// The source decides: the front desk does not get clinical notes.
	r = e2.staff(identity.RoleReceptionist).do("GET", "/api/patients/"+p.ID+"/timeline", nil)
	expectStatus(t, r, 200)
	if got := entryIDs(r); !slices.Equal(got, []string{"a2", "pay1", "a1"}) {
		t.Fatalf("receptionist timeline %v", got)
	}
	// The patient sees their own.
	pc := e2.signIn(e.clinic.ID, identity.RolePatient, p.ID)
	r = pc.do("GET", "/api/patients/"+p.ID+"/timeline", nil)
	expectStatus(t, r, 200)
	if got := entryIDs(r); !slices.Equal(got, []string{"a2", "pay1", "a1"}) {
		t.Fatalf("patient timeline %v", got)
	}
	// An unknown patient: 404 before any source is asked.
	before := len(e.timeline.askedFor())
	expectStatus(t, dentist.do("GET", "/api/patients/"+ids.New()+"/timeline", nil), 404)
	if len(e.timeline.askedFor()) != before {
		t.Fatal("a source was asked about a patient that does not exist")
	}
	// A failing source fails the timeline rather than hiding a gap.
	e.timeline.mu.Lock()
	e.timeline.err = errs.E(errs.Unavailable, "scheduling down")
	e.timeline.mu.Unlock()
	expectStatus(t, dentist.do("GET", "/api/patients/"+p.ID+"/timeline", nil), 503)
}

func TestPolicyTableCoversPatientRoutes(t *testing.T) {
	for _, pattern := range patientRoutes {
		rule, ok := authz.Policies[pattern]
		if !ok {
			t.Errorf("authz.Policies has no rule for %q: the patients function cannot register it (the guard panics)", pattern)
			continue
		}
		want := expectedPolicies[pattern]
		if rule.Owner != want.Owner || rule.Param != want.Param || rule.Public {
			t.Errorf("%s: rule %+v, want owner %v param %q", pattern, rule, want.Owner, want.Param)
		}
		if rule.Allows(authz.Patient) && pattern != "GET /api/patients" && rule.Owner != authz.OwnPatient {
			t.Errorf("%s lets patients in without the ownership rule", pattern)
		}
	}
}

func TestRecordsFromBeforeThisVersionAreReindexedAndEditable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	db, err := e.mongo.Database()
	if err != nil {
		t.Fatal(err)
	}
	// A record as the first release stored it: old search keys, no version.
	id := ids.New()
	_, err = db.Collection("patients").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "clinicId", Value: e.clinic.ID},
		{Key: "firstName", Value: "Lúcia"}, {Key: "lastName", Value: "Legacy"}, {Key: "dateOfBirth", Value: "1970-07-07"},
		{Key: "phone", Value: "+1 555 010 8888"}, {Key: "status", Value: "active"},
		{Key: "search", Value: bson.D{{Key: "firstName", Value: "lucia"}, {Key: "lastName", Value: "legacy"}, {Key: "phone", Value: "15550108888"}}}})
	if err != nil {
		t.Fatal(err)
	}
	desk := e.staff(identity.RoleReceptionist)
	count := func(q string) int {
		var pg page
		r := desk.do("GET", "/api/patients?q="+url.QueryEscape(q), nil)
		expectStatus(t, r, 200)
		r.decode(t, &pg)
		return len(pg.Items)
	}
	if n := count("luc"); n != 0 {
		t.Fatalf("legacy record found before reindexing (%d): the test no longer tests anything", n)
	}
	if n, err := e.st.Reindex(ctx, e.clinic.ID); err != nil || n != 1 {
		t.Fatalf("reindex: fixed %d, %v; want 1", n, err)
	}
	if n, err := e.st.Reindex(ctx, e.clinic.ID); err != nil || n != 0 {
		t.Fatalf("second reindex: fixed %d, %v; want 0", n, err)
	}
	if count("luc") != 1 || count("8888") != 1 {
		t.Fatal("legacy record not searchable after reindexing")
	}
	r := desk.do("PATCH", "/api/patients/"+id, map[string]any{"email": "lucia@example.com"})
	expectStatus(t, r, 200)
	got, err := e.st.Get(ctx, e.clinic.ID, id)
	if err != nil || got.Email != "lucia@example.com" || got.Version != 1 {
		t.Fatalf("legacy record after change: %+v %v", got, err)
	}
}
