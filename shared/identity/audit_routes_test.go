package identity_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
)

type trailRecord struct {
	Seq                                                         int64
	Action, Outcome, ActorID, ActorRole, PatientID, Detail, KID string
	RequestID                                                   string
}

// Reading the trail is on the trail: a listing as audit.read with its
// filters (and the patient whose trail it was), a check as audit.verify
// with its result, which names the first record that does not check out.
func TestReadingTheAuditTrailIsAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, au := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	patient, stranger := ids.New(), ids.New()
	var page struct{ Items []trailRecord }
	admin.MustJSON(t, "GET", "/api/audit-logs?patientId="+patient+"&userId="+stranger+"&action=patient.read&from=2026-01-01T00:00:00Z", nil, 200, &page)
	if len(page.Items) != 0 {
		t.Fatalf("filtered listing %+v", page.Items)
	}
	admin.MustJSON(t, "GET", "/api/audit-logs?userId="+au.ID, nil, 200, &page)
	if len(page.Items) < 2 {
		t.Fatalf("admin's own records %+v", page.Items)
	}
	read := page.Items[0] // newest first: the first listing
	if read.Action != "audit.read" || read.ActorID != au.ID || read.ActorRole != "admin" || read.Outcome != "success" || read.PatientID != patient ||
		read.Detail != "filters: patientId="+patient+",userId="+stranger+",action=patient.read,from=2026-01-01T00:00:00Z; results: 0" ||
		read.RequestID == "" || read.KID != "a1" {
		t.Fatalf("audit.read record %+v", read)
	}

	var v struct {
		OK          bool
		Checked     int64
		BrokenAtSeq int64
	}
	admin.MustJSON(t, "GET", "/api/audit-logs?verify=true", nil, 200, &v)
	if !v.OK {
		t.Fatalf("verify %+v", v)
	}
	verified := trailOf(t, admin, au.ID, "audit.verify")
	if len(verified) != 1 || verified[0].Detail != "ok; checked: "+itoa(v.Checked) || verified[0].ActorID != au.ID {
		t.Fatalf("audit.verify records %+v after %+v", verified, v)
	}

	// Someone with database access edits a record: the check names it.
	m := e.fe.Mongo(t)
	db, err := m.Database()
	if err != nil {
		t.Fatal(err)
	}
	edited := read.Seq
	res, err := db.Collection("audit_logs").UpdateOne(context.Background(), bson.D{{Key: "clinicId", Value: e.clinic.ID}, {Key: "seq", Value: edited}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "actorId", Value: "someone-else"}}}})
	if err != nil || res.ModifiedCount != 1 {
		t.Fatalf("edit record %d: %v %+v", edited, err, res)
	}
	admin.MustJSON(t, "GET", "/api/audit-logs?verify=true", nil, 200, &v)
	if v.OK || v.BrokenAtSeq != edited || v.Checked != edited-1 {
		t.Fatalf("after editing record %d: %+v", edited, v)
	}
	verified = trailOf(t, admin, au.ID, "audit.verify")
	if len(verified) != 2 || !strings.HasPrefix(verified[0].Detail, "broken at seq "+itoa(edited)+" (") {
		t.Fatalf("audit.verify records %+v", verified)
	}

	// Other staff cannot read the trail at all, and the refusal is on it.
	desk, du := e.signedIn(t, e.clinic.ID, identity.RoleReceptionist)
	desk.MustDo(t, "GET", "/api/audit-logs", nil, 403)
	if denied := trailOf(t, admin, du.ID, "authz.denied"); len(denied) != 1 {
		t.Fatalf("refusal records %+v", denied)
	}
}

// trailOf is userID's records of action, newest first, as admin lists them.
func trailOf(t *testing.T, admin *apitest.Client, userID, action string) []trailRecord {
	t.Helper()
	var page struct{ Items []trailRecord }
	admin.MustJSON(t, "GET", "/api/audit-logs?userId="+userID+"&action="+action, nil, 200, &page)
	return page.Items
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
