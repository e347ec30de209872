package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/backoff"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
)

// Versions makes each change of a versioned record (one with an int
// "version" field) happen once. A conditional update on the old version
// cannot promise that here: FerretDB's are not atomic, so two racing
// writers can both match, and FerretDB decodes the whole collection for any
// filter but {_id}. So the writer that read version v first claims the move
// from v with an insert into a unique index, the one primitive that has a
// single winner everywhere; the winner re-reads the record by _id to see it
// still at v (a reader may have read it before the last move), writes it by
// _id with version v+1, and drops its claim.
//
// A writer that dies between claim and write leaves its claim behind. Once
// the claim is older than VersionLease, longer than any request lives, the
// next writer takes the move over by claiming the next generation of the
// same version, which again only one can win; a claim on a version the
// record has already left is not taken over, it is merely stale.
type Versions struct {
	claims     *Collection
	clock      clock.Clock
	afterClaim func(kind, id string, version int) error
}

// VersionLease is how long a claim holds before another writer may take it
// over: functions time out at 10 s, so only a writer that died mid-change
// loses its claim.
const VersionLease = 30 * time.Second

// maxGenerations bounds the take-overs of one version's move.
const maxGenerations = 20

// NewVersions declares the claims collection (no I/O). A claim's _id names
// its clinic, so claims of two clinics never meet.
func NewVersions(m *Mongo, c clock.Clock) *Versions {
	return &Versions{claims: m.Collection("version_claims"), clock: c}
}

// SetAfterClaim installs a hook that runs after a claim is won and before
// the write, where a writer that crashes leaves its claim behind. Tests only.
func (v *Versions) SetAfterClaim(fn func(kind, id string, version int) error) { v.afterClaim = fn }

type versionClaim struct {
	ID         string    `bson:"_id"`
	Kind       string    `bson:"kind"`
	Record     string    `bson:"record"`
	Version    int       `bson:"version"`
	Generation int       `bson:"generation"`
	At         time.Time `bson:"at"`
}

func claimID(clinicID, kind, id string, version, gen int) string {
	return fmt.Sprintf("%s:%s:%s:%d:%d", clinicID, kind, id, version, gen)
}

// Claim claims the move of record id (of kind, such as its collection's
// name) from version to the next, and reports whether this call won it. A
// claim older than the lease is taken over. Update uses it; on its own it
// suits a change that is not one update of one document.
func (v *Versions) Claim(ctx context.Context, clinicID, kind, id string, version int) (bool, error) {
	_, won, err := v.claim(ctx, clinicID, kind, id, version, nil)
	return won, err
}

// claim is Claim that, before taking over a lapsed claim, asks moved
// whether the record has left version (then there is nothing to take over).
// It returns the generation won.
func (v *Versions) claim(ctx context.Context, clinicID, kind, id string, version int, moved func(context.Context) (bool, error)) (int, bool, error) {
	if clinicID == "" {
		return 0, false, ErrNoClinic
	}
	for gen := range maxGenerations {
		c := versionClaim{ID: claimID(clinicID, kind, id, version, gen), Kind: kind, Record: id, Version: version, Generation: gen,
			At: v.clock.Now().UTC().Truncate(time.Millisecond)}
		err := v.claims.InsertOne(ctx, clinicID, c)
		if err == nil {
			return gen, true, nil
		}
		if !errs.Is(err, errs.Conflict) {
			return 0, false, err
		}
		var held versionClaim
		err = v.claims.Get(ctx, clinicID, c.ID, &held)
		switch {
		case errs.Is(err, errs.NotFound):
			return 0, false, nil // its writer finished meanwhile: the record has moved on
		case err != nil:
			return 0, false, err
		case v.clock.Now().Sub(held.At) < VersionLease:
			return 0, false, nil // a live writer holds it
		}
		if moved != nil {
			if gone, err := moved(ctx); err != nil || gone {
				return 0, false, err
			}
		}
	}
	return 0, false, nil
}

