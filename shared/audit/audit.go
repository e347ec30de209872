// Package audit is the clinic's append-only, hash-chained audit trail: who
// did what to which patient's information, when, from where, and with what
// outcome. Each clinic has its own chain: record n carries the hash of record
// n-1, and its own hash covers every stored field, so an edited, deleted or
// reordered record is found by Verify.
//
// Appending needs no transaction: the next sequence number is claimed by an
// insert that a unique (clinicId, seq) index lets only one writer win, on
// MongoDB and FerretDB alike. After it, the clinic's head (audit_heads: the
// highest seq written) is raised, so that records cut off the end of the
// chain show too. The package exposes no update or delete, and never logs
// what it stores.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// Outcome is how the audited action ended.
type Outcome string

const (
	Success Outcome = "success"
	Failure Outcome = "failure"
	Denied  Outcome = "denied"
)

// SystemClinic is the chain for events that belong to no clinic, such as a
// failed login for an email no account has. Real clinic ids are ObjectID hex,
// so it cannot collide with one.
const SystemClinic = "system"

// Entry is what a caller reports. Detail is a short, human-readable note:
// never a secret, a token, or the body of health information.
type Entry struct {
	ClinicID  string
	ActorID   string // user id; "" for anonymous (failed login of an unknown user)
	ActorRole string
	Action    string // "auth.login", "authz.denied", "patient.read", "chart.write", ...
	Resource  string // "patients/64ab..." or a route pattern
	PatientID string // set when the action touches a patient's information
	RequestID string
	IP        string
	Outcome   Outcome
	Detail    string
}

// Record is one stored link of a clinic's chain.
type Record struct {
	ID        string    `bson:"_id" json:"id"`
	ClinicID  string    `bson:"clinicId" json:"clinicId"`
	Seq       int64     `bson:"seq" json:"seq"`
	ActorID   string    `bson:"actorId" json:"actorId"`
	ActorRole string    `bson:"actorRole" json:"actorRole"`
	Action    string    `bson:"action" json:"action"`
	Resource  string    `bson:"resource" json:"resource"`
	PatientID string    `bson:"patientId" json:"patientId"`
	RequestID string    `bson:"requestId" json:"requestId"`
	IP        string    `bson:"ip" json:"ip"`
	Outcome   Outcome   `bson:"outcome" json:"outcome"`
	Detail    string    `bson:"detail" json:"detail"`
	At        time.Time `bson:"at" json:"at"`
	PrevHash  string    `bson:"prevHash" json:"prevHash"`
	Hash      string    `bson:"hash" json:"hash"`
}

// Field limits keep one noisy caller (a long forwarded-for header, a huge
// path) from bloating the trail. Values are cut, not refused: an audit record
// must still be written.
const (
	maxShort  = 256  // ids, role, action, request id, ip, outcome
	maxLong   = 1024 // resource, detail
	attempts  = 20   // appends tried before giving up with Unavailable
	batchSize = 500  // records per query while verifying

	// maxBackoff caps the wait between attempts; with attempts it bounds
	// how long a contended append waits: at most about seven seconds, under
	// the functions' ten-second timeout.
	maxBackoff = 500 * time.Millisecond
)

// Log is a clinic-scoped audit trail.
type Log struct {
	coll  *store.Collection
	heads *store.Collection // per clinic: the highest seq written, so a cut-off tail shows
	clock clock.Clock

	mu     sync.Mutex
	chains map[string]*chain

	batch int // records per query while verifying

	// beforeInsert, when set (tests only), runs between reading the tail and
	// inserting, where a competing writer can slip in.
	beforeInsert func(clinicID string, seq int64)
}

