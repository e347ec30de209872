package notes_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"sync"
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

func notesPath(patientID string) string { return "/api/patients/" + patientID + "/notes" }

// mustNote creates a note as cl and returns it.
func mustNote(t *testing.T, cl *apitest.Client, patientID string, body map[string]any) notes.Note {
	t.Helper()
	var n notes.Note
	cl.MustJSON(t, "POST", notesPath(patientID), body, http.StatusCreated, &n)
	return n
}

// mustSigned is a SOAP note drafted and signed by cl.
func mustSigned(t *testing.T, cl *apitest.Client, patientID string) notes.Note {
	t.Helper()
	n := mustNote(t, cl, patientID, map[string]any{"type": "soap", "subjective": "pain on 30 when chewing", "assessment": "cracked tooth #30", "plan": "crown #30"})
	var out notes.Note
	cl.MustJSON(t, "POST", "/api/notes/"+n.ID+"/sign", nil, http.StatusOK, &out)
	return out
}

// list is the patient's notes as cl reads them.
func list(t *testing.T, cl *apitest.Client, patientID string) []notes.Note {
	t.Helper()
	var page struct{ Items []notes.Note }
	cl.MustJSON(t, "GET", notesPath(patientID), nil, http.StatusOK, &page)
	return page.Items
}

func TestNoteTemplates(t *testing.T) {
	e := clinicaltest.New(t)
	var page struct{ Items []notes.Template }
	e.Staff(t, "assistant").MustJSON(t, "GET", "/api/note-templates", nil, http.StatusOK, &page)
	byName := map[string]notes.Template{}
	for _, tm := range page.Items {
		byName[tm.Name] = tm
	}
	for name, typ := range map[string]string{"Periodic exam (SOAP)": "soap", "Emergency visit (SOAP)": "soap",
		"Restorative procedure": "procedure", "Extraction (procedure)": "procedure", "Hygiene visit (progress)": "progress"} {
		tm, ok := byName[name]
		if !ok || tm.Type != typ || tm.ID == "" {
			t.Errorf("template %q: %+v, want a %s template with an id", name, tm, typ)
		}
		// A SOAP template prompts the four fields, the others the body.
		if typ == "soap" && (tm.Subjective == "" || tm.Plan == "" || tm.Body != "") || typ != "soap" && (tm.Body == "" || tm.Subjective != "") {
			t.Errorf("template %q prompts the wrong fields: %+v", name, tm)
		}
	}
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	for _, cl := range map[string]*apitest.Client{"receptionist": e.Staff(t, "receptionist"), "patient": e.PortalOf(t, p)} {
		apitest.Case{Method: "GET", Path: "/api/note-templates", Status: 403}.Send(t, cl)
	}
}

