package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// plainSHA256 is the unkeyed chain hash as anyone can compute it from the
// stored fields: the length-prefixed encoding of the first version of the
// trail, with no secret in it. It is written out here, not taken from the
// package, because it is the attacker's tool.
func plainSHA256(r audit.Record) string {
	h := sha256.New()
	h.Write([]byte("topsmile.audit.v1"))
	str := func(h hash.Hash, s string) { num(h, int64(len(s))); h.Write([]byte(s)) }
	for _, s := range []string{r.PrevHash, r.ID, r.ClinicID} {
		str(h, s)
	}
	num(h, r.Seq)
	for _, s := range []string{r.ActorID, r.ActorRole, r.Action, r.Resource, r.PatientID, r.RequestID, r.IP, string(r.Outcome), r.Detail} {
		str(h, s)
	}
	num(h, r.At.UnixMilli())
	return hex.EncodeToString(h.Sum(nil))
}

func num(h hash.Hash, n int64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

// rechainFrom is the attack on an unkeyed chain by someone with write access
// to the database and none to the configuration: edit record seq, then
// recompute every hash from there to the end, each record linking to the
// recomputed one before it, and point the head at the new tip. With plain
// SHA-256 the forged chain checks out; keyed, it does not.
func (e *testEnv) rechainFrom(tb testing.TB, clinicID string, seq int64, edit func(r *audit.Record), keepKID bool) {
	tb.Helper()
	ctx := context.Background()
	c := e.raw(tb)
	var all []audit.Record
	cur, err := c.Find(ctx, bson.D{{Key: "clinicId", Value: clinicID}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := cur.All(ctx, &all); err != nil {
		tb.Fatal(err)
	}
	bySeq := map[int64]audit.Record{}
	var last int64
	for _, r := range all {
		bySeq[r.Seq] = r
		last = max(last, r.Seq)
	}
	prev := bySeq[seq-1].Hash
	for s := seq; s <= last; s++ {
		r := bySeq[s]
		if s == seq {
			edit(&r)
		}
		var raw bson.M
		if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&raw); err != nil {
			tb.Fatal(err)
		}
		r.PrevHash = prev
		r.Hash = plainSHA256(r)
		prev = r.Hash
		doc, err := bson.Marshal(r)
		if err != nil {
			tb.Fatal(err)
		}
		var replacement bson.M
		_ = bson.Unmarshal(doc, &replacement)
		if keepKID && raw["kid"] != nil {
			replacement["kid"] = raw["kid"]
		} else {
			delete(replacement, "kid")
		}
		if _, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, replacement); err != nil {
			tb.Fatal(err)
		}
	}
	db, _ := e.m.Database()
	if _, err := db.Collection("audit_heads").UpdateOne(ctx, bson.D{{Key: "_id", Value: clinicID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: last}, {Key: "tip", Value: audit.Tip(last, prev)}}}}); err != nil {
		tb.Fatal(err)
	}
}

// Issue 9, defect 3: with database write access and nothing else, an edited
// record re-chained forward used to verify ok. Whether the forger keeps the
// records' key ids or strips them (posing as records from before the trail
// was keyed), Verify names the edited record.
func TestVerifyDetectsAnEditRechainedForward(t *testing.T) {
	for _, tc := range []struct {
		name    string
		keepKID bool
	}{{"key ids kept", true}, {"key ids stripped", false}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			clinic := ids.New()
			e.mustChain(t, clinic, 6)
			e.rechainFrom(t, clinic, 3, func(r *audit.Record) { r.ActorID, r.Detail = "someone-else", "nothing to see" }, tc.keepKID)
			for _, batch := range []int{500, 2} {
				e.log.SetBatchSize(batch)
				v := mustVerify(t, e.log, clinic)
				if v.OK || v.BrokenAtSeq != 3 || v.Checked != 2 || v.Problem == "" {
					t.Fatalf("batch %d: %+v, want broken at 3 after 2 checked", batch, v)
				}
			}
		})
	}
}

// seedLegacy stores n unkeyed records for clinicID as the trail wrote them
// before it was keyed (plain SHA-256 chain, head with its tip).
func (e *testEnv) seedLegacy(tb testing.TB, clinicID string, n int) {
	tb.Helper()
	ctx := context.Background()
	prev := ""
	for seq := int64(1); seq <= int64(n); seq++ {
		r := audit.Record{ID: audit.RecordID(clinicID, seq), ClinicID: clinicID, Seq: seq, ActorID: "u1", ActorRole: "dentist",
			Action: "patient.read", Resource: "patients/p1", PatientID: "p1", Outcome: audit.Success, At: t0.Add(time.Duration(seq) * time.Second), PrevHash: prev}
		r.Hash = plainSHA256(r)
		prev = r.Hash
		if _, err := e.raw(tb).InsertOne(ctx, r); err != nil {
			tb.Fatal(err)
		}
	}
	db, _ := e.m.Database()
	if _, err := db.Collection("audit_heads").InsertOne(ctx, bson.D{{Key: "_id", Value: clinicID}, {Key: "clinicId", Value: clinicID},
		{Key: "seq", Value: int64(n)}, {Key: "tip", Value: audit.Tip(int64(n), prev)}}); err != nil {
		tb.Fatal(err)
	}
}

func TestRecordsCarryTheActiveKeyAndMAC(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	e.mustChain(t, clinic, 2)
	all := listAll(t, e.log, clinic, audit.Filter{}, 10)
	for _, r := range all {
		if r.KID != "k1" || len(r.Hash) != 64 || r.Hash == plainSHA256(r) || testKeys.Check(r, true) != "" {
			t.Errorf("record %d: kid %q hash %q", r.Seq, r.KID, r.Hash)
		}
	}
	var h struct{ Tip string }
	db, _ := e.m.Database()
	if err := db.Collection("audit_heads").FindOne(context.Background(), bson.D{{Key: "_id", Value: clinic}}).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if h.Tip != audit.Tip(2, all[0].Hash) {
		t.Fatalf("head tip %q, want record 2's MAC %q", h.Tip, all[0].Hash)
	}
}

