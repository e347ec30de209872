package audit_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

var t0 = time.Date(2025, 3, 9, 6, 59, 0, 0, time.UTC)

// testKeys are the trail's keys in these tests: k1, active, and k2.
var testKeys = mustKeys("k1:"+storetest.TestKey+",k2:"+otherKey, "k1")

// otherKey is a second 32-byte key, base64.
var otherKey = base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210"))

func mustKeys(keys, active string) *audit.Keys {
	k, err := audit.NewKeys(audit.Config{Keys: keys, ActiveKID: active})
	if err != nil {
		panic(err)
	}
	return k
}

type testEnv struct {
	m     *store.Mongo
	clock *clock.Fake
	log   *audit.Log
}

func newTestEnv(tb testing.TB) *testEnv {
	tb.Helper()
	m := storetest.NewMongo(tb)
	c := clock.NewFake(t0)
	return &testEnv{m: m, clock: c, log: audit.New(m, c, testKeys)}
}

// raw is the driver collection, for playing an attacker with database access.
func (e *testEnv) raw(tb testing.TB) *mongo.Collection {
	tb.Helper()
	db, err := e.m.Database()
	if err != nil {
		tb.Fatal(err)
	}
	return db.Collection("audit_logs")
}

func mustRecord(tb testing.TB, l *audit.Log, e audit.Entry) {
	tb.Helper()
	if err := l.Record(context.Background(), e); err != nil {
		tb.Fatalf("record %+v: %v", e, err)
	}
}

// mustChain records n entries in clinicID, a minute apart.
func (e *testEnv) mustChain(tb testing.TB, clinicID string, n int) {
	tb.Helper()
	for i := 1; i <= n; i++ {
		mustRecord(tb, e.log, audit.Entry{ClinicID: clinicID, ActorID: "u1", ActorRole: "dentist",
			Action: "patient.read", Resource: "patients/p1", PatientID: "p1", RequestID: fmt.Sprintf("req-%d", i),
			IP: "203.0.113.7", Outcome: audit.Success, Detail: fmt.Sprintf("entry %d", i)})
		e.clock.Advance(time.Minute)
	}
}

// listAll follows the cursors with pages of limit and returns every record.
func listAll(tb testing.TB, l *audit.Log, clinicID string, f audit.Filter, limit int) []audit.Record {
	tb.Helper()
	var out []audit.Record
	req := store.PageRequest{Limit: limit}
	for range 1000 {
		p, err := l.List(context.Background(), clinicID, f, req)
		if err != nil {
			tb.Fatalf("list: %v", err)
		}
		if len(p.Items) > limit {
			tb.Fatalf("page of %d items, limit %d", len(p.Items), limit)
		}
		out = append(out, p.Items...)
		if p.NextCursor == nil {
			return out
		}
		if len(p.Items) != limit {
			tb.Fatalf("short page of %d items (limit %d) has a next cursor", len(p.Items), limit)
		}
		req.Cursor = *p.NextCursor
	}
	tb.Fatal("list never ended")
	return nil
}

func seqs(rs []audit.Record) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.Seq
	}
	return out
}

func mustVerify(tb testing.TB, l *audit.Log, clinicID string) audit.Verification {
	tb.Helper()
	v, err := l.Verify(context.Background(), clinicID)
	if err != nil {
		tb.Fatalf("verify: %v", err)
	}
	return v
}