func TestCreateNote(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	assistant := e.Staff(t, "assistant")
	appt := "6650a1b2c3d4e5f601234567"

	t.Run("a template prefills the fields not given", func(t *testing.T) {
		n := mustNote(t, assistant, p.ID, map[string]any{"type": "soap", "templateId": "builtin-periodic-exam", "plan": "prophy next visit", "appointmentId": appt})
		var tmpls struct{ Items []notes.Template }
		assistant.MustJSON(t, "GET", "/api/note-templates", nil, http.StatusOK, &tmpls)
		want := tmpls.Items[slices.IndexFunc(tmpls.Items, func(x notes.Template) bool { return x.ID == "builtin-periodic-exam" })]
		if n.Subjective != want.Subjective || n.Assessment != want.Assessment || n.Plan != "prophy next visit" {
			t.Fatalf("note %+v: want the template's prompts and the plan given", n)
		}
		if n.Status != "draft" || n.Type != "soap" || n.SignedAt != nil || n.SignedBy != nil || n.Amends != nil ||
			n.TemplateID == nil || *n.TemplateID != want.ID || n.AppointmentID == nil || *n.AppointmentID != appt ||
			n.AuthorID != e.User(t, "assistant").ID || n.AuthorRole != "assistant" || n.Amendments == nil {
			t.Fatalf("note %+v: want a draft by the assistant, attached to the appointment", n)
		}
	})
	t.Run("the template's type when none is given", func(t *testing.T) {
		n := mustNote(t, assistant, p.ID, map[string]any{"templateId": "builtin-hygiene-visit"})
		if n.Type != "progress" || n.Body == "" {
			t.Fatalf("note %+v: want a progress note with the template's body", n)
		}
	})
	t.Run("an empty draft", func(t *testing.T) {
		apitest.Case{Method: "POST", Path: notesPath(p.ID), Body: map[string]any{"type": "procedure"}, Status: 201,
			Want: map[string]any{"type": "procedure", "body": "", "appointmentId": nil, "templateId": nil, "amendments": []any{}}}.Send(t, assistant)
	})

	long := strings.Repeat("x", 20001)
	for _, c := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"no type", map[string]any{"body": "x"}, []string{"type"}},
		{"an unknown type", map[string]any{"type": "memo"}, []string{"type"}},
		{"a body on a SOAP note", map[string]any{"type": "soap", "body": "text"}, []string{"body"}},
		{"SOAP fields on a procedure note", map[string]any{"type": "procedure", "subjective": "x", "plan": "y"}, []string{"subjective", "plan"}},
		{"text too long", map[string]any{"type": "progress", "body": long}, []string{"body"}},
		{"a bad appointment id", map[string]any{"type": "soap", "appointmentId": "tomorrow"}, []string{"appointmentId"}},
		{"an unknown template", map[string]any{"type": "soap", "templateId": "6650a1b2c3d4e5f601234567"}, []string{"templateId"}},
		{"a template of another type", map[string]any{"type": "procedure", "templateId": "builtin-periodic-exam"}, []string{"templateId"}},
		{"an unknown field", map[string]any{"type": "soap", "diagnosis": "x"}, []string{"diagnosis"}},
		{"a wrong type of value", map[string]any{"type": "soap", "plan": 3}, []string{"plan"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			apitest.Case{Method: "POST", Path: notesPath(p.ID), Body: c.body, Status: 400, Want: apitest.Error("invalid", c.fields...)}.Send(t, assistant)
		})
	}
	if got := list(t, assistant, p.ID); len(got) != 3 {
		t.Fatalf("%d notes stored, want the 3 valid ones", len(got))
	}
}

// Notes are the chair's: the front desk and the patient see none, another
// clinic finds nothing.
func TestNoteAccess(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	draft := mustNote(t, e.Staff(t, "assistant"), p.ID, map[string]any{"type": "progress", "body": "x"})
	signed := mustSigned(t, e.Staff(t, "dentist"), p.ID)
	otherDentist := e.SignIn(t, e.Other.ID, identity.RoleDentist, "")
	body := map[string]any{"body": "y"}
	runCalls(t, []call{
		{"receptionist lists", e.Staff(t, "receptionist"), "GET", notesPath(p.ID), nil, 403},
		{"receptionist writes", e.Staff(t, "receptionist"), "POST", notesPath(p.ID), map[string]any{"type": "soap"}, 403},
		{"receptionist edits", e.Staff(t, "receptionist"), "PATCH", "/api/notes/" + draft.ID, body, 403},
		{"the patient lists their own", e.PortalOf(t, p), "GET", notesPath(p.ID), nil, 403},
		{"assistant signs", e.Staff(t, "assistant"), "POST", "/api/notes/" + draft.ID + "/sign", nil, 403},
		{"admin signs", e.Staff(t, "admin"), "POST", "/api/notes/" + draft.ID + "/sign", nil, 403},
		{"assistant amends", e.Staff(t, "assistant"), "POST", "/api/notes/" + signed.ID + "/amend", map[string]any{"plan": "z"}, 403},
		{"other clinic lists", otherDentist, "GET", notesPath(p.ID), nil, 404},
		{"other clinic writes", otherDentist, "POST", notesPath(p.ID), map[string]any{"type": "soap"}, 404},
		{"other clinic edits", otherDentist, "PATCH", "/api/notes/" + draft.ID, body, 404},
		{"other clinic signs", otherDentist, "POST", "/api/notes/" + draft.ID + "/sign", nil, 404},
		{"other clinic amends", otherDentist, "POST", "/api/notes/" + signed.ID + "/amend", map[string]any{"plan": "z"}, 404},
		{"a missing note", e.Staff(t, "dentist"), "POST", "/api/notes/6650a1b2c3d4e5f601234567/sign", nil, 404},
		{"a garbage id", e.Staff(t, "dentist"), "PATCH", "/api/notes/nope", body, 404},
	})
	// Nothing refused changed anything.
	got := list(t, e.Staff(t, "dentist"), p.ID)
	if len(got) != 2 || got[1].Status != "draft" || got[1].Body != "x" || len(got[0].Amendments) != 0 {
		t.Fatalf("notes after refused calls: %+v", got)
	}
}

