package plans_test

import (
	"context"
	"fmt"
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
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

// newEnv is the harness with the sample fee schedule in Clinic.
func newEnv(t *testing.T) *clinicaltest.Env {
	t.Helper()
	e := clinicaltest.New(t)
	if err := plans.Seed(context.Background(), e.Mongo, e.Clock, e.Clinic.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

type item = map[string]any

// mustPlan creates a draft plan for patientID as cl.
func mustPlan(t *testing.T, cl *apitest.Client, patientID string, body map[string]any) plans.Plan {
	t.Helper()
	if body["title"] == nil {
		body["title"] = "Restore upper right"
	}
	var out plans.Plan
	cl.MustJSON(t, "POST", "/api/patients/"+patientID+"/treatment-plans", body, http.StatusCreated, &out)
	return out
}

func planPath(id string, action ...string) string {
	return strings.Join(append([]string{"/api/treatment-plans/" + id}, action...), "/")
}

func mustDo(t *testing.T, cl *apitest.Client, method, path string, body any) plans.Plan {
	t.Helper()
	var out plans.Plan
	cl.MustJSON(t, method, path, body, http.StatusOK, &out)
	return out
}

func codes(t *testing.T, cl *apitest.Client, query string) []plans.Code {
	t.Helper()
	var out struct{ Items []plans.Code }
	cl.MustJSON(t, "GET", "/api/procedure-codes"+query, nil, http.StatusOK, &out)
	return out.Items
}

func codeNames(cs []plans.Code) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

func TestProcedureCodes(t *testing.T) {
	e := newEnv(t)
	admin, dentist := e.Staff(t, "admin"), e.Staff(t, "dentist")

	all := codes(t, e.Staff(t, "receptionist"), "")
	if len(all) < 20 || !slices.IsSortedFunc(all, func(a, b plans.Code) int { return strings.Compare(a.Code, b.Code) }) {
		t.Fatalf("seeded schedule: %d codes %v, want about 20 sorted by code", len(all), codeNames(all))
	}
	for _, c := range all {
		if !c.Active || c.ID == "" {
			t.Errorf("seeded code %+v: want an active code with an id", c)
		}
	}
	if got := codeNames(codes(t, dentist, "?q=fil-c")); !slices.Equal(got, []string{"FIL-C1", "FIL-C2", "FIL-C3"}) {
		t.Errorf("?q=fil-c: %v", got)
	}
	if got := codeNames(codes(t, dentist, "?q=root+canal&category=endo")); !slices.Equal(got, []string{"END-ANT", "END-MOL"}) {
		t.Errorf("?q=root canal&category=endo: %v", got)
	}

	apitest.Case{Method: "POST", Path: "/api/procedure-codes", Status: 201,
		Body: map[string]any{"code": "WHT-1", "description": "In-office whitening", "category": "basic", "feeCents": 45000},
		Want: map[string]any{"id": apitest.Present, "code": "WHT-1", "description": "In-office whitening", "category": "basic", "feeCents": 45000, "active": true},
	}.Send(t, admin)
	cases := []struct {
		name   string
		body   any
		status int
		fields []string
	}{
		{"duplicate code in another case", map[string]any{"code": "wht-1", "description": "Again", "category": "basic", "feeCents": 1}, 409, nil},
		{"every field bad", map[string]any{"code": "TOO-LONG-CODE-XYZ", "description": " ", "category": "cosmetic", "feeCents": 10_000_001}, 400,
			[]string{"code", "description", "category", "feeCents"}},
		{"code with a space, fee missing", map[string]any{"code": "A B", "description": "x", "category": "basic"}, 400, []string{"code", "feeCents"}},
		{"negative fee", map[string]any{"code": "NEG", "description": "x", "category": "basic", "feeCents": -1}, 400, []string{"feeCents"}},
		{"unknown chart kind", map[string]any{"code": "CK", "description": "x", "category": "basic", "feeCents": 1, "chartKind": "bleach"}, 400, []string{"chartKind"}},
		{"unknown field", map[string]any{"code": "UF", "description": "x", "category": "basic", "feeCents": 1, "price": 3}, 400, []string{"price"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code := map[int]string{400: "invalid", 409: "conflict"}[c.status]
			apitest.Case{Method: "POST", Path: "/api/procedure-codes", Body: c.body, Status: c.status, Want: apitest.Error(code, c.fields...)}.Send(t, admin)
		})
	}
	t.Run("only an admin writes the schedule", func(t *testing.T) {
		for _, role := range []string{"dentist", "hygienist", "assistant", "receptionist"} {
			apitest.Case{Method: "POST", Path: "/api/procedure-codes", Status: 403,
				Body: map[string]any{"code": "R-" + role[:3], "description": "x", "category": "basic", "feeCents": 1}}.Send(t, e.Staff(t, role))
		}
	})
	t.Run("a patient reads no fee schedule", func(t *testing.T) {
		p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
		apitest.Case{Method: "GET", Path: "/api/procedure-codes", Status: 403}.Send(t, e.PortalOf(t, p))
	})
	t.Run("another clinic's schedule is its own", func(t *testing.T) {
		other := e.SignIn(t, e.Other.ID, identity.RoleAdmin, "")
		if got := codes(t, other, ""); len(got) != 0 {
			t.Fatalf("other clinic sees %v", codeNames(got))
		}
		apitest.Case{Method: "POST", Path: "/api/procedure-codes", Status: 201,
			Body: map[string]any{"code": "WHT-1", "description": "Theirs", "category": "basic", "feeCents": 1}}.Send(t, other)
	})
	t.Run("bad filters", func(t *testing.T) {
		apitest.Case{Method: "GET", Path: "/api/procedure-codes?category=cosmetic", Status: 400, Want: apitest.Error("invalid", "category")}.Send(t, dentist)
	})
}

func importCSV(t *testing.T, cl *apitest.Client, body string) apitest.Response {
	t.Helper()
	return cl.Do(t, "POST", "/api/procedure-codes/import", body, "Content-Type", "text/csv; charset=utf-8")
}

func TestImportCodes(t *testing.T) {
	e := newEnv(t)
	admin := e.Staff(t, "admin")
	before := codes(t, admin, "")

	good := "\uFEFFcode,description,category,feeCents\r\n" +
		`NEW-1,"Night guard, hard acrylic",prosth,45000` + "\r\n" +
		"\r\n" + // a blank line is no row
		`FIL-C1,"Composite filling, one surface ""front""",basic,17500` + "\r\n"
	r := importCSV(t, admin, good)
	if r.Status != 200 || apitest.Diff(map[string]any{"created": 1, "updated": 1}, r.JSON(t)) != "" {
		t.Fatalf("good import: %d %s", r.Status, r.Body)
	}
	after := codes(t, admin, "")
	if len(after) != len(before)+1 {
		t.Fatalf("after import %d codes, want %d", len(after), len(before)+1)
	}
	byCode := func(cs []plans.Code, code string) plans.Code {
		i := slices.IndexFunc(cs, func(c plans.Code) bool { return c.Code == code })
		if i < 0 {
			t.Fatalf("no code %s", code)
		}
		return cs[i]
	}
	fil := byCode(after, "FIL-C1")
	if fil.FeeCents != 17500 || fil.Description != `Composite filling, one surface "front"` || fil.ID != byCode(before, "FIL-C1").ID {
		t.Errorf("updated FIL-C1 = %+v: want the new fee and description under the same id", fil)
	}
	if n := byCode(after, "NEW-1"); n.Description != "Night guard, hard acrylic" || n.Category != "prosth" {
		t.Errorf("created NEW-1 = %+v", n)
	}

	t.Run("re-import updates", func(t *testing.T) {
		r := importCSV(t, admin, "code,description,category,feeCents,chartKind\nNEW-1,Night guard,prosth,47000,procedure\n")
		if r.Status != 200 || apitest.Diff(map[string]any{"created": 0, "updated": 1}, r.JSON(t)) != "" {
			t.Fatalf("re-import: %d %s", r.Status, r.Body)
		}
		if got := byCode(codes(t, admin, ""), "NEW-1"); got.FeeCents != 47000 || got.ChartKind != "procedure" {
			t.Errorf("NEW-1 after re-import = %+v", got)
		}
	})

	bad := []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"bad lines reported by number", "code,description,category,feeCents\n" +
			"OK-1,Fine,basic,100\n" +
			"BAD 1,Fine,cosmetic,100\n" +
			"OK-2,Fine,basic,100\n" +
			"OK-3,Fine,basic,ten\n" +
			"OK-1,Again,basic,100\n" +
			"SHORT,row\n", 400, []string{"line 3", "line 5", "line 6", "line 7"}},
		{"wrong header", "code,name,category,fee\nA,B,basic,1\n", 400, []string{"line 1"}},
		{"empty file", "", 400, []string{"line 1"}},
		{"header only", "code,description,category,feeCents\n", 400, []string{"line 2"}},
		{"broken quote", "code,description,category,feeCents\nOK-9,Fine,basic,1\nQ-1,\"open,basic,1\n", 400, []string{"line 3"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			r := importCSV(t, admin, c.body)
			if r.Status != c.status {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if d := apitest.Diff(apitest.Error("invalid", c.fields...), r.JSON(t)); d != "" {
				t.Fatalf("fields (-want +got):\n%s", d)
			}
			if got := codes(t, admin, "?q=ok-"); len(got) != 0 {
				t.Fatalf("a failed import wrote %v", codeNames(got))
			}
		})
	}
	t.Run("category message names the choices", func(t *testing.T) {
		r := importCSV(t, admin, "code,description,category,feeCents\nX-1,x,basic,1\nX-2,x,cosmetic,1\n")
		f := r.Error(t).Fields
		if len(f) != 1 || f[0].Field != "line 3" || !strings.HasPrefix(f[0].Message, "category must be one of diagnostic, preventive") {
			t.Fatalf("fields %+v", f)
		}
	})
	t.Run("not csv is 415", func(t *testing.T) {
		r := admin.Do(t, "POST", "/api/procedure-codes/import", map[string]any{"code": "X"})
		if r.Status != 415 {
			t.Fatalf("status %d", r.Status)
		}
	})
	t.Run("over 1 MiB is 413", func(t *testing.T) {
		body := "code,description,category,feeCents\n" + strings.Repeat("X-1,"+strings.Repeat("d", 190)+",basic,1\n", 6000)
		if r := importCSV(t, admin, body); r.Status != 413 {
			t.Fatalf("status %d", r.Status)
		}
	})
	t.Run("over 5000 rows is 400", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("code,description,category,feeCents\n")
		for i := range 5001 {
			fmt.Fprintf(&b, "R-%d,d,basic,1\n", i)
		}
		r := importCSV(t, admin, b.String())
		if r.Status != 400 || !strings.Contains(r.Error(t).Fields[0].Message, "5000") {
			t.Fatalf("status %d: %.300s", r.Status, r.Body)
		}
	})
	t.Run("only an admin imports", func(t *testing.T) {
		if r := importCSV(t, e.Staff(t, "dentist"), good); r.Status != 403 {
			t.Fatalf("status %d", r.Status)
		}
	})
}

func TestCreatePlan(t *testing.T) {
	e := newEnv(t)
	dentist := e.Staff(t, "dentist")
	pt := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	path := "/api/patients/" + pt.ID + "/treatment-plans"

	got := mustPlan(t, dentist, pt.ID, map[string]any{"title": " Upper right ", "notes": "see x-rays", "items": []item{
		{"code": "fil-c2", "tooth": "3", "surfaces": []string{"o", "M"}, "priority": 1},
		{"code": "CRN-ZR", "tooth": "j", "phase": 2},
		{"code": "PRV-CLN"},
	}})
	want := map[string]any{
		"patientId": pt.ID, "title": "Upper right", "status": "draft", "groupId": got.ID, "notes": "see x-rays",
		"totalCents": 20000 + 125000 + 10500, "estimate": nil, "estimateStatus": "not_estimated",
		"presentedAt": nil, "acceptance": nil, "rejectedAt": nil, "completedAt": nil, "version": 0,
		"createdBy": e.User(t, "dentist").ID,
		"items": []item{
			{"code": "FIL-C2", "description": "Composite filling, two surfaces", "category": "basic", "tooth": "3", "fdi": "16",
				"surfaces": []string{"M", "O"}, "feeCents": 20000, "priority": 1, "phase": 1, "status": "planned", "completedAt": nil},
			{"code": "CRN-ZR", "tooth": "J", "fdi": "65", "surfaces": []string{}, "feeCents": 125000, "priority": 3, "phase": 2},
			{"code": "PRV-CLN", "tooth": nil, "surfaces": []string{}, "feeCents": 10500},
		},
	}
	r := dentist.MustDo(t, "GET", planPath(got.ID), nil, 200)
	if d := apitest.Diff(want, r.JSON(t)); d != "" {
		t.Fatalf("plan (-want +got):\n%s", d)
	}

	t.Run("fee copied at creation", func(t *testing.T) {
		if r := importCSV(t, e.Staff(t, "admin"), "code,description,category,feeCents\nFIL-C2,Composite filling two surfaces,basic,99900\n"); r.Status != 200 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		if p := mustDo(t, dentist, "GET", planPath(got.ID), nil); p.Items[0].FeeCents != 20000 || p.TotalCents != 155500 {
			t.Errorf("existing plan moved with the schedule: %d, total %d", p.Items[0].FeeCents, p.TotalCents)
		}
		// An edit that keeps the item (by id, same code) keeps its fee; a new item is priced today.
		p := mustDo(t, dentist, "PATCH", planPath(got.ID), map[string]any{"items": []item{
			{"id": got.Items[0].ID, "code": "FIL-C2", "tooth": "3"}, {"code": "FIL-C2", "tooth": "14"}}})
		if p.Items[0].ID != got.Items[0].ID || p.Items[0].FeeCents != 20000 || p.Items[1].FeeCents != 99900 || p.TotalCents != 119900 {
			t.Errorf("after edit: %+v total %d", p.Items, p.TotalCents)
		}
	})

	bad := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"unknown code", map[string]any{"title": "x", "items": []item{{"code": "PRV-CLN"}, {"code": "NOPE"}}}, []string{"items[1].code"}},
		{"every item field", map[string]any{"title": "x", "items": []item{
			{"code": "", "tooth": "33", "surfaces": []string{"X"}, "priority": 6, "phase": 0}}},
			[]string{"items[0].code", "items[0].tooth", "items[0].surfaces", "items[0].priority", "items[0].phase"}},
		{"surfaces without a tooth", map[string]any{"title": "x", "items": []item{{"code": "FIL-C1", "surfaces": []string{"O"}}}}, []string{"items[0].surfaces"}},
		{"repeated surface", map[string]any{"title": "x", "items": []item{{"code": "FIL-C1", "tooth": "3", "surfaces": []string{"O", "o"}}}}, []string{"items[0].surfaces"}},
		{"leading zero tooth", map[string]any{"title": "x", "items": []item{{"code": "FIL-C1", "tooth": "03"}}}, []string{"items[0].tooth"}},
		{"no title", map[string]any{"title": " ", "items": []item{}}, []string{"title"}},
		{"item id on a new plan", map[string]any{"title": "x", "items": []item{{"id": got.Items[0].ID, "code": "FIL-C1"}}}, []string{"items[0].id"}},
		{"alternative to nothing", map[string]any{"title": "x", "alternativeTo": "64b000000000000000000000"}, []string{"alternativeTo"}},
		{"unknown field", map[string]any{"title": "x", "total": 1}, []string{"total"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			apitest.Case{Method: "POST", Path: path, Body: c.body, Status: 400, Want: apitest.Error("invalid", c.fields...)}.Send(t, dentist)
		})
	}
	t.Run("alternative to another patient's plan", func(t *testing.T) {
		other := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
		theirs := mustPlan(t, dentist, other.ID, map[string]any{})
		apitest.Case{Method: "POST", Path: path, Body: map[string]any{"title": "x", "alternativeTo": theirs.ID}, Status: 400,
			Want: apitest.Error("invalid", "alternativeTo")}.Send(t, dentist)
	})
	t.Run("who may create", func(t *testing.T) {
		for role, status := range map[string]int{"admin": 201, "hygienist": 201, "assistant": 403, "receptionist": 403} {
			apitest.Case{Method: "POST", Path: path, Body: map[string]any{"title": "x"}, Status: status}.Send(t, e.Staff(t, role))
		}
		apitest.Case{Method: "POST", Path: path, Body: map[string]any{"title": "x"}, Status: 403}.Send(t, e.PortalOf(t, pt))
		apitest.Case{Method: "POST", Path: path, Body: map[string]any{"title": "x"}, Status: 404}.Send(t, e.SignIn(t, e.Other.ID, identity.RoleDentist, ""))
	})
}

