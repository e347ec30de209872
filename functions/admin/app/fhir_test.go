package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	adminapp "github.com/topsmile/topsmile/functions/admin/app"
	authapp "github.com/topsmile/topsmile/functions/auth/app"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/fhir/fhirtest"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// The FHIR export over the real stores (FerretDB, Redis) through the admin
// function as built: a patient with an allergy, a caries on Universal 3
// (FDI 16), a completed filling on 30 (FDI 46), a prescription, an
// insurance policy, a signed consent, a stored document and 210
// appointments (more than one page of the scheduling list).
func TestFHIREverythingOverTheStores(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	fe := storetest.NewFunctionEnv(t)
	m := fe.Mongo(t)
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	users := identity.NewStore(m, clk)
	clinic, err := users.CreateClinic(ctx, "Riverside")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := users.CreateClinic(ctx, "Elsewhere")
	pts := patients.NewStore(m, clk)
	newPatient := func(clinicID string, allergies []patients.Allergy) patients.Patient {
		p, err := pts.Create(ctx, clinicID, patients.Patient{ID: ids.New(), FirstName: "Sam", LastName: "Avery", DateOfBirth: "1980-02-29", Sex: "female",
			Phone: "+12125550147", Email: "sam@example.com", Language: "es", Allergies: allergies})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	pat := newPatient(clinic.ID, []patients.Allergy{{Substance: "Penicillin", Severity: "severe"}})
	otherPat := newPatient(clinic.ID, nil)
	foreign := newPatient(other.ID, nil)

	// 210 appointments, every one of pat (and one of another patient).
	var appts []any
	for i := range 210 {
		start := time.Date(2025, 1, 6, 14, 0, 0, 0, time.UTC).Add(time.Duration(i) * 24 * time.Hour)
		st := scheduling.Completed
		if i == 209 {
			st = scheduling.NoShow
		}
		appts = append(appts, scheduling.Appointment{ID: ids.New(), PatientID: pat.ID, ProviderID: "p", OperatoryID: "o", Start: start, End: start.Add(30 * time.Minute),
			Status: st, Source: "staff", History: []scheduling.Change{}, CreatedAt: start, UpdatedAt: start})
	}
	start := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	appts = append(appts, scheduling.Appointment{ID: ids.New(), PatientID: otherPat.ID, ProviderID: "p", OperatoryID: "o", Start: start, End: start.Add(time.Hour),
		Status: scheduling.Scheduled, Source: "staff", History: []scheduling.Change{}, CreatedAt: start, UpdatedAt: start})
	if err := m.Collection("appointments").InsertMany(ctx, clinic.ID, appts); err != nil {
		t.Fatal(err)
	}
	// The chart through its store: a caries on 3 (a condition) and an
	// existing crown on 14 (not one).
	ch := chart.NewStore(m, clk, keys)
	for _, e := range []chart.Entry{
		{PatientID: pat.ID, Tooth: "3", Surfaces: []string{"O"}, Kind: "caries", Status: chart.StatusCondition, ProviderID: ids.New(), RecordedBy: "u", Note: "deep lesion"},
		{PatientID: pat.ID, Tooth: "14", Kind: "crown", Status: chart.StatusExisting, ProviderID: ids.New(), RecordedBy: "u"},
	} {
		if _, err := ch.Append(ctx, clinic.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	sealed := func(plain, where string) seal.Text {
		s, err := keys.Seal(plain, where)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	done := time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)
	planID, rxID, covID, insPlanID, consentID, docID := ids.New(), ids.New(), ids.New(), ids.New(), ids.New(), ids.New()
	item := func(code, tooth, status string, at *time.Time) map[string]any {
		return map[string]any{"id": ids.New(), "code": code, "description": code + " work", "category": "basic", "chartKind": "filling", "tooth": tooth,
			"surfaces": []string{"O"}, "feeCents": int64(10000), "priority": 3, "phase": 1, "status": status, "completedAt": at, "completedBy": ""}
	}
	seed := map[string][]any{
		"treatment_plans": {map[string]any{"_id": planID, "patientId": pat.ID, "title": "Fillings", "status": "in_progress", "groupId": planID,
			"items": []any{item("D2391", "30", "completed", &done), item("D2740", "14", "planned", nil)}, "totalCents": int64(20000),
			"notes": sealed("", "treatment_plans/"+planID+"/notes"), "createdAt": done.Add(-time.Hour), "createdBy": "u", "updatedAt": done, "version": 2}},
		"prescriptions": {map[string]any{"_id": rxID, "patientId": pat.ID, "drug": "Amoxicillin", "strength": "500 mg", "form": "capsule", "sig": "1 every 8 hours",
			"quantity": 21, "refills": 0, "reason": sealed("infection", "prescriptions/"+rxID+"/reason"), "status": "active", "prescriberId": "p",
			"createdAt": done, "version": 1}},
		"insurance_plans": {map[string]any{"_id": insPlanID, "carrier": map[string]any{"name": "Delta Dental", "payerId": "DD1", "phone": ""}, "name": "PPO Gold",
			"groupNumber": "G-77", "createdAt": done, "version": 1}},
		"coverages": {map[string]any{"_id": covID, "patientId": pat.ID, "planId": insPlanID, "priority": "primary",
			"subscriber": map[string]any{"name": "Sam Avery", "dateOfBirth": "1980-02-29"}, "relationship": "self",
			"memberId": sealed("XYZ123456", "coverages/"+covID+"/memberId"), "effectiveDate": "2026-01-01", "terminationDate": "",
			"activeSlot": pat.ID + "/primary", "createdAt": done, "createdBy": "u", "updatedAt": done, "version": 1}},
		"consents": {map[string]any{"_id": consentID, "patientId": pat.ID, "patientName": "Sam Avery", "patientDob": "1980-02-29", "templateId": ids.New(),
			"templateVersion": 1, "title": "Consent to fillings", "kind": "procedure", "body": "…", "bodyHash": "h", "status": "signed", "sentAt": done,
			"sentBy": "u", "signature": map[string]any{"name": "Sam Avery", "signedAt": done.Add(time.Hour), "ip": "203.0.113.9", "userAgent": "x", "signerPatientId": pat.ID,
				"signerUserId": "u", "zone": "UTC", "local": ""}, "version": 2}},
		"documents": {map[string]any{"_id": docID, "patientId": pat.ID, "kind": "xray", "fileName": "bitewing.png", "contentType": "image/png", "size": int64(2048),
			"tooth": "30", "description": sealed("left bitewing", "documents/"+docID+"/description"), "status": "stored",
			"key": "clinics/" + clinic.ID + "/patients/" + pat.ID + "/documents/" + docID, "uploadedBy": "u", "createdAt": done, "storedAt": done, "version": 2},
			// a pending upload is not in the record
			map[string]any{"_id": ids.New(), "patientId": pat.ID, "kind": "photo", "fileName": "x.png", "contentType": "image/png", "size": int64(1),
				"status": "pending", "key": "k", "uploadedBy": "u", "createdAt": done, "version": 1}},
	}
	for coll, docs := range seed {
		if err := m.Collection(coll).InsertMany(ctx, clinic.ID, docs); err != nil {
			t.Fatal(coll, err)
		}
	}

	opts := apitest.Options(clk, nil)
	env := apitest.New(t, func(tb testing.TB, name string) (string, string) {
		nu := identity.NewUser{Email: ids.New() + "@fhir.example", Password: password, Role: identity.Role(name), FirstName: "T", LastName: name}
		switch name {
		case "patient":
			nu.PatientID = pat.ID
		case "another patient":
			nu.Role, nu.PatientID = identity.RolePatient, otherPat.ID
		}
		u, err := users.CreateUser(ctx, clinic.ID, nu)
		if err != nil {
			tb.Fatal(err)
		}
		return u.Email, password
	}, apitest.Build(t, fe.Lookup, func(c authapp.Config) (*boot.App, error) {
		return authapp.New(c, authapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	}), apitest.Build(t, fe.Lookup, func(c adminapp.Config) (*boot.App, error) {
		return adminapp.New(c, adminapp.Options{Options: opts, Publisher: &apitest.Outbox{}})
	}))

	path := "/api/fhir/Patient/" + pat.ID + "/$everything"
	type bundle struct {
		ResourceType, Type string
		Total              int
		Entry              []struct {
			FullURL  string
			Resource map[string]any
			Search   struct{ Mode string }
		}
	}
	export := func(t *testing.T, as string) bundle {
		r := env.Caller(t, as).Do(t, "GET", path, nil)
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/fhir+json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		var b bundle
		if err := json.Unmarshal(r.Body, &b); err != nil {
			t.Fatal(err)
		}
		fhirtest.MustValidate(t, r.Body)
		return b
	}
	counts := func(b bundle) map[string]int {
		out := map[string]int{}
		for _, e := range b.Entry {
			out[e.Resource["resourceType"].(string)]++
		}
		return out
	}
	want := map[string]int{"Patient": 1, "AllergyIntolerance": 1, "Appointment": 210, "Condition": 1, "Procedure": 1,
		"MedicationRequest": 1, "Coverage": 1, "Consent": 1, "DocumentReference": 1}

	t.Run("admin", func(t *testing.T) {
		b := export(t, "admin")
		if b.ResourceType != "Bundle" || b.Type != "searchset" || b.Total != len(b.Entry) || b.Total != 218 {
			t.Errorf("bundle %s/%s total %d, %d entries; want a searchset of 218", b.ResourceType, b.Type, b.Total, len(b.Entry))
		}
		got := counts(b)
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %d, want %d (all %v)", k, got[k], n, got)
			}
		}
		if b.Entry[0].Search.Mode != "match" || b.Entry[0].Resource["id"] != pat.ID || b.Entry[1].Search.Mode != "include" {
			t.Errorf("first entries %+v %+v", b.Entry[0].Search, b.Entry[1].Search)
		}
		for _, e := range b.Entry {
			switch e.Resource["resourceType"] {
			case "Condition", "Procedure":
				site := e.Resource["bodySite"].([]any)[0].(map[string]any)["coding"].([]any)[0].(map[string]any)
				wantFDI := map[any]string{"Condition": "16", "Procedure": "46"}[e.Resource["resourceType"]]
				if site["code"] != wantFDI || site["system"] != "http://terminology.hl7.org/CodeSystem/ex-tooth" {
					t.Errorf("%s bodySite %v, want FDI %s", e.Resource["resourceType"], site, wantFDI)
				}
			case "AllergyIntolerance":
				if e.Resource["criticality"] != "high" {
					t.Errorf("allergy %v", e.Resource)
				}
			case "Coverage":
				if e.Resource["subscriberId"] != "XYZ123456" {
					t.Errorf("an admin sees the member id in full: %v", e.Resource["subscriberId"])
				}
			case "DocumentReference":
				att := e.Resource["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any)
				if att["url"] != "/api/documents/"+docID || att["data"] != nil {
					t.Errorf("document attachment %v", att)
				}
			}
		}
		// The export is on the trail, naming the patient.
		page, err := audit.New(m, clk, nil).List(ctx, clinic.ID, audit.Filter{PatientID: pat.ID, Action: "fhir.export"}, store.PageRequest{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].Outcome != audit.Success {
			t.Errorf("audit: %+v", page.Items)
		}
	})
	t.Run("the patient themselves", func(t *testing.T) {
		b := export(t, "patient")
		if got := counts(b); got["Appointment"] != 210 || got["Condition"] != 1 {
			t.Errorf("counts %v", got)
		}
		for _, e := range b.Entry {
			if e.Resource["resourceType"] == "Coverage" && e.Resource["subscriberId"] != "••••3456" {
				t.Errorf("a patient sees the member id masked, as the portal shows it: %v", e.Resource["subscriberId"])
			}
			if e.Resource["resourceType"] == "DocumentReference" {
				att := e.Resource["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any)
				if _, linked := att["url"]; linked || att["title"] == nil {
					t.Errorf("a patient's export links the practice's document route (or lost the title): %v", att)
				}
			}
		}
	})
	env.Run(t, []apitest.Case{
		{Name: "another patient", As: "another patient", Method: "GET", Path: path, Status: 404},
		{Name: "the front desk", As: "receptionist", Method: "GET", Path: path, Status: 403},
		{Name: "a dentist", As: "dentist", Method: "GET", Path: path, Status: 403},
		{Name: "unknown id", As: "admin", Method: "GET", Path: "/api/fhir/Patient/" + ids.New() + "/$everything", Status: 404, Want: apitest.Error("not_found")},
		{Name: "garbage id", As: "admin", Method: "GET", Path: "/api/fhir/Patient/nope/$everything", Status: 404},
		{Name: "another clinic's patient", As: "admin", Method: "GET", Path: "/api/fhir/Patient/" + foreign.ID + "/$everything", Status: 404},
	})
}
