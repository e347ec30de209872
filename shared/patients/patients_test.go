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

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

const (
	desk      = string(identity.RoleReceptionist)
	assistant = string(identity.RoleAssistant)
	admin     = string(identity.RoleAdmin)
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

// listOf is the Want of a whole list (no further page) of the patients
// named "First Last", in that order.
func listOf(fullNames ...string) map[string]any {
	items := []any{}
	for _, n := range fullNames {
		first, last, _ := strings.Cut(n, " ")
		items = append(items, map[string]any{"firstName": first, "lastName": last})
	}
	return map[string]any{"items": items, "nextCursor": nil}
}

// list is the case of a GET of the patient list with query q wanting the
// patients named.
func list(q string, fullNames ...string) apitest.Case {
	return apitest.Case{Name: q, As: desk, Method: "GET", Path: "/api/patients?" + q, Status: 200, Want: listOf(fullNames...)}
}

func validBody() map[string]any {
	return map[string]any{"firstName": "Ana", "lastName": "Silva", "dateOfBirth": "1990-05-01", "phone": "(212) 555-0123"}
}

func TestCreateReturnsTheFullNormalizedRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	want := map[string]any{
		"id": apitest.Present, "clinicId": e.clinic.ID, "status": "active", "createdAt": apitest.Present,
		"firstName": "João", "lastName": "Silva", "preferredName": "Jo", "dateOfBirth": "1980-02-29", "sex": "male",
		"phone": "+12125550147", "email": "joao.silva@example.com",
		"address":                map[string]any{"line1": "1 Rua Augusta", "city": "Lisboa", "postalCode": "1100-048", "country": "PT"},
		"emergencyContact":       map[string]any{"name": "Maria Silva", "relationship": "spouse", "phone": "+351912000111"},
		"preferredContactMethod": "sms", "language": "pt-PT",
		"communication":           map[string]any{"appointmentReminders": true, "marketing": true},
		"allergies":               []any{map[string]any{"substance": "Penicillin", "severity": "severe"}},
		"medications":             []any{map[string]any{"name": "Lisinopril", "dose": "10 mg daily"}},
		"conditions":              []any{map[string]any{"name": "Hypertension"}},
		"medicalHistoryUpdatedBy": e.user(t, identity.RoleReceptionist).ID, "medicalHistoryUpdatedAt": apitest.Present,
		"recall": map[string]any{"intervalMonths": 4},
	}
	noInternals := func(tb testing.TB, r apitest.Response) {
		for _, leak := range []string{`"search"`, `"version"`} {
			if strings.Contains(string(r.Body), leak) {
				tb.Errorf("internal field %s in response: %s", leak, r.Body)
			}
		}
	}
	r := e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/patients", Status: 201, Want: want, Check: noInternals, Body: map[string]any{
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
	}})
	var p patients.Patient
	r.Decode(t, &p)
	if !ids.Valid(p.ID) {
		t.Fatalf("id %q", p.ID)
	}
	// The stored record reads back the same.
	want["id"] = p.ID
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/patients/" + p.ID, Status: 200, Want: want, Check: noInternals})
	// A minimal record answers with empty lists, not nulls, and defaults.
	e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/patients", Status: 201,
		Body: map[string]any{"firstName": "Bea", "lastName": "Lima", "dateOfBirth": "2001-01-01", "email": "bea@example.com"},
		Want: map[string]any{"allergies": []any{}, "medications": []any{}, "conditions": []any{}, "recall": map[string]any{"intervalMonths": 6},
			"communication": map[string]any{"appointmentReminders": true, "marketing": false}, "medicalHistoryUpdatedAt": nil}})
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
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
	var cases []apitest.Case
	for _, tc := range tests {
		b := validBody()
		tc.change(b)
		cases = append(cases, apitest.Case{Name: tc.name, As: desk, Method: "POST", Path: "/api/patients", Body: b, Status: 400,
			Want: apitest.Error("invalid", tc.fields...), Opts: []cmp.Option{apitest.IgnoreOrder}})
	}
	// The valid body itself is accepted, and nothing refused was stored.
	cases = append(cases,
		apitest.Case{Name: "valid", As: desk, Method: "POST", Path: "/api/patients", Body: validBody(), Status: 201, Want: map[string]any{"firstName": "Ana", "lastName": "Silva"}},
		list("status=all", "Ana Silva"))
	e.Run(t, cases)
}

// seedSearch stores the search table's patients.
func seedSearch(t *testing.T, e *env) {
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "João", LastName: "Silva", Phone: "+1 (555) 010-2030", Email: "joao.silva@example.com"})
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Ana", LastName: "Silva", Phone: "+351 912 345 678", Email: "ana@correio.pt"})
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Anabela", LastName: "Costa", Email: "anabela.costa@example.com"})
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Seán", LastName: "O'Brien", Phone: "(020) 7946 0958"})
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Zoë", LastName: "Åberg", Email: "zoe@example.com"})
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Mary", LastName: "Jones", Phone: "+1 555 777 1234", Status: patients.StatusArchived})
	// Another clinic's João never shows up.
	e.mustPatient(t, e.other.ID, patients.Patient{FirstName: "João", LastName: "Silva", Phone: "+1 (555) 010-2030"})
}

func TestSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedSearch(t, e)
	q := func(name, q, status string, want ...string) apitest.Case {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		if status != "" {
			v.Set("status", status)
		}
		c := list(v.Encode(), want...)
		c.Name = name
		return c
	}
	cases := []apitest.Case{
		q("no query lists active patients by last name", "", "", "Zoë Åberg", "Anabela Costa", "Seán O'Brien", "Ana Silva", "João Silva"),
		q("prefix without accent finds accented name", "jo", "", "João Silva"),
		q("upper case with accent", "JOÃO", "", "João Silva"),
		q("accent-free full name", "joao", "", "João Silva"),
		q("last name prefix", "sil", "", "Ana Silva", "João Silva"),
		q("first name prefix matches several", "ana", "", "Anabela Costa", "Ana Silva"),
		q("multi-word first then last", "ana sil", "", "Ana Silva"),
		q("multi-word last then first", "silva an", "", "Ana Silva"),
		q("multi-word with extra spaces and case", "  ANA   SILVA ", "", "Ana Silva"),
		q("accents on both name parts", "zoe ab", "", "Zoë Åberg"),
		q("apostrophe dropped", "obr", "", "Seán O'Brien"),
		q("apostrophe typed", "o'brien", "", "Seán O'Brien"),
		q("part after apostrophe", "brien", "", "Seán O'Brien"),
		q("phone digits with space", "555 01", "", "João Silva"),
		q("phone as formatted", "(555) 010-2030", "", "João Silva"),
		q("phone with country code", "+1 555 010", "", "João Silva"),
		q("phone last four", "2030", "", "João Silva"),
		q("international phone", "912 345", "", "Ana Silva"),
		q("email prefix", "anabela.co", "", "Anabela Costa"),
		q("email with at sign", "ana@corr", "", "Ana Silva"),
		q("email is case-insensitive", "JOAO.SILVA@", "", "João Silva"),
		q("archived excluded by default", "jones", ""),
		q("archived on request", "jones", "archived", "Mary Jones"),
		q("all statuses", "jo", "all", "Mary Jones", "João Silva"),
		q("archived phone excluded", "555 777", ""),
		q("regex wildcard is literal", "ana@corr.*", ""),
		q("regex dot is literal", "joao.silva@example.c.m", ""),
		q("punctuation in a name query is dropped", "^ana$", "", "Anabela Costa", "Ana Silva"),
		q("no match", "xyz", ""),
		q("a word matching nothing rules the rest out", "ana xyz", ""),
	}
	for _, bad := range []string{"status=deleted", "q=" + strings.Repeat("a", 101), "recallDue=tomorrow", "limit=0", "limit=201", "cursor=forged"} {
		cases = append(cases, apitest.Case{Name: "refused " + bad[:min(len(bad), 20)], As: desk, Method: "GET", Path: "/api/patients?" + bad, Status: 400, Want: apitest.Error("invalid")})
	}
	e.Run(t, cases)
}

// pages walks the list at path (a query without cursor) page by page.
func pages(t *testing.T, c *apitest.Client, path string) (got []string, sizes []int) {
	t.Helper()
	cursor := ""
	for range 5 {
		var p page
		c.MustJSON(t, "GET", path+"&cursor="+url.QueryEscape(cursor), nil, 200, &p)
		got = append(got, names(p.Items)...)
		sizes = append(sizes, len(p.Items))
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	return got, sizes
}

func TestSearchPaginatesAcrossPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var want []string
	for i := 1; i <= 7; i++ {
		first := string(rune('A'+i-1)) + "lex"
		e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: first, LastName: "Pager"})
		want = append(want, first+" Pager")
	}
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Other", LastName: "Person"})
	got, sizes := pages(t, e.staff(t, identity.RoleReceptionist), "/api/patients?q=pager&limit=3")
	if !slices.Equal(sizes, []int{3, 3, 1}) || !slices.Equal(got, want) {
		t.Fatalf("pages of %v gave %v, want %v", sizes, got, want)
	}
}

// A list read is one audit record naming every patient it returned (not
// the query text), so the trail of a patient shows who saw them in a list.
func TestListReadsNameThePatientsReturned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var pagers []string
	for i := 1; i <= 3; i++ {
		pagers = append(pagers, e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: string(rune('A'+i-1)) + "lex", LastName: "Pager"}).ID)
	}
	other := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Other", LastName: "Person"})
	desk := e.staff(t, identity.RoleReceptionist)
	pages(t, desk, "/api/patients?q=pager&limit=2")
	search := e.auditRecords(t, e.clinic.ID, audit.Filter{Action: "patient.search"})
	if len(search) != 2 || !slices.Equal(search[0].PatientIDs, pagers[:2]) || !slices.Equal(search[1].PatientIDs, pagers[2:]) ||
		strings.Contains(strings.ToLower(search[0].Detail), "pager") {
		t.Fatalf("search records %+v, want pages %v", search, pagers)
	}
	if got := e.auditRecords(t, e.clinic.ID, audit.Filter{PatientID: pagers[2]}); len(got) != 1 || got[0].Action != "patient.search" {
		t.Fatalf("trail of the patient on page 2: %+v", got)
	}
	if got := e.auditRecords(t, e.clinic.ID, audit.Filter{PatientID: other.ID}); len(got) != 0 {
		t.Fatalf("a patient no list returned is in %+v", got)
	}
	// A patient's list is their own record.
	pc, _ := e.signIn(t, e.clinic.ID, identity.RolePatient, other.ID)
	pc.MustJSON(t, "GET", "/api/patients", nil, 200, &page{})
	if got := e.auditRecords(t, e.clinic.ID, audit.Filter{PatientID: other.ID}); len(got) != 1 || !slices.Equal(got[0].PatientIDs, []string{other.ID}) {
		t.Fatalf("a patient's own list: %+v", got)
	}
	if v, err := e.audit.Verify(context.Background(), e.clinic.ID); err != nil || !v.OK || v.Unkeyed != 0 {
		t.Fatalf("chain: %+v %v", v, err)
	}
}

func TestListsCarryNoMedicalHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Allergic", LastName: "Person",
		Allergies: []patients.Allergy{{Substance: "Latex", Severity: "severe"}}, Medications: []patients.Medication{{Name: "Warfarin"}},
		Recall: patients.Recall{IntervalMonths: 6, DueDate: "2026-03-01"}})
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Healthy", LastName: "Person"})
	e.Do(t, apitest.Case{As: desk, Method: "GET", Path: "/api/patients?q=person", Status: 200,
		Want: map[string]any{"items": []any{
			map[string]any{"firstName": "Allergic", "allergyAlert": true, "recallDueDate": "2026-03-01"},
			map[string]any{"firstName": "Healthy", "allergyAlert": false},
		}},
		Check: func(tb testing.TB, r apitest.Response) {
			for _, field := range []string{"allergies", "medications", "conditions", "Latex", "Warfarin", "medicalHistory"} {
				if strings.Contains(string(r.Body), field) {
					tb.Errorf("list shows %s: %s", field, r.Body)
				}
			}
		}})
}

func TestRecallDueList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	due := func(first, date, status string) {
		e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: first, LastName: "Recall", Status: status, Recall: patients.Recall{IntervalMonths: 6, DueDate: date}})
	}
	due("March", "2026-03-01", "")
	due("January", "2026-01-10", "")
	due("February", "2026-02-01", "")
	due("Never", "", "")
	due("Archived", "2026-01-01", patients.StatusArchived)
	e.mustPatient(t, e.other.ID, patients.Patient{FirstName: "Elsewhere", LastName: "Recall", Recall: patients.Recall{DueDate: "2026-01-01"}})
	e.Run(t, []apitest.Case{
		list("recallDue=2026-02-01", "January Recall", "February Recall"),
		list("recallDue=2025-12-31"),
		list("recallDue=2030-01-01", "January Recall", "February Recall", "March Recall"),
	})
	// Paginated in due-date order too.
	got, sizes := pages(t, e.staff(t, identity.RoleReceptionist), "/api/patients?recallDue=2030-01-01&limit=2")
	if !slices.Equal(sizes, []int{2, 1}) || !slices.Equal(got, []string{"January Recall", "February Recall", "March Recall"}) {
		t.Fatalf("pages of %v gave %v", sizes, got)
	}
}

func TestRecordHygieneVisit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Rita", LastName: "Recall"})
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
	// A new interval moves the due date; it applies when the caller gives none.
	e.Do(t, apitest.Case{As: string(identity.RoleHygienist), Method: "PATCH", Path: "/api/patients/" + p.ID, Body: map[string]any{"recall": map[string]any{"intervalMonths": 4}},
		Status: 200, Want: map[string]any{"recall": map[string]any{"intervalMonths": 4, "lastHygieneVisit": "2019-08-31", "dueDate": "2019-12-31"}}})
	if err := e.st.RecordHygieneVisit(ctx, e.clinic.ID, p.ID, "2020-01-05", 0); err != nil {
		t.Fatal(err)
	}
	if got := recall(); got.DueDate != "2020-05-05" || got.IntervalMonths != 4 {
		t.Fatalf("with the patient's 4-month interval: %+v", got)
	}
	// It shows in the due list.
	e.Do(t, list("recallDue=2020-05-05", "Rita Recall"))
	if err := e.st.RecordHygieneVisit(ctx, e.other.ID, p.ID, "2021-01-01", 6); !errs.Is(err, errs.NotFound) {
		t.Fatalf("other clinic: %v, want not found", err)
	}
	if err := e.st.RecordHygieneVisit(ctx, e.clinic.ID, p.ID, "01/02/2029", 6); !errs.Is(err, errs.Invalid) {
		t.Fatalf("bad date: %v, want invalid", err)
	}
}

