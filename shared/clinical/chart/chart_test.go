package chart_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
)

// entryJSON is what the tests read of an answered entry (the whole shape
// is compared with Want where it matters).
type entryJSON struct {
	ID           string  `json:"id"`
	Note         string  `json:"note"`
	Supersedes   *string `json:"supersedes"`
	SupersededBy *string `json:"supersededBy"`
}

type chartJSON struct {
	Entries   []entryJSON `json:"entries"`
	AsOf      *time.Time  `json:"asOf"`
	Numbering string      `json:"numbering"`
}

func chartPath(p patients.Patient) string   { return "/api/patients/" + p.ID + "/chart" }
func entriesPath(p patients.Patient) string { return "/api/patients/" + p.ID + "/chart/entries" }
func examsPath(p patients.Patient) string   { return "/api/patients/" + p.ID + "/perio-exams" }

// mustPost posts body to path as c and decodes the 201 answer.
func mustPost[T any](t *testing.T, c *apitest.Client, path string, body any) T {
	t.Helper()
	var out T
	c.MustJSON(t, "POST", path, body, http.StatusCreated, &out)
	return out
}

func mustEntry(t *testing.T, c *apitest.Client, p patients.Patient, body map[string]any) entryJSON {
	t.Helper()
	return mustPost[entryJSON](t, c, entriesPath(p), body)
}

func mustChart(t *testing.T, c *apitest.Client, p patients.Patient, query string) chartJSON {
	t.Helper()
	var out chartJSON
	c.MustJSON(t, "GET", chartPath(p)+query, nil, http.StatusOK, &out)
	return out
}

func entryIDs(c chartJSON) []string {
	out := []string{}
	for _, e := range c.Entries {
		out = append(out, e.ID)
	}
	return out
}

func TestChartEntryRoundTrip(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	me := e.User(t, "dentist")
	apitest.Case{Method: "POST", Path: entriesPath(p), Status: 201,
		Body: map[string]any{"fdi": "16", "surfaces": []string{"M", "O"}, "kind": "caries", "status": "condition", "note": "watch the distal"},
		Want: map[string]any{"patientId": p.ID, "tooth": "3", "fdi": "16", "surfaces": []string{"M", "O"}, "kind": "caries", "status": "condition",
			"code": "", "providerId": me.ID, "recordedBy": me.ID, "note": "watch the distal", "supersedes": nil, "supersededBy": nil,
			"id": apitest.Present, "recordedAt": apitest.Present},
	}.Send(t, dentist)
	apitest.Case{Method: "GET", Path: chartPath(p), Status: 200,
		Want: map[string]any{"asOf": nil, "numbering": "universal",
			"entries": []any{map[string]any{"tooth": "3", "fdi": "16", "note": "watch the distal", "supersededBy": nil}}},
	}.Send(t, dentist)
}

func TestChartEntryValidation(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	other := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	elsewhere := mustEntry(t, dentist, other, map[string]any{"tooth": "3", "kind": "caries", "status": "condition"})
	cases := []struct {
		name   string
		body   any
		fields []string
	}{
		{"no tooth", map[string]any{"kind": "caries", "status": "condition"}, []string{"tooth"}},
		{"not a tooth", map[string]any{"tooth": "33", "kind": "caries", "status": "condition"}, []string{"tooth"}},
		{"not an FDI number", map[string]any{"fdi": "19", "kind": "caries", "status": "condition"}, []string{"fdi"}},
		{"tooth and fdi disagree", map[string]any{"tooth": "3", "fdi": "26", "kind": "caries", "status": "condition"}, []string{"fdi"}},
		{"occlusal on an incisor", map[string]any{"tooth": "8", "surfaces": []string{"M", "O"}, "kind": "caries", "status": "condition"}, []string{"surfaces[1]"}},
		{"incisal on a molar (by FDI)", map[string]any{"fdi": "36", "surfaces": []string{"I"}, "kind": "caries", "status": "condition"}, []string{"surfaces[0]"}},
		{"B and F both", map[string]any{"tooth": "30", "surfaces": []string{"B", "F"}, "kind": "caries", "status": "condition"}, []string{"surfaces[1]"}},
		{"condition planned", map[string]any{"tooth": "30", "kind": "caries", "status": "planned"}, []string{"status"}},
		{"existing extraction", map[string]any{"tooth": "30", "kind": "extraction", "status": "existing"}, []string{"status"}},
		{"unknown kind and status", map[string]any{"tooth": "30", "kind": "cavity", "status": "done"}, []string{"kind", "status"}},
		{"supersedes another patient's entry", map[string]any{"tooth": "3", "kind": "caries", "status": "condition", "supersedes": elsewhere.ID}, []string{"supersedes"}},
		{"supersedes nothing", map[string]any{"tooth": "3", "kind": "caries", "status": "condition", "supersedes": ids.New()}, []string{"supersedes"}},
		{"unknown field", map[string]any{"tooth": "3", "kind": "caries", "status": "condition", "color": "red"}, []string{"color"}},
		{"wrong type", map[string]any{"tooth": 3, "kind": "caries", "status": "condition"}, []string{"tooth"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apitest.Case{Method: "POST", Path: entriesPath(p), Body: c.body, Status: 400, Want: apitest.Error("invalid", c.fields...)}.Send(t, dentist)
		})
	}
	if got := mustChart(t, dentist, p, "?history=true"); len(got.Entries) != 0 {
		t.Fatalf("refused entries were stored: %v", entryIDs(got))
	}
}

