// Package outbox keeps every notification in Mongo before it goes to the
// queue, so that nothing is lost when SQS is down and nothing is sent twice
// when a producer retries:
//
//   - Publish stores the message as pending (its id is the dedupe key: a
//     second publish of the same id finds it and does nothing more), then
//     sends it to the queue and marks it queued;
//   - Sweep re-publishes what is still pending a minute on (the queue was
//     down, the process died between the two writes) and what was held
//     back until a time (quiet hours);
//   - the notifications consumer settles each one (sent, failed and why,
//     or dead after its last receive) and Twilio's callbacks raise its
//     delivery status, never lowering it;
//   - an admin lists them and retries the failed ones.
//
// The template's data can hold a reset link or a name: it is sealed at rest
// under the PHI keys, bound to the record.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Collection is the outbox's Mongo collection.
const Collection = "notifications"

// Statuses of a record.
const (
	Pending = "pending" // stored, not yet (known to be) on the queue
	Queued  = "queued"  // on the queue
	Sent    = "sent"    // handed to SMTP or Twilio
	Failed  = "failed"  // permanently (Class says why): not retried
	Dead    = "dead"    // out of receives: in the DLQ
)

// Statuses lists them for filters.
var Statuses = []string{Pending, Queued, Sent, Failed, Dead}

// SweepAfter is how long a pending record waits for its first publish
// before the sweep publishes it again.
const SweepAfter = time.Minute

// Record is one notification as stored.
type Record struct {
	ID       string         `bson:"_id" json:"id"`
	ClinicID string         `bson:"clinicId" json:"-"`
	Channel  notify.Channel `bson:"channel" json:"channel"`
	To       string         `bson:"to" json:"to"`
	Template string         `bson:"template" json:"template"`
	Data     seal.Text      `bson:"data,omitempty" json:"-"`
	Status   string         `bson:"status" json:"status"`
	Class    string         `bson:"class,omitempty" json:"class,omitempty"`
	// Attempts counts publishes to the queue (the first, sweeps, retries).
	Attempts int `bson:"attempts" json:"attempts"`
	// NextAt is when the sweep may publish a pending record.
	NextAt time.Time `bson:"nextAt" json:"nextAt"`
	// ProviderID is Twilio's MessageSid of a text.
	ProviderID string `bson:"providerId,omitempty" json:"-"`
	// DeliveryRank only rises ($max): Twilio's callbacks come in any order.
	DeliveryRank int       `bson:"deliveryRank,omitempty" json:"-"`
	Delivery     string    `bson:"-" json:"delivery,omitempty"`
	PatientID    string    `bson:"patientId,omitempty" json:"patientId,omitempty"`
	CreatedAt    time.Time `bson:"createdAt" json:"createdAt"`
	UpdatedAt    time.Time `bson:"updatedAt" json:"updatedAt"`
}

// Delivery statuses Twilio reports, in the order they can only rise.
var deliveryRanks = map[string]int{"accepted": 1, "queued": 2, "sending": 3, "sent": 4, "delivered": 5, "read": 6, "undelivered": 7, "failed": 8}

// DeliveryRank is the rank of a Twilio status (0: unknown).
func DeliveryRank(status string) int { return deliveryRanks[status] }

func deliveryName(rank int) string {
	for name, r := range deliveryRanks {
		if r == rank {
			return name
		}
	}
	return ""
}

// Store is the outbox over Mongo.
type Store struct {
	coll  *store.Collection
	keys  *seal.Keys
	clock clock.Clock
}

// New declares the collection and its indexes (no I/O): the sweep's
// (status, nextAt) across clinics, the admin's lists by clinic, and
// Twilio's callbacks by MessageSid.
func New(m *store.Mongo, keys *seal.Keys, c clock.Clock) *Store {
	return &Store{keys: keys, clock: c, coll: m.Collection(Collection,
		mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "nextAt", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "status", Value: 1}, {Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "providerId", Value: 1}}},
	)}
}

func where(id string) string { return "notifications/" + id + "/data" }