// presented is a presented plan of pt with one filling and one cleaning.
func presented(t *testing.T, cl *apitest.Client, patientID string, extra map[string]any) plans.Plan {
	t.Helper()
	body := map[string]any{"items": []item{{"code": "FIL-C1", "tooth": "30", "surfaces": []string{"O"}}, {"code": "PRV-CLN"}}}
	for k, v := range extra {
		body[k] = v
	}
	p := mustPlan(t, cl, patientID, body)
	return mustDo(t, cl, "POST", planPath(p.ID, "present"), nil)
}

func signature(pt patients.Patient) map[string]any {
	return map[string]any{"signature": pt.FirstName + " " + pt.LastName}
}

func TestAlternativesAndAcceptance(t *testing.T) {
	e := newEnv(t)
	dentist := e.Staff(t, "dentist")
	pt := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "José", LastName: "da Silva"})
	portal := e.PortalOf(t, pt)

	crown := presented(t, dentist, pt.ID, map[string]any{"title": "Crown"})
	implant := presented(t, dentist, pt.ID, map[string]any{"title": "Implant", "alternativeTo": crown.ID})
	draft := mustPlan(t, dentist, pt.ID, map[string]any{"title": "Bridge", "alternativeTo": implant.ID})
	unrelated := presented(t, dentist, pt.ID, map[string]any{"title": "Cleaning"})
	if implant.GroupID != crown.ID || draft.GroupID != crown.ID || unrelated.GroupID != unrelated.ID {
		t.Fatalf("groups: crown %s, implant %s, bridge %s, cleaning %s", crown.GroupID, implant.GroupID, draft.GroupID, unrelated.GroupID)
	}

	cases := []struct {
		name, signature string
	}{{"wrong person", "Maria Silva"}, {"first name only", "José"}, {"empty", "  "}}
	for _, c := range cases {
		t.Run("signature "+c.name, func(t *testing.T) {
			apitest.Case{Method: "POST", Path: planPath(implant.ID, "accept"), Body: map[string]any{"signature": c.signature}, Status: 400,
				Want: apitest.Error("invalid", "signature")}.Send(t, portal)
		})
	}
	apitest.Case{Method: "POST", Path: planPath(implant.ID, "accept"), Body: map[string]any{}, Status: 400, Want: apitest.Error("invalid", "signature")}.Send(t, portal)

	// Case, accents and spacing do not matter; the signature is kept as typed.
	got := portal.MustDo(t, "POST", planPath(implant.ID, "accept"), map[string]any{"signature": "  jose   DA silva "}, 200)
	pu := e.User(t, "dentist") // any user id differs from the portal's
	want := map[string]any{"status": "accepted", "acceptance": map[string]any{
		"signature": "jose   DA silva", "at": apitest.Present, "ip": portal.IP, "userAgent": apitest.Present, "role": "patient", "by": apitest.Present}}
	if d := apitest.Diff(want, got.JSON(t)); d != "" {
		t.Fatalf("accepted (-want +got):\n%s", d)
	}
	var acc plans.Plan
	got.Decode(t, &acc)
	if acc.Acceptance.By == pu.ID || acc.Acceptance.By == "" {
		t.Errorf("acceptance by %q, want the portal user", acc.Acceptance.By)
	}

	for _, sib := range []plans.Plan{crown, draft} {
		p := mustDo(t, dentist, "GET", planPath(sib.ID), nil)
		if p.Status != "rejected" || p.RejectedReason != plans.RejectedAlternative || p.RejectedAt == nil {
			t.Errorf("sibling %s: status %s reason %q", sib.Title, p.Status, p.RejectedReason)
		}
	}
	if p := mustDo(t, dentist, "GET", planPath(unrelated.ID), nil); p.Status != "presented" {
		t.Errorf("a plan of another group was touched: %s", p.Status)
	}
	apitest.Case{Method: "POST", Path: planPath(crown.ID, "accept"), Body: signature(pt), Status: 409}.Send(t, dentist)
	apitest.Case{Method: "POST", Path: planPath(implant.ID, "accept"), Body: signature(pt), Status: 409}.Send(t, portal)
	apitest.Case{Method: "POST", Path: "/api/patients/" + pt.ID + "/treatment-plans", Body: map[string]any{"title": "x", "alternativeTo": implant.ID},
		Status: 409}.Send(t, dentist)

	t.Run("the acceptance is immutable", func(t *testing.T) {
		e.Clock.Advance(time.Minute) // within the session
		mustDo(t, dentist, "POST", planPath(implant.ID, "items", implant.Items[0].ID, "complete"), nil)
		p := mustDo(t, dentist, "GET", planPath(implant.ID), nil)
		if *p.Acceptance != *acc.Acceptance {
			t.Fatalf("acceptance changed: %+v, was %+v", p.Acceptance, acc.Acceptance)
		}
	})
	t.Run("the front desk records an in-office acceptance", func(t *testing.T) {
		p := mustDo(t, e.Staff(t, "receptionist"), "POST", planPath(unrelated.ID, "accept"), signature(pt))
		if p.Acceptance.Role != "receptionist" || p.Acceptance.By != e.User(t, "receptionist").ID {
			t.Fatalf("acceptance %+v", p.Acceptance)
		}
	})
}

