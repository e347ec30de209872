package notes_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/clinical/notes"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

func rxPath(patientID string) string { return "/api/patients/" + patientID + "/prescriptions" }

// rx is a valid prescription body with the changes given.
func rx(changes map[string]any) map[string]any {
	b := map[string]any{"drug": "ibuprofen", "strength": "600 mg", "form": "tablet", "sig": "1 tab PO q6h prn pain, with food",
		"quantity": 20, "refills": 0, "reason": "post-extraction pain #17"}
	for k, v := range changes {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

func mustRx(t *testing.T, cl *apitest.Client, patientID string, body map[string]any) notes.Prescription {
	t.Helper()
	var out notes.Prescription
	cl.MustJSON(t, "POST", rxPath(patientID), body, http.StatusCreated, &out)
	return out
}

func rxList(t *testing.T, cl *apitest.Client, path string) []notes.Prescription {
	t.Helper()
	var page struct{ Items []notes.Prescription }
	cl.MustJSON(t, "GET", path, nil, http.StatusOK, &page)
	return page.Items
}

func TestPrescribe(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")

	got := mustRx(t, dentist, p.ID, rx(map[string]any{"drug": " Clindamycin ", "strength": "300 mg", "form": "Capsule", "quantity": 28, "refills": nil}))
	want := notes.Prescription{ID: got.ID, PatientID: p.ID, Drug: "Clindamycin", Strength: "300 mg", Form: "capsule",
		Sig: "1 tab PO q6h prn pain, with food", Quantity: 28, Refills: 0, Reason: "post-extraction pain #17", Status: "active",
		PrescriberID: e.User(t, "dentist").ID, PrescribedAt: e.Clock.Now().UTC().Truncate(time.Millisecond)}
	// Not discontinued and no override: those fields are null.
	if d := apitest.Diff(want, mustJSON(t, got)); d != "" {
		t.Fatalf("prescription (-want +got):\n%s", d)
	}

	for _, c := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"no drug", rx(map[string]any{"drug": nil}), []string{"drug"}},
		{"a blank drug", rx(map[string]any{"drug": "   "}), []string{"drug"}},
		{"a drug name too long", rx(map[string]any{"drug": strings.Repeat("a", 101)}), []string{"drug"}},
		{"no strength", rx(map[string]any{"strength": ""}), []string{"strength"}},
		{"a strength too long", rx(map[string]any{"strength": strings.Repeat("5", 51)}), []string{"strength"}},
		{"an unknown form", rx(map[string]any{"form": "lozenge"}), []string{"form"}},
		{"no sig", rx(map[string]any{"sig": nil}), []string{"sig"}},
		{"a sig too long", rx(map[string]any{"sig": strings.Repeat("s", 501)}), []string{"sig"}},
		{"no quantity", rx(map[string]any{"quantity": nil}), []string{"quantity"}},
		{"quantity zero", rx(map[string]any{"quantity": 0}), []string{"quantity"}},
		{"quantity too large", rx(map[string]any{"quantity": 1001}), []string{"quantity"}},
		{"a fractional quantity", rx(map[string]any{"quantity": 2.5}), []string{"quantity"}},
		{"negative refills", rx(map[string]any{"refills": -1}), []string{"refills"}},
		{"too many refills", rx(map[string]any{"refills": 12}), []string{"refills"}},
		{"no reason", rx(map[string]any{"reason": nil}), []string{"reason"}},
		{"a reason too long", rx(map[string]any{"reason": strings.Repeat("r", 501)}), []string{"reason"}},
		{"an override without a reason", rx(map[string]any{"override": map[string]any{}}), []string{"override.reason"}},
		{"an unknown field", rx(map[string]any{"dose": "x"}), []string{"dose"}},
		{"everything wrong at once", map[string]any{"form": "x", "quantity": 0, "refills": 99},
			[]string{"drug", "strength", "form", "sig", "quantity", "refills", "reason"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			apitest.Case{Method: "POST", Path: rxPath(p.ID), Body: c.body, Status: 400, Want: apitest.Error("invalid", c.fields...)}.Send(t, dentist)
		})
	}
	if l := rxList(t, dentist, rxPath(p.ID)); len(l) != 1 {
		t.Fatalf("%d prescriptions stored, want the one valid", len(l))
	}
	archived := e.MustPatient(t, e.Clinic.ID, patients.Patient{Status: patients.StatusArchived})
	apitest.Case{Method: "POST", Path: rxPath(archived.ID), Body: rx(nil), Status: 409}.Send(t, dentist)
}

// mustJSON is v as decoded JSON (what Diff compares a Want with).
func mustJSON(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return apitest.Response{Body: raw}.JSON(t)
}