// release drops the claims of generations 0..gen of one version's move:
// the winner's own and those of the dead writers it took over from.
func (v *Versions) release(ctx context.Context, clinicID, kind, id string, version, gen int) {
	ctx = context.WithoutCancel(ctx)
	for g := 0; g <= gen; g++ {
		// Best effort: a claim left behind is stale and taken over or
		// ignored (its version is gone).
		_ = v.claims.deleteByID(ctx, claimID(clinicID, kind, id, version, g))
	}
}

// Update moves record id of c, of clinicID, from version to version+1 by
// update, once, and reports whether this call did. It adds the version
// increment itself: update must not name "version". false means another
// change won the move from version, or the record is no longer at version:
// the caller reads it again, then re-applies its change (Retry) or tells
// its client to reload (Conflict). A missing record, or another clinic's,
// is NotFound. When out is not nil it receives the record as written.
//
// Every read and write it makes is by _id alone (see Collection.Get).
func (v *Versions) Update(ctx context.Context, c *Collection, clinicID, id string, version int, update bson.D, out any) (bool, error) {
	if names(update, "version") {
		return false, errors.New("store: a versioned update may not name version; Update increments it")
	}
	at := func(ctx context.Context) (int, error) {
		var cur struct {
			Version int `bson:"version"` // absent (records from before versioning): 0
		}
		err := c.Get(ctx, clinicID, id, &cur)
		return cur.Version, err
	}
	kind := c.Name()
	gen, won, err := v.claim(ctx, clinicID, kind, id, version, func(ctx context.Context) (bool, error) {
		cur, err := at(ctx)
		return cur != version, err
	})
	if err != nil || !won {
		return false, err
	}
	if v.afterClaim != nil {
		if err := v.afterClaim(kind, id, version); err != nil {
			return false, err
		}
	}
	cur, err := at(ctx)
	if err == nil && cur != version || errs.Is(err, errs.NotFound) {
		v.release(ctx, clinicID, kind, id, version, gen)
	}
	if err != nil || cur != version {
		return false, err
	}
	matched, err := c.updateByID(ctx, id, withIncrement(update), out)
	if err != nil {
		// The claim stays: whether the write landed is unknown, and the
		// lease lets the next writer find out safely.
		return false, err
	}
	if !matched {
		return false, errs.E(errs.NotFound, "not found") // deleted meanwhile
	}
	v.release(ctx, clinicID, kind, id, version, gen)
	return true, nil
}

// withIncrement is update (not changed) that also increments version.
func withIncrement(update bson.D) bson.D {
	inc := bson.E{Key: "version", Value: 1}
	out := make(bson.D, 0, len(update)+1)
	merged := false
	for _, op := range update {
		if fields, ok := op.Value.(bson.D); ok && op.Key == "$inc" {
			op.Value, merged = append(append(bson.D{}, fields...), inc), true
		}
		out = append(out, op)
	}
	if !merged {
		out = append(out, bson.E{Key: "$inc", Value: bson.D{inc}})
	}
	return out
}

// Retry runs try, a read-change-Update round, until it wins (true) or
// fails, waiting a jittered, growing time between rounds so that writers
// that collided spread out; after maxRetries rounds lost it returns lost.
// It is for callers whose change can be re-applied to a fresher copy.
func Retry(ctx context.Context, lost error, try func() (won bool, err error)) error {
	for attempt := range maxRetries {
		if attempt > 0 {
			if err := backoff.Sleep(ctx, attempt, retryBase, retryMax); err != nil {
				return err
			}
		}
		won, err := try()
		if err != nil || won {
			return err
		}
	}
	return lost
}

// A round that lost waits below a ceiling that doubles per attempt from
// retryBase up to retryMax.
const (
	maxRetries = 16
	retryBase  = 5 * time.Millisecond
	retryMax   = 200 * time.Millisecond
)