func TestVerifyAcrossKeyRotation(t *testing.T) {
	k2 := "k2:" + otherKey
	k1 := "k1:" + storetest.TestKey
	wrong := "k1:" + otherKey // k1's name, another key
	for _, tc := range []struct {
		name    string
		keys    string // the verifier's AUDIT_KEYS (active: its first kid)
		active  string
		ok      bool
		broken  int64
		problem string
	}{
		{"both keys configured", k1 + "," + k2, "k2", true, 0, ""},
		{"old key still configured, no longer active", k2 + "," + k1, "k2", true, 0, ""},
		{"old key dropped: its records name an unknown key", k2, "k2", false, 1, "not in AUDIT_KEYS"},
		{"new key unknown to an old process", k1, "k1", false, 4, "not in AUDIT_KEYS"},
		{"wrong key under the old kid", wrong + "," + k2, "k2", false, 1, "MAC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			clinic := ids.New()
			e.log = audit.New(e.m, e.clock, mustKeys(k1, "k1"))
			e.mustChain(t, clinic, 3)
			// A new process after the rotation: k2 active, k1 kept.
			e.log = audit.New(e.m, e.clock, mustKeys(k1+","+k2, "k2"))
			e.mustChain(t, clinic, 3)
			kids := []string{}
			for _, r := range listAll(t, e.log, clinic, audit.Filter{}, 10) {
				kids = append(kids, r.KID)
			}
			if want := []string{"k2", "k2", "k2", "k1", "k1", "k1"}; !slices.Equal(kids, want) {
				t.Fatalf("kids newest first %v, want %v", kids, want)
			}
			v := mustVerify(t, audit.New(e.m, e.clock, mustKeys(tc.keys, tc.active)), clinic)
			if tc.ok {
				if v != (audit.Verification{OK: true, Checked: 6}) {
					t.Fatalf("%+v, want 6 checked", v)
				}
				return
			}
			if v.OK || v.BrokenAtSeq != tc.broken || v.Checked != tc.broken-1 || !strings.Contains(v.Problem, tc.problem) {
				t.Fatalf("%+v, want broken at %d (%s)", v, tc.broken, tc.problem)
			}
		})
	}
}

// Records from before the trail was keyed still verify, as long as they
// all come first; an unkeyed record after a keyed one is a forgery.
func TestUnkeyedRecordsOnlyBeforeKeyedOnes(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	clinic := ids.New()
	e.seedLegacy(t, clinic, 3)
	e.mustChain(t, clinic, 2) // a keyed process carries on from the old head
	all := listAll(t, e.log, clinic, audit.Filter{}, 10)
	if len(all) != 5 || all[0].KID != "k1" || all[1].KID != "k1" || all[2].KID != "" || all[1].PrevHash != all[2].Hash {
		t.Fatalf("records %+v", all)
	}
	if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: 5, Unkeyed: 3}) {
		t.Fatalf("legacy then keyed: %+v", v)
	}

	// An unkeyed record at the end, linked properly and hashed as the old
	// trail did: refused.
	r := all[0]
	r.ID, r.Seq, r.PrevHash, r.KID, r.Detail = audit.RecordID(clinic, 6), 6, r.Hash, "", "forged"
	r.Hash = plainSHA256(r)
	if _, err := e.raw(t).InsertOne(ctx, r); err != nil {
		t.Fatal(err)
	}
	v := mustVerify(t, e.log, clinic)
	if v.OK || v.BrokenAtSeq != 6 || v.Checked != 5 || v.Problem != "unkeyed record after keyed ones" {
		t.Fatalf("unkeyed after keyed: %+v", v)
	}
}

// What keying cannot stop, and Verify says: a chain rewritten whole, from
// record 1 on, as if it predated the keys. It checks out, reporting every
// record unkeyed, which a trail written since the keys came never is.
func TestAChainRewrittenWholeAsUnkeyedIsReported(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	e.mustChain(t, clinic, 4)
	e.rechainFrom(t, clinic, 1, func(r *audit.Record) { r.Detail = "rewritten" }, false)
	if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: 4, Unkeyed: 4}) {
		t.Fatalf("%+v, want ok with all 4 unkeyed", v)
	}
}

func TestLogWithoutKeysOnlyLists(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	e.mustChain(t, clinic, 1)
	l := audit.New(e.m, e.clock, nil)
	if err := l.Record(context.Background(), audit.Entry{ClinicID: clinic, Action: "patient.read", Outcome: audit.Success}); err == nil {
		t.Fatal("recorded without keys")
	}
	if _, err := l.Verify(context.Background(), clinic); err == nil {
		t.Fatal("verified without keys")
	}
	if got := listAll(t, l, clinic, audit.Filter{}, 10); len(got) != 1 {
		t.Fatalf("listed %d records", len(got))
	}
}

func TestNewKeysRefusesBadConfig(t *testing.T) {
	for _, cfg := range []audit.Config{
		{},
		{Keys: "k1:" + storetest.TestKey, ActiveKID: "k2"},
		{Keys: "k1:c2hvcnQ=", ActiveKID: "k1"},
		{Keys: storetest.TestKey, ActiveKID: "k1"},
	} {
		if _, err := audit.NewKeys(cfg); err == nil || strings.Contains(err.Error(), storetest.TestKey) {
			t.Errorf("NewKeys(%q, %q): %v", cfg.Keys, cfg.ActiveKID, err)
		}
	}
}
