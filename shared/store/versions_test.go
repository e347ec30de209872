package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

func TestGetSendsOnlyTheIDAndKeepsTenancy(t *testing.T) {
	ctx := context.Background()
	m, cmds := storetest.NewMonitoredMongo(t)
	c := m.Collection("things")
	a, b := ids.New(), ids.New()
	id := ids.New()
	if err := c.InsertOne(ctx, a, thing{ID: id, Name: "Ana", Email: "ana@x"}); err != nil {
		t.Fatal(err)
	}
	cmds.Take()

	var got thing
	if err := c.Get(ctx, a, id, &got); err != nil || got.Name != "Ana" || got.ClinicID != a {
		t.Fatalf("own clinic: %v %+v", err, got)
	}
	if names := storetest.OnlyByID(t, cmds.Take()); fmt.Sprint(names) != "[find things]" {
		t.Fatalf("one read, got %v", names)
	}
	var other thing
	if err := c.Get(ctx, b, id, &other); !errs.Is(err, errs.NotFound) || other != (thing{}) {
		t.Fatalf("another clinic's record: err %v, decoded %+v; want NotFound and nothing decoded", err, other)
	}
	if err := c.Get(ctx, a, ids.New(), &other); !errs.Is(err, errs.NotFound) {
		t.Fatalf("missing record: %v", err)
	}
	gone := errs.E(errs.NotFound, "thing not found")
	if got, err := store.One[thing](ctx, c, a, id, gone); err != nil || got.Name != "Ana" {
		t.Fatalf("One, own clinic: %v %+v", err, got)
	}
	if _, err := store.One[thing](ctx, c, b, id, gone); err != gone {
		t.Fatalf("One, another clinic: %v, want the caller's not-found error", err)
	}
	storetest.OnlyByID(t, cmds.Take())
	if err := c.Get(ctx, "", id, &other); !errors.Is(err, store.ErrNoClinic) {
		t.Fatalf("no clinic: %v", err)
	}
	if sent := cmds.Take(); len(sent) != 0 {
		t.Fatalf("a call without a clinic reached the server: %v", sent)
	}
}

type counter struct {
	ID      string `bson:"_id"`
	Seen    []int  `bson:"seen"`
	Version int    `bson:"version"`
	Note    string `bson:"note,omitempty"`
	Hits    int    `bson:"hits"`
}

type versionsEnv struct {
	m     *store.Mongo
	cmds  *storetest.Commands
	c     *store.Collection
	v     *store.Versions
	clock *clock.Fake
	clin  string
}

func newVersionsEnv(t *testing.T) *versionsEnv {
	t.Helper()
	m, cmds := storetest.NewMonitoredMongo(t)
	fc := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	return &versionsEnv{m: m, cmds: cmds, c: m.Collection("counters"), v: store.NewVersions(m, fc), clock: fc, clin: ids.New()}
}

func (e *versionsEnv) mustCounter(t *testing.T) string {
	t.Helper()
	id := ids.New()
	if err := e.c.InsertOne(context.Background(), e.clin, counter{ID: id, Seen: []int{}}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *versionsEnv) get(t *testing.T, id string) counter {
	t.Helper()
	var got counter
	if err := e.c.Get(context.Background(), e.clin, id, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// claimsOf counts the version claims left for record id.
func (e *versionsEnv) claimsOf(t *testing.T, id string) []bson.M {
	t.Helper()
	db, _ := e.m.Database()
	cur, err := db.Collection("version_claims").Find(context.Background(), bson.D{{Key: "record", Value: id}})
	if err != nil {
		t.Fatal(err)
	}
	var out []bson.M
	if err := cur.All(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVersionedUpdatesRacingWithRetryEachApplyOnce(t *testing.T) {
	ctx := context.Background()
	e := newVersionsEnv(t)
	id := e.mustCounter(t)
	e.cmds.Take()
	lost := errs.E(errs.Conflict, "busy")
	const racers = 16
	results := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			results[i] = store.Retry(ctx, lost, func() (bool, error) {
				var cur counter
				if err := e.c.Get(ctx, e.clin, id, &cur); err != nil {
					return false, err
				}
				// A change computed from the copy read: lost unless applied
				// to the newest one.
				return e.v.Update(ctx, e.c, e.clin, id, cur.Version, bson.D{{Key: "$set", Value: bson.D{{Key: "seen", Value: append(cur.Seen, i)}}}}, nil)
			})
		})
	}
	wg.Wait()
	got := e.get(t, id)
	var applied []int
	for i, err := range results {
		switch {
		case err == nil:
			applied = append(applied, i)
		case errs.Is(err, errs.Conflict):
		default:
			t.Errorf("racer %d: %v", i, err)
		}
	}
	seen := slices.Sorted(slices.Values(got.Seen))
	if fmt.Sprint(seen) != fmt.Sprint(applied) || got.Version != len(applied) {
		t.Fatalf("applied %v, record has %v at version %d: a change was lost or doubled", applied, seen, got.Version)
	}
	if len(applied) != racers {
		t.Errorf("%d of %d changes gave up after their retries", racers-len(applied), racers)
	}
	storetest.OnlyByID(t, e.cmds.Take())
	if left := e.claimsOf(t, id); len(left) != 0 {
		t.Errorf("claims left behind: %v", left)
	}
}

func TestVersionedUpdatesRacingOnOneVersionHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	e := newVersionsEnv(t)
	id := e.mustCounter(t)
	const racers = 16
	won := make([]bool, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, bson.D{{Key: "$push", Value: bson.D{{Key: "seen", Value: i}}}}, nil)
			if err != nil {
				t.Errorf("racer %d: %v", i, err)
			}
			won[i] = ok
		})
	}
	wg.Wait()
	winners := 0
	for _, ok := range won {
		if ok {
			winners++
		}
	}
	got := e.get(t, id)
	if winners != 1 || len(got.Seen) != 1 || got.Version != 1 || !won[got.Seen[0]] {
		t.Fatalf("%d winners; record %+v", winners, got)
	}
	// Losers read again and see the winner's record; their stale version
	// loses without a write.
	if ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, bson.D{{Key: "$push", Value: bson.D{{Key: "seen", Value: 99}}}}, nil); ok || err != nil {
		t.Fatalf("an update from a version the record has left: %v %v", ok, err)
	}
}

