package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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

type thing struct {
	ID       string    `bson:"_id"`
	ClinicID string    `bson:"clinicId"`
	Name     string    `bson:"name"`
	Email    string    `bson:"email"`
	At       time.Time `bson:"at"`
}

func newThings(tb testing.TB) *store.Collection {
	tb.Helper()
	m := storetest.NewMongo(tb)
	return m.Collection("things",
		mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "email", Value: 1}}, Options: options.Index().SetUnique(true)},
		mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "at", Value: 1}}},
	)
}

func TestTenancyIsEnforcedBelowHandlers(t *testing.T) {
	ctx := context.Background()
	c := newThings(t)
	a, b := ids.New(), ids.New()
	id := ids.New()
	// A forged clinicId in the document is overwritten by the scope.
	if err := c.InsertOne(ctx, a, thing{ID: id, ClinicID: b, Name: "Ana", Email: "ana@x"}); err != nil {
		t.Fatal(err)
	}
	var got thing
	if err := c.FindOne(ctx, a, bson.D{{Key: "_id", Value: id}}, &got); err != nil || got.ClinicID != a {
		t.Fatalf("own clinic: %v %+v", err, got)
	}
	if err := c.FindOne(ctx, b, bson.D{{Key: "_id", Value: id}}, &got); !errs.Is(err, errs.NotFound) {
		t.Fatalf("other clinic read: err = %v, want not found", err)
	}
	if ok, err := c.UpdateOne(ctx, b, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "Eve"}}}}); err != nil || ok {
		t.Fatalf("other clinic update matched=%v err=%v", ok, err)
	}
	if ok, err := c.DeleteOne(ctx, b, bson.D{{Key: "_id", Value: id}}); err != nil || ok {
		t.Fatalf("other clinic delete deleted=%v err=%v", ok, err)
	}
	if n, err := c.Count(ctx, b, nil); err != nil || n != 0 {
		t.Fatalf("other clinic count = %d, %v", n, err)
	}

	// Programming errors that would break tenancy are refused outright.
	if err := c.FindOne(ctx, "", bson.D{{Key: "_id", Value: id}}, &got); !errors.Is(err, store.ErrNoClinic) {
		t.Fatalf("empty clinic: %v", err)
	}
	if err := c.InsertOne(ctx, "", thing{ID: ids.New()}); !errors.Is(err, store.ErrNoClinic) {
		t.Fatalf("empty clinic insert: %v", err)
	}
	if err := c.FindOne(ctx, a, bson.D{{Key: "clinicId", Value: b}}, &got); err == nil {
		t.Fatal("filter naming clinicId was accepted")
	}
	if _, err := c.UpdateOne(ctx, a, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "clinicId", Value: b}}}}); err == nil {
		t.Fatal("update moving a record to another clinic was accepted")
	}
	var after thing
	if err := c.FindOneAndUpdate(ctx, a, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "Ana Maria"}}}}, &after); err != nil || after.Name != "Ana Maria" {
		t.Fatalf("FindOneAndUpdate: %v %+v", err, after)
	}
}

func TestUniqueIndexIsConflictAndRacesHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	c := newThings(t)
	clinic := ids.New()
	const racers = 16
	var wg sync.WaitGroup
	results := make(chan error, racers)
	for range racers {
		wg.Go(func() {
			results <- c.InsertOne(ctx, clinic, thing{ID: ids.New(), Email: "same@x"})
		})
	}
	wg.Wait()
	close(results)
	wins, conflicts := 0, 0
	for err := range results {
		switch {
		case err == nil:
			wins++
		case errs.Is(err, errs.Conflict):
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 || conflicts != racers-1 {
		t.Fatalf("wins=%d conflicts=%d", wins, conflicts)
	}
	// The same email in another clinic is fine: uniqueness is per clinic.
	if err := c.InsertOne(ctx, ids.New(), thing{ID: ids.New(), Email: "same@x"}); err != nil {
		t.Fatal(err)
	}
}

func TestIndexCreationIsIdempotent(t *testing.T) {
	ctx := context.Background()
	m := storetest.NewMongo(t)
	idx := mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "email", Value: 1}}, Options: options.Index().SetUnique(true)}
	// Two cold starts declaring the same collection.
	for range 2 {
		if err := m.Collection("things", idx).EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	db, _ := m.Database()
	cur, err := db.Collection("things").Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var specs []bson.M
	if err := cur.All(ctx, &specs); err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 { // _id_ and ours
		t.Fatalf("indexes = %v", specs)
	}
}