func TestSupersessionThroughTheAPI(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	caries := mustEntry(t, dentist, p, map[string]any{"tooth": "30", "surfaces": []string{"O", "B"}, "kind": "caries", "status": "condition"})
	e.Clock.Advance(time.Minute)
	planned := mustEntry(t, dentist, p, map[string]any{"tooth": "30", "surfaces": []string{"F", "O"}, "kind": "filling", "status": "planned", "code": "D2392"})
	if got := entryIDs(mustChart(t, dentist, p, "")); !slices.Equal(got, []string{caries.ID, planned.ID}) {
		t.Fatalf("after planning: %v, want the caries and the plan", got)
	}
	e.Clock.Advance(time.Minute)
	done := mustEntry(t, dentist, p, map[string]any{"tooth": "30", "surfaces": []string{"B", "O"}, "kind": "filling", "status": "completed", "code": "D2392"})
	if got := entryIDs(mustChart(t, dentist, p, "")); !slices.Equal(got, []string{done.ID}) {
		t.Fatalf("after completing: %v, want the filling alone", got)
	}
	// A wrong tooth corrected by naming the entry.
	e.Clock.Advance(time.Minute)
	wrong := mustEntry(t, dentist, p, map[string]any{"tooth": "19", "kind": "crown", "status": "existing"})
	e.Clock.Advance(time.Minute)
	right := mustEntry(t, dentist, p, map[string]any{"tooth": "18", "kind": "crown", "status": "existing", "supersedes": wrong.ID})
	if right.Supersedes == nil || *right.Supersedes != wrong.ID {
		t.Fatalf("supersedes = %v", right.Supersedes)
	}
	hist := mustChart(t, dentist, p, "?history=true")
	by := map[string]string{}
	for _, x := range hist.Entries {
		if x.SupersededBy != nil {
			by[x.ID] = *x.SupersededBy
		}
	}
	want := map[string]string{caries.ID: done.ID, planned.ID: done.ID, wrong.ID: right.ID}
	if len(by) != len(want) || by[caries.ID] != done.ID || by[planned.ID] != done.ID || by[wrong.ID] != right.ID {
		t.Fatalf("supersededBy %v, want %v", by, want)
	}
	if got := entryIDs(hist); !slices.Equal(got, []string{caries.ID, planned.ID, done.ID, wrong.ID, right.ID}) {
		t.Fatalf("history %v: want every entry in recording order", got)
	}
}