func TestDraftsAreEditedByTheirAuthorOnly(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	author := e.Staff(t, "assistant")
	n := mustNote(t, author, p.ID, map[string]any{"type": "soap", "subjective": "sensitivity UL", "plan": "desensitizer"})
	path := "/api/notes/" + n.ID
	for name, cl := range map[string]*apitest.Client{
		"another assistant": e.SignIn(t, e.Clinic.ID, identity.RoleAssistant, ""),
		"a dentist":         e.Staff(t, "dentist"),
		"an admin":          e.Staff(t, "admin"),
	} {
		t.Run(name, func(t *testing.T) {
			apitest.Case{Method: "PATCH", Path: path, Body: map[string]any{"plan": "extract"}, Status: 403}.Send(t, cl)
		})
	}
	e.Clock.Advance(time.Minute)
	r := apitest.Case{Method: "PATCH", Path: path, Body: map[string]any{"plan": "fluoride varnish", "subjective": "", "objective": "recession #8"}, Status: 200,
		Want: map[string]any{"subjective": "", "objective": "recession #8", "assessment": "", "plan": "fluoride varnish", "status": "draft"}}.Send(t, author)
	var got notes.Note
	r.Decode(t, &got)
	if !got.UpdatedAt.After(n.UpdatedAt) || !got.CreatedAt.Equal(n.CreatedAt) {
		t.Fatalf("updatedAt %v createdAt %v, want updatedAt moved past %v and createdAt kept", got.UpdatedAt, got.CreatedAt, n.UpdatedAt)
	}
	for _, c := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"nothing to change", map[string]any{}, nil},
		{"a body on a SOAP note", map[string]any{"body": "x"}, []string{"body"}},
		{"the type", map[string]any{"type": "progress"}, []string{"type"}},
		{"a bad appointment", map[string]any{"appointmentId": "12"}, []string{"appointmentId"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			apitest.Case{Method: "PATCH", Path: path, Body: c.body, Status: 400, Want: apitest.Error("invalid", c.fields...)}.Send(t, author)
		})
	}
	if l := list(t, author, p.ID); l[0].Plan != "fluoride varnish" || l[0].Objective != "recession #8" {
		t.Fatalf("stored note %+v: refused edits changed it", l[0])
	}
}

