package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
)

// Page sizes from the contract.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// PageRequest is a parsed ?limit=&cursor=.
type PageRequest struct {
	Limit  int
	Cursor string
}

// Page is the contract's list shape. NextCursor is null on the last page.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// ParsePage reads ?limit= (default 50, 1..200) and ?cursor= from a query.
func ParsePage(q url.Values) (PageRequest, error) {
	req := PageRequest{Limit: DefaultLimit, Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return req, errs.InvalidFields(errs.FieldError{Field: "limit", Message: "must be an integer from 1 to 200"})
		}
		req.Limit = n
	}
	return req, nil
}

// Sort orders a page by one field, ties broken by _id, both in the same
// direction. The cursor remembers the last item's (field, _id). Type is the
// field's BSON type: a cursor whose value has any other type is refused
// before it reaches a filter. Zero Type admits any scalar type, never a
// document or an array (an operator such as {$regex: ...}).
type Sort struct {
	Field string
	Desc  bool
	Type  bsontype.Type
}

// ByID is creation order (ids are time-ordered strings).
var ByID = Sort{Field: "_id", Type: bson.TypeString}

// cursorTypes are the scalar types a sort field may have.
var cursorTypes = []bsontype.Type{bson.TypeString, bson.TypeInt32, bson.TypeInt64, bson.TypeDouble,
	bson.TypeDecimal128, bson.TypeDateTime, bson.TypeBoolean, bson.TypeObjectID}

// admits reports whether a cursor value of type t fits the sort.
func (s Sort) admits(t bsontype.Type) bool {
	return slices.Contains(cursorTypes, t) && (s.Type == 0 || t == s.Type)
}

// wellFormed reports whether v's bytes are exactly one value of its type,
// one of cursorTypes (a RawValue with trailing bytes would marshal as is,
// into a broken document). Read here rather than by the driver, whose
// readers panic on some lengths (found by FuzzCursor).
func wellFormed(v bson.RawValue) bool {
	b := v.Value
	switch v.Type {
	case bson.TypeInt32:
		return len(b) == 4
	case bson.TypeInt64, bson.TypeDouble, bson.TypeDateTime:
		return len(b) == 8
	case bson.TypeDecimal128:
		return len(b) == 16
	case bson.TypeObjectID:
		return len(b) == 12
	case bson.TypeBoolean:
		return len(b) == 1 && b[0] <= 1
	case bson.TypeString:
		// int32 length of the bytes and their NUL, the bytes, the NUL.
		return len(b) >= 5 && int64(int32(binary.LittleEndian.Uint32(b))) == int64(len(b)-4) &&
			b[len(b)-1] == 0 && utf8.Valid(b[4:len(b)-1])
	}
	return false
}

// CursorKeys sign the cursors FindPage issues and verify the ones it is
// given back, by kid: new cursors name Active, the others still verify (a
// rotation keeps the pages in flight). Guarded functions derive them from
// JWT_KEYS (token.Keys.Derived), so cursors need no secret of their own.
type CursorKeys struct {
	Active string
	Keys   map[string][]byte
}

// SignCursorsWith sets the keys FindPage signs and verifies cursors with.
// Composition roots call it once, before serving; a Mongo without keys
// issues no cursor (an internal error) and accepts none.
func (m *Mongo) SignCursorsWith(k CursorKeys) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cursorKeys = k
}

func (m *Mongo) cursors() CursorKeys {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursorKeys
}

// maxCursor bounds a cursor: what is read of a client's and what is
// issued (a sort value is a name or a date: a few hundred bytes at most).
const maxCursor = 2048

// cursor is a page's position: the last item's sort value and _id.
type cursor struct {
	V  bson.RawValue `bson:"v"`
	ID string        `bson:"id"`
}

// cursorScope is what a cursor is good for: one sort of one collection of
// one clinic. Its MAC covers them, so a cursor of another list, order or
// clinic is refused like a forged one.
type cursorScope struct {
	coll, clinic string
	sort         Sort
}

func (sc cursorScope) mac(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "topsmile cursor v1\x00%s\x00%s\x00%s\x00%t\x00%d\x00", sc.coll, sc.clinic, sc.sort.Field, sc.sort.Desc, sc.sort.Type)
	m.Write(body)
	return m.Sum(nil)
}

