package audit_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// commandLog keeps the commands a client sends, as the server receives them.
type commandLog struct {
	mu   sync.Mutex
	cmds []sentCommand
}

type sentCommand struct {
	name string
	doc  bson.Raw
}

func (c *commandLog) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.cmds = append(c.cmds, sentCommand{name: e.CommandName, doc: slices.Clone(e.Command)})
	}}
}

// take returns the commands sent since the last take and forgets them.
func (c *commandLog) take() []sentCommand {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.cmds
	c.cmds = nil
	return out
}

// newMonitoredEnv is a test env whose client reports every command it sends.
func newMonitoredEnv(tb testing.TB) (*testEnv, *commandLog) {
	tb.Helper()
	cmds := &commandLog{}
	cfg := storetest.MongoConfig(tb)
	cfg.Monitor = cmds.monitor()
	m := storetest.NewMongoWith(tb, cfg)
	e := newTestEnv(tb)
	e.m, e.log = m, audit.New(m, e.clock, testKeys)
	return e, cmds
}

// mustSeed stores a valid chain of n records for clinicID straight into the
// collection, in bulk (appending them one by one would take the test's
// time), with the _ids id gives each seq, and no head.
func (e *testEnv) mustSeed(tb testing.TB, clinicID string, n int, id func(clinicID string, seq int64) string) {
	tb.Helper()
	docs := make([]any, 0, n)
	prev := ""
	for seq := int64(1); seq <= int64(n); seq++ {
		r := audit.Record{ID: id(clinicID, seq), ClinicID: clinicID, Seq: seq, ActorID: "u1", ActorRole: "dentist",
			Action: "patient.read", Resource: "patients/p1", PatientID: "p1", RequestID: fmt.Sprintf("seed-%d", seq),
			IP: "203.0.113.7", Outcome: audit.Success, At: t0.Add(time.Duration(seq) * time.Second), PrevHash: prev}
		testKeys.Seal(&r)
		prev = r.Hash
		docs = append(docs, r)
	}
	if _, err := e.raw(tb).InsertMany(context.Background(), docs); err != nil {
		tb.Fatalf("seed %d records: %v", n, err)
	}
}

func randomID(string, int64) string { return ids.New() }

// shape names each command by what it did and where ("insert audit_logs"),
// and fails the test for any that could cost more as the trail grows:
// reads and updates must find their document by an _id filter and nothing
// else (the only filter FerretDB's SQLite backend answers from its primary
// key; with any other key, the clinic's included, it scans the collection),
// and nothing may sort.
func shape(tb testing.TB, cmds []sentCommand) []string {
	tb.Helper()
	var out []string
	for _, c := range cmds {
		coll, _ := c.doc.Lookup(c.name).StringValueOK()
		out = append(out, c.name+" "+coll)
		var filters []bson.Raw
		switch c.name {
		case "insert":
		case "find":
			if _, err := c.doc.LookupErr("sort"); err == nil {
				tb.Errorf("find on %s sorts: %s", coll, c.doc)
			}
			filters = append(filters, c.doc.Lookup("filter").Document())
		case "update":
			updates, _ := c.doc.Lookup("updates").Array().Values()
			for _, u := range updates {
				filters = append(filters, u.Document().Lookup("q").Document())
			}
			if len(updates) == 0 {
				tb.Errorf("update on %s without updates: %s", coll, c.doc)
			}
		case "listIndexes":
			// Once per process and collection, before its first use.
		default:
			tb.Errorf("unexpected command %s", c.doc)
		}
		for _, f := range filters {
			elems, _ := f.Elements()
			if len(elems) != 1 || elems[0].Key() != "_id" || elems[0].Value().Type != bson.TypeString {
				tb.Errorf("%s on %s has filter %s, want {_id: <string>} alone", c.name, coll, f)
			}
		}
	}
	return out
}