// Entries at t1, t2, t3: the chart as of any instant between shows what
// had been recorded by then, and a date is the end of that day in the
// clinic's zone (America/New_York by default), not in UTC.
func TestChartAsOf(t *testing.T) {
	e := clinicaltest.New(t)
	// 23:57 in New York on 14 January is 04:57 UTC on the 15th. (Steps
	// stay shorter than an access token's life.)
	t1 := time.Date(2026, 1, 15, 4, 57, 0, 0, time.UTC)
	e.Clock.Set(t1)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	first := mustEntry(t, dentist, p, map[string]any{"tooth": "14", "surfaces": []string{"O"}, "kind": "caries", "status": "condition"})
	e.Clock.Advance(2 * time.Minute) // 23:59 New York
	second := mustEntry(t, dentist, p, map[string]any{"tooth": "14", "surfaces": []string{"O"}, "kind": "filling", "status": "completed"})
	e.Clock.Advance(2 * time.Minute) // 00:01 on the 15th in New York
	third := mustEntry(t, dentist, p, map[string]any{"tooth": "3", "kind": "crown", "status": "existing"})
	t2, t3 := t1.Add(2*time.Minute), t1.Add(4*time.Minute)

	cases := []struct {
		name    string
		query   string
		current []string
		history []string
	}{
		{"before t1", "?asOf=" + t1.Add(-time.Second).Format(time.RFC3339), []string{}, []string{}},
		{"at t1 exactly", "?asOf=" + t1.Format(time.RFC3339), []string{first.ID}, []string{first.ID}},
		{"between t2 and t3", "?asOf=" + t2.Add(time.Second).Format(time.RFC3339), []string{second.ID}, []string{first.ID, second.ID}},
		{"an offset instant", "?asOf=" + url.QueryEscape(t2.In(time.FixedZone("", 2*3600)).Format(time.RFC3339)), []string{second.ID}, []string{first.ID, second.ID}},
		{"after t3", "?asOf=" + t3.Format(time.RFC3339Nano), []string{second.ID, third.ID}, []string{first.ID, second.ID, third.ID}},
		{"the 14th in New York", "?asOf=2026-01-14", []string{second.ID}, []string{first.ID, second.ID}},
		{"the 13th", "?asOf=2026-01-13", []string{}, []string{}},
		{"the 15th", "?asOf=2026-01-15", []string{second.ID, third.ID}, []string{first.ID, second.ID, third.ID}},
		{"now", "", []string{second.ID, third.ID}, []string{first.ID, second.ID, third.ID}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sep := "?"
			if c.query != "" {
				sep = "&"
			}
			if got := entryIDs(mustChart(t, dentist, p, c.query)); !slices.Equal(got, c.current) {
				t.Fatalf("in effect %v, want %v", got, c.current)
			}
			if got := entryIDs(mustChart(t, dentist, p, c.query+sep+"history=true")); !slices.Equal(got, c.history) {
				t.Fatalf("history %v, want %v", got, c.history)
			}
		})
	}
	got := mustChart(t, dentist, p, "?asOf=2026-01-14")
	if want := time.Date(2026, 1, 15, 4, 59, 59, 999e6, time.UTC); got.AsOf == nil || !got.AsOf.Equal(want) {
		t.Fatalf("asOf %v, want the end of the 14th in New York, %v", got.AsOf, want)
	}
	for _, bad := range []string{"?asOf=yesterday", "?asOf=2026-02-30", "?asOf=2026-1-5", "?history=yes"} {
		field := "asOf"
		if bad == "?history=yes" {
			field = "history"
		}
		apitest.Case{Method: "GET", Path: chartPath(p) + bad, Status: 400, Want: apitest.Error("invalid", field)}.Send(t, dentist)
	}
}

func TestChartAnswersTheClinicNumbering(t *testing.T) {
	e := clinicaltest.New(t)
	settings := identity.DefaultSettings()
	settings.ToothNumbering = "fdi"
	if _, err := e.Users.UpdateClinic(context.Background(), e.Clinic.ID, nil, settings); err != nil {
		t.Fatal(err)
	}
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	mustEntry(t, dentist, p, map[string]any{"tooth": "K", "kind": "caries", "status": "condition", "surfaces": []string{"O"}})
	apitest.Case{Method: "GET", Path: chartPath(p), Status: 200,
		Want: map[string]any{"numbering": "fdi", "entries": []any{map[string]any{"tooth": "K", "fdi": "75"}}}}.Send(t, dentist)
}