// seal is the opaque cursor for at: base64url(BSON {v, id}) "." kid "."
// base64url(HMAC-SHA256 over the scope and the BSON).
func (k CursorKeys) seal(sc cursorScope, at cursor) (string, error) {
	key, ok := k.Keys[k.Active]
	if !ok {
		return "", errors.New("store: no cursor key (the composition root calls Mongo.SignCursorsWith)")
	}
	if !sc.sort.admits(at.V.Type) || !wellFormed(at.V) {
		return "", fmt.Errorf("store: %s.%s is %v, want a well-formed value of the sort's scalar type %v", sc.coll, sc.sort.Field, at.V.Type, sc.sort.Type)
	}
	body, err := bson.Marshal(at)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	out := enc.EncodeToString(body) + "." + k.Active + "." + enc.EncodeToString(sc.mac(key, body))
	if len(out) > maxCursor { // open would refuse it
		return "", fmt.Errorf("store: a cursor of %s.%s would be %d bytes", sc.coll, sc.sort.Field, len(out))
	}
	return out, nil
}

// open verifies s as a cursor k sealed for sc and returns its position: a
// string _id and a value of the sort's type. Anything else is the one
// invalid-cursor error, whatever was wrong with it.
func (k CursorKeys) open(sc cursorScope, s string) (cursor, error) {
	var at cursor
	bad := errs.InvalidFields(errs.FieldError{Field: "cursor", Message: "is not a cursor this server issued"})
	i, j := strings.IndexByte(s, '.'), strings.LastIndexByte(s, '.')
	if len(s) > maxCursor || i < 0 || i == j {
		return at, bad
	}
	enc := base64.RawURLEncoding
	key, known := k.Keys[s[i+1:j]]
	body, err1 := enc.DecodeString(s[:i])
	sum, err2 := enc.DecodeString(s[j+1:])
	if !known || err1 != nil || err2 != nil || !hmac.Equal(sum, sc.mac(key, body)) {
		return at, bad
	}
	// Validated before decoding: the driver's decoder panics on some
	// malformed BSON (found by FuzzCursor), and a MAC is no proof of form.
	if bson.Raw(body).Validate() != nil {
		return at, bad
	}
	if err := bson.Unmarshal(body, &at); err != nil || at.ID == "" || !sc.sort.admits(at.V.Type) || !wellFormed(at.V) {
		return cursor{}, bad
	}
	return at, nil
}

// FindPage returns one page of clinicID's records matching filter, in sort
// order, in one round trip (it asks for limit+1 to know whether more exist).
// A cursor only narrows the clinic-scoped filter with a scalar it signed
// for this collection, sort and clinic; any other is an invalid cursor.
func FindPage[T any](ctx context.Context, c *Collection, clinicID string, filter bson.D, sort Sort, req PageRequest) (Page[T], error) {
	page := Page[T]{Items: []T{}}
	if req.Limit <= 0 {
		req.Limit = DefaultLimit
	}
	dir, cmp := 1, "$gt"
	if sort.Desc {
		dir, cmp = -1, "$lt"
	}
	scope := cursorScope{coll: c.name, clinic: clinicID, sort: sort}
	if req.Cursor != "" {
		cur, err := c.m.cursors().open(scope, req.Cursor)
		if err != nil {
			return page, err
		}
		if sort.Field == "_id" {
			filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: cmp, Value: cur.ID}}})
		} else {
			filter = append(filter, bson.E{Key: "$or", Value: bson.A{
				bson.D{{Key: sort.Field, Value: bson.D{{Key: cmp, Value: cur.V}}}},
				bson.D{{Key: sort.Field, Value: cur.V}, {Key: "_id", Value: bson.D{{Key: cmp, Value: cur.ID}}}},
			}})
		}
	}
	order := bson.D{{Key: sort.Field, Value: dir}}
	if sort.Field != "_id" {
		order = append(order, bson.E{Key: "_id", Value: dir})
	}
	var raws []bson.Raw
	opts := options.Find().SetSort(order).SetLimit(int64(req.Limit) + 1)
	if err := c.Find(ctx, clinicID, filter, &raws, opts); err != nil {
		return page, err
	}
	more := len(raws) > req.Limit
	if more {
		raws = raws[:req.Limit]
	}
	for _, raw := range raws {
		var item T
		if err := bson.Unmarshal(raw, &item); err != nil {
			return page, MapError(err)
		}
		page.Items = append(page.Items, item)
	}
	if more {
		last := raws[len(raws)-1]
		id, _ := last.Lookup("_id").StringValueOK()
		next, err := c.m.cursors().seal(scope, cursor{V: last.Lookup(strings.Split(sort.Field, ".")...), ID: id})
		if err != nil {
			return page, MapError(err)
		}
		page.NextCursor = &next
	}
	return page, nil
}

// All is a complete, unpaged list in the contract's list shape (short lists
// such as a clinic's chairs or a user's sessions).
func All[T any](list []T) Page[T] {
	if list == nil {
		list = []T{}
	}
	return Page[T]{Items: list}
}
