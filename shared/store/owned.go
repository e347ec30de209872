package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/bson"
)

// Owned is one record whose clinic is known because this request inserted
// it (Insert) or read it by _id (Lookup). Ids and clinicId never change, so
// that stays true, and a change through Owned can send the filter {_id}
// alone (see Get) without leaving the record's clinic.
type Owned struct {
	c        *Collection
	ClinicID string
	ID       string
}

// Insert is InsertOne for a document whose _id is set, returning it Owned.
func (c *Collection) Insert(ctx context.Context, clinicID string, doc any) (Owned, error) {
	d, err := stamp(clinicID, doc)
	if err != nil {
		return Owned{}, err
	}
	var id string
	for _, e := range d {
		if e.Key == "_id" {
			id, _ = e.Value.(string)
		}
	}
	if id == "" {
		return Owned{}, errors.New("store: Insert needs a document with a string _id")
	}
	if err := c.insert(ctx, d); err != nil {
		return Owned{}, err
	}
	return Owned{c: c, ClinicID: clinicID, ID: id}, nil
}

// Lookup decodes the record with _id id into out, whichever clinic's it is,
// and returns it Owned by that clinic; none is NotFound. It is for lookups
// that cross clinics by design (a refresh token names its session, not a
// clinic): the caller then acts as the record's clinic and no other. Its
// filter is {_id} alone, as Get's.
func (c *Collection) Lookup(ctx context.Context, id string, out any) (Owned, error) {
	raw, err := c.rawByID(ctx, id)
	if err != nil {
		return Owned{}, err
	}
	owner, _ := raw.Lookup(ClinicField).StringValueOK()
	if owner == "" {
		return Owned{}, ErrNoClinic
	}
	if err := bson.Unmarshal(raw, out); err != nil {
		return Owned{}, MapError(err)
	}
	return Owned{c: c, ClinicID: owner, ID: id}, nil
}

// Update applies update to the record and reports whether it is still
// there. Nothing but the record's _id filters it: a condition on its state
// is not atomic on FerretDB anyway, so whoever may write concurrently must
// be excluded first (a Claim, Versions).
func (o Owned) Update(ctx context.Context, update bson.D) (bool, error) {
	if o.c == nil {
		return false, errors.New("store: Update of a zero Owned")
	}
	return o.c.updateByID(ctx, o.ID, update, nil)
}