// Two options of one problem accepted at once: exactly one wins, the other
// is 409 and rejected, round after round.
func TestRacingAcceptance(t *testing.T) {
	e := newEnv(t)
	dentist, front := e.Staff(t, "dentist"), e.Staff(t, "receptionist")
	for round := range 5 {
		pt := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
		portal := e.PortalOf(t, pt)
		a := presented(t, dentist, pt.ID, nil)
		b := presented(t, dentist, pt.ID, map[string]any{"alternativeTo": a.ID})
		c := presented(t, dentist, pt.ID, map[string]any{"alternativeTo": a.ID})
		callers := []*apitest.Client{portal, front, dentist}
		var wg sync.WaitGroup
		statuses := make([]int, 3)
		for i, p := range []plans.Plan{a, b, c} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = callers[i].Do(t, "POST", planPath(p.ID, "accept"), signature(pt)).Status
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if !slices.Equal(statuses, []int{200, 409, 409}) {
			t.Fatalf("round %d: statuses %v, want one 200 and two 409", round, statuses)
		}
		var list struct{ Items []plans.Plan }
		dentist.MustJSON(t, "GET", "/api/patients/"+pt.ID+"/treatment-plans", nil, 200, &list)
		count := map[string]int{}
		for _, p := range list.Items {
			count[p.Status]++
		}
		if count["accepted"] != 1 || count["rejected"] != 2 {
			t.Fatalf("round %d: statuses after the race %v", round, count)
		}
	}
}

