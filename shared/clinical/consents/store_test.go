package consents

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// A patient's consents are one find on the index that leads with the
// clinic and the patient; a signature reads and writes by _id only (the
// only filter FerretDB serves without decoding the whole collection).
func TestListIsOneIndexedQuery(t *testing.T) {
	m, cmds := storetest.NewMonitoredMongo(t)
	m.SignCursorsWith(store.CursorKeys{Active: "t", Keys: map[string][]byte{"t": []byte("test-cursor-key-of-32-bytes-long")}})
	c := clock.NewFake(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	s := newConsentStore(m, c)
	ctx := context.Background()
	clinic, patient := ids.New(), ids.New()
	var sent []string
	for i := range 4 {
		rec := consentRecord{ID: ids.New(), PatientID: patient, Status: StatusPending, SentAt: c.Now().Add(time.Duration(i) * time.Minute), Version: 1}
		if i == 3 {
			rec.PatientID = ids.New()
		} else {
			sent = append(sent, rec.ID)
		}
		if err := s.Insert(ctx, clinic, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.c.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	cmds.Take()
	page, err := s.List(ctx, clinic, patient, store.PageRequest{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if got := cmds.Take(); len(got) != 1 || got[0].Name != "find" {
		t.Fatalf("commands %v, want one find", got)
	}
	var got []string
	for _, rec := range page.Items {
		got = append(got, rec.ID)
	}
	slices.Reverse(sent)
	if !slices.Equal(got, sent) {
		t.Fatalf("list %v, want newest first %v", got, sent)
	}
	db, err := m.Database()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := db.Collection("consents").Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var indexes []bson.M
	if err := cur.All(ctx, &indexes); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(indexes, func(ix bson.M) bool { return ix["name"] == "clinicId_1_patientId_1_sentAt_1__id_1" }) {
		t.Fatalf("no (clinicId, patientId, sentAt) index in %v", indexes)
	}

	_, won, err := s.Sign(ctx, clinic, sent[0], 1, Signature{Name: "A B", SignedAt: c.Now()})
	if err != nil || !won {
		t.Fatalf("sign: %v %v", won, err)
	}
	storetest.OnlyByID(t, cmds.Take())
	if _, won, err := s.Sign(ctx, clinic, sent[0], 1, Signature{Name: "A B", SignedAt: c.Now()}); err != nil || won {
		t.Fatalf("a second signature of version 1: won %v, %v", won, err)
	}
}
