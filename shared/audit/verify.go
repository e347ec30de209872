package audit

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/errs"
)

// batchSize is how many records Verify reads per query.
const batchSize = 500

// Verification is the result of checking a clinic's chain. BrokenAtSeq is
// the seq of the first record that is missing or does not check out;
// Checked counts the records that checked out before it, Unkeyed how many
// of those are from before the trail was keyed: their plain SHA-256 proves
// nothing against someone who could write to the database, and a chain
// that is unkeyed from its start on is either that old or rewritten whole.
type Verification struct {
	OK          bool   `json:"ok"`
	Checked     int64  `json:"checked"`
	Unkeyed     int64  `json:"unkeyed,omitempty"`
	BrokenAtSeq int64  `json:"brokenAtSeq,omitempty"`
	Problem     string `json:"problem,omitempty"`
}

// Verify walks clinicID's chain in seq order, one window of seqs per query
// (each under the per-call timeout, never the whole trail in memory),
// checking every record's MAC under the key it names, every link, that seqs
// run 1, 2, 3, ... without gaps or repeats, that unkeyed records come only
// before the first keyed one, and that the head's tip is the MAC of the
// record it names. It reports the first problem. Records appended while it
// runs are checked too.
//
// Windows are ranges of seq values rather than "the next n after the last
// one": FerretDB sorts whatever a filter matched in memory, so each query
// sorts one window instead of the rest of the trail, and a repeated seq
// cannot hide at a batch's edge. Unlike appending, Verify's cost grows with
// the trail: it is an administrator's check, not part of every request.
func (l *Log) Verify(ctx context.Context, clinicID string) (Verification, error) {
	if l.keys == nil {
		return Verification{}, errNoKeys
	}
	v := Verification{OK: true}
	broken := func(seq int64, problem string) (Verification, error) {
		return Verification{Checked: v.Checked, Unkeyed: v.Unkeyed, BrokenAtSeq: seq, Problem: problem}, nil
	}
	// The head is read first: a writer raises it only after its record is
	// in, so every seq up to this one must be found by the walk below, while
	// records appended meanwhile cannot make it look cut off. A head that
	// lags (a lost race to raise it) only lets a cut shorter than the lag
	// pass; it never makes an intact chain look cut.
	head, _, err := l.readHead(ctx, clinicID)
	if err != nil {
		return Verification{}, err
	}
	prev := link{} // the genesis link
	keyed := false // a keyed record was met: no unkeyed one may follow
	// One more than the window holds: more than n records for n seqs
	// means a repeat, which the walk then meets.
	opts := options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}).SetLimit(int64(l.batch) + 1)
	// more says a record past prev was seen: seq n+1 is inserted only once
	// n is in, so the next window must start with prev+1.
	more := false
	for {
		var batch []bson.Raw
		filter := bson.D{{Key: "seq", Value: bson.D{{Key: "$gt", Value: prev.Seq}, {Key: "$lte", Value: prev.Seq + int64(l.batch)}}}}
		if err := l.coll.Find(ctx, clinicID, filter, &batch, opts); err != nil {
			return Verification{}, err
		}
		if more && len(batch) == 0 {
			return broken(prev.Seq+1, "record is missing")
		}
		for _, raw := range batch {
			want := prev.Seq + 1
			var r Record
			if err := bson.Unmarshal(raw, &r); err != nil {
				return broken(want, "record cannot be read")
			}
			switch {
			case r.Seq == prev.Seq:
				return broken(r.Seq, "seq appears more than once")
			case r.Seq != want:
				return broken(want, "record is missing")
			case r.PrevHash != prev.Hash:
				return broken(r.Seq, "record does not link to the one before it")
			}
			if problem := l.keys.check(r, keyed); problem != "" {
				return broken(r.Seq, problem)
			}
			if head.hasTip && r.Seq == head.seq && r.Hash != head.last.Hash {
				return broken(r.Seq, "the head's tip is not this record's MAC")
			}
			keyed = keyed || r.KID != ""
			if r.KID == "" {
				v.Unkeyed++
			}
			prev = link{Seq: r.Seq, Hash: r.Hash}
			v.Checked++
		}
		if len(batch) == l.batch {
			more = false
			continue
		}
		// A short window: the chain ends at prev, or it goes on after a
		// run of missing records longer than a window, or records were
		// appended since the window was read. Look once past prev.
		var next link
		err := l.coll.FindOne(ctx, clinicID, bson.D{{Key: "seq", Value: bson.D{{Key: "$gt", Value: prev.Seq}}}}, &next,
			options.FindOne().SetProjection(bson.D{{Key: "seq", Value: 1}}))
		if errs.Is(err, errs.NotFound) {
			break
		}
		if err != nil {
			return Verification{}, err
		}
		more = true
	}
	if head.seq > prev.Seq {
		return broken(prev.Seq+1, "records are missing at the end of the trail")
	}
	return v, nil
}