func TestVersionedUpdateDecodesTheRecordWritten(t *testing.T) {
	ctx := context.Background()
	e := newVersionsEnv(t)
	id := e.mustCounter(t)
	var out counter
	ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "x"}}}, {Key: "$inc", Value: bson.D{{Key: "hits", Value: 2}}}}, &out)
	if err != nil || !ok || out.Note != "x" || out.Hits != 2 || out.Version != 1 {
		t.Fatalf("update: %v %v %+v", ok, err, out)
	}
	if _, err := e.v.Update(ctx, e.c, e.clin, id, 1, bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: 7}}}}, nil); err == nil {
		t.Fatal("an update naming version was accepted")
	}
}

func TestVersionedUpdateKeepsTenancy(t *testing.T) {
	ctx := context.Background()
	e := newVersionsEnv(t)
	id := e.mustCounter(t)
	other := ids.New()
	ok, err := e.v.Update(ctx, e.c, other, id, 0, bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "forged"}}}}, nil)
	if ok || !errs.Is(err, errs.NotFound) {
		t.Fatalf("another clinic's update: %v %v, want NotFound", ok, err)
	}
	// A claim is its clinic's: another clinic claiming the same record id
	// and version blocks nobody.
	if ok, err := e.v.Claim(ctx, other, e.c.Name(), id, 0); !ok || err != nil {
		t.Fatalf("claim in another clinic: %v %v", ok, err)
	}
	if ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "mine"}}}}, nil); !ok || err != nil {
		t.Fatalf("own update after another clinic's claim: %v %v", ok, err)
	}
	if got := e.get(t, id); got.Note != "mine" {
		t.Fatalf("record %+v", got)
	}
}

func TestDeadWritersClaimIsTakenOverAfterTheLease(t *testing.T) {
	ctx := context.Background()
	e := newVersionsEnv(t)
	id := e.mustCounter(t)
	// A writer claims version 0 and dies before writing.
	if ok, err := e.v.Claim(ctx, e.clin, e.c.Name(), id, 0); !ok || err != nil {
		t.Fatalf("dead writer's claim: %v %v", ok, err)
	}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "after"}}}}
	e.clock.Advance(store.VersionLease - time.Second)
	if ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, set, nil); ok || err != nil {
		t.Fatalf("within the lease: %v %v, want lost", ok, err)
	}
	e.clock.Advance(2 * time.Second)
	e.cmds.Take()
	if ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, set, nil); !ok || err != nil {
		t.Fatalf("after the lease: %v %v, want the move taken over", ok, err)
	}
	storetest.OnlyByID(t, e.cmds.Take())
	if got := e.get(t, id); got.Note != "after" || got.Version != 1 {
		t.Fatalf("record %+v", got)
	}
	if left := e.claimsOf(t, id); len(left) != 0 {
		t.Fatalf("the dead writer's and the taker's claims should be gone: %v", left)
	}
}

