package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/backoff"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// Field limits keep one noisy caller (a long forwarded-for header, a huge
// path) from bloating the trail. Values are cut, not refused: an audit record
// must still be written.
const (
	maxShort = 256  // ids, role, action, request id, ip, outcome
	maxLong  = 1024 // resource, detail
	attempts = 20   // inserts tried before giving up with Unavailable

	// minBackoff and maxBackoff bound the wait between attempts; with
	// attempts they bound how long a contended append waits: at most about
	// seven seconds, under the functions' ten-second timeout.
	minBackoff = 2 * time.Millisecond
	maxBackoff = 500 * time.Millisecond

	// maxWalk is how many records past the known end a writer reads one by
	// one before it looks the end up by a sorted query instead: a head that
	// lags by more than a race or two is rare, and a walk must not cost more
	// than the query it saves.
	maxWalk = 8
)

// MaxListed is how many patients one record lists: a full page
// (store.MaxLimit). A longer list keeps its first MaxListed, and the detail
// says how many there were.
const MaxListed = 200

// link is one point of a chain: a seq and the MAC of its record. The zero
// link is the genesis, which record 1 links to.
type link struct {
	Seq  int64  `bson:"seq"`
	Hash string `bson:"hash"`
}

// recordID is the _id of clinicID's record seq. Deriving it from the seq
// makes the insert of record seq the claim of that seq (the _id is unique on
// every server, and FerretDB enforces it as reliably as any index), and lets
// a writer read any record of the chain by its primary key. The seq is
// zero-padded to int64's 19 digits, so the id is unambiguous and sorts as
// the seq does.
func recordID(clinicID string, seq int64) string {
	return fmt.Sprintf("%s:%019d", clinicID, seq)
}

// Record appends e to its clinic's chain. It is safe for concurrent use, in
// this process and across processes; when the clinic's tail stays contended
// for every attempt it returns an Unavailable error.
//
// Uncontended, an append is two round trips once this process knows the
// chain's end (it wrote the last record): insert record n+1, raise the head.
// A process new to the clinic first reads the head; one that other
// processes overtook learns that from the insert and reads the head then.
// None of them reads the trail, so the cost does not grow with it.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if err := validate(e); err != nil {
		return err
	}
	if l.keys == nil {
		return errNoKeys
	}
	ch, err := l.lock(ctx, e.ClinicID)
	if err != nil {
		return err
	}
	defer ch.unlock()
	if !ch.known {
		if err := l.start(ctx, ch, e.ClinicID); err != nil {
			return err
		}
	}
	r := newRecord(e, l.clock.Now())
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			if err := backoff.Sleep(ctx, attempt, minBackoff, maxBackoff); err != nil {
				return err
			}
		}
		r.Seq, r.PrevHash = ch.last.Seq+1, ch.last.Hash
		r.ID = recordID(r.ClinicID, r.Seq)
		l.keys.seal(&r)
		if l.beforeInsert != nil {
			l.beforeInsert(r.ClinicID, r.Seq)
		}
		err := l.coll.InsertOne(ctx, r.ClinicID, r)
		if err == nil {
			ch.last = link{Seq: r.Seq, Hash: r.Hash}
			// A head that cannot be raised fails the append although the
			// record is in: the caller stops, and the trail names an
			// attempt that went no further, the safe side to err on.
			return l.raiseHead(ctx, ch, r.ClinicID)
		}
		if !errs.Is(err, errs.Conflict) {
			// The record may still have been written; if so, the next
			// append meets it as a taken seq and links to it.
			return err
		}
		if err := l.catchUp(ctx, ch, r.ClinicID); err != nil {
			return err
		}
	}
	return errs.E(errs.Unavailable, "audit trail busy, try again")
}

// errNoKeys is a Log built for listing asked to write or verify.
var errNoKeys = errors.New("audit: the trail has no keys (AUDIT_KEYS)")

// newRecord is e as stored, without its place in the chain.
func newRecord(e Entry, now time.Time) Record {
	listed, detail := listedPatients(e.PatientIDs, e.Detail)
	return Record{
		ClinicID:   e.ClinicID,
		ActorID:    clean(e.ActorID, maxShort),
		ActorRole:  clean(e.ActorRole, maxShort),
		Action:     clean(e.Action, maxShort),
		Resource:   clean(e.Resource, maxLong),
		PatientID:  clean(e.PatientID, maxShort),
		RequestID:  clean(e.RequestID, maxShort),
		IP:         clean(e.IP, maxShort),
		Outcome:    e.Outcome,
		Detail:     detail,
		PatientIDs: listed,
		// BSON datetimes hold milliseconds: truncating makes the MAC of
		// what is stored recompute identically after a round trip.
		At: now.UTC().Truncate(time.Millisecond),
	}
}