func TestPatientChangesOnlyTheirOwnContactDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	me := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Paula", LastName: "Portal", Phone: "555 111 2222",
		Allergies: []patients.Allergy{{Substance: "Latex", Severity: "moderate"}}})
	other := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Otto", LastName: "Other", Phone: "555 333 4444"})
	pc, pu := e.signIn(t, e.clinic.ID, identity.RolePatient, me.ID)
	e.SetCaller("paula", pc)
	mine := "/api/patients/" + me.ID

	cases := []apitest.Case{
		// Own record: readable in full, allergies included.
		{Name: "read own", As: "paula", Method: "GET", Path: mine, Status: 200,
			Want: map[string]any{"id": me.ID, "allergies": []any{map[string]any{"substance": "Latex", "severity": "moderate"}}}},
		// Contact details and preferences: allowed.
		{Name: "change contact details", As: "paula", Method: "PATCH", Path: mine, Status: 200, Body: map[string]any{
			"phone": "+1 212 555 0199", "email": "paula@new.example", "preferredName": "Pau",
			"address": map[string]any{"line1": "2 Elm St", "city": "Springfield", "country": "US"}, "preferredContactMethod": "email",
			"language": "en-GB", "communication": map[string]any{"marketing": true},
			"emergencyContact": map[string]any{"name": "Pedro", "phone": "212 555 0111"},
		}, Want: map[string]any{"phone": "+12125550199", "email": "paula@new.example", "language": "en-GB", "preferredName": "Pau",
			"communication": map[string]any{"marketing": true, "appointmentReminders": true}, "address": map[string]any{"city": "Springfield"},
			"emergencyContact": map[string]any{"name": "Pedro", "phone": "+12125550111"}, "preferredContactMethod": "email"}},
	}
	// Anything else: 403 with a message that says what to do, nothing changed.
	helpful := func(tb testing.TB, r apitest.Response) {
		if msg := r.Error(tb).Message; !strings.Contains(msg, "contact details") || !strings.Contains(msg, "ask the practice") {
			tb.Errorf("unhelpful message %q", msg)
		}
	}
	for i, body := range []map[string]any{
		{"allergies": []map[string]any{}},
		{"firstName": "Someone"},
		{"dateOfBirth": "1999-01-01"},
		{"phone": "555 000 0000", "medications": []map[string]any{{"name": "x"}}},
		{"guarantorId": other.ID},
		{"recall": map[string]any{"dueDate": "2030-01-01"}},
	} {
		cases = append(cases, apitest.Case{Name: "refused change " + string(rune('a'+i)), As: "paula", Method: "PATCH", Path: mine, Body: body,
			Status: 403, Want: apitest.Error("forbidden"), Check: helpful})
	}
	// Server-owned fields: 400 from the strict decoder.
	for _, field := range []string{"status", "clinicId", "id", "createdAt", "medicalHistoryUpdatedBy"} {
		cases = append(cases, apitest.Case{Name: "server field " + field, As: "paula", Method: "PATCH", Path: mine, Body: map[string]any{field: "x"},
			Status: 400, Want: apitest.Error("invalid", field)})
	}
	// Another patient's record: 404 on every route, never the data.
	noOtto := func(tb testing.TB, r apitest.Response) {
		if strings.Contains(string(r.Body), "Otto") {
			tb.Errorf("another patient's data: %s", r.Body)
		}
	}
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/patients/" + other.ID, nil},
		{"PATCH", "/api/patients/" + other.ID, map[string]any{"phone": "555 666 7777"}},
		{"GET", "/api/patients/" + other.ID + "/timeline", nil},
		{"GET", "/api/patients?familyOf=" + other.ID, nil},
	} {
		cases = append(cases, apitest.Case{Name: "other patient " + req.method + " " + req.path, As: "paula", Method: req.method, Path: req.path, Body: req.body,
			Status: 404, Want: apitest.Error("not_found"), Check: noOtto})
	}
	// A patient's list is their own record only, and they cannot archive or create.
	cases = append(cases,
		apitest.Case{Name: "own list", As: "paula", Method: "GET", Path: "/api/patients", Status: 200,
			Want: map[string]any{"items": []any{map[string]any{"id": me.ID}}, "nextCursor": nil}},
		apitest.Case{Name: "archive", As: "paula", Method: "DELETE", Path: mine, Status: 403, Want: apitest.Error("forbidden")},
		apitest.Case{Name: "create", As: "paula", Method: "POST", Path: "/api/patients", Body: validBody(), Status: 403, Want: apitest.Error("forbidden")},
	)
	e.Run(t, cases)

	got, err := e.st.Get(context.Background(), e.clinic.ID, me.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Paula" || len(got.Allergies) != 1 || got.Phone != "+12125550199" || got.GuarantorID != "" {
		t.Fatalf("refused changes leaked through: %+v", got)
	}
	var denied int
	for _, rec := range e.auditRecords(t, e.clinic.ID, audit.Filter{PatientID: me.ID, Action: "patient.update"}) {
		if rec.Outcome == audit.Denied && rec.ActorID == pu.ID && strings.HasPrefix(rec.Detail, "fields refused: ") {
			denied++
		}
	}
	if denied != 6 {
		t.Fatalf("%d denied updates in the trail, want 6", denied)
	}
	if got, _ := e.st.Get(context.Background(), e.clinic.ID, other.ID); got.Phone != "555 333 4444" {
		t.Fatalf("other patient changed: %+v", got)
	}
}

func TestRolesOnPatientRecords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Alba", LastName: "Allergic",
		Allergies: []patients.Allergy{{Substance: "Penicillin", Severity: "life-threatening"}}})
	path := "/api/patients/" + p.ID
	var cases []apitest.Case
	for _, role := range []identity.Role{identity.RoleReceptionist, identity.RoleAssistant, identity.RoleHygienist, identity.RoleDentist, identity.RoleAdmin} {
		cases = append(cases, apitest.Case{Name: string(role) + " reads allergies", As: string(role), Method: "GET", Path: path, Status: 200,
			Want: map[string]any{"allergies": []any{map[string]any{"substance": "Penicillin", "severity": "life-threatening"}}}})
	}
	forbidden := apitest.Error("forbidden")
	cases = append(cases,
		apitest.Case{Name: "assistant creates", As: assistant, Method: "POST", Path: "/api/patients", Body: validBody(), Status: 403, Want: forbidden},
		apitest.Case{Name: "assistant changes", As: assistant, Method: "PATCH", Path: path, Body: map[string]any{"phone": "555 010 9999"}, Status: 403, Want: forbidden},
		apitest.Case{Name: "assistant archives", As: assistant, Method: "DELETE", Path: path, Status: 403, Want: forbidden},
		apitest.Case{Name: "assistant searches", As: assistant, Method: "GET", Path: "/api/patients?q=alba", Status: 200, Want: listOf("Alba Allergic")},
		// Signed out: 401.
		apitest.Case{Name: "signed out", Method: "GET", Path: path, Status: 401, Want: apitest.Error("unauthorized")},
	)
	e.Run(t, cases)
	if got, _ := e.st.Get(context.Background(), e.clinic.ID, p.ID); got.Phone != "" || got.Status != "active" {
		t.Fatalf("a refused change applied: %+v", got)
	}
}

func TestOtherClinicsPatientsAreNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	theirs := e.mustPatient(t, e.other.ID, patients.Patient{FirstName: "Bruno", LastName: "Elsewhere", Phone: "555 222 3333"})
	mine := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Carla", LastName: "Here", Phone: "555 444 5555"})
	noBruno := func(tb testing.TB, r apitest.Response) {
		if strings.Contains(string(r.Body), "Bruno") {
			tb.Errorf("another clinic's data: %s", r.Body)
		}
	}
	var cases []apitest.Case
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
		cases = append(cases, apitest.Case{Name: req.method + " " + req.path, As: admin, Method: req.method, Path: req.path, Body: req.body,
			Status: 404, Want: apitest.Error("not_found"), Check: noBruno})
	}
	cases = append(cases,
		// Naming another clinic's patient as guarantor is refused like a stranger.
		apitest.Case{Name: "foreign guarantor", As: admin, Method: "PATCH", Path: "/api/patients/" + mine.ID, Body: map[string]any{"guarantorId": theirs.ID},
			Status: 400, Want: apitest.Error("invalid", "guarantorId")},
		apitest.Case{Name: "search", As: admin, Method: "GET", Path: "/api/patients?q=bruno&status=all", Status: 200, Want: listOf()},
	)
	e.Run(t, cases)
	got, err := e.st.Get(context.Background(), e.other.ID, theirs.ID)
	if err != nil || got.Phone != "555 222 3333" || got.Status != "active" {
		t.Fatalf("other clinic's record changed: %+v %v", got, err)
	}
}

func TestArchiveKeepsTheRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Olga", LastName: "Old", Phone: "555 808 0808",
		Allergies: []patients.Allergy{{Substance: "Iodine", Severity: "mild"}}})
	whole := map[string]any{"id": p.ID, "status": "archived", "firstName": "Olga", "phone": "555 808 0808",
		"allergies": []any{map[string]any{"substance": "Iodine", "severity": "mild"}}}
	e.Run(t, []apitest.Case{
		{Name: "archive", As: desk, Method: "DELETE", Path: "/api/patients/" + p.ID, Status: 200, Want: whole},
		// Still readable, still whole.
		{Name: "read", As: desk, Method: "GET", Path: "/api/patients/" + p.ID, Status: 200, Want: whole},
		// Out of default search, in archived search.
		list("q=olga"),
		list("q=olga&status=archived", "Olga Old"),
		list("q=808"),
		// Archiving twice is fine.
		{Name: "archive again", As: desk, Method: "DELETE", Path: "/api/patients/" + p.ID, Status: 200, Want: whole},
	})
	acts := actions(e.auditRecords(t, e.clinic.ID, audit.Filter{PatientID: p.ID}))
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
	t.Parallel()
	e := newEnv(t)
	dentist := string(identity.RoleDentist)
	var p patients.Patient
	e.Do(t, apitest.Case{As: dentist, Method: "POST", Path: "/api/patients", Body: validBody(), Status: 201}).Decode(t, &p)
	e.Run(t, []apitest.Case{
		{Name: "read", As: dentist, Method: "GET", Path: "/api/patients/" + p.ID, Status: 200, Want: map[string]any{"id": p.ID}},
		{Name: "change", As: dentist, Method: "PATCH", Path: "/api/patients/" + p.ID, Body: map[string]any{"allergies": []map[string]any{{"substance": "Latex", "severity": "severe"}}},
			Status: 200, Want: map[string]any{"allergies": []any{map[string]any{"substance": "Latex", "severity": "severe"}}}},
		{Name: "timeline", As: dentist, Method: "GET", Path: "/api/patients/" + p.ID + "/timeline", Status: 200, Want: map[string]any{"items": []any{}}},
		{Name: "search", As: dentist, Method: "GET", Path: "/api/patients?q=ana%20silva", Status: 200, Want: listOf("Ana Silva")},
	})
	u := e.user(t, identity.RoleDentist)
	recs := e.auditRecords(t, e.clinic.ID, audit.Filter{PatientID: p.ID})
	// The search found the patient: its record is in their trail too.
	if got, want := actions(recs), []string{"patient.create", "patient.read", "patient.update", "patient.read", "patient.search"}; !slices.Equal(got, want) {
		t.Fatalf("actions about the patient %v, want %v", got, want)
	}
	for _, rec := range recs {
		if rec.ActorID != u.ID || rec.ActorRole != "dentist" || rec.Outcome != audit.Success || rec.RequestID == "" ||
			!strings.HasPrefix(rec.Resource, "patients/"+p.ID) && rec.Action != "patient.search" || rec.IP == "" {
			t.Errorf("record %+v", rec)
		}
	}
	if !strings.Contains(recs[2].Detail, "allergies") || strings.Contains(recs[2].Detail, "Latex") {
		t.Errorf("update detail should name fields, never values: %q", recs[2].Detail)
	}
	search := e.auditRecords(t, e.clinic.ID, audit.Filter{Action: "patient.search"})
	if len(search) != 1 || search[0].ActorID != u.ID || !strings.Contains(search[0].Detail, "results: 1") || !slices.Equal(search[0].PatientIDs, []string{p.ID}) ||
		strings.Contains(strings.ToLower(search[0].Detail), "silva") {
		t.Fatalf("search audit %+v", search)
	}
	if v, err := e.audit.Verify(context.Background(), e.clinic.ID); err != nil || !v.OK {
		t.Fatalf("chain: %+v %v", v, err)
	}
}

func TestNoAuditNoAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dead := e.withDeps(t, func(d *patients.Deps) { d.Audit = audit.New(storetest.DeadMongo(t), d.Clock, mustAuditKeys(t, e.fe)) })
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Secret", LastName: "Person", Phone: "555 010 1111"})
	noSecret := func(tb testing.TB, r apitest.Response) {
		if strings.Contains(string(r.Body), "Secret") {
			tb.Errorf("data without an audit record: %s", r.Body)
		}
	}
	var cases []apitest.Case
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
		cases = append(cases, apitest.Case{Name: req.method + " " + req.path, As: desk, Method: req.method, Path: req.path, Body: req.body,
			Status: 503, Want: apitest.Error("unavailable"), Check: noSecret})
	}
	dead.Run(t, cases)
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
	t.Parallel()
	e := newEnv(t)
	var p patients.Patient
	e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/patients", Body: validBody(), Status: 201,
		Want: map[string]any{"medicalHistoryUpdatedAt": nil}}).Decode(t, &p) // no medical history yet
	patch := func(as string, body map[string]any, want any) apitest.Case {
		return apitest.Case{As: as, Method: "PATCH", Path: "/api/patients/" + p.ID, Body: body, Status: 200, Want: want}
	}
	e.clock.Advance(time.Minute)
	var got patients.Patient
	e.Do(t, patch(desk, map[string]any{"lastName": "Gonçalves", "phone": "+44 20 7946 0000", "email": "ana.g@example.com"},
		map[string]any{"lastName": "Gonçalves", "phone": "+442079460000", "email": "ana.g@example.com"})).Decode(t, &got)
	e.Run(t, []apitest.Case{
		list("q=ana+gonc", "Ana Gonçalves"),
		list("q=ana+silva"),
		list("q=7946+0000", "Ana Gonçalves"),
		list("q=212+555"),
	})
	// A contact change leaves the medical stamp alone; a history change sets it.
	if got.MedicalHistoryUpdatedAt != nil || !got.UpdatedAt.After(p.UpdatedAt) {
		t.Fatalf("after contact change: %+v", got)
	}
	hyg := string(identity.RoleHygienist)
	e.clock.Advance(time.Minute)
	stamp := e.clock.Now().UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano)
	hygID := e.user(t, identity.RoleHygienist).ID
	e.Do(t, patch(hyg, map[string]any{"medications": []map[string]any{{"name": "Metformin", "dose": "500 mg"}}, "conditions": []map[string]any{{"name": "Diabetes", "notes": "type 2"}}},
		map[string]any{"medicalHistoryUpdatedBy": hygID, "medicalHistoryUpdatedAt": stamp,
			"medications": []any{map[string]any{"name": "Metformin", "dose": "500 mg"}}, "conditions": []any{map[string]any{"name": "Diabetes", "notes": "type 2"}}}))
	// The same history again is not a change.
	e.clock.Advance(time.Minute)
	e.Do(t, patch(desk, map[string]any{"medications": []map[string]any{{"name": "Metformin", "dose": "500 mg"}}},
		map[string]any{"medicalHistoryUpdatedBy": hygID, "medicalHistoryUpdatedAt": stamp}))
	// Clearing: [] empties a list, "" an optional field, {} an object; the
	// last contact cannot go.
	e.Do(t, apitest.Case{As: desk, Method: "PATCH", Path: "/api/patients/" + p.ID, Body: map[string]any{"conditions": []any{}, "email": "", "address": map[string]any{}},
		Status: 200, Want: map[string]any{"conditions": []any{}, "medications": []any{map[string]any{"name": "Metformin"}}},
		Check: func(tb testing.TB, r apitest.Response) {
			var cleared patients.Patient
			r.Decode(tb, &cleared)
			if cleared.Email != "" || cleared.Address != nil {
				tb.Fatalf("clearing: %s", r.Body)
			}
		}})
	e.Run(t, []apitest.Case{
		{Name: "last contact", As: desk, Method: "PATCH", Path: "/api/patients/" + p.ID, Body: map[string]any{"phone": ""}, Status: 400, Want: apitest.Error("invalid")},
		{Name: "empty patch", As: desk, Method: "PATCH", Path: "/api/patients/" + p.ID, Body: map[string]any{}, Status: 400, Want: apitest.Error("invalid")},
	})
}