// Insert stores m as pending unless its id is stored already; created
// says which. A record held until notBefore is not published before then.
func (s *Store) Insert(ctx context.Context, m notify.Message, notBefore time.Time) (Record, bool, error) {
	if err := m.Validate(); err != nil {
		return Record{}, false, errs.Wrap(errs.Internal, err, "invalid notification")
	}
	now := s.clock.Now().UTC()
	next := now.Add(SweepAfter)
	if notBefore.After(now) {
		next = notBefore.UTC()
	}
	rec := Record{ID: m.ID, ClinicID: m.ClinicID, Channel: m.Channel, To: m.To, Template: m.Template, Status: Pending,
		NextAt: next, PatientID: m.Data["patientId"], CreatedAt: now, UpdatedAt: now}
	if len(m.Data) > 0 {
		raw, err := json.Marshal(m.Data)
		if err != nil {
			return Record{}, false, errs.Wrap(errs.Internal, err, "internal error")
		}
		if rec.Data, err = s.keys.Seal(string(raw), where(m.ID)); err != nil {
			return Record{}, false, errs.Wrap(errs.Internal, err, "internal error")
		}
	}
	err := s.coll.InsertOne(ctx, m.ClinicID, rec)
	if store.IsDuplicate(err) || errs.Is(err, errs.Conflict) {
		existing, gerr := s.Get(ctx, m.ClinicID, m.ID)
		return existing, false, gerr
	}
	if err != nil {
		return Record{}, false, err
	}
	return rec, true, nil
}

// Get reads one record of clinicID.
func (s *Store) Get(ctx context.Context, clinicID, id string) (Record, error) {
	var r Record
	if err := s.coll.Get(ctx, clinicID, id, &r); err != nil {
		return Record{}, err
	}
	r.Delivery = deliveryName(r.DeliveryRank)
	return r, nil
}

// Message rebuilds the queued message of r, its data unsealed.
func (s *Store) Message(r Record) (notify.Message, error) {
	m := notify.Message{ID: r.ID, ClinicID: r.ClinicID, Channel: r.Channel, To: r.To, Template: r.Template, CreatedAt: r.CreatedAt}
	plain, err := s.keys.Open(r.Data, where(r.ID))
	if err != nil {
		return m, errs.Wrap(errs.Internal, err, "internal error")
	}
	if plain != "" {
		if err := json.Unmarshal([]byte(plain), &m.Data); err != nil {
			return m, errs.Wrap(errs.Internal, err, "internal error")
		}
	}
	return m, nil
}

// set updates one record of clinicID whose status is one of from (any
// when from is empty); matched reports whether it was.
func (s *Store) set(ctx context.Context, clinicID, id string, from []string, fields bson.D) (bool, error) {
	filter := bson.D{{Key: "_id", Value: id}}
	if len(from) > 0 {
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: from}}})
	}
	fields = append(fields, bson.E{Key: "updatedAt", Value: s.clock.Now().UTC()})
	return s.coll.UpdateOne(ctx, clinicID, filter, bson.D{{Key: "$set", Value: fields}})
}

// MarkQueued records that r reached the queue (a settled record keeps its
// outcome: the consumer can be faster than this write).
func (s *Store) MarkQueued(ctx context.Context, clinicID, id string) error {
	_, err := s.set(ctx, clinicID, id, []string{Pending}, bson.D{{Key: "status", Value: Queued}})
	return err
}

// countPublish counts a first publish.
func (s *Store) countPublish(ctx context.Context, clinicID, id string) error {
	_, err := s.coll.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}})
	return err
}

// Settle records the consumer's outcome: sent (with Twilio's MessageSid
// when there is one) or failed with its class.
func (s *Store) Settle(ctx context.Context, clinicID, id, status, class, providerID string) error {
	fields := bson.D{{Key: "status", Value: status}, {Key: "class", Value: class}}
	if providerID != "" {
		fields = append(fields, bson.E{Key: "providerId", Value: providerID})
	}
	_, err := s.set(ctx, clinicID, id, nil, fields)
	return err
}

// MarkDead records that the last receive failed: the message is in the
// DLQ (unless it was settled meanwhile).
func (s *Store) MarkDead(ctx context.Context, clinicID, id, class string) error {
	_, err := s.set(ctx, clinicID, id, []string{Pending, Queued}, bson.D{{Key: "status", Value: Dead}, {Key: "class", Value: class}})
	return err
}