func TestListFiltersAndPaginatesNewestFirst(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	entries := []audit.Entry{
		{ActorID: "u1", ActorRole: "dentist", Action: "patient.read", PatientID: "p1", Resource: "patients/p1"},
		{ActorID: "u2", ActorRole: "hygienist", Action: "chart.write", PatientID: "p1", Resource: "patients/p1/chart"},
		{ActorID: "u1", ActorRole: "dentist", Action: "auth.login", Resource: "auth/login"},
		{ActorID: "u2", ActorRole: "hygienist", Action: "patient.read", PatientID: "p2", Resource: "patients/p2"},
		{ActorID: "u1", ActorRole: "dentist", Action: "chart.write", PatientID: "p2", Resource: "patients/p2/chart"},
		{Action: "auth.login", Resource: "auth/login", Outcome: audit.Failure, Detail: "bad password"},
		{ActorID: "u1", ActorRole: "dentist", Action: "patient.read", PatientID: "p1", Resource: "patients/p1"},
	}
	at := make([]time.Time, len(entries)+1) // at[seq]
	for i, en := range entries {
		en.ClinicID, en.RequestID, en.IP = clinic, fmt.Sprintf("req-%d", i+1), "198.51.100.4"
		if en.Outcome == "" {
			en.Outcome = audit.Success
		}
		at[i+1] = e.clock.Now()
		mustRecord(t, e.log, en)
		e.clock.Advance(time.Minute)
	}
	// Another clinic's records never show up.
	mustRecord(t, e.log, audit.Entry{ClinicID: ids.New(), ActorID: "u1", Action: "patient.read", PatientID: "p1", Outcome: audit.Success})

	cases := []struct {
		name  string
		f     audit.Filter
		limit int
		want  []int64
	}{
		{"everything in pages of 3", audit.Filter{}, 3, []int64{7, 6, 5, 4, 3, 2, 1}},
		{"everything in one page", audit.Filter{}, 50, []int64{7, 6, 5, 4, 3, 2, 1}},
		{"exactly one full page", audit.Filter{}, 7, []int64{7, 6, 5, 4, 3, 2, 1}},
		{"patient", audit.Filter{PatientID: "p1"}, 2, []int64{7, 2, 1}},
		{"actor", audit.Filter{ActorID: "u1"}, 2, []int64{7, 5, 3, 1}},
		{"action", audit.Filter{Action: "patient.read"}, 1, []int64{7, 4, 1}},
		{"actor and patient", audit.Filter{ActorID: "u1", PatientID: "p2"}, 2, []int64{5}},
		{"from inclusive, to exclusive", audit.Filter{From: at[3], To: at[6]}, 2, []int64{5, 4, 3}},
		{"from only", audit.Filter{From: at[6]}, 2, []int64{7, 6}},
		{"to only, in another zone", audit.Filter{To: at[3].In(time.FixedZone("EST", -5*3600))}, 2, []int64{2, 1}},
		{"action and time", audit.Filter{Action: "auth.login", From: at[4]}, 2, []int64{6}},
		{"no match", audit.Filter{PatientID: "nobody"}, 2, []int64{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := seqs(listAll(t, e.log, clinic, tc.f, tc.limit))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("seqs %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("records come back as stored", func(t *testing.T) {
		all := listAll(t, e.log, clinic, audit.Filter{}, 50)
		for i, r := range all {
			seq := int64(len(all) - i)
			en := entries[seq-1]
			if r.Seq != seq || r.ClinicID != clinic || r.ActorID != en.ActorID || r.ActorRole != en.ActorRole ||
				r.Action != en.Action || r.Resource != en.Resource || r.PatientID != en.PatientID ||
				r.RequestID != fmt.Sprintf("req-%d", seq) || r.IP != "198.51.100.4" || r.Detail != en.Detail ||
				!r.At.Equal(at[seq]) || r.ID != audit.RecordID(clinic, seq) || len(r.Hash) != 64 {
				t.Errorf("record %d = %+v, entry %+v", seq, r, en)
			}
			if i+1 < len(all) && r.PrevHash != all[i+1].Hash {
				t.Errorf("record %d prevHash %q, record %d hash %q", seq, r.PrevHash, seq-1, all[i+1].Hash)
			}
		}
		if first := all[len(all)-1]; first.PrevHash != "" {
			t.Errorf("first record links to %q", first.PrevHash)
		}
		if all[1].Outcome != audit.Failure || all[0].Outcome != audit.Success {
			t.Errorf("outcomes %q %q", all[1].Outcome, all[0].Outcome)
		}
	})

	t.Run("a forged cursor is refused", func(t *testing.T) {
		_, err := e.log.List(context.Background(), clinic, audit.Filter{}, store.PageRequest{Limit: 2, Cursor: "not-a-cursor"})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("err %v, want invalid", err)
		}
	})
}

func TestVerifyIntactChain(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true}) {
		t.Fatalf("empty chain: %+v", v)
	}
	e.mustChain(t, clinic, 9)
	if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: 9}) {
		t.Fatalf("intact chain: %+v", v)
	}
	// Batches that end exactly at, and just short of, the chain's end.
	for _, n := range []int{1, 2, 3, 4, 9, 10} {
		e.log.SetBatchSize(n)
		if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: 9}) {
			t.Fatalf("batch %d: %+v", n, v)
		}
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()
	set := func(seq int64, fields bson.D) func(t *testing.T, c *mongo.Collection, clinic string) {
		return func(t *testing.T, c *mongo.Collection, clinic string) {
			res, err := c.UpdateOne(ctx, bson.D{{Key: "clinicId", Value: clinic}, {Key: "seq", Value: seq}}, bson.D{{Key: "$set", Value: fields}})
			if err != nil || res.ModifiedCount != 1 {
				t.Fatalf("tamper with %d: %v %+v", seq, err, res)
			}
		}
	}
	del := func(seq int64) func(t *testing.T, c *mongo.Collection, clinic string) {
		return func(t *testing.T, c *mongo.Collection, clinic string) {
			res, err := c.DeleteOne(ctx, bson.D{{Key: "clinicId", Value: clinic}, {Key: "seq", Value: seq}})
			if err != nil || res.DeletedCount != 1 {
				t.Fatalf("delete %d: %v %+v", seq, err, res)
			}
		}
	}
	get := func(t *testing.T, c *mongo.Collection, clinic string, seq int64) audit.Record {
		var r audit.Record
		if err := c.FindOne(ctx, bson.D{{Key: "clinicId", Value: clinic}, {Key: "seq", Value: seq}}).Decode(&r); err != nil {
			t.Fatalf("read %d: %v", seq, err)
		}
		return r
	}
	const n = 6
	cases := []struct {
		name   string
		tamper func(t *testing.T, c *mongo.Collection, clinic string)
		broken int64
	}{
		{"detail edited", set(3, bson.D{{Key: "detail", Value: "nothing to see"}}), 3},
		{"actor edited", set(3, bson.D{{Key: "actorId", Value: "someone-else"}}), 3},
		{"patient edited", set(4, bson.D{{Key: "patientId", Value: "p2"}}), 4},
		{"outcome edited", set(2, bson.D{{Key: "outcome", Value: "denied"}}), 2},
		{"time edited by a second", set(5, bson.D{{Key: "at", Value: t0.Add(4*time.Minute + time.Second)}}), 5},
		{"id replaced", func(t *testing.T, c *mongo.Collection, clinic string) {
			r := get(t, c, clinic, 2)
			del(2)(t, c, clinic)
			r.ID = ids.New()
			if _, err := c.InsertOne(ctx, r); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"last record's hash edited", set(n, bson.D{{Key: "hash", Value: strings.Repeat("0", 64)}}), n},
		{"first record's link edited", set(1, bson.D{{Key: "prevHash", Value: strings.Repeat("a", 64)}}), 1},
		{"edited and rehashed without the key", func(t *testing.T, c *mongo.Collection, clinic string) {
			r := get(t, c, clinic, 3)
			r.Detail = "nothing to see"
			set(3, bson.D{{Key: "detail", Value: r.Detail}, {Key: "hash", Value: audit.LegacyHash(r)}})(t, c, clinic)
		}, 3},
		{"edited and rehashed as an unkeyed record", func(t *testing.T, c *mongo.Collection, clinic string) {
			r := get(t, c, clinic, 3)
			r.Detail, r.KID = "nothing to see", ""
			set(3, bson.D{{Key: "detail", Value: r.Detail}, {Key: "kid", Value: ""}, {Key: "hash", Value: audit.LegacyHash(r)}})(t, c, clinic)
		}, 3},
		{"edited and resealed under the key, later links not", func(t *testing.T, c *mongo.Collection, clinic string) {
			r := get(t, c, clinic, 3)
			r.Detail = "nothing to see"
			testKeys.Seal(&r)
			set(3, bson.D{{Key: "detail", Value: r.Detail}, {Key: "hash", Value: r.Hash}})(t, c, clinic)
		}, 4},
		{"kid changed to the other key", set(2, bson.D{{Key: "kid", Value: "k2"}}), 2},
		{"kid changed to an unknown key", set(2, bson.D{{Key: "kid", Value: "k9"}}), 2},
		{"patients added to a record", set(5, bson.D{{Key: "patientIds", Value: bson.A{"p9"}}}), 5},
		{"head's tip edited", func(t *testing.T, c *mongo.Collection, clinic string) {
			heads := c.Database().Collection("audit_heads")
			if _, err := heads.UpdateOne(ctx, bson.D{{Key: "_id", Value: clinic}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "tip", Value: audit.Tip(n, strings.Repeat("e", 64))}}}}); err != nil {
				t.Fatal(err)
			}
		}, n},
		{"middle record deleted", del(3), 3},
		{"first record deleted", del(1), 1},
		{"run of records longer than a window deleted", func(t *testing.T, c *mongo.Collection, clinic string) {
			for seq := int64(2); seq <= 5; seq++ {
				del(seq)(t, c, clinic)
			}
		}, 2},
		{"middle record deleted and later ones renumbered", func(t *testing.T, c *mongo.Collection, clinic string) {
			del(3)(t, c, clinic)
			for seq := int64(4); seq <= n; seq++ {
				set(seq, bson.D{{Key: "seq", Value: seq - 1}})(t, c, clinic)
			}
		}, 3},
		{"two records swapped", func(t *testing.T, c *mongo.Collection, clinic string) {
			set(2, bson.D{{Key: "seq", Value: int64(100)}})(t, c, clinic)
			set(3, bson.D{{Key: "seq", Value: int64(2)}})(t, c, clinic)
			set(100, bson.D{{Key: "seq", Value: int64(3)}})(t, c, clinic)
		}, 2},
		{"record moved to another clinic", set(4, bson.D{{Key: "clinicId", Value: ids.New()}}), 4},
		{"last record's seq bumped", set(n, bson.D{{Key: "seq", Value: int64(n + 1)}}), n},
		{"forged record appended", func(t *testing.T, c *mongo.Collection, clinic string) {
			r := get(t, c, clinic, n)
			r.ID, r.Seq, r.PrevHash, r.Detail = ids.New(), n+1, strings.Repeat("f", 64), "forged"
			r.Hash = audit.LegacyHash(r)
			if _, err := c.InsertOne(ctx, r); err != nil {
				t.Fatal(err)
			}
		}, n + 1},
		{"time made unreadable", set(4, bson.D{{Key: "at", Value: "yesterday"}}), 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			clinic, other := ids.New(), ids.New()
			e.mustChain(t, clinic, n)
			e.mustChain(t, other, 3)
			tc.tamper(t, e.raw(t), clinic)
			for _, batch := range []int{500, 2} {
				e.log.SetBatchSize(batch)
				v := mustVerify(t, e.log, clinic)
				if v.OK || v.BrokenAtSeq != tc.broken || v.Checked != tc.broken-1 || v.Problem == "" {
					t.Fatalf("batch %d: %+v, want broken at %d after %d checked", batch, v, tc.broken, tc.broken-1)
				}
			}
			// The other clinic's chain is untouched.
			if v := mustVerify(t, e.log, other); !v.OK || v.Checked != 3 {
				t.Fatalf("other clinic: %+v", v)
			}
		})
	}
}