func TestMissingToothRefusesRestorations(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	missing := mustEntry(t, dentist, p, map[string]any{"tooth": "32", "kind": "missing", "status": "condition"})
	mustEntry(t, dentist, p, map[string]any{"tooth": "19", "kind": "extraction", "status": "completed"})
	mustEntry(t, dentist, p, map[string]any{"tooth": "14", "kind": "extraction", "status": "planned"})
	cases := []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"filling on a missing tooth", map[string]any{"tooth": "32", "surfaces": []string{"O"}, "kind": "filling", "status": "completed"}, 422},
		{"crown on an extracted tooth (by FDI)", map[string]any{"fdi": "36", "kind": "crown", "status": "planned"}, 422},
		{"sealant", map[string]any{"tooth": "32", "surfaces": []string{"O"}, "kind": "sealant", "status": "existing"}, 422},
		{"root canal", map[string]any{"tooth": "19", "kind": "root_canal", "status": "completed"}, 422},
		{"veneer", map[string]any{"tooth": "19", "surfaces": []string{"B"}, "kind": "veneer", "status": "planned"}, 422},
		{"crown on a tooth only planned for extraction", map[string]any{"tooth": "14", "kind": "crown", "status": "planned"}, 201},
		{"a bridge pontic", map[string]any{"tooth": "19", "kind": "bridge", "status": "planned"}, 201},
		{"an implant", map[string]any{"tooth": "32", "kind": "implant", "status": "planned"}, 201},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := apitest.Case{Method: "POST", Path: entriesPath(p), Body: c.body, Status: c.status}.Send(t, dentist)
			if c.status == 422 {
				if got := r.Error(t); got.Code != string(errs.Unprocessable) || !bytes.Contains(r.Body, []byte("tooth")) {
					t.Fatalf("error %+v: want unprocessable naming the tooth", got)
				}
			}
		})
	}
	r := apitest.Case{Method: "POST", Path: entriesPath(p), Body: map[string]any{"tooth": "32", "surfaces": []string{"O"}, "kind": "filling", "status": "existing"}, Status: 422}.Send(t, dentist)
	if msg := r.Error(t).Message; !bytes.Contains([]byte(msg), []byte("tooth 32 (FDI 48)")) {
		t.Fatalf("message %q does not name the tooth", msg)
	}
	// The refusal is in the trail as denied.
	denied := 0
	for _, rec := range e.AuditRecords(t, e.Clinic.ID, auditFilter(p.ID)) {
		if rec.Action == "chart.write" && rec.Outcome == "denied" {
			denied++
		}
	}
	if denied != 6 {
		t.Fatalf("%d denied chart writes in the trail, want 6", denied)
	}
	// Charted missing by mistake: correcting that entry lets the tooth be
	// restored.
	mustEntry(t, dentist, p, map[string]any{"tooth": "32", "surfaces": []string{"O"}, "kind": "filling", "status": "existing", "supersedes": missing.ID})
}

func TestTenancyAndRoles(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	foreign := e.MustPatient(t, e.Other.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	x := mustExam(t, dentist, p, exam3)
	theirs := e.SignIn(t, e.Other.ID, identity.RoleDentist, "")
	theirExam := mustExam(t, theirs, foreign, exam3)
	entry := map[string]any{"tooth": "3", "kind": "caries", "status": "condition"}
	cases := []apitest.Case{
		{Name: "another clinic's patient chart", Method: "GET", Path: chartPath(foreign), Status: 404},
		{Name: "charting another clinic's patient", Method: "POST", Path: entriesPath(foreign), Body: entry, Status: 404},
		{Name: "another clinic's perio list", Method: "GET", Path: examsPath(foreign), Status: 404},
		{Name: "an exam for another clinic's patient", Method: "POST", Path: examsPath(foreign), Body: exam3, Status: 404},
		{Name: "another clinic's exam", Method: "GET", Path: "/api/perio-exams/" + theirExam.ID, Status: 404},
		{Name: "comparing with another clinic's exam", Method: "GET", Path: "/api/perio-exams/" + x.ID + "?compare=" + theirExam.ID, Status: 400,
			Want: apitest.Error("invalid", "compare")},
		{Name: "a garbage exam id", Method: "GET", Path: "/api/perio-exams/nope", Status: 404},
		{Name: "a patient that does not exist", Method: "GET", Path: "/api/patients/" + ids.New() + "/chart", Status: 404},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { c.Send(t, dentist) })
	}
	for _, role := range []string{"receptionist"} {
		t.Run(role, func(t *testing.T) {
			c := e.Staff(t, role)
			for _, cs := range []apitest.Case{
				{Method: "GET", Path: chartPath(p), Status: 403},
				{Method: "POST", Path: entriesPath(p), Body: entry, Status: 403},
				{Method: "GET", Path: examsPath(p), Status: 403},
				{Method: "POST", Path: examsPath(p), Body: exam3, Status: 403},
				{Method: "GET", Path: "/api/perio-exams/" + x.ID, Status: 403},
			} {
				cs.Send(t, c)
			}
		})
	}
	t.Run("the patient themself", func(t *testing.T) {
		portal := e.PortalOf(t, p)
		apitest.Case{Method: "GET", Path: chartPath(p), Status: 403}.Send(t, portal)
		apitest.Case{Method: "GET", Path: "/api/perio-exams/" + x.ID, Status: 403}.Send(t, portal)
	})
	for _, role := range []string{"admin", "hygienist", "assistant"} {
		t.Run(role+" charts", func(t *testing.T) {
			c := e.Staff(t, role)
			mustEntry(t, c, p, entry)
			mustChart(t, c, p, "")
			mustExam(t, c, p, exam3)
		})
	}
	if got := mustChart(t, theirs, foreign, ""); len(got.Entries) != 0 {
		t.Fatalf("the other clinic sees %d entries", len(got.Entries))
	}
}