// Reopen makes a failed or dead record pending again for a retry; false
// when it is neither (sent, or being delivered).
func (s *Store) Reopen(ctx context.Context, clinicID, id string) (bool, error) {
	return s.set(ctx, clinicID, id, []string{Failed, Dead},
		bson.D{{Key: "status", Value: Pending}, {Key: "class", Value: ""}, {Key: "nextAt", Value: s.clock.Now().UTC().Add(SweepAfter)}})
}

// Delivered raises the delivery status of the text Twilio knows as sid;
// a status ranked at or below the stored one changes nothing. found is
// false when no record has that sid.
func (s *Store) Delivered(ctx context.Context, sid, status string) (found bool, err error) {
	rank := DeliveryRank(status)
	if sid == "" || rank == 0 {
		return false, errs.E(errs.Invalid, "unknown message status")
	}
	// Unscoped by design: Twilio's callback names the message, not the
	// clinic; the sid is unguessable and was stored by our own sender.
	err = s.coll.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		res, err := coll.UpdateOne(ctx, bson.D{{Key: "providerId", Value: sid}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "deliveryRank", Value: rank}}}})
		if err != nil {
			return err
		}
		found = res.MatchedCount > 0
		return nil
	})
	return found, err
}

// ByProviderID reads the record Twilio knows as sid (any clinic: see
// Delivered).
func (s *Store) ByProviderID(ctx context.Context, sid string) (Record, error) {
	var r Record
	err := s.coll.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, bson.D{{Key: "providerId", Value: sid}}).Decode(&r)
	})
	if errors.Is(err, mongo.ErrNoDocuments) || errs.Is(err, errs.NotFound) {
		return Record{}, errs.E(errs.NotFound, "message not found")
	}
	r.Delivery = deliveryName(r.DeliveryRank)
	return r, err
}

// Filter narrows the admin's list.
type Filter struct {
	Status    string
	Channel   notify.Channel
	PatientID string
}

// List is one page of clinicID's records, newest first.
func (s *Store) List(ctx context.Context, clinicID string, f Filter, req store.PageRequest) (store.Page[Record], error) {
	filter := bson.D{}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	if f.Channel != "" {
		filter = append(filter, bson.E{Key: "channel", Value: f.Channel})
	}
	if f.PatientID != "" {
		filter = append(filter, bson.E{Key: "patientId", Value: f.PatientID})
	}
	page, err := store.FindPage[Record](ctx, s.coll, clinicID, filter, store.Sort{Field: "createdAt", Desc: true}, req)
	for i := range page.Items {
		page.Items[i].Delivery = deliveryName(page.Items[i].DeliveryRank)
	}
	return page, err
}

// Due is up to limit pending records of any clinic whose time has come,
// oldest first: what the sweep publishes.
func (s *Store) Due(ctx context.Context, limit int) ([]Record, error) {
	var out []Record
	// Unscoped by design: the sweep serves every clinic.
	err := s.coll.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		cur, err := coll.Find(ctx, bson.D{{Key: "status", Value: Pending}, {Key: "nextAt", Value: bson.D{{Key: "$lte", Value: s.clock.Now().UTC()}}}},
			options.Find().SetSort(bson.D{{Key: "nextAt", Value: 1}}).SetLimit(int64(limit)))
		if err != nil {
			return err
		}
		return cur.All(ctx, &out)
	})
	return out, err
}

// claimPublish moves a due record's nextAt on before it is published, so a
// second sweep running at once skips it; lost means another took it.
func (s *Store) claimPublish(ctx context.Context, r Record, backoff time.Duration) (bool, error) {
	now := s.clock.Now().UTC()
	return s.coll.UpdateOne(ctx, r.ClinicID,
		bson.D{{Key: "_id", Value: r.ID}, {Key: "status", Value: Pending}, {Key: "nextAt", Value: r.NextAt}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "nextAt", Value: now.Add(backoff)}, {Key: "updatedAt", Value: now}}},
			{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}})
}

// String names the store in logs.
func (s *Store) String() string { return fmt.Sprintf("outbox(%s)", Collection) }
