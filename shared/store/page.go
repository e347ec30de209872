package store

import (
	"context"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
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
// direction. The cursor remembers the last item's (field, _id).
type Sort struct {
	Field string
	Desc  bool
}

// ByID is creation order (ids are time-ordered).
var ByID = Sort{Field: "_id"}

type cursorDoc struct {
	V  bson.RawValue `bson:"v"`
	ID string        `bson:"id"`
}

func encodeCursor(v bson.RawValue, id string) (string, error) {
	b, err := bson.Marshal(bson.D{{Key: "v", Value: v}, {Key: "id", Value: id}})
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func decodeCursor(s string) (cursorDoc, error) {
	var c cursorDoc
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = bson.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return c, errs.InvalidFields(errs.FieldError{Field: "cursor", Message: "is not a cursor this server issued"})
	}
	return c, nil
}

// FindPage returns one page of clinicID's records matching filter, in sort
// order, in one round trip (it asks for limit+1 to know whether more exist).
// A cursor only narrows the clinic-scoped filter, so a forged one can never
// reach another clinic's records.
func FindPage[T any](ctx context.Context, c *Collection, clinicID string, filter bson.D, sort Sort, req PageRequest) (Page[T], error) {
	page := Page[T]{Items: []T{}}
	if req.Limit <= 0 {
		req.Limit = DefaultLimit
	}
	dir, cmp := 1, "$gt"
	if sort.Desc {
		dir, cmp = -1, "$lt"
	}
	if req.Cursor != "" {
		cur, err := decodeCursor(req.Cursor)
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
		next, err := encodeCursor(last.Lookup(strings.Split(sort.Field, ".")...), id)
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