// New declares the audit_logs collection and its indexes, and audit_heads.
func New(m *store.Mongo, c clock.Clock) *Log {
	keys := func(ks ...string) bson.D {
		d := bson.D{{Key: store.ClinicField, Value: 1}}
		for _, k := range ks {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		return d
	}
	return &Log{
		coll: m.Collection("audit_logs",
			// The chain's integrity: one record per (clinic, seq).
			mongo.IndexModel{Keys: keys("seq"), Options: options.Index().SetUnique(true)},
			// store.FindPage sorts by (seq, _id); a trailing _id lets the
			// server walk these indexes in order instead of sorting every
			// matching record of the clinic for each page.
			mongo.IndexModel{Keys: keys("seq", "_id")},
			mongo.IndexModel{Keys: keys("patientId", "seq", "_id")},
			mongo.IndexModel{Keys: keys("actorId", "seq", "_id")},
			mongo.IndexModel{Keys: keys("action", "seq", "_id")},
			mongo.IndexModel{Keys: keys("at")},
		),
		heads:  m.Collection("audit_heads"),
		clock:  c,
		chains: map[string]*chain{},
		batch:  batchSize,
	}
}

// Record appends e to its clinic's chain. It is safe for concurrent use, in
// this process and across processes; when the clinic's tail stays contended
// for every attempt it returns an Unavailable error.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if err := validate(e); err != nil {
		return err
	}
	ch, err := l.lock(ctx, e.ClinicID)
	if err != nil {
		return err
	}
	defer ch.unlock()

	// BSON datetimes hold milliseconds: truncating now makes the hash of
	// what is stored recompute identically after a round trip.
	at := l.clock.Now().UTC().Truncate(time.Millisecond)
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
		}
		// The head is read before the tail: a head is raised only after its
		// record is inserted, so an intact trail always has tail >= head. A
		// tail below the head means the newest records were deleted; numbering
		// then goes on after the head so the gap stays visible to Verify.
		var head int64
		if attempt == 0 {
			if head, err = l.head(ctx, e.ClinicID); err != nil {
				return err
			}
		}
		tail, err := l.tail(ctx, e.ClinicID, ch.seen)
		if err != nil {
			return err
		}
		if head > tail.Seq {
			tail.Seq = head
		}
		ch.seen = tail.Seq
		r := Record{
			ID:        ids.New(),
			ClinicID:  e.ClinicID,
			Seq:       tail.Seq + 1,
			ActorID:   clean(e.ActorID, maxShort),
			ActorRole: clean(e.ActorRole, maxShort),
			Action:    clean(e.Action, maxShort),
			Resource:  clean(e.Resource, maxLong),
			PatientID: clean(e.PatientID, maxShort),
			RequestID: clean(e.RequestID, maxShort),
			IP:        clean(e.IP, maxShort),
			Outcome:   e.Outcome,
			Detail:    clean(e.Detail, maxLong),
			At:        at,
			PrevHash:  tail.Hash,
		}
		r.Hash = hashRecord(r)
		if l.beforeInsert != nil {
			l.beforeInsert(r.ClinicID, r.Seq)
		}
		err = l.coll.InsertOne(ctx, r.ClinicID, r)
		if err == nil {
			ch.seen = r.Seq
			return l.raiseHead(ctx, r.ClinicID, r.Seq)
		}
		if !errs.Is(err, errs.Conflict) {
			return err
		}
		// Another writer claimed this seq first: re-read the tail and retry.
	}
	return errs.E(errs.Unavailable, "audit trail busy, try again")
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
// the unique index). seen, touched only while holding turn, is the highest
// seq this process has read or written.
type chain struct {
	turn chan struct{}
	seen int64
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

// backoff sleeps a random time below a ceiling that doubles with each
// attempt up to maxBackoff ("full jitter"), so writers that collided spread
// out instead of colliding again; the more writers, the more rounds it takes
// and the wider they spread.
func backoff(ctx context.Context, attempt int) error {
	ceiling := min(2*time.Millisecond<<attempt, maxBackoff)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling))))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return errs.Wrap(errs.Unavailable, ctx.Err(), "request cancelled")
	}
}

type tailRecord struct {
	Seq  int64  `bson:"seq"`
	Hash string `bson:"hash"`
}

// tail reads the clinic's latest record's seq and hash, in one query; an
// empty chain has seq 0 and hash "" (the genesis link). from, the highest
// seq this process knows of, bounds the query from below: MongoDB seeks the
// index either way, but FerretDB sorts every match in memory, and without
// the bound each append would sort the clinic's whole trail.
func (l *Log) tail(ctx context.Context, clinicID string, from int64) (tailRecord, error) {
	var t tailRecord
	opts := options.FindOne().
		SetSort(bson.D{{Key: "seq", Value: -1}}).
		SetProjection(bson.D{{Key: "seq", Value: 1}, {Key: "hash", Value: 1}})
	filter := bson.D{}
	if from > 0 {
		filter = bson.D{{Key: "seq", Value: bson.D{{Key: "$gte", Value: from}}}}
	}
	err := l.coll.FindOne(ctx, clinicID, filter, &t, opts)
	switch {
	case errs.Is(err, errs.NotFound) && from > 0:
		// Records this process saw are gone (Verify will say so); go on
		// from whatever the tail now is.
		return l.tail(ctx, clinicID, 0)
	case errs.Is(err, errs.NotFound):
		return tailRecord{}, nil
	}
	return t, err
}

// hashRecord is hex(SHA-256) over a versioned, length-prefixed encoding of
// every stored field but Hash, in a fixed order, PrevHash first. Length
// prefixes make it unambiguous: no two different records encode alike.
func hashRecord(r Record) string {
	h := sha256.New()
	h.Write([]byte("topsmile.audit.v1"))
	for _, s := range []string{r.PrevHash, r.ID, r.ClinicID} {
		writeString(h, s)
	}
	writeInt(h, r.Seq)
	for _, s := range []string{r.ActorID, r.ActorRole, r.Action, r.Resource, r.PatientID,
		r.RequestID, r.IP, string(r.Outcome), r.Detail} {
		writeString(h, s)
	}
	writeInt(h, r.At.UnixMilli())
	return hex.EncodeToString(h.Sum(nil))
}