func TestSigning(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist, hygienist, assistant := e.Staff(t, "dentist"), e.Staff(t, "hygienist"), e.Staff(t, "assistant")
	sign := func(id string) string { return "/api/notes/" + id + "/sign" }

	t.Run("content is required", func(t *testing.T) {
		soap := mustNote(t, dentist, p.ID, map[string]any{"type": "soap", "subjective": "no complaints", "objective": "WNL"})
		apitest.Case{Method: "POST", Path: sign(soap.ID), Status: 400, Want: apitest.Error("invalid", "assessment", "plan")}.Send(t, dentist)
		proc := mustNote(t, dentist, p.ID, map[string]any{"type": "procedure", "body": "   "})
		apitest.Case{Method: "POST", Path: sign(proc.ID), Status: 400, Want: apitest.Error("invalid", "body")}.Send(t, dentist)
	})

	t.Run("a signed note is immutable", func(t *testing.T) {
		n := mustNote(t, hygienist, p.ID, map[string]any{"type": "progress", "body": "SRP UR, UL; OHI"})
		e.Clock.Advance(time.Minute)
		r := apitest.Case{Method: "POST", Path: sign(n.ID), Status: 200,
			Want: map[string]any{"status": "signed", "signedBy": e.User(t, "hygienist").ID, "signedAt": apitest.Present, "body": "SRP UR, UL; OHI"}}.Send(t, hygienist)
		var signed notes.Note
		r.Decode(t, &signed)
		apitest.Case{Method: "PATCH", Path: "/api/notes/" + n.ID, Body: map[string]any{"body": "changed"}, Status: 409}.Send(t, hygienist)
		apitest.Case{Method: "POST", Path: sign(n.ID), Status: 409}.Send(t, hygienist)
		got := list(t, dentist, p.ID)
		i := slices.IndexFunc(got, func(x notes.Note) bool { return x.ID == n.ID })
		if got[i].Body != "SRP UR, UL; OHI" || !got[i].SignedAt.Equal(*signed.SignedAt) || !got[i].UpdatedAt.Equal(signed.UpdatedAt) {
			t.Fatalf("signed note %+v changed after signing (was %+v)", got[i], signed)
		}
	})

	t.Run("a clinician countersigns an assistant's draft", func(t *testing.T) {
		n := mustNote(t, assistant, p.ID, map[string]any{"type": "procedure", "body": "sealants #3, #14"})
		apitest.Case{Method: "POST", Path: sign(n.ID), Status: 200,
			Want: map[string]any{"status": "signed", "authorId": e.User(t, "assistant").ID, "authorRole": "assistant", "signedBy": e.User(t, "dentist").ID}}.Send(t, dentist)
	})

	t.Run("not another clinician's draft", func(t *testing.T) {
		byHyg := mustNote(t, hygienist, p.ID, map[string]any{"type": "progress", "body": "prophy"})
		apitest.Case{Method: "POST", Path: sign(byHyg.ID), Status: 403}.Send(t, dentist)
		byDentist := mustNote(t, dentist, p.ID, map[string]any{"type": "progress", "body": "post-op check"})
		apitest.Case{Method: "POST", Path: sign(byDentist.ID), Status: 403}.Send(t, e.SignIn(t, e.Clinic.ID, identity.RoleDentist, ""))
		apitest.Case{Method: "POST", Path: sign(byDentist.ID), Status: 403}.Send(t, hygienist)
		apitest.Case{Method: "POST", Path: sign(byDentist.ID), Status: 200}.Send(t, dentist)
	})
}

// Of signatures racing for one draft exactly one signs it.
func TestSignRace(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	n := mustNote(t, dentist, p.ID, map[string]any{"type": "soap", "assessment": "irreversible pulpitis #19", "plan": "RCT #19"})
	oneWins(t, func() int { return dentist.Do(t, "POST", "/api/notes/"+n.ID+"/sign", nil).Status })
	signs := 0
	for _, a := range clinicalActions(t, e, p.ID) {
		if a == "note.sign:success" {
			signs++
		}
	}
	if signs == 0 {
		t.Fatal("the signature is not in the trail")
	}
}

