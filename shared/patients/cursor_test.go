package patients_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

// A list cursor is opaque and signed: a forged one (the operator cursor
// that was a ReDoS on Atlas), a tampered one and one issued for another
// order or clinic are all 400 invalid naming cursor; the issued one pages.
func TestListCursorsAreSignedAndScoped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, first := range []string{"Ada", "Bea", "Cy"} {
		e.mustPatient(t, e.clinic.ID, patients.Patient{FirstName: first, LastName: "Cursor", Recall: patients.Recall{DueDate: "2026-01-0" + string(rune('1'+len(first)))}})
		e.mustPatient(t, e.other.ID, patients.Patient{FirstName: first, LastName: "Cursor"})
	}
	next := func(t *testing.T, c *apitest.Client, query string) string {
		t.Helper()
		var p page
		c.MustJSON(t, "GET", "/api/patients?limit=1&"+query, nil, 200, &p)
		if p.NextCursor == nil {
			t.Fatalf("%s: no next cursor", query)
		}
		return *p.NextCursor
	}
	desk := e.staff(t, identity.RoleReceptionist)
	rivalDesk, _ := e.signIn(t, e.other.ID, identity.RoleReceptionist, "")
	byName := next(t, desk, "q=cursor")
	raw, _ := bson.Marshal(bson.D{{Key: "v", Value: bson.D{{Key: "$regex", Value: "^(a|aa)+$|^j"}}}, {Key: "id", Value: "x"}})
	operator := base64.RawURLEncoding.EncodeToString(raw)
	sig := "" // the issued cursor's ".kid.mac"
	if i := strings.IndexByte(byName, '.'); i >= 0 {
		sig = byName[i:]
	}
	tampered := []byte(byName)
	tampered[2] ^= 1

	var cases []apitest.Case
	for name, cur := range map[string]string{
		"an unsigned operator":                     operator,
		"an operator under a real signature":       operator + sig,
		"a tampered cursor":                        string(tampered),
		"a cursor of the recall order":             next(t, desk, "recallDue=2026-12-31"),
		"another clinic's cursor of the same list": next(t, rivalDesk, "q=cursor"),
	} {
		cases = append(cases, apitest.Case{Name: name, As: string(identity.RoleReceptionist), Method: "GET",
			Path: "/api/patients?limit=1&q=cursor&cursor=" + url.QueryEscape(cur), Status: 400, Want: apitest.Error("invalid", "cursor")})
	}
	e.Run(t, cases)

	var p page
	desk.MustJSON(t, "GET", "/api/patients?limit=1&q=cursor&cursor="+url.QueryEscape(byName), nil, 200, &p)
	if got := names(p.Items); len(got) != 1 || got[0] != "Bea Cursor" {
		t.Fatalf("the issued cursor's page: %v", got)
	}
}
