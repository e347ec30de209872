package store

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"

	"github.com/topsmile/topsmile/shared/errs"
)

var fuzzKeys = CursorKeys{Active: "k2", Keys: map[string][]byte{"k1": []byte("fuzz key one, thirty-two bytes.."), "k2": []byte("fuzz key two, thirty-two bytes..")}}

// fuzzScopes are the sorts the cursor fuzzer opens cursors under.
var fuzzScopes = []cursorScope{
	{coll: "patients", clinic: "c1", sort: Sort{Field: "search.sortName", Type: bson.TypeString}},
	{coll: "appointments", clinic: "c1", sort: Sort{Field: "start", Type: bson.TypeDateTime}},
	{coll: "audit_logs", clinic: "c1", sort: Sort{Field: "seq", Desc: true, Type: bson.TypeInt64}},
	{coll: "things", clinic: "c1", sort: Sort{Field: "at"}},
	{coll: "users", clinic: "c1", sort: ByID},
}

func mustSeal(f *testing.F, sc cursorScope, v any, id string) string {
	t, data, err := bson.MarshalValue(v)
	if err != nil {
		f.Fatal(err)
	}
	s, err := fuzzKeys.seal(sc, cursor{V: bson.RawValue{Type: t, Value: data}, ID: id})
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// FuzzCursor: opening any string under any sort answers either a position
// (a non-empty _id and a well-formed scalar of the sort's type) or the one
// invalid-cursor error, never a panic; and a position the server seals
// opens again to itself, under its own scope only.
func FuzzCursor(f *testing.F) {
	issued := []string{
		mustSeal(f, fuzzScopes[0], "okafor maya", "id1"),
		mustSeal(f, fuzzScopes[1], time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), "id2"),
		mustSeal(f, fuzzScopes[2], int64(42), "id3"),
		mustSeal(f, fuzzScopes[4], "6b0f3cdfb458da042a33ec3c", "6b0f3cdfb458da042a33ec3c"),
	}
	for i, s := range issued {
		f.Add(s, uint8(i), uint8(bson.TypeString), []byte("\x02\x00\x00\x00a\x00"), "id")
	}
	f.Add("MAAAAAN2AB4AAAACJHJlZ2V4AA0AAABeKGF8YWEpKyR8XmoAAAJpZAACAAAAeAAA", uint8(0), uint8(bson.TypeEmbeddedDocument), []byte("\x05\x00\x00\x00\x00"), "x")
	f.Add("a.b.c", uint8(3), uint8(bson.TypeInt64), []byte("\x2a\x00\x00\x00\x00\x00\x00\x00"), "")
	f.Add("..", uint8(1), uint8(bson.TypeDateTime), []byte("\x00\x00\x00\x00\x00\x00\x00\x00"), "id")
	f.Fuzz(func(t *testing.T, s string, scope, vtype uint8, vdata []byte, id string) {
		sc := fuzzScopes[int(scope)%len(fuzzScopes)]
		at, err := fuzzKeys.open(sc, s)
		if err != nil {
			var e *errs.Error
			if !errs.Is(err, errs.Invalid) || !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
				t.Fatalf("open(%q) = %v, want the invalid-cursor error", s, err)
			}
		} else if at.ID == "" || !sc.sort.admits(at.V.Type) || at.V.Validate() != nil {
			t.Fatalf("open(%q) = %+v under %+v", s, at, sc.sort)
		}

		// Seal what the fuzzer makes up: only a well-formed scalar of the
		// sort's type seals, and it opens to itself in its scope alone.
		v := bson.RawValue{Type: bsontype.Type(vtype), Value: vdata}
		sealed, err := fuzzKeys.seal(sc, cursor{V: v, ID: id})
		if err != nil {
			return
		}
		if !sc.sort.admits(v.Type) {
			t.Fatalf("sealed a %v under %+v", v.Type, sc.sort)
		}
		back, err := fuzzKeys.open(sc, sealed)
		if !wellFormed(v) || id == "" {
			if err == nil {
				t.Fatalf("a malformed position %+v id %q opened: %+v", v, id, back)
			}
			return
		}
		if err != nil || back.ID != id || back.V.Type != v.Type || !bytes.Equal(back.V.Value, v.Value) {
			t.Fatalf("seal/open of %+v id %q: %+v %v", v, id, back, err)
		}
		for _, other := range fuzzScopes {
			if other != sc {
				if _, err := fuzzKeys.open(other, sealed); err == nil {
					t.Fatalf("a cursor of %+v opened under %+v", sc, other)
				}
			}
		}
	})
}
