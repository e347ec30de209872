package patients_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
)

// byIDs is the list path naming patients.
func byIDs(list ...string) string { return "/api/patients?ids=" + strings.Join(list, ",") }

// A screen names just the patients it shows: the caller's clinic's ones
// among the ids, archived ones too, each once, and the trail says which.
func TestListByIDsNamesOnlyThoseOfTheClinic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Ana", LastName: "Silva"})
	old := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Mary", LastName: "Jones", Status: patients.StatusArchived})
	e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Not", LastName: "Asked"})
	theirs := e.mustPatient(t, e.other.ID, patients.Patient{FirstName: "Bruno", LastName: "Elsewhere"})
	unknown := ids.New()

	var got page
	e.staff(t, identity.RoleAssistant).MustJSON(t, "GET", byIDs(ana.ID, theirs.ID, old.ID, unknown, ana.ID), nil, 200, &got)
	if n := names(got.Items); !slices.Equal(n, []string{"Mary Jones", "Ana Silva"}) || got.NextCursor != nil {
		t.Fatalf("ids list gave %v (next %v), want Mary Jones, Ana Silva", n, got.NextCursor)
	}
	if got.Items[0].Status != patients.StatusArchived || got.Items[0].ID != old.ID {
		t.Fatalf("archived patient summary: %+v", got.Items[0])
	}

	search := e.auditRecords(t, e.clinic.ID, audit.Filter{Action: "patient.search"})
	if len(search) != 1 || !slices.Equal(search[0].PatientIDs, []string{old.ID, ana.ID}) ||
		!strings.Contains(search[0].Detail, "filters: ids; results: 2") {
		t.Fatalf("search records %+v, want one naming %v", search, []string{old.ID, ana.ID})
	}
	if got := e.auditRecords(t, e.other.ID, audit.Filter{PatientID: theirs.ID}); len(got) != 0 {
		t.Fatalf("another clinic's patient is in its trail: %+v", got)
	}

	// A patient's list is still only their own record.
	pc, _ := e.signIn(t, e.clinic.ID, identity.RolePatient, ana.ID)
	var own page
	pc.MustJSON(t, "GET", byIDs(old.ID, ana.ID), nil, 200, &own)
	if n := names(own.Items); !slices.Equal(n, []string{"Ana Silva"}) {
		t.Fatalf("a patient's ids list gave %v", n)
	}
}

func TestListByIDsRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: "Ana", LastName: "Silva"})
	var distinct []string
	for range patients.MaxIDs {
		distinct = append(distinct, ids.New())
	}
	refused := func(name, path string) apitest.Case {
		return apitest.Case{Name: name, As: desk, Method: "GET", Path: path, Status: 400, Want: apitest.Error("invalid", "ids")}
	}
	cases := []apitest.Case{
		refused("not an id", byIDs(p.ID, "not-an-id")),
		refused("empty", byIDs()),
		refused("empty element", byIDs(p.ID, "", distinct[0])),
		refused("one over the limit", byIDs(append(slices.Clone(distinct), p.ID)...)),
		refused("with q", byIDs(p.ID)+"&q=ana"),
		refused("with status", byIDs(p.ID)+"&status=active"),
		refused("with familyOf", byIDs(p.ID)+"&familyOf="+p.ID),
		refused("with recallDue", byIDs(p.ID)+"&recallDue=2030-01-01"),
		refused("with cursor", byIDs(p.ID)+"&cursor=x"),
		refused("with limit", byIDs(p.ID)+"&limit=5"),
		// Duplicates do not count: the limit's worth of ids, some twice, is one list.
		{Name: "duplicates ignored", As: desk, Method: "GET", Path: byIDs(append(append(slices.Clone(distinct[:patients.MaxIDs-1]), p.ID), distinct[:50]...)...),
			Status: 200, Want: listOf("Ana Silva")},
	}
	e.Run(t, cases)
	if got := e.auditRecords(t, e.clinic.ID, audit.Filter{Action: "patient.search"}); len(got) != 1 {
		t.Fatalf("refused reads were audited as reads: %+v", got)
	}
}