// An append costs the same few round trips, each by _id, whether the trail
// holds a hundred records or thousands.
func TestAppendCostDoesNotGrowWithTheTrail(t *testing.T) {
	ctx := context.Background()
	entry := func(clinic string) audit.Entry {
		return audit.Entry{ClinicID: clinic, ActorID: "u2", ActorRole: "dentist", Action: "patient.read",
			Resource: "patients/p9", PatientID: "p9", RequestID: "req", IP: "198.51.100.1", Outcome: audit.Success}
	}
	warm := []string{"insert audit_logs", "update audit_heads"}
	cold := append([]string{"find audit_heads"}, warm...)
	// A process's first use of the trail also checks its indexes, once.
	firstUse := []string{"find audit_heads", "listIndexes audit_logs", "insert audit_logs", "update audit_heads"}

	// A process that other processes overtook since its last append.
	overtaken := []string{"insert audit_logs", "find audit_heads", "insert audit_logs", "update audit_heads"}

	type measured struct{ warm, cold, firstUse, overtaken []string }
	sizes := []int{100, 2000}
	got := map[int]measured{}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n, " records"), func(t *testing.T) {
			e, cmds := newMonitoredEnv(t)
			clinic := ids.New()
			e.mustSeed(t, clinic, n, audit.RecordID)
			// The seeded chain has no head: this append finds the end
			// the slow way, once, and writes the head.
			mustRecord(t, e.log, entry(clinic))
			cmds.take()

			var m measured
			mustRecord(t, e.log, entry(clinic)) // this process wrote the last record
			m.warm = shape(t, cmds.take())

			fresh := audit.New(e.m, e.clock, testKeys) // a new process
			if err := fresh.EnsureIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			cmds.take()
			mustRecord(t, fresh, entry(clinic))
			m.cold = shape(t, cmds.take())

			mustRecord(t, audit.New(e.m, e.clock, testKeys), entry(clinic)) // a new process, first use of the trail
			m.firstUse = shape(t, cmds.take())

			mustRecord(t, e.log, entry(clinic)) // the first process again, two records behind
			m.overtaken = shape(t, cmds.take())

			// Time per warm append, for the log: it is what the issue measured.
			start := time.Now()
			const timed = 20
			for range timed {
				mustRecord(t, e.log, entry(clinic))
			}
			t.Logf("%d records: warm %v, cold %v, first use %v, overtaken %v; %v per warm append",
				n, m.warm, m.cold, m.firstUse, m.overtaken, time.Since(start)/timed)

			if !slices.Equal(m.warm, warm) || !slices.Equal(m.cold, cold) || !slices.Equal(m.firstUse, firstUse) || !slices.Equal(m.overtaken, overtaken) {
				t.Errorf("commands: warm %v, cold %v, first use %v, overtaken %v; want %v, %v, %v, %v",
					m.warm, m.cold, m.firstUse, m.overtaken, warm, cold, firstUse, overtaken)
			}
			if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: int64(n + 5 + timed)}) {
				t.Fatalf("verify %+v", v)
			}
			got[n] = m
		})
	}
	small, large := got[sizes[0]], got[sizes[1]]
	if len(small.warm) != len(large.warm) || len(small.cold) != len(large.cold) || len(small.firstUse) != len(large.firstUse) ||
		len(small.overtaken) != len(large.overtaken) {
		t.Fatalf("round trips grew with the trail: %d records %+v, %d records %+v", sizes[0], small, sizes[1], large)
	}
}

// A head that lags behind the records (raises lost in a race, or a writer
// that stopped between its insert and its raise) costs a new writer reads
// by _id, never a broken chain or a false report from Verify.
func TestLaggingHeadCostsOnlyLookups(t *testing.T) {
	ctx := context.Background()
	for _, lag := range []int{1, 3, 20} {
		t.Run(fmt.Sprint("behind by ", lag), func(t *testing.T) {
			e, cmds := newMonitoredEnv(t)
			clinic := ids.New()
			e.mustChain(t, clinic, 2)
			db, _ := e.m.Database()
			var head bson.Raw
			if err := db.Collection("audit_heads").FindOne(ctx, bson.D{{Key: "_id", Value: clinic}}).Decode(&head); err != nil {
				t.Fatal(err)
			}
			// Appends after which the head is put back where it was: as if
			// every one of their raises had been lost.
			other := audit.New(e.m, e.clock, testKeys)
			for range lag {
				mustRecord(t, other, audit.Entry{ClinicID: clinic, ActorID: "other", Action: "patient.read", Outcome: audit.Success})
			}
			if _, err := db.Collection("audit_heads").ReplaceOne(ctx, bson.D{{Key: "_id", Value: clinic}}, head); err != nil {
				t.Fatal(err)
			}
			if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: int64(2 + lag)}) {
				t.Fatalf("verify with a lagging head: %+v", v)
			}

			fresh := audit.New(e.m, e.clock, testKeys)
			if err := fresh.EnsureIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			cmds.take()
			mustRecord(t, fresh, audit.Entry{ClinicID: clinic, ActorID: "fresh", Action: "patient.read", Outcome: audit.Success})
			sent := cmds.take()
			var byID []sentCommand // what the lookups past the head sent
			for _, c := range sent {
				if _, err := c.doc.LookupErr("sort"); err != nil {
					byID = append(byID, c)
				}
			}
			t.Logf("behind by %d: %d commands, %d by _id: %v", lag, len(sent), len(byID), shape(t, byID))
			// The cold append's three, the insert that found its seq taken,
			// a second read of the head (no further), and a read of each
			// record past the head and of the first missing one; a head
			// further behind than a walk is worth is caught up with by one
			// sorted query instead.
			want, wantByID := 3+1+1+lag+1, 3+1+1+lag+1
			if lag > audit.MaxWalk {
				want, wantByID = 3+1+1+audit.MaxWalk+1, 3+1+1+audit.MaxWalk
			}
			if len(sent) != want || len(byID) != wantByID {
				t.Errorf("%d commands, %d by _id; want %d, %d", len(sent), len(byID), want, wantByID)
			}

			all := listAll(t, e.log, clinic, audit.Filter{}, 100)
			if len(all) != 3+lag || all[0].ActorID != "fresh" || all[0].Seq != int64(3+lag) {
				t.Fatalf("newest record %+v of %d", all[0], len(all))
			}
			if v := mustVerify(t, e.log, clinic); v != (audit.Verification{OK: true, Checked: int64(3 + lag)}) {
				t.Fatalf("verify %+v", v)
			}
		})
	}
}