func TestAmendments(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist, hygienist := e.Staff(t, "dentist"), e.Staff(t, "hygienist")
	orig := mustSigned(t, dentist, p.ID)
	amend := "/api/notes/" + orig.ID + "/amend"

	draft := mustNote(t, dentist, p.ID, map[string]any{"type": "soap", "plan": "x"})
	apitest.Case{Method: "POST", Path: "/api/notes/" + draft.ID + "/amend", Body: map[string]any{"plan": "y"}, Status: 409}.Send(t, dentist)
	apitest.Case{Method: "POST", Path: amend, Body: map[string]any{"subjective": "only a subjective"}, Status: 400,
		Want: apitest.Error("invalid", "assessment", "plan")}.Send(t, dentist)
	apitest.Case{Method: "POST", Path: amend, Body: map[string]any{"body": "x"}, Status: 400, Want: apitest.Error("invalid", "body")}.Send(t, dentist)

	e.Clock.Advance(2 * time.Minute)
	var first, second notes.Note
	hygienist.MustJSON(t, "POST", amend, map[string]any{"plan": "crown #31, not #30 (tooth number corrected)"}, http.StatusCreated, &first)
	if first.Amends == nil || *first.Amends != orig.ID || first.Status != "signed" || first.SignedBy == nil ||
		*first.SignedBy != e.User(t, "hygienist").ID || first.AuthorID != e.User(t, "hygienist").ID || first.Type != "soap" || first.ID == orig.ID {
		t.Fatalf("amendment %+v: want a signed SOAP note by the hygienist amending %s", first, orig.ID)
	}
	e.Clock.Advance(time.Minute)
	dentist.MustJSON(t, "POST", amend, map[string]any{"type": "progress", "body": "patient called: pain resolved"}, http.StatusCreated, &second)

	got := list(t, dentist, p.ID)
	ids := make([]string, len(got))
	for i, n := range got {
		ids[i] = n.ID
	}
	if !slices.Equal(ids, []string{second.ID, first.ID, draft.ID, orig.ID}) {
		t.Fatalf("list %v, want the amendments, the draft and the original, newest first", ids)
	}
	o := got[3]
	if !slices.Equal(o.Amendments, []string{first.ID, second.ID}) {
		t.Fatalf("original lists amendments %v, want %v", o.Amendments, []string{first.ID, second.ID})
	}
	if o.Plan != orig.Plan || o.Assessment != orig.Assessment || !o.UpdatedAt.Equal(orig.UpdatedAt) || !o.SignedAt.Equal(*orig.SignedAt) || o.Status != "signed" {
		t.Fatalf("original %+v changed by its amendments (was %+v)", o, orig)
	}
	// An amendment is signed: it cannot be edited either.
	apitest.Case{Method: "PATCH", Path: "/api/notes/" + first.ID, Body: map[string]any{"plan": "x"}, Status: 409}.Send(t, hygienist)

	t.Run("racing amendments are all linked", func(t *testing.T) {
		n := mustSigned(t, dentist, p.ID)
		statuses := make([]int, 4)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Go(func() {
				statuses[i] = dentist.Do(t, "POST", "/api/notes/"+n.ID+"/amend", map[string]any{"plan": "addendum"}).Status
			})
		}
		wg.Wait()
		if !slices.Equal(statuses, []int{201, 201, 201, 201}) {
			t.Fatalf("statuses %v, want every amendment made", statuses)
		}
		// The stored list, not only the one the notes list derives from
		// its page (an original and its amendments can be pages apart).
		raw := e.RawDocs(t, "notes", bson.D{{Key: "_id", Value: n.ID}})[0]
		if vals, err := raw.Lookup("amendments").Array().Values(); err != nil || len(vals) != 4 {
			t.Fatalf("original stores amendments %v (%v), want 4", raw.Lookup("amendments"), err)
		}
	})
}