// With the unique index gone (an attacker with admin rights), a second record
// with an already used seq would be skipped by the walk; Verify still finds it.
func TestVerifyDetectsRepeatedSeq(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		seq   int64
		batch int
	}{
		{"inside a batch", 2, 500},
		{"at a batch's end", 4, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			clinic := ids.New()
			e.mustChain(t, clinic, 6)
			c := e.raw(t)
			if _, err := c.Indexes().DropOne(ctx, "clinicId_1_seq_1"); err != nil {
				t.Fatalf("drop unique index: %v", err)
			}
			var r audit.Record
			if err := c.FindOne(ctx, bson.D{{Key: "clinicId", Value: clinic}, {Key: "seq", Value: tc.seq}}).Decode(&r); err != nil {
				t.Fatal(err)
			}
			r.ID, r.Detail = ids.New(), "forged twin"
			testKeys.Seal(&r) // even with the key in hand
			if _, err := c.InsertOne(ctx, r); err != nil {
				t.Fatalf("insert twin: %v", err)
			}
			e.log.SetBatchSize(tc.batch)
			if v := mustVerify(t, e.log, clinic); v.OK || v.Problem == "" {
				t.Fatalf("%+v, want a repeated seq reported", v)
			}
		})
	}
}

func TestUniqueIndexClaimsSeq(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	e.mustChain(t, clinic, 1)
	_, err := e.raw(t).InsertOne(context.Background(), bson.D{
		{Key: "_id", Value: ids.New()}, {Key: "clinicId", Value: clinic}, {Key: "seq", Value: int64(1)},
	})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("second record with seq 1: err %v, want duplicate key", err)
	}
	// The same seq in another clinic is fine.
	if _, err := e.raw(t).InsertOne(context.Background(), bson.D{
		{Key: "_id", Value: ids.New()}, {Key: "clinicId", Value: ids.New()}, {Key: "seq", Value: int64(1)},
	}); err != nil {
		t.Fatalf("seq 1 in another clinic: %v", err)
	}
}

