package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// head is what audit_heads says of a clinic's chain. The stored document
// (_id: the clinic id) has seq, the newest seq written, and tip, that seq
// and its record's MAC as one string ("<seq, 19 digits>:<mac>"). Both are
// raised with $max in one update: the zero-padded seq makes the strings
// order as the seqs do, and one seq has one record, so the highest tip is
// the newest record's link, whichever writer finishes last. On FerretDB $max
// is a read and a write, not one step: of two raises racing, the lower can
// land last. The head then lags, which costs the next writer that trusts it
// a few reads by _id (catchUp), and lets Verify miss a cut of no more
// records than the lag; it never runs ahead of the records, so it never
// makes an intact chain look cut.
type head struct {
	seq int64
	// last is the link at seq when hasTip; heads raised before they
	// carried the hash have a seq only.
	last   link
	hasTip bool
}

type headDoc struct {
	Seq int64  `bson:"seq"`
	Tip string `bson:"tip"`
}

func tip(l link) string { return fmt.Sprintf("%019d:%s", l.Seq, l.Hash) }

func parseTip(s string) (link, bool) {
	seq, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n <= 0 {
		return link{}, false
	}
	return link{Seq: n, Hash: hash}, true
}

// readHead reads clinicID's head; a clinic with no head has seq 0 and the
// genesis link.
func (l *Log) readHead(ctx context.Context, clinicID string) (head, bool, error) {
	var d headDoc
	found, err := byID(ctx, l.heads, clinicID, clinicID, &d)
	if err != nil || !found {
		return head{}, false, err
	}
	t, ok := parseTip(d.Tip)
	h := head{seq: max(d.Seq, t.Seq)}
	if ok && t.Seq == h.seq {
		h.last, h.hasTip = t, true
	}
	return h, true, nil
}

// raiseHead raises clinicID's head to ch.last. The first record of a clinic
// inserts the head (FerretDB does not upsert with $max); a writer that finds
// it there already raises it instead.
func (l *Log) raiseHead(ctx context.Context, ch *chain, clinicID string) error {
	raise := bson.D{{Key: "seq", Value: ch.last.Seq}, {Key: "tip", Value: tip(ch.last)}}
	for range 3 {
		if ch.headExists {
			var matched bool
			err := l.heads.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
				// By _id alone, as in byID; the head's _id is its clinic.
				res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: clinicID}}, bson.D{{Key: "$max", Value: raise}})
				matched = err == nil && res.MatchedCount > 0
				return err
			})
			if err != nil || matched {
				return err
			}
		}
		err := l.heads.InsertOne(ctx, clinicID, append(bson.D{{Key: "_id", Value: clinicID}}, raise...))
		ch.headExists = err == nil || errs.Is(err, errs.Conflict)
		if !errs.Is(err, errs.Conflict) {
			return err
		}
	}
	return errs.E(errs.Unavailable, "audit trail busy, try again")
}

// byID reads the document with _id id from c into out and reports whether
// there is one. Its filter is {_id} and nothing else, not even the clinic:
// it is the only filter FerretDB's SQLite backend hands down to SQLite; for
// any other it decodes and tests every document of the collection in Go,
// which is what made finding the tail slow. (SQLite still walks the table
// for it, FerretDB's own _id index going unused, so appends read records
// only to catch up; MongoDB uses the _id index.) Tenancy holds all the same:
// the ids asked for name their clinic, and a document that is not
// clinicID's counts as not there.
func byID(ctx context.Context, c *store.Collection, clinicID, id string, out any) (bool, error) {
	if clinicID == "" {
		return false, store.ErrNoClinic
	}
	var raw bson.Raw
	err := c.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&raw)
	})
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if owner, _ := raw.Lookup(store.ClinicField).StringValueOK(); owner != clinicID {
		return false, nil
	}
	return true, bson.Unmarshal(raw, out)
}