func TestPatientSeesOwnNonDraftPlans(t *testing.T) {
	e := newEnv(t)
	dentist := e.Staff(t, "dentist")
	pt := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	other := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	portal := e.PortalOf(t, pt)

	draft := mustPlan(t, dentist, pt.ID, map[string]any{"title": "Draft", "items": []item{{"code": "PRV-CLN"}}, "notes": "internal"})
	shown := presented(t, dentist, pt.ID, map[string]any{"notes": "clinician's note"})
	theirs := presented(t, dentist, other.ID, nil)

	var list struct{ Items []plans.Plan }
	portal.MustJSON(t, "GET", "/api/patients/"+pt.ID+"/treatment-plans", nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != shown.ID || list.Items[0].Notes != "" {
		t.Fatalf("portal list %+v: want the presented plan only, without the clinicians' notes", list.Items)
	}
	dentist.MustJSON(t, "GET", "/api/patients/"+pt.ID+"/treatment-plans", nil, 200, &list)
	if len(list.Items) != 2 || list.Items[0].ID != shown.ID || list.Items[1].ID != draft.ID {
		t.Fatalf("staff list: want both, newest first: %+v", list.Items)
	}

	cases := []apitest.Case{
		{Name: "own presented plan", Method: "GET", Path: planPath(shown.ID), Status: 200, Want: map[string]any{"notes": ""}},
		{Name: "own draft", Method: "GET", Path: planPath(draft.ID), Status: 404},
		{Name: "another patient's plan", Method: "GET", Path: planPath(theirs.ID), Status: 404},
		{Name: "another patient's list", Method: "GET", Path: "/api/patients/" + other.ID + "/treatment-plans", Status: 404},
		{Name: "accept another patient's plan", Method: "POST", Path: planPath(theirs.ID, "accept"), Body: signature(other), Status: 404},
		{Name: "reject another patient's plan", Method: "POST", Path: planPath(theirs.ID, "reject"), Status: 404},
		{Name: "accept own draft", Method: "POST", Path: planPath(draft.ID, "accept"), Body: signature(pt), Status: 404},
		{Name: "reject own draft", Method: "POST", Path: planPath(draft.ID, "reject"), Status: 404},
		{Name: "edit own plan", Method: "PATCH", Path: planPath(shown.ID), Body: map[string]any{"title": "mine"}, Status: 403},
		{Name: "present", Method: "POST", Path: planPath(draft.ID, "present"), Status: 403},
		{Name: "complete", Method: "POST", Path: planPath(shown.ID, "items", shown.Items[0].ID, "complete"), Status: 403},
		{Name: "garbage id", Method: "GET", Path: planPath("nope"), Status: 404},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { c.Send(t, portal) })
	}
	t.Run("reject own presented plan", func(t *testing.T) {
		p := mustDo(t, portal, "POST", planPath(shown.ID, "reject"), nil)
		if p.Status != "rejected" || p.RejectedReason != plans.RejectedDeclined {
			t.Fatalf("%s %s", p.Status, p.RejectedReason)
		}
	})
	t.Run("another clinic", func(t *testing.T) {
		them := e.SignIn(t, e.Other.ID, identity.RoleDentist, "")
		apitest.Case{Method: "GET", Path: planPath(draft.ID), Status: 404}.Send(t, them)
		apitest.Case{Method: "PATCH", Path: planPath(draft.ID), Body: map[string]any{"title": "x"}, Status: 404}.Send(t, them)
		apitest.Case{Method: "POST", Path: planPath(draft.ID, "present"), Status: 404}.Send(t, them)
		apitest.Case{Method: "GET", Path: "/api/patients/" + pt.ID + "/treatment-plans", Status: 404}.Send(t, them)
	})
	t.Run("the front desk does not discard a clinician's draft", func(t *testing.T) {
		apitest.Case{Method: "POST", Path: planPath(draft.ID, "reject"), Status: 403}.Send(t, e.Staff(t, "receptionist"))
		apitest.Case{Method: "PATCH", Path: planPath(draft.ID), Body: map[string]any{"title": "x"}, Status: 403}.Send(t, e.Staff(t, "receptionist"))
		apitest.Case{Method: "GET", Path: planPath(draft.ID), Status: 200}.Send(t, e.Staff(t, "assistant"))
	})
}