// Many writers appending to one clinic at once: every record lands once, seqs
// run 1..n without gaps or repeats, and the chain verifies.
func TestConcurrentAppends(t *testing.T) {
	const writers, each = 16, 10
	cases := []struct {
		name string
		// logFor returns the Log writer i uses.
		logFor func(e *testEnv) func(i int) *audit.Log
		// maxShed is how many appends may give up with Unavailable.
		maxShed int
	}{
		// One process: its appends queue per clinic, so none gives up.
		{"one log", func(e *testEnv) func(int) *audit.Log { return func(int) *audit.Log { return e.log } }, 0},
		// As many processes (Lambda instances), kept apart only by the
		// unique index. Sixteen writers appending back to back outrun what
		// one clinic's chain takes on FerretDB, and the bounded retry then
		// sheds the odd append with Unavailable (about one run in five);
		// what must hold is that every append either lands once or reports
		// failure, and that losers mostly win on a retry.
		{"a log per writer", func(e *testEnv) func(int) *audit.Log {
			logs := make([]*audit.Log, writers)
			for i := range logs {
				logs[i] = audit.New(e.m, e.clock, testKeys)
			}
			return func(i int) *audit.Log { return logs[i] }
		}, writers * each / 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			clinic := ids.New()
			logFor := tc.logFor(e)
			if err := e.log.Record(context.Background(), audit.Entry{ClinicID: clinic, Action: "warm.up", Outcome: audit.Success}); err != nil {
				t.Fatal(err) // creates the indexes before the race
			}
			var tries atomic.Int64
			for i := range writers {
				logFor(i).SetBeforeInsert(func(string, int64) { tries.Add(1) })
			}
			var (
				wg     sync.WaitGroup
				mu     sync.Mutex
				landed = map[string]bool{"": true} // the warm-up
				shed   int
			)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := range each {
						e.clock.Advance(time.Millisecond)
						detail := fmt.Sprintf("w%d-%d", i, j)
						err := logFor(i).Record(context.Background(), audit.Entry{ClinicID: clinic, ActorID: fmt.Sprintf("u%d", i),
							Action: "patient.read", PatientID: "p1", Outcome: audit.Success, Detail: detail})
						mu.Lock()
						switch {
						case err == nil:
							landed[detail] = true
						case errs.Is(err, errs.Unavailable):
							shed++
						default:
							t.Errorf("record: %v", err)
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if shed > tc.maxShed {
				t.Errorf("%d appends gave up, at most %d may", shed, tc.maxShed)
			}
			all := listAll(t, e.log, clinic, audit.Filter{}, store.MaxLimit)
			total := len(landed)
			if len(all) != total {
				t.Fatalf("%d records stored, %d appends reported success", len(all), total)
			}
			for i, r := range all {
				if want := int64(total - i); r.Seq != want {
					t.Fatalf("record %d has seq %d, want %d", i, r.Seq, want)
				}
				if !landed[r.Detail] {
					t.Errorf("record %q stored twice or after its append failed", r.Detail)
				}
				delete(landed, r.Detail)
			}
			if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: int64(total)}) {
				t.Fatalf("verify %+v", v)
			}
			n, err := e.raw(t).CountDocuments(context.Background(), bson.D{{Key: "clinicId", Value: clinic}})
			if err != nil || n != int64(total) {
				t.Fatalf("stored %d (%v), want %d", n, err, total)
			}
			t.Logf("%d records, %d gave up, %d inserts tried", total-1, shed, tries.Load())
		})
	}
}