// Note text is sealed at rest, and the trail names what happened without
// the text: every read and write, with the patient.
func TestNotesSealedAndAudited(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	secrets := map[string]string{"subjective": "Zebrafinch-subjective", "objective": "Quokka-objective", "assessment": "Narwhal-assessment", "plan": "Axolotl-plan"}
	body := map[string]any{"type": "soap"}
	for k, v := range secrets {
		body[k] = v
	}
	n := mustNote(t, dentist, p.ID, body)
	dentist.MustDo(t, "PATCH", "/api/notes/"+n.ID, map[string]any{"plan": "Axolotl-plan-2"}, http.StatusOK)
	dentist.MustDo(t, "POST", "/api/notes/"+n.ID+"/sign", nil, http.StatusOK)
	dentist.MustDo(t, "POST", "/api/notes/"+n.ID+"/amend", map[string]any{"assessment": "Pangolin-amendment"}, http.StatusCreated)
	proc := mustNote(t, e.Staff(t, "assistant"), p.ID, map[string]any{"type": "procedure", "body": "Capybara-body"})
	apitest.Case{Method: "PATCH", Path: "/api/notes/" + proc.ID, Body: map[string]any{"body": "x"}, Status: 403}.Send(t, dentist)
	got := list(t, dentist, p.ID)
	if got[2].Subjective != secrets["subjective"] || got[2].Plan != "Axolotl-plan-2" || got[0].Body != "Capybara-body" {
		t.Fatalf("notes read back %+v", got)
	}

	words := []string{"Zebrafinch", "Quokka", "Narwhal", "Axolotl", "Pangolin", "Capybara"}
	docs := e.RawDocs(t, "notes", bson.D{{Key: "patientId", Value: p.ID}})
	if len(docs) != 3 {
		t.Fatalf("%d stored notes, want 3", len(docs))
	}
	for _, d := range docs {
		for _, w := range words {
			if bytes.Contains(d, []byte(w)) {
				t.Fatalf("stored note %s holds %q in the clear", d.Lookup("_id"), w)
			}
		}
	}
	recs := e.AuditRecords(t, e.Clinic.ID, audit.Filter{PatientID: p.ID})
	for _, r := range recs {
		for _, w := range words {
			if strings.Contains(r.Detail, w) {
				t.Fatalf("audit record %s %q holds note text", r.Action, r.Detail)
			}
		}
		if strings.HasPrefix(r.Action, "note.") && r.PatientID != p.ID {
			t.Fatalf("audit record %s has patient %q", r.Action, r.PatientID)
		}
	}
	want := []string{"note.write:success", "note.write:success", "note.sign:success", "note.amend:success", "note.write:success", "note.write:denied", "note.read:success"}
	if got := clinicalActions(t, e, p.ID); !slices.Equal(got, want) {
		t.Fatalf("trail %v, want %v", got, want)
	}
}

// A sealed value copied into another note does not open there.
func TestSealedTextIsBoundToItsNote(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	a := mustNote(t, dentist, p.ID, map[string]any{"type": "progress", "body": "first"})
	b := mustNote(t, dentist, p.ID, map[string]any{"type": "progress", "body": "second"})
	db, err := e.Mongo.Database()
	if err != nil {
		t.Fatal(err)
	}
	src := e.RawDocs(t, "notes", bson.D{{Key: "_id", Value: a.ID}})[0].Lookup("body")
	if _, err := db.Collection("notes").UpdateOne(t.Context(), bson.D{{Key: "_id", Value: b.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "body", Value: src}}}}); err != nil {
		t.Fatal(err)
	}
	r := dentist.Do(t, "GET", notesPath(p.ID), nil)
	if r.Status != 500 || bytes.Contains(r.Body, []byte("first")) {
		t.Fatalf("list with a moved ciphertext: %d %s, want 500 and no text", r.Status, r.Body)
	}
}

func TestNotesNewestFirstAndPaged(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	other := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	var want []string
	for range 3 {
		want = append([]string{mustNote(t, dentist, p.ID, map[string]any{"type": "progress"}).ID}, want...)
		e.Clock.Advance(time.Second)
	}
	mustNote(t, dentist, other.ID, map[string]any{"type": "progress"})
	var page struct {
		Items      []notes.Note
		NextCursor *string
	}
	dentist.MustJSON(t, "GET", notesPath(p.ID)+"?limit=2", nil, http.StatusOK, &page)
	if len(page.Items) != 2 || page.Items[0].ID != want[0] || page.Items[1].ID != want[1] || page.NextCursor == nil {
		t.Fatalf("first page %+v, want %v and a cursor", page, want[:2])
	}
	dentist.MustJSON(t, "GET", notesPath(p.ID)+"?limit=2&cursor="+*page.NextCursor, nil, http.StatusOK, &page)
	if len(page.Items) != 1 || page.Items[0].ID != want[2] || page.NextCursor != nil {
		t.Fatalf("second page %+v, want %v only", page, want[2])
	}
}