// Every action from every state: allowed, or 409.
func TestStateMachine(t *testing.T) {
	e := newEnv(t)
	dentist := e.Staff(t, "dentist")
	pt := e.MustPatient(t, e.Clinic.ID, patients.Patient{})

	// reach drives a new plan of two items to state.
	reach := func(t *testing.T, state string) plans.Plan {
		t.Helper()
		p := mustPlan(t, dentist, pt.ID, map[string]any{"items": []item{{"code": "FIL-C1", "tooth": "3"}, {"code": "PRV-CLN"}}})
		step := func(path string, body any) { p = mustDo(t, dentist, "POST", path, body) }
		switch state {
		case "draft":
		case "rejected":
			step(planPath(p.ID, "reject"), nil)
		default:
			step(planPath(p.ID, "present"), nil)
			if state == "presented" {
				break
			}
			step(planPath(p.ID, "accept"), signature(pt))
			if state == "accepted" {
				break
			}
			step(planPath(p.ID, "items", p.Items[0].ID, "complete"), nil)
			if state == "in_progress" {
				break
			}
			step(planPath(p.ID, "items", p.Items[1].ID, "complete"), nil)
		}
		if p.Status != state {
			t.Fatalf("reached %s, want %s", p.Status, state)
		}
		return p
	}
	// action is what each action does: its request and the status it
	// leaves the plan in when allowed.
	type action struct {
		name   string
		send   func(p plans.Plan) (method, path string, body any)
		result string
	}
	actions := []action{
		{"patch", func(p plans.Plan) (string, string, any) {
			return "PATCH", planPath(p.ID), map[string]any{"title": "Renamed"}
		}, ""},
		{"present", func(p plans.Plan) (string, string, any) { return "POST", planPath(p.ID, "present"), nil }, "presented"},
		{"accept", func(p plans.Plan) (string, string, any) { return "POST", planPath(p.ID, "accept"), signature(pt) }, "accepted"},
		{"reject", func(p plans.Plan) (string, string, any) { return "POST", planPath(p.ID, "reject"), nil }, "rejected"},
		{"complete", func(p plans.Plan) (string, string, any) {
			for _, it := range p.Items {
				if it.Status == "planned" {
					return "POST", planPath(p.ID, "items", it.ID, "complete"), nil
				}
			}
			return "POST", planPath(p.ID, "items", p.Items[1].ID, "complete"), nil
		}, ""},
	}
	allowed := map[string]map[string]string{
		"draft":       {"patch": "draft", "present": "presented", "reject": "rejected"},
		"presented":   {"accept": "accepted", "reject": "rejected"},
		"accepted":    {"complete": "in_progress"},
		"in_progress": {"complete": "completed"},
		"rejected":    {},
		"completed":   {},
	}
	for _, state := range []string{"draft", "presented", "accepted", "in_progress", "rejected", "completed"} {
		for _, a := range actions {
			t.Run(state+"/"+a.name, func(t *testing.T) {
				p := reach(t, state)
				method, path, body := a.send(p)
				next, ok := allowed[state][a.name]
				if !ok {
					apitest.Case{Method: method, Path: path, Body: body, Status: 409, Want: apitest.Error("conflict")}.Send(t, dentist)
					if got := mustDo(t, dentist, "GET", planPath(p.ID), nil); got.Status != state || got.Version != p.Version {
						t.Fatalf("a refused %s moved the plan to %s (v%d, was v%d)", a.name, got.Status, got.Version, p.Version)
					}
					return
				}
				got := mustDo(t, dentist, method, path, body)
				if got.Status != next || got.Version != p.Version+1 {
					t.Fatalf("%s from %s: %s v%d, want %s v%d", a.name, state, got.Status, got.Version, next, p.Version+1)
				}
			})
		}
	}
	t.Run("an empty plan is not presented", func(t *testing.T) {
		p := mustPlan(t, dentist, pt.ID, map[string]any{})
		apitest.Case{Method: "POST", Path: planPath(p.ID, "present"), Status: 422}.Send(t, dentist)
	})
	t.Run("an edit from a stale copy", func(t *testing.T) {
		p := mustPlan(t, dentist, pt.ID, map[string]any{})
		mustDo(t, dentist, "PATCH", planPath(p.ID), map[string]any{"title": "One", "version": 0})
		apitest.Case{Method: "PATCH", Path: planPath(p.ID), Body: map[string]any{"title": "Two", "version": 0}, Status: 409}.Send(t, dentist)
		apitest.Case{Method: "PATCH", Path: planPath(p.ID), Body: map[string]any{}, Status: 400}.Send(t, dentist)
	})
	t.Run("a missing item", func(t *testing.T) {
		p := reach(t, "accepted")
		apitest.Case{Method: "POST", Path: planPath(p.ID, "items", "64b000000000000000000000", "complete"), Status: 404}.Send(t, dentist)
	})
}