func TestLosingWriterRetries(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	rival := audit.New(e.m, e.clock, testKeys)
	e.mustChain(t, clinic, 2)
	calls := 0
	e.log.SetBeforeInsert(func(clinicID string, seq int64) {
		calls++
		if calls == 1 { // the rival takes seq 3 between our read and insert
			mustRecord(t, rival, audit.Entry{ClinicID: clinicID, ActorID: "rival", Action: "patient.read", Outcome: audit.Success})
		}
	})
	mustRecord(t, e.log, audit.Entry{ClinicID: clinic, ActorID: "us", Action: "chart.write", Outcome: audit.Success})
	if calls != 2 {
		t.Fatalf("%d insert attempts, want 2", calls)
	}
	all := listAll(t, e.log, clinic, audit.Filter{}, 10)
	if len(all) != 4 || all[0].ActorID != "us" || all[0].Seq != 4 || all[1].ActorID != "rival" || all[1].Seq != 3 {
		t.Fatalf("records %+v", all[:2])
	}
	if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: 4}) {
		t.Fatalf("verify %+v", v)
	}
}

func TestWriterThatAlwaysLosesGivesUp(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	rival := audit.New(e.m, e.clock, testKeys)
	calls := 0
	e.log.SetBeforeInsert(func(clinicID string, seq int64) {
		calls++
		mustRecord(t, rival, audit.Entry{ClinicID: clinicID, ActorID: "rival", Action: "patient.read", Outcome: audit.Success})
	})
	err := e.log.Record(context.Background(), audit.Entry{ClinicID: clinic, ActorID: "us", Action: "chart.write", Outcome: audit.Success})
	if !errs.Is(err, errs.Unavailable) {
		t.Fatalf("err %v, want unavailable", err)
	}
	if calls != audit.Attempts {
		t.Fatalf("%d attempts, want %d", calls, audit.Attempts)
	}
	if got := listAll(t, e.log, clinic, audit.Filter{ActorID: "us"}, 10); len(got) != 0 {
		t.Fatalf("the losing entry was stored: %+v", got)
	}
	if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: audit.Attempts}) {
		t.Fatalf("verify %+v", v)
	}
}

func TestClinicsHaveIndependentChains(t *testing.T) {
	e := newTestEnv(t)
	a, b := ids.New(), ids.New()
	var wg sync.WaitGroup
	for _, clinic := range []string{a, b, a, b, audit.SystemClinic} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				mustRecord(t, e.log, audit.Entry{ClinicID: clinic, Action: "auth.login", Outcome: audit.Failure, Detail: fmt.Sprintf("%s-%d", clinic, i)})
			}
		}()
	}
	wg.Wait()
	for _, tc := range []struct {
		clinic string
		n      int
	}{{a, 10}, {b, 10}, {audit.SystemClinic, 5}} {
		all := listAll(t, e.log, tc.clinic, audit.Filter{}, 50)
		if len(all) != tc.n || all[0].Seq != int64(tc.n) || all[len(all)-1].Seq != 1 || all[len(all)-1].PrevHash != "" {
			t.Fatalf("clinic %s: seqs %v", tc.clinic, seqs(all))
		}
		for _, r := range all {
			if r.ClinicID != tc.clinic || !strings.HasPrefix(r.Detail, tc.clinic+"-") {
				t.Fatalf("clinic %s lists %+v", tc.clinic, r)
			}
		}
		if v := mustVerify(t, e.log, tc.clinic); v != (audit.Verification{OK: true, Checked: int64(tc.n)}) {
			t.Fatalf("clinic %s: %+v", tc.clinic, v)
		}
	}
	// Breaking b's chain leaves a's intact.
	if _, err := e.raw(t).DeleteOne(context.Background(), bson.D{{Key: "clinicId", Value: b}, {Key: "seq", Value: int64(5)}}); err != nil {
		t.Fatal(err)
	}
	if v := mustVerify(t, e.log, b); v.OK || v.BrokenAtSeq != 5 {
		t.Fatalf("b after delete: %+v", v)
	}
	if v := mustVerify(t, e.log, a); !v.OK || v.Checked != 10 {
		t.Fatalf("a after b's delete: %+v", v)
	}
	if _, err := e.log.List(context.Background(), "", audit.Filter{}, store.PageRequest{}); err == nil {
		t.Fatal("listing without a clinic worked")
	}
	if _, err := e.log.Verify(context.Background(), ""); err == nil {
		t.Fatal("verifying without a clinic worked")
	}
}