// Chains written before record _ids were derived from the seq (random _ids,
// and a head with a seq only, or no head at all) keep verifying, and appends
// continue them.
func TestChainsFromBeforeDerivedIDsContinue(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		head func(t *testing.T, e *testEnv, clinic string)
	}{
		{"no head", func(*testing.T, *testEnv, string) {}},
		{"head without its hash", func(t *testing.T, e *testEnv, clinic string) {
			db, _ := e.m.Database()
			if _, err := db.Collection("audit_heads").InsertOne(ctx, bson.D{{Key: "_id", Value: clinic}, {Key: "seq", Value: int64(5)}, {Key: "clinicId", Value: clinic}}); err != nil {
				t.Fatal(err)
			}
		}},
		{"head without its hash, newest record cut off", func(t *testing.T, e *testEnv, clinic string) {
			db, _ := e.m.Database()
			if _, err := db.Collection("audit_heads").InsertOne(ctx, bson.D{{Key: "_id", Value: clinic}, {Key: "seq", Value: int64(6)}, {Key: "clinicId", Value: clinic}}); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			clinic := ids.New()
			e.mustSeed(t, clinic, 5, randomID)
			tc.head(t, e, clinic)
			cut := strings.Contains(tc.name, "cut off")
			if v := mustVerify(t, e.log, clinic); v.OK == cut || v.Checked != 5 {
				t.Fatalf("before appending: %+v", v)
			}
			for range 3 {
				mustRecord(t, audit.New(e.m, e.clock, testKeys), audit.Entry{ClinicID: clinic, ActorID: "new", Action: "patient.read", Outcome: audit.Success})
			}
			all := listAll(t, e.log, clinic, audit.Filter{}, 100)
			next := int64(6)
			if cut {
				next = 7
			}
			if len(all) != 8 || all[2].Seq != next || all[2].ID != audit.RecordID(clinic, next) || all[3].Seq != 5 {
				t.Fatalf("seqs %v", seqs(all))
			}
			v := mustVerify(t, e.log, clinic)
			if cut {
				if v.OK || v.BrokenAtSeq != 6 {
					t.Fatalf("verify %+v, want the cut at 6 still shown", v)
				}
				return
			}
			if v != (audit.Verification{OK: true, Checked: 8}) {
				t.Fatalf("verify %+v", v)
			}
		})
	}
}

// The head keeps the newest record's link however its raises are ordered.
func TestHeadRaiseKeepsTheNewest(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	clinic := ids.New()
	e.mustChain(t, clinic, 12)
	db, _ := e.m.Database()
	heads := db.Collection("audit_heads")
	var before bson.Raw
	if err := heads.FindOne(ctx, bson.D{{Key: "_id", Value: clinic}}).Decode(&before); err != nil {
		t.Fatal(err)
	}
	// A raise for seq 9 (its writer was slow) lands after the one for 12.
	var r9 audit.Record
	if err := e.raw(t).FindOne(ctx, bson.D{{Key: "_id", Value: audit.RecordID(clinic, 9)}}).Decode(&r9); err != nil {
		t.Fatal(err)
	}
	stale := bson.D{{Key: "seq", Value: int64(9)}, {Key: "tip", Value: audit.Tip(9, r9.Hash)}}
	if _, err := heads.UpdateOne(ctx, bson.D{{Key: "_id", Value: clinic}}, bson.D{{Key: "$max", Value: stale}}); err != nil {
		t.Fatal(err)
	}
	var after bson.Raw
	if err := heads.FindOne(ctx, bson.D{{Key: "_id", Value: clinic}}).Decode(&after); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(before, after) {
		t.Fatalf("head went from %s to %s", before, after)
	}
	if seq := after.Lookup("seq").Int64(); seq != 12 {
		t.Fatalf("head %s", after)
	}
}