func writeString(h hash.Hash, s string) {
	writeInt(h, int64(len(s)))
	h.Write([]byte(s))
}

func writeInt(h hash.Hash, n int64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

// Filter narrows a listing. Zero fields do not filter; From is inclusive and
// To exclusive.
type Filter struct {
	PatientID string
	ActorID   string
	Action    string
	From, To  time.Time
}

// List returns one page of clinicID's records matching f, newest first.
func (l *Log) List(ctx context.Context, clinicID string, f Filter, page store.PageRequest) (store.Page[Record], error) {
	filter := bson.D{}
	for _, c := range []struct{ field, value string }{
		{"patientId", f.PatientID}, {"actorId", f.ActorID}, {"action", f.Action},
	} {
		if c.value != "" {
			filter = append(filter, bson.E{Key: c.field, Value: c.value})
		}
	}
	at := bson.D{}
	if !f.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: f.From.UTC()})
	}
	if !f.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: f.To.UTC()})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	return store.FindPage[Record](ctx, l.coll, clinicID, filter, store.Sort{Field: "seq", Desc: true}, page)
}

// Verification is the result of checking a clinic's chain. BrokenAtSeq is
// the seq of the first record that is missing or does not check out;
// Checked counts the records that checked out before it.
type Verification struct {
	OK          bool   `json:"ok"`
	Checked     int64  `json:"checked"`
	BrokenAtSeq int64  `json:"brokenAtSeq,omitempty"`
	Problem     string `json:"problem,omitempty"`
}

// Verify walks clinicID's chain in seq order, one window of seqs per query
// (each under the per-call timeout, never the whole trail in memory),
// recomputing every hash and checking every link and that seqs run 1, 2,
// 3, ... without gaps or repeats. It reports the first problem. Records
// appended while it runs are checked too.
//
// Windows are ranges of seq values rather than "the next n after the last
// one": FerretDB sorts whatever a filter matched in memory, so each query
// sorts one window instead of the rest of the trail, and a repeated seq
// cannot hide at a batch's edge.
func (l *Log) Verify(ctx context.Context, clinicID string) (Verification, error) {
	v := Verification{OK: true}
	broken := func(seq int64, problem string) (Verification, error) {
		return Verification{Checked: v.Checked, BrokenAtSeq: seq, Problem: problem}, nil
	}
	// The head is read first: a writer raises it only after its record is
	// in, so every seq up to this one must be found by the walk below, while
	// records appended meanwhile cannot make it look cut off.
	var head struct {
		Seq int64 `bson:"seq"`
	}
	if err := l.heads.FindOne(ctx, clinicID, bson.D{{Key: "_id", Value: clinicID}}, &head); err != nil && !errs.Is(err, errs.NotFound) {
		return Verification{}, err
	}
	prev := tailRecord{} // the genesis link
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
			case r.Hash != hashRecord(r):
				return broken(r.Seq, "record does not match its hash")
			}
			prev = tailRecord{Seq: r.Seq, Hash: r.Hash}
			v.Checked++
		}
		if len(batch) == l.batch {
			more = false
			continue
		}
		// A short window: the chain ends at prev, or it goes on after a
		// run of missing records longer than a window, or records were
		// appended since the window was read. Look once past prev.
		var next tailRecord
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
	if head.Seq > prev.Seq {
		return broken(prev.Seq+1, "records are missing at the end of the trail")
	}
	return v, nil
}

// head is the highest seq ever written for the clinic (0 if none).
func (l *Log) head(ctx context.Context, clinicID string) (int64, error) {
	var h struct {
		Seq int64 `bson:"seq"`
	}
	err := l.heads.FindOne(ctx, clinicID, bson.D{{Key: "_id", Value: clinicID}}, &h)
	if errs.Is(err, errs.NotFound) {
		return 0, nil
	}
	return h.Seq, err
}

// raiseHead records seq as the clinic's highest when it is. $max keeps the
// highest when writers finish out of order; the first record of a clinic
// inserts the head (FerretDB does not upsert with $max, so claim it by
// insert and fall back to the update if another writer got there first).
func (l *Log) raiseHead(ctx context.Context, clinicID string, seq int64) error {
	for {
		ok, err := l.heads.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: clinicID}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: seq}}}})
		if err != nil || ok {
			return err
		}
		err = l.heads.InsertOne(ctx, clinicID, bson.D{{Key: "_id", Value: clinicID}, {Key: "seq", Value: seq}})
		if !errs.Is(err, errs.Conflict) {
			return err
		}
	}
}