func TestRecordRefusesIncompleteEntries(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	for _, tc := range []struct {
		name string
		e    audit.Entry
	}{
		{"no clinic", audit.Entry{Action: "patient.read", Outcome: audit.Success}},
		{"no action", audit.Entry{ClinicID: clinic, Action: " ", Outcome: audit.Success}},
		{"no outcome", audit.Entry{ClinicID: clinic, Action: "patient.read"}},
		{"unknown outcome", audit.Entry{ClinicID: clinic, Action: "patient.read", Outcome: "maybe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.log.Record(context.Background(), tc.e); err == nil {
				t.Fatal("recorded")
			}
		})
	}
	n, err := e.raw(t).CountDocuments(context.Background(), bson.D{})
	if err != nil || n != 0 {
		t.Fatalf("%d records stored (%v)", n, err)
	}
}

func TestStoredValuesRoundTrip(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	// Nanoseconds and a zone other than UTC: stored as UTC milliseconds.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	now := time.Date(2025, 3, 9, 1, 59, 59, 987654321, ny)
	e.clock.Set(now)
	detail := "Sónia 🦷 tab\tnul\x00 bad\xff utf-8"
	long := strings.Repeat("é", 2000) // 4000 bytes
	mustRecord(t, e.log, audit.Entry{ClinicID: clinic, ActorID: "u1", Action: "patient.read", Resource: long, IP: strings.Repeat("1", 5000),
		Outcome: audit.Success, Detail: detail})
	all := listAll(t, e.log, clinic, audit.Filter{}, 10)
	if len(all) != 1 {
		t.Fatalf("%d records", len(all))
	}
	r := all[0]
	if want := now.UTC().Truncate(time.Millisecond); !r.At.Equal(want) || r.At.Location() != time.UTC {
		t.Errorf("at %v (%v), want %v", r.At, r.At.Location(), want)
	}
	if want := strings.ToValidUTF8(detail, "\uFFFD"); r.Detail != want {
		t.Errorf("detail %q, want %q", r.Detail, want)
	}
	if len(r.Resource) > 1024 || len(r.Resource) < 1000 || !utf8.ValidString(r.Resource) || !strings.HasPrefix(long, r.Resource) {
		t.Errorf("resource cut to %d bytes, valid %v", len(r.Resource), utf8.ValidString(r.Resource))
	}
	if len(r.IP) != 256 {
		t.Errorf("ip of %d bytes", len(r.IP))
	}
	if r.KID != "k1" || testKeys.Check(r, true) != "" {
		t.Errorf("record under %q does not check out after the round trip", r.KID)
	}
	if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: 1}) {
		t.Fatalf("verify %+v", v)
	}
}

