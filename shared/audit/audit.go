// Package audit is the clinic's append-only, chained audit trail: who did
// what to which patient's information, when, from where, and with what
// outcome. Each clinic has its own chain: record n carries the MAC of record
// n-1, and its own MAC (HMAC-SHA256 under a key from the configuration,
// whose kid the record names) covers every stored field, so an edited,
// deleted or reordered record is found by Verify, also when whoever edited
// it could write to the database and recomputed the chain from there on:
// without the key they cannot make a MAC. Keys rotate: records name their
// kid, and every configured key still verifies what was made under it.
//
// Appending needs no transaction and costs the same however long the trail
// grows: record n's _id is derived from (clinic, n), so inserting it claims
// seq n for exactly one writer, and the clinic's head (audit_heads, one
// document per clinic, read and raised by _id) carries the newest seq and
// its MAC, so a writer knows what to link to without searching the trail.
// The head is raised after each insert; it may lag behind a race, which
// costs the next writer a few reads by _id, but never runs ahead of the
// records, so records cut off the end of the chain show in Verify. The
// package exposes no update or delete, and never logs what it stores.
package audit

import (
	"context"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
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
	// PatientIDs are the patients a list read returned (at most MaxListed
	// are kept, the detail then says how many there were).
	PatientIDs []string
	RequestID  string
	IP         string
	Outcome    Outcome
	Detail     string
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
	// PatientIDs are the patients a list read returned.
	PatientIDs []string `bson:"patientIds,omitempty" json:"patientIds,omitempty"`
	PrevHash   string   `bson:"prevHash" json:"prevHash"`
	// KID names the key Hash was made with; records from before the trail
	// was keyed have none, and Hash is then their plain SHA-256.
	KID string `bson:"kid,omitempty" json:"kid,omitempty"`
	// Hash is the record's MAC: what the next record links to.
	Hash string `bson:"hash" json:"hash"`
}

// Log is a clinic-scoped audit trail.
type Log struct {
	coll  *store.Collection
	heads *store.Collection // per clinic: the newest seq written and its MAC
	clock clock.Clock
	keys  *Keys // nil: the trail can be listed, not appended to or verified

	mu     sync.Mutex
	chains map[string]*chain

	batch int // records per query while verifying

	// beforeInsert, when set (tests only), runs before each insert of a
	// record, where a competing writer can slip in.
	beforeInsert func(clinicID string, seq int64)
}

// New declares the audit_logs collection and its indexes, and audit_heads.
// Records are made and verified with keys; a Log without (nil) only lists.
func New(m *store.Mongo, c clock.Clock, k *Keys) *Log {
	keys := func(ks ...string) bson.D {
		d := bson.D{{Key: store.ClinicField, Value: 1}}
		for _, k := range ks {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		return d
	}
	return &Log{
		coll: m.Collection("audit_logs",
			// One record per (clinic, seq), whatever its _id: records from
			// before _ids were derived from the seq have random ones, and
			// this index is what kept their seqs unique.
			mongo.IndexModel{Keys: keys("seq"), Options: options.Index().SetUnique(true)},
			// store.FindPage sorts by (seq, _id); a trailing _id lets the
			// server walk these indexes in order instead of sorting every
			// matching record of the clinic for each page.
			mongo.IndexModel{Keys: keys("seq", "_id")},
			mongo.IndexModel{Keys: keys("patientId", "seq", "_id")},
			mongo.IndexModel{Keys: keys("patientIds", "seq", "_id")},
			mongo.IndexModel{Keys: keys("actorId", "seq", "_id")},
			mongo.IndexModel{Keys: keys("action", "seq", "_id")},
			mongo.IndexModel{Keys: keys("at")},
		),
		heads:  m.Collection("audit_heads"),
		clock:  c,
		keys:   k,
		chains: map[string]*chain{},
		batch:  batchSize,
	}
}

// EnsureIndexes creates the trail's indexes now (deploy helpers, tests);
// otherwise each process checks them on its first use of the trail.
func (l *Log) EnsureIndexes(ctx context.Context) error {
	return l.coll.EnsureIndexes(ctx)
}