func TestCompletionPostsOneChargePerItem(t *testing.T) {
	e := newEnv(t)
	hyg := e.Staff(t, "hygienist")
	pt := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	p := presented(t, hyg, pt.ID, nil)
	p = mustDo(t, hyg, "POST", planPath(p.ID, "accept"), signature(pt))

	first := mustDo(t, hyg, "POST", planPath(p.ID, "items", p.Items[0].ID, "complete"), nil)
	if first.Status != "in_progress" || first.Items[0].Status != "completed" || first.Items[0].CompletedAt == nil || first.Items[1].Status != "planned" {
		t.Fatalf("after the first item: %+v", first)
	}
	apitest.Case{Method: "POST", Path: planPath(p.ID, "items", p.Items[0].ID, "complete"), Status: 409}.Send(t, hyg)
	last := mustDo(t, hyg, "POST", planPath(p.ID, "items", p.Items[1].ID, "complete"), nil)
	if last.Status != "completed" || last.CompletedAt == nil {
		t.Fatalf("after the last item: %s", last.Status)
	}
	events := e.RawDocs(t, "charge_events", bson.D{{Key: "planId", Value: p.ID}})
	if len(events) != 2 {
		t.Fatalf("%d charge events, want 2", len(events))
	}
	for i, ev := range events {
		var got plans.ChargeEvent
		if err := bson.Unmarshal(ev, &got); err != nil {
			t.Fatal(err)
		}
		it := p.Items[slices.IndexFunc(p.Items, func(x plans.Item) bool { return x.ID == got.ItemID })]
		if got.Status != "pending" || got.ClinicID != e.Clinic.ID || got.PatientID != pt.ID || got.AmountCents != it.FeeCents ||
			got.Code != it.Code || got.ProviderID != e.User(t, "hygienist").ID {
			t.Errorf("event %d: %+v", i, got)
		}
	}
}