// listedPatients is ids as a record lists them, each once in the order
// given, at most MaxListed, and detail with a note of how many there were
// when some were left out (the note is kept whole however long detail is).
func listedPatients(ids []string, detail string) ([]string, string) {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id = clean(id, maxShort); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) <= MaxListed {
		return out, clean(detail, maxLong)
	}
	note := fmt.Sprintf("patients listed: %d of %d", MaxListed, len(out))
	if detail != "" {
		note = "; " + note
	}
	return out[:MaxListed], clean(detail, maxLong-len(note)) + note
}

func validate(e Entry) error {
	switch {
	case e.ClinicID == "":
		return store.ErrNoClinic
	case strings.TrimSpace(e.Action) == "":
		return errors.New("audit: entry has no action")
	case e.Outcome != Success && e.Outcome != Failure && e.Outcome != Denied:
		return errors.New("audit: entry outcome must be success, failure or denied")
	}
	return nil
}

// clean makes s valid UTF-8 (so the server stores exactly the bytes hashed)
// and cuts it to at most n bytes on a rune boundary.
func clean(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// chain is this process's view of one clinic's chain. turn serializes the
// process's appends: they would all race for the same next seq, so queueing
// them here spares the losers' round trips (other processes are kept out by
// the unique _id). The other fields are touched only while holding turn.
type chain struct {
	turn chan struct{}
	// known says last has been learned: it is then the newest link this
	// process has written or read, and the next append claims last.Seq+1
	// without asking the database where the chain ends.
	known bool
	last  link
	// headExists says the clinic's head document is there, so raising it
	// is an update; before the first record it is an insert.
	headExists bool
}

func (c *chain) unlock() { <-c.turn }

// lock waits for this process's turn to append to clinicID's chain.
func (l *Log) lock(ctx context.Context, clinicID string) (*chain, error) {
	l.mu.Lock()
	c, ok := l.chains[clinicID]
	if !ok {
		c = &chain{turn: make(chan struct{}, 1)}
		l.chains[clinicID] = c
	}
	l.mu.Unlock()
	select {
	case c.turn <- struct{}{}:
		return c, nil
	case <-ctx.Done():
		return nil, errs.Wrap(errs.Unavailable, ctx.Err(), "request cancelled")
	}
}

// start learns where clinicID's chain ends, for a process that has not
// appended to it yet, from the clinic's head. A head that lags only costs
// the first insert a conflict and catchUp a few reads.
func (l *Log) start(ctx context.Context, ch *chain, clinicID string) error {
	h, found, err := l.readHead(ctx, clinicID)
	if err != nil {
		return err
	}
	last := h.last
	if found && !h.hasTip {
		// A head raised before heads carried the hash: look the end up.
		// When the newest records were deleted, number on after the head
		// all the same, so the gap stays visible to Verify.
		t, _, err := l.tailFrom(ctx, clinicID, 0)
		if err != nil {
			return err
		}
		last = link{Seq: max(t.Seq, h.seq), Hash: t.Hash}
	}
	ch.known, ch.last, ch.headExists = true, last, found
	return nil
}

// catchUp moves ch.last towards the chain's end after an insert found its
// seq taken. Most often other processes appended since this one last did,
// and raised the head: one read of it, a document per clinic, jumps to
// their newest record. When the head is behind the taken seq (its writer
// has not raised it yet, or a raise was lost in a race) the records past
// ch.last are read by _id until one is missing. Where that cannot work the
// end is looked up instead: the taken seq's record does not have the _id
// derived from it (written before _ids were), or the walk grows long.
func (l *Log) catchUp(ctx context.Context, ch *chain, clinicID string) error {
	h, _, err := l.readHead(ctx, clinicID)
	if err != nil {
		return err
	}
	if h.hasTip && h.seq > ch.last.Seq {
		ch.last = h.last
		return nil
	}
	for walked := 0; walked < maxWalk; walked++ {
		want := ch.last.Seq + 1
		var next link
		found, err := byID(ctx, l.coll, clinicID, recordID(clinicID, want), &next)
		if err != nil {
			return err
		}
		if found && next.Seq == want {
			ch.last = next
			continue
		}
		if !found && walked > 0 {
			return nil // the end, as of now
		}
		break
	}
	t, found, err := l.tailFrom(ctx, clinicID, ch.last.Seq+1)
	if found {
		ch.last = t
	}
	return err
}

// tailFrom finds the clinic's newest record with a seq of at least from, by
// sorting the clinic's records: MongoDB seeks its index, FerretDB scans the
// trail. Only appends meeting records from before _ids were derived from the
// seq, or a head that lags far behind, come here.
func (l *Log) tailFrom(ctx context.Context, clinicID string, from int64) (link, bool, error) {
	var t link
	opts := options.FindOne().
		SetSort(bson.D{{Key: "seq", Value: -1}}).
		SetProjection(bson.D{{Key: "seq", Value: 1}, {Key: "hash", Value: 1}})
	filter := bson.D{}
	if from > 0 {
		filter = bson.D{{Key: "seq", Value: bson.D{{Key: "$gte", Value: from}}}}
	}
	err := l.coll.FindOne(ctx, clinicID, filter, &t, opts)
	if errs.Is(err, errs.NotFound) {
		return link{}, false, nil
	}
	return t, err == nil, err
}
