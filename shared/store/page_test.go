package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// mustCursorError fails tb unless err is the one invalid-cursor answer: 400
// invalid, naming the field cursor.
func mustCursorError(tb testing.TB, err error) {
	tb.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
		tb.Fatalf("err = %v, want invalid with field cursor", err)
	}
}

// unsigned is a cursor as the server used to issue them: base64url of the
// BSON {v, id}, which anyone could write.
func unsigned(tb testing.TB, v any) string {
	tb.Helper()
	b, err := bson.Marshal(bson.D{{Key: "v", Value: v}, {Key: "id", Value: "x"}})
	if err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Cursors are signed: only one this server issued for the same collection,
// sort and clinic moves a page, and its value only ever reaches the filter
// as a scalar of the sort field's type.
func TestFindPageRefusesCursorsItDidNotIssue(t *testing.T) {
	ctx := context.Background()
	cfg := storetest.MongoConfig(t)
	m := storetest.NewMongoWith(t, cfg)
	things, others := m.Collection("things"), m.Collection("others")
	clinic, rival := ids.New(), ids.New()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 4 {
		for _, c := range []*store.Collection{things, others} {
			for _, cl := range []string{clinic, rival} {
				if err := c.InsertOne(ctx, cl, thing{ID: ids.New(), Name: "n", Email: ids.New(), At: base.Add(time.Duration(i) * time.Hour)}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	byAt := store.Sort{Field: "at", Type: bson.TypeDateTime}
	first := func(t *testing.T, c *store.Collection, cl string, s store.Sort) string {
		t.Helper()
		p, err := store.FindPage[thing](ctx, c, cl, nil, s, store.PageRequest{Limit: 1})
		if err != nil || p.NextCursor == nil {
			t.Fatalf("first page: %v %v", p, err)
		}
		return *p.NextCursor
	}
	issued := first(t, things, clinic, byAt)
	body, rest, _ := strings.Cut(issued, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	forged := []struct {
		name, cursor string
		sort         store.Sort
	}{
		{"an unsigned operator (ReDoS on Atlas)", unsigned(t, bson.D{{Key: "$regex", Value: "^(a|aa)+$|^j"}}), byAt},
		{"an unsigned operator, sort of any type", unsigned(t, bson.D{{Key: "$gt", Value: ""}}), store.Sort{Field: "at"}},
		{"an unsigned scalar", unsigned(t, base), byAt},
		{"an operator with the issued signature", unsigned(t, bson.D{{Key: "$regex", Value: "^j"}}) + "." + rest, byAt},
		{"not base64", "not a cursor", byAt},
		{"the body tampered", flip(body, len(body)/2) + "." + rest, byAt},
		{"the signature tampered", flip(issued, len(issued)-3), byAt},
		{"the signature cut", issued[:len(issued)-4], byAt},
		{"an unknown kid", body + ".t2." + rest[strings.IndexByte(rest, '.')+1:], byAt},
		{"no signature", body, byAt},
		{"oversized", strings.Repeat("A", 4096) + "." + rest, byAt},
		{"of another order of the same field", issued, store.Sort{Field: "at", Desc: true, Type: bson.TypeDateTime}},
		{"of another sort field", first(t, things, clinic, store.ByID), byAt},
		{"of another collection", first(t, others, clinic, byAt), byAt},
		{"of another clinic", first(t, things, rival, byAt), byAt},
	}
	for _, tc := range forged {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.FindPage[thing](ctx, things, clinic, nil, tc.sort, store.PageRequest{Limit: 1, Cursor: tc.cursor})
			mustCursorError(t, err)
		})
	}

	t.Run("the issued one still moves the page", func(t *testing.T) {
		p, err := store.FindPage[thing](ctx, things, clinic, nil, byAt, store.PageRequest{Limit: 1, Cursor: issued})
		if err != nil || len(p.Items) != 1 || !p.Items[0].At.Equal(base.Add(time.Hour)) {
			t.Fatalf("second page: %+v %v", p, err)
		}
	})

	t.Run("cursors survive a key rotation and die with their key", func(t *testing.T) {
		old := storetest.CursorKeys.Keys["t1"]
		m.SignCursorsWith(store.CursorKeys{Active: "t2", Keys: map[string][]byte{"t1": old, "t2": []byte("the next cursor key, 32 bytes...")}})
		t.Cleanup(func() { m.SignCursorsWith(storetest.CursorKeys) })
		if _, err := store.FindPage[thing](ctx, things, clinic, nil, byAt, store.PageRequest{Limit: 1, Cursor: issued}); err != nil {
			t.Fatalf("a cursor of the previous key: %v", err)
		}
		next := first(t, things, clinic, byAt)
		if !strings.Contains(next, ".t2.") {
			t.Fatalf("new cursor %q is not signed by the active kid t2", next)
		}
		m.SignCursorsWith(store.CursorKeys{Active: "t2", Keys: map[string][]byte{"t2": []byte("the next cursor key, 32 bytes...")}})
		_, err := store.FindPage[thing](ctx, things, clinic, nil, byAt, store.PageRequest{Limit: 1, Cursor: issued})
		mustCursorError(t, err)
	})

	t.Run("a client without keys issues no cursor", func(t *testing.T) {
		bare := store.NewMongo(cfg) // the same database, no keys
		t.Cleanup(func() { _ = bare.Close(ctx) })
		_, err := store.FindPage[thing](ctx, bare.Collection("things"), clinic, nil, byAt, store.PageRequest{Limit: 1})
		if err == nil || errs.Is(err, errs.Invalid) {
			t.Fatalf("no keys: err = %v, want an internal error", err)
		}
	})
}