func TestFindPage(t *testing.T) {
	ctx := context.Background()
	c := newThings(t)
	clinic, other := ids.New(), ids.New()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var want []string
	for i := range 7 {
		// Pairs share a time so the _id tie-break is exercised.
		th := thing{ID: ids.New(), Name: fmt.Sprint(i), Email: fmt.Sprintf("%d@x", i), At: base.Add(time.Duration(i/2) * time.Hour)}
		if err := c.InsertOne(ctx, clinic, th); err != nil {
			t.Fatal(err)
		}
		want = append(want, th.Name)
		if err := c.InsertOne(ctx, other, thing{ID: ids.New(), Email: fmt.Sprintf("%d@x", i), At: th.At}); err != nil {
			t.Fatal(err)
		}
	}
	for _, sort := range []store.Sort{store.ByID, {Field: "at", Type: bson.TypeDateTime}, {Field: "at", Desc: true}} {
		t.Run(fmt.Sprintf("%s desc=%v", sort.Field, sort.Desc), func(t *testing.T) {
			var got []string
			req := store.PageRequest{Limit: 3}
			pages := 0
			for {
				p, err := store.FindPage[thing](ctx, c, clinic, nil, sort, req)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, it := range p.Items {
					if it.ClinicID != clinic {
						t.Fatalf("item of another clinic: %+v", it)
					}
					got = append(got, it.Name)
				}
				if p.NextCursor == nil {
					break
				}
				req.Cursor = *p.NextCursor
			}
			exp := append([]string(nil), want...)
			if sort.Desc {
				for i, j := 0, len(exp)-1; i < j; i, j = i+1, j-1 {
					exp[i], exp[j] = exp[j], exp[i]
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(exp) || pages != 3 {
				t.Fatalf("got %v in %d pages, want %v in 3", got, pages, exp)
			}
		})
	}
	if _, err := store.FindPage[thing](ctx, c, clinic, nil, store.ByID, store.PageRequest{Limit: 3, Cursor: "not-a-cursor"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("forged cursor: %v", err)
	}
}

func TestParsePage(t *testing.T) {
	tests := []struct {
		query string
		limit int
		ok    bool
	}{
		{"", 50, true}, {"limit=1", 1, true}, {"limit=200", 200, true},
		{"limit=0", 0, false}, {"limit=201", 0, false}, {"limit=ten", 0, false}, {"limit=-5", 0, false},
	}
	for _, tc := range tests {
		q, _ := url.ParseQuery(tc.query)
		req, err := store.ParsePage(q)
		if tc.ok != (err == nil) || (tc.ok && req.Limit != tc.limit) {
			t.Errorf("%q: limit %d err %v", tc.query, req.Limit, err)
		}
		if !tc.ok && !errs.Is(err, errs.Invalid) {
			t.Errorf("%q: error kind %v, want invalid", tc.query, errs.KindOf(err))
		}
	}
}

func TestDependencyDownIsUnavailable(t *testing.T) {
	ctx := context.Background()
	m := storetest.DeadMongo(t)
	if err := m.Ping(ctx); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("mongo ping: %v", err)
	}
	var got thing
	err := m.Collection("things").FindOne(ctx, ids.New(), bson.D{}, &got)
	if !errs.Is(err, errs.Unavailable) {
		t.Fatalf("mongo find: %v", err)
	}
	if err := store.PingRedis(ctx, storetest.DeadRedis(t)); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("redis ping: %v", err)
	}
}

func TestRedis(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.NewRedis(t)
	if err := store.PingRedis(ctx, rdb); err != nil {
		t.Fatal(err)
	}
	key := "test:" + ids.New()
	ok, err := rdb.SetNX(ctx, key, "1", time.Minute).Result()
	if err != nil || !ok {
		t.Fatalf("first SETNX: %v %v", ok, err)
	}
	if ok, _ := rdb.SetNX(ctx, key, "2", time.Minute).Result(); ok {
		t.Fatal("second SETNX won")
	}
	if ttl := rdb.TTL(ctx, key).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL = %v", ttl)
	}
}

func TestClaimHasExactlyOneWinner(t *testing.T) {
	ctx := context.Background()
	c := store.NewClaims(storetest.NewMongo(t), clock.Real{})
	clinic := ids.New()
	const racers = 24
	var wg sync.WaitGroup
	wins := make(chan bool, racers)
	for range racers {
		wg.Go(func() {
			ok, err := c.Claim(ctx, clinic, "token:abc")
			if err != nil {
				t.Error(err)
			}
			wins <- ok
		})
	}
	wg.Wait()
	close(wins)
	n := 0
	for ok := range wins {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d claims won, want 1", n)
	}
	if ok, err := c.Claim(ctx, clinic, "token:other"); !ok || err != nil {
		t.Fatalf("a different key: %v %v", ok, err)
	}
}