func TestAllergyRefusalAndOverride(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Jordan", LastName: "Avery",
		Allergies: []patients.Allergy{{Substance: "Latex", Severity: "moderate"}, {Substance: "Penicillin", Severity: "severe"}, {Substance: "NSAIDs", Severity: "mild"}}})
	dentist := e.Staff(t, "dentist")

	r := apitest.Case{Method: "POST", Path: rxPath(p.ID), Body: rx(map[string]any{"drug": "amoxicillin", "strength": "500 mg", "form": "capsule"}), Status: 422,
		Want: apitest.Error("unprocessable", "drug")}.Send(t, dentist)
	msg := "Jordan Avery has a recorded severe allergy to Penicillin: amoxicillin is a penicillin"
	if got := r.Error(t); got.Message != msg || got.Fields[0].Message != msg {
		t.Fatalf("refusal %+v, want %q", got, msg)
	}
	for _, c := range []struct{ drug, allergy string }{{"Advil", "NSAIDs"}, {"cephalexin", "Penicillin"}, {"Augmentin", "Penicillin"}} {
		t.Run(c.drug, func(t *testing.T) {
			r := apitest.Case{Method: "POST", Path: rxPath(p.ID), Body: rx(map[string]any{"drug": c.drug}), Status: 422}.Send(t, dentist)
			if m := r.Error(t).Message; !strings.Contains(m, "allergy to "+c.allergy+":") {
				t.Fatalf("refusal %q does not name the %s allergy", m, c.allergy)
			}
		})
	}
	// A latex allergy matters for gloves, not for this prescription.
	mustRx(t, dentist, p.ID, rx(map[string]any{"drug": "chlorhexidine gluconate 0.12%", "form": "rinse", "strength": "0.12%"}))
	if l := rxList(t, dentist, rxPath(p.ID)); len(l) != 1 {
		t.Fatalf("%d prescriptions stored, want only the rinse", len(l))
	}

	why := "Tolerated amoxicillin 2024 per allergist Okonkwo; rash only"
	got := mustRx(t, dentist, p.ID, rx(map[string]any{"drug": "amoxicillin", "strength": "500 mg", "form": "capsule", "override": map[string]any{"reason": why}}))
	if got.Override == nil || got.Override.Reason != why || !slices.Equal(got.Override.Allergies, []string{"Penicillin"}) {
		t.Fatalf("override %+v, want the reason and the Penicillin allergy", got.Override)
	}
	// An override with nothing to override is not kept.
	plain := mustRx(t, dentist, p.ID, rx(map[string]any{"drug": "clindamycin", "override": map[string]any{"reason": "just in case"}}))
	if plain.Override != nil {
		t.Fatalf("override %+v kept on a prescription no allergy stood in the way of", plain.Override)
	}

	want := []string{"prescription.write:denied", "prescription.write:denied", "prescription.write:denied", "prescription.write:denied",
		"prescription.write:success", "prescription.read:success", "prescription.allergy_override:success", "prescription.write:success", "prescription.write:success"}
	if got := clinicalActions(t, e, p.ID); !slices.Equal(got, want) {
		t.Fatalf("trail %v, want %v", got, want)
	}
	for _, rec := range e.AuditRecords(t, e.Clinic.ID, audit.Filter{PatientID: p.ID}) {
		for _, w := range []string{"Penicillin", "amoxicillin", "Okonkwo", "NSAID", "pain"} {
			if strings.Contains(rec.Detail, w) {
				t.Fatalf("audit record %s detail %q holds health information", rec.Action, rec.Detail)
			}
		}
	}
	docs := e.RawDocs(t, "prescriptions", bson.D{{Key: "_id", Value: got.ID}})
	if len(docs) != 1 {
		t.Fatalf("%d stored, want 1", len(docs))
	}
	for _, w := range []string{"Okonkwo", "post-extraction"} {
		if bytes.Contains(docs[0], []byte(w)) {
			t.Fatalf("stored prescription holds %q in the clear", w)
		}
	}
}