func TestNoteSealedAtRest(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	const note = "Pt reports sensitivity to cold on the lower left"
	x := mustEntry(t, dentist, p, map[string]any{"tooth": "19", "surfaces": []string{"O"}, "kind": "caries", "status": "condition", "note": note})
	docs := e.RawDocs(t, "chart_entries", bson.D{{Key: "_id", Value: x.ID}})
	if len(docs) != 1 {
		t.Fatalf("%d stored documents", len(docs))
	}
	if bytes.Contains(docs[0], []byte("sensitivity")) {
		t.Fatal("the stored entry holds its note in plain text")
	}
	if _, _, ok := docs[0].Lookup("note", "c").BinaryOK(); !ok {
		t.Fatalf("note is not stored sealed: %v", docs[0].Lookup("note"))
	}
	if got := mustChart(t, dentist, p, ""); got.Entries[0].Note != note {
		t.Fatalf("note read back as %q", got.Entries[0].Note)
	}
}

func TestAuditTrail(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	before := len(e.Actions(t, e.Clinic.ID, p.ID))
	mustEntry(t, dentist, p, map[string]any{"tooth": "3", "kind": "caries", "status": "condition", "note": "deep"})
	mustChart(t, dentist, p, "?history=true")
	x := mustExam(t, dentist, p, exam3)
	dentist.MustDo(t, "GET", examsPath(p), nil, 200)
	dentist.MustDo(t, "GET", "/api/perio-exams/"+x.ID, nil, 200)
	got := e.Actions(t, e.Clinic.ID, p.ID)[before:]
	want := []string{"chart.write", "chart.read", "perio.write", "perio.read", "perio.read"}
	if !slices.Equal(got, want) {
		t.Fatalf("actions %v, want %v", got, want)
	}
	for _, rec := range e.AuditRecords(t, e.Clinic.ID, auditFilter(p.ID)) {
		if bytes.Contains([]byte(rec.Detail), []byte("deep")) || bytes.Contains([]byte(rec.Detail), []byte("caries")) {
			t.Fatalf("trail detail %q carries health data", rec.Detail)
		}
	}
}

// Concurrent appends to one chart each claim their own place: all are
// stored, none lost, and a missing tooth charted in the race is never
// overtaken by a restoration judged against the chart before it.
func TestConcurrentAppends(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	dentist := e.Staff(t, "dentist")
	teeth := []string{"2", "3", "4", "5", "12", "13", "14", "15"}
	var wg sync.WaitGroup
	status := make([]int, len(teeth))
	for i, tooth := range teeth {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status[i] = dentist.Do(t, "POST", entriesPath(p), map[string]any{"tooth": tooth, "kind": "caries", "status": "condition", "surfaces": []string{"M"}}).Status
		}()
	}
	wg.Wait()
	for i, s := range status {
		if s != 201 {
			t.Fatalf("append %d: %d", i, s)
		}
	}
	if got := mustChart(t, dentist, p, ""); len(got.Entries) != len(teeth) {
		t.Fatalf("%d entries in effect, want %d", len(got.Entries), len(teeth))
	}
	seqs := map[int64]bool{}
	for _, d := range e.RawDocs(t, "chart_entries", bson.D{{Key: "patientId", Value: p.ID}}) {
		seqs[d.Lookup("seq").Int64()] = true
	}
	if len(seqs) != len(teeth) {
		t.Fatalf("places %v: want one per entry", seqs)
	}
}

