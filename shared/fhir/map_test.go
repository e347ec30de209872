package fhir_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/billing/insurance"
	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/consents/forms"
	"github.com/topsmile/topsmile/shared/clinical/documents"
	"github.com/topsmile/topsmile/shared/clinical/notes"
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/fhir"
	"github.com/topsmile/topsmile/shared/fhir/fhirtest"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
)

func TestAppointmentStatus(t *testing.T) {
	for _, tc := range []struct {
		in   scheduling.Status
		want string
	}{
		{scheduling.Scheduled, "booked"}, {scheduling.Confirmed, "booked"}, {scheduling.CheckedIn, "arrived"},
		{scheduling.Completed, "fulfilled"}, {scheduling.Cancelled, "cancelled"}, {scheduling.NoShow, "noshow"},
		{scheduling.Held, "pending"}, {scheduling.Pending, "pending"}, {scheduling.Failed, "entered-in-error"},
	} {
		t.Run(string(tc.in), func(t *testing.T) {
			if got := fhir.AppointmentStatus(tc.in); got != tc.want {
				t.Errorf("AppointmentStatus(%s) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCriticality(t *testing.T) {
	for in, want := range map[string]string{"mild": "low", "moderate": "low", "severe": "high", "life-threatening": "high", "": "unable-to-assess", "odd": "unable-to-assess"} {
		if got := fhir.Criticality(in); got != want {
			t.Errorf("Criticality(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMedicationStatus(t *testing.T) {
	if got := fhir.MedicationStatus(notes.RxActive); got != "active" {
		t.Errorf("active → %q", got)
	}
	if got := fhir.MedicationStatus(notes.RxDiscontinued); got != "stopped" {
		t.Errorf("discontinued → %q", got)
	}
}

// The tooth in bodySite is coded in ISO 3950 (FDI): Universal 3 is the
// upper right first molar, FDI 16; 30 the lower right first molar, 46;
// primary A, 55; 8 the upper right central incisor, 11.
func TestToothSiteIsFDI(t *testing.T) {
	for universal, fdi := range map[string]string{"3": "16", "30": "46", "8": "11", "17": "38", "A": "55", "T": "85"} {
		site := fhir.ToothSite(universal, []string{"M", "O"})
		if len(site) != 1 || len(site[0].Coding) != 1 {
			t.Fatalf("%s: %+v", universal, site)
		}
		c := site[0].Coding[0]
		if c.System != fhir.ToothSystem || c.Code != fdi {
			t.Errorf("Universal %s: coded %s|%s, want %s|%s", universal, c.System, c.Code, fhir.ToothSystem, fdi)
		}
		if !strings.Contains(site[0].Text, "surfaces MO") || !strings.Contains(site[0].Text, universal+" (Universal)") {
			t.Errorf("Universal %s: text %q", universal, site[0].Text)
		}
	}
	if fhir.ToothSite("", nil) != nil {
		t.Error("no tooth should be no body site")
	}
}

var at = time.Date(2026, 3, 9, 14, 30, 0, 0, time.UTC)

func sampleRecord() fhir.Record {
	const pid = "65f0c0ffee0000000000aa01"
	tooth := "30"
	done := at.Add(-24 * time.Hour)
	reason := "finished course"
	taken := "2026-03-01"
	stored := at
	return fhir.Record{
		Patient: patients.Patient{ID: pid, FirstName: "Sam", LastName: "Avery", PreferredName: "Sammy", DateOfBirth: "1980-02-29", Sex: "female",
			Phone: "+12125550147", Email: "sam@example.com", Language: "es", Status: patients.StatusActive,
			Address:          &patients.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"},
			EmergencyContact: &patients.EmergencyContact{Name: "Alex Avery", Relationship: "spouse", Phone: "+12125550148"},
			Allergies:        []patients.Allergy{{Substance: "Penicillin", Severity: "severe"}, {Substance: "Latex", Severity: "mild"}}},
		Appointments: []scheduling.Appointment{
			{ID: "65f0c0ffee0000000000bb01", PatientID: pid, ProviderID: "65f0c0ffee0000000000cc01", Start: at, End: at.Add(30 * time.Minute), Status: scheduling.Completed, CreatedAt: at.Add(-time.Hour)},
			{ID: "65f0c0ffee0000000000bb02", PatientID: pid, ProviderID: "65f0c0ffee0000000000cc01", Start: at.Add(48 * time.Hour), End: at.Add(49 * time.Hour), Status: scheduling.Cancelled, CancelReason: "schedule_conflict"},
		},
		Chart: []chart.Charted{
			{Entry: chart.Entry{ID: "65f0c0ffee0000000000dd01", PatientID: pid, Tooth: "3", Surfaces: []string{"O"}, Kind: "caries", Status: chart.StatusCondition, RecordedAt: at, Note: "deep lesion"}},
			// superseded, and a restoration: neither is a condition now
			{Entry: chart.Entry{ID: "65f0c0ffee0000000000dd02", PatientID: pid, Tooth: "14", Kind: "fracture", Status: chart.StatusCondition, RecordedAt: at}, SupersededBy: "x"},
			{Entry: chart.Entry{ID: "65f0c0ffee0000000000dd03", PatientID: pid, Tooth: "19", Kind: "filling", Status: chart.StatusExisting, RecordedAt: at}},
		},
		Plans: []plans.Plan{{ID: "65f0c0ffee0000000000ee01", PatientID: pid, Items: []plans.Item{
			{ID: "65f0c0ffee0000000000ee11", Code: "D2391", Description: "Resin composite, one surface, posterior", Tooth: &tooth, Surfaces: []string{"O"}, Status: plans.ItemCompleted, CompletedAt: &done},
			{ID: "65f0c0ffee0000000000ee12", Code: "D2740", Description: "Crown", Status: plans.ItemPlanned},
		}}},
		Prescriptions: []notes.Prescription{
			{ID: "65f0c0ffee0000000000ff01", PatientID: pid, Drug: "Amoxicillin", Strength: "500 mg", Form: "capsule", Sig: "1 cap every 8 hours", Quantity: 21, Refills: 0, Reason: "infection", Status: notes.RxActive, PrescriberID: "65f0c0ffee0000000000cc01", PrescribedAt: at},
			{ID: "65f0c0ffee0000000000ff02", PatientID: pid, Drug: "Ibuprofen", Strength: "600 mg", Form: "tablet", Sig: "as needed", Quantity: 10, Refills: 1, Status: notes.RxDiscontinued, PrescribedAt: at, DiscontinuedAt: &at, DiscontinueReason: &reason},
		},
		Policies: []insurance.Policy{{ID: "65f0c0ffee0000000000ab01", Priority: "primary", Relationship: "self", MemberID: "XYZ123456", EffectiveDate: "2026-01-01",
			PlanID: "65f0c0ffee0000000000ab02", PlanName: "PPO Gold", GroupNumber: "G-77", Carrier: insurance.Carrier{Name: "Delta Dental"}}},
		Consents: []forms.Record{
			{ID: "65f0c0ffee0000000000ac01", PatientID: pid, Title: "Consent to extraction", Kind: "procedure", Status: "signed", SentAt: at, Signature: &forms.Signature{Name: "Sam Avery", SignedAt: at.Add(time.Hour)}},
			{ID: "65f0c0ffee0000000000ac02", PatientID: pid, Title: "HIPAA notice", Kind: "privacy", Status: "pending", SentAt: at},
		},
		Documents: []documents.Document{{ID: "65f0c0ffee0000000000ad01", PatientID: pid, Kind: "xray", FileName: "bitewing.png", ContentType: "image/png", Size: 2048,
			TakenOn: &taken, Description: "left bitewing", Status: "stored", CreatedAt: at, StoredAt: &stored}},
	}
}

func TestEverything(t *testing.T) {
	rec := sampleRecord()
	rec.DocumentLinks = true
	b := fhir.Everything("https://clinic.example/api/fhir/", "https://clinic.example/api/fhir/Patient/x/$everything", rec, at)
	if b.ResourceType != "Bundle" || b.Type != "searchset" {
		t.Fatalf("bundle %s/%s", b.ResourceType, b.Type)
	}
	counts := map[string]int{}
	for i, e := range b.Entry {
		raw, _ := json.Marshal(e.Resource)
		var head struct{ ResourceType, ID string }
		_ = json.Unmarshal(raw, &head)
		counts[head.ResourceType]++
		wantMode := "include"
		if i == 0 {
			wantMode = "match"
			if head.ResourceType != "Patient" {
				t.Errorf("first entry is %s, want the Patient", head.ResourceType)
			}
		}
		if e.Search.Mode != wantMode {
			t.Errorf("entry %d (%s) mode %q, want %q", i, head.ResourceType, e.Search.Mode, wantMode)
		}
		if want := "https://clinic.example/api/fhir/" + head.ResourceType + "/" + head.ID; e.FullURL != want {
			t.Errorf("fullUrl %q, want %q", e.FullURL, want)
		}
	}
	want := map[string]int{"Patient": 1, "AllergyIntolerance": 2, "Appointment": 2, "Condition": 1, "Procedure": 1,
		"MedicationRequest": 2, "Coverage": 1, "Consent": 2, "DocumentReference": 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: %d, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
	if b.Total != len(b.Entry) || b.Total != 13 {
		t.Errorf("total %d, entries %d, want 13", b.Total, len(b.Entry))
	}
	body, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, frag := range []string{
		`"criticality":"high"`, `"criticality":"low"`, `"status":"fulfilled"`, `"status":"cancelled"`,
		`"system":"http://terminology.hl7.org/CodeSystem/ex-tooth","code":"16"`, // the caries on Universal 3
		`"system":"http://terminology.hl7.org/CodeSystem/ex-tooth","code":"46"`, // the filling done on Universal 30
		`"system":"http://www.ada.org/cdt","code":"D2391"`, `"performedDateTime":"2026-03-08T14:30:00Z"`,
		`"status":"stopped"`, `"numberOfRepeatsAllowed":0`, `"gender":"female"`, `"value":"+12125550147"`,
		`"code":"es"`, `"subscriberId":"XYZ123456"`, `"url":"/api/documents/65f0c0ffee0000000000ad01"`,
		`"url":"/api/consents/65f0c0ffee0000000000ac01/pdf"`, `"status":"proposed"`, `"text":"deep lesion"`,
	} {
		if !strings.Contains(s, frag) {
			t.Errorf("bundle lacks %s", frag)
		}
	}
	// Superseded conditions, planned items and restorations are not there.
	for _, frag := range []string{"65f0c0ffee0000000000dd02", "65f0c0ffee0000000000dd03", "D2740"} {
		if strings.Contains(s, frag) {
			t.Errorf("bundle has %s", frag)
		}
	}
	fhirtest.MustValidate(t, body)
}

// The schema check is real: a bundle with a bad gender and an empty name
// fails it.
func TestSchemaRefusesAnInvalidBundle(t *testing.T) {
	b := fhir.Everything("https://clinic.example/api/fhir/", "", fhir.Record{Patient: patients.Patient{ID: "65f0c0ffee0000000000aa01", LastName: "X"}}, at)
	p := b.Entry[0].Resource.(fhir.Patient)
	p.Gender, p.BirthDate = "woman", "1980-13-45"
	b.Entry[0].Resource = p
	body, _ := json.Marshal(b)
	ft := &fakeTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		fhirtest.MustValidate(ft, body)
	}()
	if !ft.failed {
		t.Fatal("an invalid bundle passed the schema")
	}
}

// fakeTB records a failure instead of failing the test.
type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Helper()                   {}
func (f *fakeTB) Fatalf(string, ...any)     { f.failed = true; panic("fatal") }
func (f *fakeTB) Skip(args ...any)          { f.TB.Skip(args...) }
func (f *fakeTB) Skipf(s string, a ...any)  { f.TB.Skipf(s, a...) }
func (f *fakeTB) Fatal(args ...any)         { f.failed = true; panic("fatal") }
func (f *fakeTB) Errorf(s string, a ...any) { f.failed = true }