func TestMACCoversEveryField(t *testing.T) {
	base := audit.Record{ID: ids.New(), ClinicID: "c", Seq: 7, ActorID: "a", ActorRole: "r", Action: "x", Resource: "res",
		PatientID: "p", RequestID: "q", IP: "i", Outcome: audit.Success, Detail: "d", At: t0, PrevHash: "h", PatientIDs: []string{"p1", "p2"}}
	testKeys.Seal(&base)
	if base.KID != "k1" || len(base.Hash) != 64 || testKeys.Check(base, true) != "" {
		t.Fatalf("sealed %+v does not check out", base)
	}
	v1 := map[string]func(r *audit.Record){
		"id":       func(r *audit.Record) { r.ID = ids.New() },
		"clinic":   func(r *audit.Record) { r.ClinicID = "c2" },
		"seq":      func(r *audit.Record) { r.Seq = 8 },
		"actor":    func(r *audit.Record) { r.ActorID = "a2" },
		"role":     func(r *audit.Record) { r.ActorRole = "r2" },
		"action":   func(r *audit.Record) { r.Action = "x2" },
		"resource": func(r *audit.Record) { r.Resource = "res2" },
		"patient":  func(r *audit.Record) { r.PatientID = "p2" },
		"request":  func(r *audit.Record) { r.RequestID = "q2" },
		"ip":       func(r *audit.Record) { r.IP = "i2" },
		"outcome":  func(r *audit.Record) { r.Outcome = audit.Denied },
		"detail":   func(r *audit.Record) { r.Detail = "d2" },
		"at":       func(r *audit.Record) { r.At = t0.Add(time.Millisecond) },
		"prevHash": func(r *audit.Record) { r.PrevHash = "h2" },
		"shifted":  func(r *audit.Record) { r.ActorID, r.ActorRole = "ar", "" }, // same bytes, other boundary
	}
	keyed := map[string]func(r *audit.Record){
		"kid":                func(r *audit.Record) { r.KID = "k2" },
		"a patient added":    func(r *audit.Record) { r.PatientIDs = append(slices.Clone(r.PatientIDs), "p3") },
		"a patient dropped":  func(r *audit.Record) { r.PatientIDs = r.PatientIDs[:1] },
		"patients reordered": func(r *audit.Record) { r.PatientIDs = []string{"p2", "p1"} },
		"patients shifted":   func(r *audit.Record) { r.PatientIDs = []string{"p1p", "2"} },
		"no patients":        func(r *audit.Record) { r.PatientIDs = nil },
	}
	for name, edit := range v1 {
		keyed[name] = edit
	}
	for name, edit := range keyed {
		r := base
		edit(&r)
		if testKeys.Check(r, true) == "" {
			t.Errorf("%s: MAC still checks out", name)
		}
	}
	// The same record under the same key has the same MAC, under another
	// key another one.
	again, other := base, base
	testKeys.Seal(&again)
	mustKeys("k2:"+otherKey, "k2").Seal(&other)
	if again.Hash != base.Hash || other.Hash == base.Hash || other.KID != "k2" || testKeys.Check(other, true) != "" {
		t.Fatalf("MACs: %s, again %s, under k2 %s", base.Hash, again.Hash, other.Hash)
	}

	// Unkeyed records (from before the trail was keyed) are covered by
	// their plain SHA-256, field by field as before.
	legacy := base
	legacy.KID, legacy.PatientIDs = "", nil
	legacy.Hash = audit.LegacyHash(legacy)
	if testKeys.Check(legacy, false) != "" || len(legacy.Hash) != 64 || legacy.Hash == base.Hash {
		t.Fatalf("legacy record %+v does not check out", legacy)
	}
	for name, edit := range v1 {
		r := legacy
		edit(&r)
		if testKeys.Check(r, false) == "" {
			t.Errorf("legacy %s: hash still checks out", name)
		}
	}
	withPatients := legacy
	withPatients.PatientIDs = []string{"p1"}
	if testKeys.Check(withPatients, false) == "" {
		t.Error("a legacy record listing patients checks out")
	}
	if testKeys.Check(legacy, true) == "" {
		t.Error("a legacy record after keyed ones checks out")
	}
}

func TestJSONShape(t *testing.T) {
	b, _ := json.Marshal(audit.Verification{OK: true, Checked: 3})
	if string(b) != `{"ok":true,"checked":3}` {
		t.Errorf("verification %s", b)
	}
	b, _ = json.Marshal(audit.Verification{Checked: 2, BrokenAtSeq: 3, Problem: "p"})
	if string(b) != `{"ok":false,"checked":2,"brokenAtSeq":3,"problem":"p"}` {
		t.Errorf("verification %s", b)
	}
	var m map[string]any
	b, _ = json.Marshal(audit.Record{})
	_ = json.Unmarshal(b, &m)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"action", "actorId", "actorRole", "at", "clinicId", "detail", "hash", "id", "ip", "outcome", "patientId", "prevHash", "requestId", "resource", "seq"}
	if !slices.Equal(keys, want) {
		t.Errorf("record keys %v", keys)
	}
	b, _ = json.Marshal(audit.Verification{OK: true, Checked: 5, Unkeyed: 2})
	if string(b) != `{"ok":true,"checked":5,"unkeyed":2}` {
		t.Errorf("verification %s", b)
	}
	m = nil
	b, _ = json.Marshal(audit.Record{KID: "k1", PatientIDs: []string{"p1"}})
	_ = json.Unmarshal(b, &m)
	if m["kid"] != "k1" || fmt.Sprint(m["patientIds"]) != "[p1]" {
		t.Errorf("keyed list record %s", b)
	}
}