func TestConcurrentPatchesAllApply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Old", LastName: "Name", Phone: "555 010 0000"})
	c := e.staff(t, identity.RoleReceptionist)
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
		wg.Go(func() { codes[i] = c.Do(t, "PATCH", "/api/patients/"+p.ID, b).Status })
	}
	wg.Wait()
	for i, code := range codes {
		if code != 200 {
			t.Fatalf("patch %d (%v): %d", i, bodies[i], code)
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
	e.Do(t, list("q=xavier%20quint", "Xavier Quintanilha"))
}

func TestAbandonedChangeClaimIsTakenOverAfterTheLease(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Crash", LastName: "Test", Phone: "555 010 0001"})
	// A writer (another instance of the function, whose store has the
	// hook) claims the record's version and dies before writing.
	crashing := e.withDeps(t, func(*patients.Deps) {})
	crash := errors.New("writer died")
	e.st.SetAfterClaim(func(string, int) error { return crash })
	crashing.Do(t, apitest.Case{As: desk, Method: "PATCH", Path: "/api/patients/" + p.ID, Body: map[string]any{"phone": "212 555 0102"},
		Status: 500, Want: apitest.Error("internal")})
	e.st.SetAfterClaim(nil)
	phone := func(number string, status int, want any) apitest.Case {
		return apitest.Case{As: desk, Method: "PATCH", Path: "/api/patients/" + p.ID, Body: map[string]any{"phone": number}, Status: status, Want: want}
	}
	// While its lease runs, others are told to retry rather than overwrite.
	e.Do(t, phone("212 555 0103", 409, apitest.Error("conflict")))
	e.clock.Advance(patients.ClaimLease + time.Second)
	e.Do(t, phone("212 555 0104", 200, map[string]any{"phone": "+12125550104"}))
	got, _ := e.st.Get(context.Background(), e.clinic.ID, p.ID)
	if got.Phone != "+12125550104" || got.Version != 1 {
		t.Fatalf("after take-over: phone %q version %d", got.Phone, got.Version)
	}
	// The failed attempts are in the trail as failures.
	var failures int
	for _, rec := range e.auditRecords(t, e.clinic.ID, audit.Filter{PatientID: p.ID}) {
		if rec.Outcome == audit.Failure {
			failures++
		}
	}
	if failures != 2 {
		t.Fatalf("%d failure records, want 2", failures)
	}
}

func TestFamilyLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	create := func(first string, extra ...any) patients.Patient {
		t.Helper()
		b := map[string]any{"firstName": first, "lastName": "Family", "dateOfBirth": "1980-01-01", "phone": "212 555 0140"}
		for i := 0; i+1 < len(extra); i += 2 {
			b[extra[i].(string)] = extra[i+1]
		}
		var p patients.Patient
		e.Do(t, apitest.Case{As: desk, Method: "POST", Path: "/api/patients", Body: b, Status: 201, Want: map[string]any{"firstName": first}}).Decode(t, &p)
		return p
	}
	parent := create("Parent")
	kid1 := create("Kid1", "guarantorId", parent.ID)
	if kid1.GuarantorID != parent.ID {
		t.Fatalf("guarantor not stored: %+v", kid1)
	}
	kid2 := create("Kid2")
	stranger := create("Stranger")
	link := func(name, id, guarantor string, status int, want any) apitest.Case {
		return apitest.Case{Name: name, As: desk, Method: "PATCH", Path: "/api/patients/" + id, Body: map[string]any{"guarantorId": guarantor}, Status: status, Want: want}
	}
	family := func(of string, fullNames ...string) apitest.Case {
		c := list("familyOf="+of, fullNames...)
		c.Name = "family of " + of
		return c
	}
	refused := apitest.Error("invalid", "guarantorId")
	e.Run(t, []apitest.Case{
		link("link kid2", kid2.ID, parent.ID, 200, map[string]any{"guarantorId": parent.ID}),
		family(parent.ID, "Kid1 Family", "Kid2 Family", "Parent Family"),
		family(kid1.ID, "Kid1 Family", "Kid2 Family", "Parent Family"),
		family(kid2.ID, "Kid1 Family", "Kid2 Family", "Parent Family"),
		family(stranger.ID, "Stranger Family"),
		link("guarantor with a guarantor", stranger.ID, kid1.ID, 400, refused),
		link("guarantor gets a guarantor", parent.ID, stranger.ID, 400, refused),
		link("own guarantor", stranger.ID, stranger.ID, 400, refused),
		link("not an id", stranger.ID, "mum", 400, refused),
		{Name: "archive stranger", As: desk, Method: "DELETE", Path: "/api/patients/" + stranger.ID, Status: 200, Want: map[string]any{"status": "archived"}},
		{Name: "archived guarantor", As: desk, Method: "POST", Path: "/api/patients", Status: 400, Want: refused,
			Body: map[string]any{"firstName": "Late", "lastName": "Family", "dateOfBirth": "1980-01-01", "phone": "212 555 0140", "guarantorId": stranger.ID}},
		// Unlinking.
		link("unlink kid2", kid2.ID, "", 200, map[string]any{"firstName": "Kid2"}),
		family(parent.ID, "Kid1 Family", "Parent Family"),
	})
}

type timeline struct {
	Items []patients.TimelineEntry `json:"items"`
}

func entryIDs(tb testing.TB, r apitest.Response) []string {
	var out timeline
	r.Decode(tb, &out)
	got := []string{}
	for _, it := range out.Items {
		got = append(got, it.ID)
	}
	return got
}

func TestTimelineMergesSourcesNewestFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Tina", LastName: "Timeline", Phone: "555 010 5555"})
	theirs := e.mustPatient(t, e.other.ID, patients.Patient{FirstName: "Bruno", LastName: "Elsewhere", Phone: "555 222 3333"})
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
	two := e.withDeps(t, func(d *patients.Deps) { d.Timeline = append(d.Timeline, payments) })
	pc, _ := e.signIn(t, e.clinic.ID, identity.RolePatient, p.ID)
	two.SetCaller("tina", pc.CloneTo(two))
	order := func(want ...string) func(testing.TB, apitest.Response) {
		return func(tb testing.TB, r apitest.Response) {
			if got := entryIDs(tb, r); !slices.Equal(got, want) {
				tb.Fatalf("timeline %v, want %v", got, want)
			}
		}
	}
	path := "/api/patients/" + p.ID + "/timeline"
	two.Run(t, []apitest.Case{
		{Name: "dentist", As: string(identity.RoleDentist), Method: "GET", Path: path, Status: 200, Check: order("a2", "n1", "pay1", "a1"),
			Want: map[string]any{"items": []any{map[string]any{"at": "2026-03-04T09:00:00Z", "kind": "appointment", "title": "Exam", "status": "scheduled"}, // instants in UTC
				map[string]any{"kind": "note"}, map[string]any{"kind": "payment"}, map[string]any{"kind": "appointment"}}}},
		// The source decides: the front desk does not get clinical notes.
		{Name: "receptionist", As: desk, Method: "GET", Path: path, Status: 200, Check: order("a2", "pay1", "a1")},
		// The patient sees their own.
		{Name: "patient", As: "tina", Method: "GET", Path: path, Status: 200, Check: order("a2", "pay1", "a1")},
	})
	// An unknown patient, or another clinic's: 404 before any source is asked.
	before := len(e.timeline.askedFor())
	two.Run(t, []apitest.Case{
		{Name: "unknown patient", As: string(identity.RoleDentist), Method: "GET", Path: "/api/patients/" + ids.New() + "/timeline", Status: 404, Want: apitest.Error("not_found")},
		{Name: "other clinic's patient", As: string(identity.RoleDentist), Method: "GET", Path: "/api/patients/" + theirs.ID + "/timeline", Status: 404, Want: apitest.Error("not_found")},
	})
	if asked := e.timeline.askedFor(); len(asked) != before {
		t.Fatalf("a source was asked about a patient the caller may not see: %v", asked[before:])
	}
	// A failing source fails the timeline rather than hiding a gap.
	e.timeline.fail(errs.E(errs.Unavailable, "scheduling down"))
	two.Do(t, apitest.Case{As: string(identity.RoleDentist), Method: "GET", Path: path, Status: 503, Want: apitest.Error("unavailable")})
}

// The deployed timeline: appointments booked in scheduling show on the
// patient's timeline served by the patients function.
func TestTimelineShowsAppointments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Tom", LastName: "Teeth", Phone: "555 010 7777"})
	sched := wire.Scheduling(e.fe.Mongo(t), storetest.NewRedis(t), e.clock, nil, "")
	chair, err := sched.CreateOperatory(ctx, e.clinic.ID, "Op 1")
	if err != nil {
		t.Fatal(err)
	}
	name, kind := "Dr Who", "dentist"
	prov, err := sched.CreateProvider(ctx, e.clinic.ID, scheduling.ProviderInput{Name: &name, Kind: &kind, Operatories: &[]string{chair.ID}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(e.clock.Now().Year()+1, 3, 2, 15, 0, 0, 0, time.UTC) // a Monday or not: every day has hours
	week := avail.WeeklyHours{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		week[avail.Day(d)] = []avail.Window{{Start: "08:00", End: "18:00"}}
	}
	if _, err := sched.SetHours(ctx, e.clinic.ID, prov.ID, week); err != nil {
		t.Fatal(err)
	}
	exam, err := sched.CreateType(ctx, e.clinic.ID, scheduling.AppointmentType{Name: "Exam", Category: "exam", DurationMinutes: 30})
	if err != nil {
		t.Fatal(err)
	}
	a, err := sched.Book(ctx, e.clinic.ID, scheduling.Booking{PatientID: p.ID, ProviderID: prov.ID, OperatoryID: chair.ID, TypeID: exam.ID, Start: start, Source: "staff"}, scheduling.Actor{UserID: "u", Role: "receptionist"})
	if err != nil {
		t.Fatal(err)
	}
	pc, _ := e.signIn(t, e.clinic.ID, identity.RolePatient, p.ID)
	e.SetCaller("tom", pc)
	want := map[string]any{"items": []any{map[string]any{"id": a.ID, "kind": "appointment", "title": "Exam", "status": "scheduled", "at": start.Format(time.RFC3339)}}}
	e.Run(t, []apitest.Case{
		{Name: "front desk", As: desk, Method: "GET", Path: "/api/patients/" + p.ID + "/timeline", Status: 200, Want: want},
		{Name: "the patient", As: "tom", Method: "GET", Path: "/api/patients/" + p.ID + "/timeline", Status: 200, Want: want},
	})
}

func TestPolicyTableCoversPatientRoutes(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	db, err := e.fe.Mongo(t).Database()
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
	// Before reindexing the record is not found: else the test tests nothing.
	e.Do(t, list("q=luc"))
	if n, err := e.st.Reindex(ctx, e.clinic.ID); err != nil || n != 1 {
		t.Fatalf("reindex: fixed %d, %v; want 1", n, err)
	}
	if n, err := e.st.Reindex(ctx, e.clinic.ID); err != nil || n != 0 {
		t.Fatalf("second reindex: fixed %d, %v; want 0", n, err)
	}
	e.Run(t, []apitest.Case{
		list("q=luc", "Lúcia Legacy"),
		list("q=8888", "Lúcia Legacy"),
		{Name: "edit", As: desk, Method: "PATCH", Path: "/api/patients/" + id, Body: map[string]any{"email": "lucia@example.com"}, Status: 200,
			Want: map[string]any{"id": id, "email": "lucia@example.com"}},
	})
	got, err := e.st.Get(ctx, e.clinic.ID, id)
	if err != nil || got.Email != "lucia@example.com" || got.Version != 1 {
		t.Fatalf("legacy record after change: %+v %v", got, err)
	}
}