func TestPrescriptionRoles(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	other := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	mine := mustRx(t, dentist, p.ID, rx(nil))
	theirs := mustRx(t, dentist, other.ID, rx(nil))
	stopped := mustRx(t, dentist, p.ID, rx(map[string]any{"drug": "naproxen"}))
	dentist.MustDo(t, "POST", "/api/prescriptions/"+stopped.ID+"/discontinue", map[string]any{"reason": "GI upset"}, http.StatusOK)
	portal := e.PortalOf(t, p)
	otherDentist := e.SignIn(t, e.Other.ID, identity.RoleDentist, "")
	discontinue := "/api/prescriptions/" + theirs.ID + "/discontinue"
	runCalls(t, []call{
		{"hygienist prescribes", e.Staff(t, "hygienist"), "POST", rxPath(p.ID), rx(nil), 403},
		{"hygienist reads", e.Staff(t, "hygienist"), "GET", rxPath(p.ID), nil, 403},
		{"hygienist discontinues", e.Staff(t, "hygienist"), "POST", discontinue, map[string]any{}, 403},
		{"assistant prescribes", e.Staff(t, "assistant"), "POST", rxPath(p.ID), rx(nil), 403},
		{"receptionist reads", e.Staff(t, "receptionist"), "GET", rxPath(p.ID), nil, 403},
		{"admin prescribes", e.Staff(t, "admin"), "POST", rxPath(p.ID), rx(nil), 403},
		{"admin discontinues", e.Staff(t, "admin"), "POST", discontinue, map[string]any{}, 403},
		{"admin reads", e.Staff(t, "admin"), "GET", rxPath(p.ID), nil, 200},
		{"the patient prescribes", portal, "POST", rxPath(p.ID), rx(nil), 403},
		{"the patient discontinues", portal, "POST", "/api/prescriptions/" + mine.ID + "/discontinue", map[string]any{}, 403},
		{"the patient reads another's", portal, "GET", rxPath(other.ID), nil, 404},
		{"other clinic reads", otherDentist, "GET", rxPath(p.ID), nil, 404},
		{"other clinic prescribes", otherDentist, "POST", rxPath(p.ID), rx(nil), 404},
		{"other clinic discontinues", otherDentist, "POST", discontinue, map[string]any{}, 404},
		{"a missing prescription", dentist, "POST", "/api/prescriptions/6650a1b2c3d4e5f601234567/discontinue", map[string]any{}, 404},
	})

	t.Run("the patient reads their own active prescriptions", func(t *testing.T) {
		for _, path := range []string{rxPath(p.ID), rxPath(p.ID) + "?status=all"} {
			l := rxList(t, portal, path)
			if len(l) != 1 || l[0].ID != mine.ID {
				t.Fatalf("%s as the patient: %+v, want only %s", path, l, mine.ID)
			}
		}
	})
	t.Run("staff read the history", func(t *testing.T) {
		l := rxList(t, dentist, rxPath(p.ID))
		if len(l) != 2 || l[0].ID != stopped.ID || l[0].Status != "discontinued" || l[1].ID != mine.ID {
			t.Fatalf("history %+v, want both, newest first", l)
		}
		if l := rxList(t, dentist, rxPath(p.ID)+"?status=active"); len(l) != 1 || l[0].ID != mine.ID {
			t.Fatalf("active %+v, want %s", l, mine.ID)
		}
		apitest.Case{Method: "GET", Path: rxPath(p.ID) + "?status=stopped", Status: 400, Want: apitest.Error("invalid", "status")}.Send(t, dentist)
	})
	if l := rxList(t, dentist, rxPath(other.ID)); l[0].Status != "active" {
		t.Fatalf("refused discontinuations changed %+v", l[0])
	}
	reads := 0
	for _, a := range clinicalActions(t, e, p.ID) {
		if a == "prescription.read:success" {
			reads++
		}
	}
	if reads != 5 { // admin, the patient twice, the dentist twice (the 400 reads nothing)
		t.Fatalf("%d prescription reads in the trail, want 5", reads)
	}
}

func TestDiscontinue(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	a := mustRx(t, dentist, p.ID, rx(nil))
	path := "/api/prescriptions/" + a.ID + "/discontinue"
	apitest.Case{Method: "POST", Path: path, Body: map[string]any{"reason": strings.Repeat("r", 501)}, Status: 400, Want: apitest.Error("invalid", "reason")}.Send(t, dentist)
	e.Clock.Advance(time.Minute)
	r := apitest.Case{Method: "POST", Path: path, Body: map[string]any{"reason": "Wheezing after second dose"}, Status: 200,
		Want: map[string]any{"status": "discontinued", "discontinuedBy": e.User(t, "dentist").ID, "discontinueReason": "Wheezing after second dose",
			"discontinuedAt": apitest.Present}}.Send(t, dentist)
	var got notes.Prescription
	r.Decode(t, &got)
	if !got.DiscontinuedAt.Equal(e.Clock.Now().UTC().Truncate(time.Millisecond)) {
		t.Fatalf("discontinuedAt %v, want now", got.DiscontinuedAt)
	}
	apitest.Case{Method: "POST", Path: path, Body: map[string]any{}, Status: 409}.Send(t, dentist)
	if d := e.RawDocs(t, "prescriptions", bson.D{{Key: "_id", Value: a.ID}}); bytes.Contains(d[0], []byte("Wheezing")) {
		t.Fatal("the discontinuation's reason is stored in the clear")
	}

	// No body at all is no reason.
	b := mustRx(t, dentist, p.ID, rx(nil))
	apitest.Case{Method: "POST", Path: "/api/prescriptions/" + b.ID + "/discontinue", Status: 200,
		Want: map[string]any{"status": "discontinued", "discontinueReason": nil}}.Send(t, dentist)

	// Of racing discontinuations one ends it.
	c := mustRx(t, dentist, p.ID, rx(nil))
	oneWins(t, func() int {
		return dentist.Do(t, "POST", "/api/prescriptions/"+c.ID+"/discontinue", map[string]any{}).Status
	})
	n := 0
	for _, a := range clinicalActions(t, e, p.ID) {
		if a == "prescription.discontinue:success" {
			n++
		}
	}
	if n < 3 {
		t.Fatalf("%d discontinuations in the trail, want at least 3", n)
	}
}