func TestVerifyDetectsACutOffTail(t *testing.T) {
	ctx := context.Background()
	m := storetest.NewMongo(t)
	l := audit.New(m, clock.NewFake(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)), testKeys)
	clinic := ids.New()
	for i := range 4 {
		if err := l.Record(ctx, audit.Entry{ClinicID: clinic, ActorID: "u", ActorRole: "admin", Action: "patient.read", Resource: "patients/x", Outcome: audit.Success, Detail: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	db, _ := m.Database()
	if _, err := db.Collection("audit_logs").DeleteOne(ctx, bson.D{{Key: "clinicId", Value: clinic}, {Key: "seq", Value: 4}}); err != nil {
		t.Fatal(err)
	}
	v, err := l.Verify(ctx, clinic)
	if err != nil || v.OK || v.BrokenAtSeq != 4 {
		t.Fatalf("after deleting the newest record: %+v %v", v, err)
	}
}

// Appends that land while Verify runs never make an intact chain look broken
// (the head is read before the walk, records raise it after they are in).
func TestVerifyWhileAppending(t *testing.T) {
	const before, during = 3, 40
	e := newTestEnv(t)
	clinic := ids.New()
	e.mustChain(t, clinic, before)
	e.log.SetBatchSize(4)
	writer := audit.New(e.m, e.clock, testKeys)
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		for range during {
			if err := writer.Record(context.Background(), audit.Entry{ClinicID: clinic, Action: "patient.read", Outcome: audit.Success}); err != nil {
				errc <- err
				return
			}
		}
	}()
	var last int64
	for running := true; running; {
		select {
		case err := <-errc:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		v := mustVerify(t, e.log, clinic)
		if !v.OK || v.Checked < last {
			t.Fatalf("verify while appending: %+v (before: %d checked)", v, last)
		}
		last = v.Checked
	}
	if last != before+during {
		t.Fatalf("finally %d checked, want %d", last, before+during)
	}
}

func TestAppendsAfterACutOffTailKeepTheGapVisible(t *testing.T) {
	ctx := context.Background()
	m := storetest.NewMongo(t)
	l := audit.New(m, clock.NewFake(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)), testKeys)
	clinic := ids.New()
	rec := func(i int) {
		if err := l.Record(ctx, audit.Entry{ClinicID: clinic, ActorID: "u", ActorRole: "admin", Action: "patient.read", Resource: "patients/x", Outcome: audit.Success, Detail: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		rec(i)
	}
	db, _ := m.Database()
	if _, err := db.Collection("audit_logs").DeleteMany(ctx, bson.D{{Key: "clinicId", Value: clinic}, {Key: "seq", Value: bson.D{{Key: "$gte", Value: 3}}}}); err != nil {
		t.Fatal(err)
	}
	// A fresh process (no memory of the old tail) keeps writing.
	l = audit.New(m, clock.NewFake(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)), testKeys)
	for i := range 3 {
		rec(10 + i)
	}
	v, err := l.Verify(ctx, clinic)
	if err != nil || v.OK || v.BrokenAtSeq != 3 {
		t.Fatalf("deleted records 3–4 then appended 3 more: %+v %v, want broken at 3", v, err)
	}
}

// A list read names the patients it returned: each once, at most a page of
// them in one record, the rest counted in the detail; listing the trail by
// patient finds those reads too.
func TestListedPatients(t *testing.T) {
	e := newTestEnv(t)
	clinic := ids.New()
	many := make([]string, 0, audit.MaxListed+50)
	for i := range audit.MaxListed + 50 {
		many = append(many, fmt.Sprintf("p%d", i))
	}
	mustRecord(t, e.log, audit.Entry{ClinicID: clinic, Action: "appointment.list", Outcome: audit.Success,
		PatientIDs: []string{"p2", "p1", "", "p2", "p3"}})
	mustRecord(t, e.log, audit.Entry{ClinicID: clinic, Action: "patient.search", Outcome: audit.Success, Detail: strings.Repeat("d", 2000),
		PatientIDs: append(many, many...)})
	mustRecord(t, e.log, audit.Entry{ClinicID: clinic, Action: "patient.read", PatientID: "p1", Outcome: audit.Success})
	mustRecord(t, e.log, audit.Entry{ClinicID: clinic, Action: "patient.read", PatientID: "p999", Outcome: audit.Success})

	all := listAll(t, e.log, clinic, audit.Filter{}, 10)
	if got := all[3].PatientIDs; !slices.Equal(got, []string{"p2", "p1", "p3"}) || all[3].Detail != "" {
		t.Errorf("short list stored as %v, detail %q", got, all[3].Detail)
	}
	long := all[2]
	if !slices.Equal(long.PatientIDs, many[:audit.MaxListed]) {
		t.Errorf("long list stored %d ids", len(long.PatientIDs))
	}
	if note := fmt.Sprintf("; patients listed: %d of %d", audit.MaxListed, len(many)); !strings.HasSuffix(long.Detail, note) || len(long.Detail) > 1024 {
		t.Errorf("long list detail of %d bytes ends %q", len(long.Detail), long.Detail[max(0, len(long.Detail)-50):])
	}
	if all[0].PatientIDs != nil {
		t.Errorf("a read lists %v", all[0].PatientIDs)
	}
	for _, tc := range []struct {
		patient string
		want    []int64
	}{{"p1", []int64{3, 2, 1}}, {"p3", []int64{2, 1}}, {"p199", []int64{2}}, {"p200", []int64{}}, {"p999", []int64{4}}} {
		if got := seqs(listAll(t, e.log, clinic, audit.Filter{PatientID: tc.patient}, 1)); !slices.Equal(got, tc.want) {
			t.Errorf("patient %s: seqs %v, want %v", tc.patient, got, tc.want)
		}
	}
	if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: 4}) {
		t.Fatalf("verify %+v", v)
	}
}