func TestAppendIsIdempotent(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	provider := e.User(t, "dentist")
	s := chart.NewStore(e.Mongo, e.Clock, e.Seal)
	ctx := context.Background()
	in := chart.Entry{ID: ids.New(), PatientID: p.ID, Tooth: "30", Surfaces: []string{"M", "O", "D"}, Kind: "crown", Status: "completed",
		Code: "D2740", ProviderID: provider.ID, RecordedBy: provider.ID, Note: "zirconia"}
	first, err := s.Append(ctx, e.Clinic.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Hour)
	again, err := s.Append(ctx, e.Clinic.ID, in)
	if err != nil {
		t.Fatalf("retried append: %v", err)
	}
	if again.ID != first.ID || !again.RecordedAt.Equal(first.RecordedAt) || again.Note != "zirconia" {
		t.Fatalf("retry answered %+v, want the stored %+v", again, first)
	}
	if n := len(e.RawDocs(t, "chart_entries", bson.D{{Key: "patientId", Value: p.ID}})); n != 1 {
		t.Fatalf("%d entries stored, want 1", n)
	}
	// Racing retries store once too.
	racer := in
	racer.ID = ids.New()
	var wg sync.WaitGroup
	errsOf := make([]error, 6)
	for i := range errsOf {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errsOf[i] = s.Append(ctx, e.Clinic.ID, racer)
		}()
	}
	wg.Wait()
	for _, err := range errsOf {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.RawDocs(t, "chart_entries", bson.D{{Key: "_id", Value: racer.ID}})); n != 1 {
		t.Fatalf("%d copies of a raced append", n)
	}
	// Append judges what it stores.
	_, err = s.Append(ctx, e.Clinic.ID, chart.Entry{PatientID: p.ID, Tooth: "8", Surfaces: []string{"O"}, Kind: "filling", Status: "completed"})
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("occlusal filling on an incisor: %v", err)
	}
	if _, err := s.Append(ctx, e.Clinic.ID, chart.Entry{PatientID: p.ID, Tooth: "31", Kind: "missing", Status: "condition"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Append(ctx, e.Clinic.ID, chart.Entry{PatientID: p.ID, Tooth: "31", Kind: "root_canal", Status: "completed"})
	if !errs.Is(err, errs.Unprocessable) {
		t.Fatalf("root canal on a missing tooth: %v", err)
	}
}

func TestSeed(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	provider := e.User(t, "dentist")
	s := chart.NewStore(e.Mongo, e.Clock, e.Seal)
	for range 2 {
		if err := chart.Seed(context.Background(), s, e.Clinic.ID, p.ID, provider.ID, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	dentist := e.Staff(t, "dentist")
	got := mustChart(t, dentist, p, "")
	if len(got.Entries) != 8 {
		t.Fatalf("%d entries in effect, want the 8 seeded once", len(got.Entries))
	}
	var list struct {
		Items []struct {
			Summary struct {
				Teeth, BleedingSites, DeepSites int
			} `json:"summary"`
		} `json:"items"`
	}
	dentist.MustJSON(t, "GET", examsPath(p), nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].Summary.DeepSites != 3 || list.Items[0].Summary.BleedingSites < 3 || list.Items[0].Summary.Teeth != 28 {
		t.Fatalf("seeded exams %+v", list.Items)
	}
	// The missing 32 holds: a filling there is refused.
	apitest.Case{Method: "POST", Path: entriesPath(p), Body: map[string]any{"tooth": "32", "surfaces": []string{"O"}, "kind": "filling", "status": "planned"}, Status: 422}.Send(t, dentist)
}