func TestStaleClaimOfARecordThatMovedOnIsNotTakenOver(t *testing.T) {
	ctx := context.Background()
	e := newVersionsEnv(t)
	id := e.mustCounter(t)
	if ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "v1"}}}}, nil); !ok || err != nil {
		t.Fatal(ok, err)
	}
	// A writer that read version 0 before that move claims it afterwards
	// and dies; the claim lapses.
	if ok, err := e.v.Claim(ctx, e.clin, e.c.Name(), id, 0); !ok || err != nil {
		t.Fatal(ok, err)
	}
	e.clock.Advance(store.VersionLease + time.Second)
	if ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "stale"}}}}, nil); ok || err != nil {
		t.Fatalf("stale update: %v %v, want lost", ok, err)
	}
	got := e.get(t, id)
	if got.Note != "v1" || got.Version != 1 {
		t.Fatalf("the stale change was written: %+v", got)
	}
	for _, c := range e.claimsOf(t, id) {
		if c["generation"] != int32(0) {
			t.Fatalf("the lapsed claim was taken over: %v", c)
		}
	}
	// The record's own next move is not held up by the stale claim.
	if ok, err := e.v.Update(ctx, e.c, e.clin, id, 1, bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "v2"}}}}, nil); !ok || err != nil {
		t.Fatalf("next move: %v %v", ok, err)
	}
}

func TestVersionedUpdateOfRecordsWithoutVersion(t *testing.T) {
	ctx := context.Background()
	e := newVersionsEnv(t)
	id := ids.New()
	db, _ := e.m.Database()
	if _, err := db.Collection("counters").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: store.ClinicField, Value: e.clin}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.v.Update(ctx, e.c, e.clin, id, 0, bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "first"}}}}, nil); !ok || err != nil {
		t.Fatalf("a record from before versioning is version 0: %v %v", ok, err)
	}
	if got := e.get(t, id); got.Version != 1 || got.Note != "first" {
		t.Fatalf("record %+v", got)
	}
}

// BenchmarkReadByID compares a scoped FindOne by id with Get as the
// collection grows (run with -bench ReadByID under make test's server).
func BenchmarkReadByID(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100, 5000} {
		m := storetest.NewMongo(b)
		c := m.Collection("things", mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "at", Value: 1}}, Options: options.Index()})
		clinic := ids.New()
		docs := make([]any, 0, n)
		var id string
		for i := range n {
			id = ids.New()
			docs = append(docs, thing{ID: id, Name: fmt.Sprint(i), Email: fmt.Sprintf("%d@x", i)})
		}
		for i := 0; i < len(docs); i += 1000 {
			if err := c.InsertMany(ctx, clinic, docs[i:min(i+1000, len(docs))]); err != nil {
				b.Fatal(err)
			}
		}
		var got thing
		b.Run(fmt.Sprintf("FindOne/docs=%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := c.FindOne(ctx, clinic, bson.D{{Key: "_id", Value: id}}, &got); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("Get/docs=%d", n), func(b *testing.B) {
			for b.Loop() {
				if err := c.Get(ctx, clinic, id, &got); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestOwnedRecordsChangeByIDAlone(t *testing.T) {
	ctx := context.Background()
	m, cmds := storetest.NewMonitoredMongo(t)
	c := m.Collection("things")
	a := ids.New()
	id := ids.New()
	ins, err := c.Insert(ctx, a, thing{ID: id, Name: "Ana"})
	if err != nil || ins.ClinicID != a || ins.ID != id {
		t.Fatalf("insert: %+v %v", ins, err)
	}
	if ok, err := ins.Update(ctx, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "Ana Maria"}}}}); !ok || err != nil {
		t.Fatalf("update: %v %v", ok, err)
	}
	var got thing
	found, err := c.Lookup(ctx, id, &got)
	if err != nil || found.ClinicID != a || got.Name != "Ana Maria" {
		t.Fatalf("lookup: %+v %+v %v", found, got, err)
	}
	if _, err := c.Lookup(ctx, ids.New(), &got); !errs.Is(err, errs.NotFound) {
		t.Fatalf("lookup of nothing: %v", err)
	}
	if names := storetest.OnlyByID(t, cmds.Take()); fmt.Sprint(names) != "[insert things update things find things find things]" {
		t.Fatalf("commands %v", names)
	}
	if _, err := c.Insert(ctx, a, bson.D{{Key: "name", Value: "no id"}}); err == nil {
		t.Fatal("an insert without an _id came back Owned")
	}
	if _, err := ins.Update(ctx, bson.D{{Key: "$set", Value: bson.D{{Key: store.ClinicField, Value: ids.New()}}}}); err == nil {
		t.Fatal("an update moving the record to another clinic was accepted")
	}
}