func TestNotesSealedAtRest(t *testing.T) {
	e := newEnv(t)
	dentist := e.Staff(t, "dentist")
	pt := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	const secret = "Patient anxious about needles; consider nitrous"
	p := mustPlan(t, dentist, pt.ID, map[string]any{"notes": secret})
	const edited = "Discussed sedation options at length"
	mustDo(t, dentist, "PATCH", planPath(p.ID), map[string]any{"notes": edited})
	docs := e.RawDocs(t, "treatment_plans", bson.D{{Key: "_id", Value: p.ID}})
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	raw := string(docs[0])
	for _, plain := range []string{secret, edited, "needles", "sedation"} {
		if strings.Contains(raw, plain) {
			t.Errorf("stored plan holds %q in plaintext", plain)
		}
	}
	if got := mustDo(t, dentist, "GET", planPath(p.ID), nil); got.Notes != edited {
		t.Errorf("notes read back %q", got.Notes)
	}
	for _, r := range e.AuditRecords(t, e.Clinic.ID, audit.Filter{PatientID: pt.ID}) {
		if strings.Contains(r.Detail, "sedation") || strings.Contains(r.Detail, "needles") {
			t.Errorf("trail detail %q carries the notes", r.Detail)
		}
	}
}

func TestEveryReadAndWriteIsAudited(t *testing.T) {
	e := newEnv(t)
	dentist := e.Staff(t, "dentist")
	pt := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	a := mustPlan(t, dentist, pt.ID, map[string]any{"items": []item{{"code": "FIL-C1", "tooth": "3"}}})
	b := mustPlan(t, dentist, pt.ID, map[string]any{"items": []item{{"code": "CRN-ZR", "tooth": "3"}}, "alternativeTo": a.ID})
	mustDo(t, dentist, "PATCH", planPath(a.ID), map[string]any{"title": "Filling"})
	mustDo(t, dentist, "GET", planPath(a.ID), nil)
	dentist.MustDo(t, "GET", "/api/patients/"+pt.ID+"/treatment-plans", nil, 200)
	mustDo(t, dentist, "POST", planPath(a.ID, "present"), nil)
	mustDo(t, dentist, "POST", planPath(a.ID, "accept"), signature(pt))
	mustDo(t, dentist, "POST", planPath(a.ID, "items", a.Items[0].ID, "complete"), nil)
	apitest.Case{Method: "POST", Path: planPath(b.ID, "present"), Status: 409}.Send(t, dentist)

	want := []string{"plan.write", "plan.write", "plan.write", "plan.read", "plan.read", "plan.present",
		"plan.accept", "plan.reject", "plan.item.complete"}
	if got := e.Actions(t, e.Clinic.ID, pt.ID); !slices.Equal(got, want) {
		t.Fatalf("trail of the patient:\n got %v\nwant %v", got, want)
	}
	admin := e.Staff(t, "admin")
	admin.MustDo(t, "POST", "/api/procedure-codes", map[string]any{"code": "AU-1", "description": "x", "category": "basic", "feeCents": 1}, 201)
	if r := importCSV(t, admin, "code,description,category,feeCents\nAU-2,x,basic,1\n"); r.Status != 200 {
		t.Fatal(r.Status)
	}
	for _, action := range []string{"procedure_code.write", "procedure_code.import"} {
		if recs := e.AuditRecords(t, e.Clinic.ID, audit.Filter{Action: action}); len(recs) != 1 || recs[0].ActorID != e.User(t, "admin").ID {
			t.Errorf("%s: %d records", action, len(recs))
		}
	}
}
