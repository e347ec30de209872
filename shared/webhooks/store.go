package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Collections.
const (
	EndpointsCollection  = "webhook_endpoints"
	DeliveriesCollection = "webhook_deliveries"
)

// Store keeps endpoints and their deliveries in Mongo.
type Store struct {
	endpoints  *store.Collection
	deliveries *store.Collection
	// keys seal the secrets; nil in a producer, which only reads
	// endpoints' ids and events.
	keys   *seal.Keys
	claims *store.Claims
	clock  clock.Clock
}

// NewStore declares the collections and the indexes their queries use (no
// I/O): endpoints by clinic in creation order and by subscribed event (the
// producer's read); deliveries by endpoint newest first (the admin's list)
// and by (status, nextAt) across clinics (the sweep).
func NewStore(m *store.Mongo, keys *seal.Keys, c clock.Clock) *Store {
	return &Store{keys: keys, clock: c, claims: store.NewClaims(m, c),
		endpoints: m.Collection(EndpointsCollection,
			mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}},
			mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "events", Value: 1}}},
		),
		deliveries: m.Collection(DeliveriesCollection,
			mongo.IndexModel{Keys: bson.D{{Key: "clinicId", Value: 1}, {Key: "endpointId", Value: 1}, {Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}},
			mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "nextAt", Value: 1}}},
		),
	}
}

// EnsureIndexes creates the declared indexes now (tests, deploy helpers).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := s.endpoints.EnsureIndexes(ctx); err != nil {
		return err
	}
	return s.deliveries.EnsureIndexes(ctx)
}

func secretWhere(id string) string { return EndpointsCollection + "/" + id + "/secret" }

// NewEndpoint is a registration, already validated.
type NewEndpoint struct {
	URL         string
	Events      []string
	Description string
	CreatedBy   string
}

// Create stores an endpoint with a fresh secret, sealed, and answers it
// with the secret in the clear (the only time). A clinic holds at most
// MaxEndpoints (409 past that).
func (s *Store) Create(ctx context.Context, clinicID string, in NewEndpoint) (Created, error) {
	if s.keys == nil {
		return Created{}, errs.E(errs.Internal, "internal error")
	}
	n, err := s.endpoints.Count(ctx, clinicID, bson.D{})
	if err != nil {
		return Created{}, err
	}
	if n >= MaxEndpoints {
		return Created{}, errs.E(errs.Conflict, "a clinic may register at most %d webhook endpoints; delete one first", MaxEndpoints)
	}
	secret, err := NewSecret()
	if err != nil {
		return Created{}, errs.Wrap(errs.Internal, err, "internal error")
	}
	e := Endpoint{ID: ids.New(), ClinicID: clinicID, URL: in.URL, Events: in.Events, Description: in.Description,
		CreatedBy: in.CreatedBy, CreatedAt: s.clock.Now().UTC().Truncate(time.Millisecond)}
	if e.Secret, err = s.keys.Seal(secret, secretWhere(e.ID)); err != nil {
		return Created{}, errs.Wrap(errs.Internal, err, "internal error")
	}
	if err := s.endpoints.InsertOne(ctx, clinicID, e); err != nil {
		return Created{}, err
	}
	return Created{Endpoint: e, SigningSecret: secret}, nil
}

// List is one page of clinicID's endpoints, newest first.
func (s *Store) List(ctx context.Context, clinicID string, req store.PageRequest) (store.Page[Endpoint], error) {
	return store.FindPage[Endpoint](ctx, s.endpoints, clinicID, bson.D{}, store.Sort{Field: "createdAt", Desc: true}, req)
}

// Endpoint reads one of clinicID's endpoints (NotFound when it is not).
func (s *Store) Endpoint(ctx context.Context, clinicID, id string) (Endpoint, error) {
	return store.One[Endpoint](ctx, s.endpoints, clinicID, id, errs.E(errs.NotFound, "webhook endpoint not found"))
}

// Delete removes one of clinicID's endpoints. Its deliveries stay for the
// record; the sweep fails any still due (nothing to send them to).
func (s *Store) Delete(ctx context.Context, clinicID, id string) error {
	ok, err := s.endpoints.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.NotFound, "webhook endpoint not found")
	}
	return nil
}

// secret opens e's signing secret.
func (s *Store) secret(e Endpoint) (string, error) {
	if s.keys == nil {
		return "", errs.E(errs.Internal, "internal error")
	}
	plain, err := s.keys.Open(e.Secret, secretWhere(e.ID))
	if err != nil || plain == "" {
		return "", errs.Wrap(errs.Internal, err, "internal error")
	}
	return plain, nil
}

// payload is the body every delivery of an event posts.
type payload struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	CreatedAt time.Time      `json:"createdAt"`
	Data      map[string]any `json:"data"`
}

// Publish records ev for every endpoint of clinicID subscribed to its
// type: one indexed read, and one insert when any is. Nothing is sent
// here; the sweep sends. It answers how many deliveries it made.
func (s *Store) Publish(ctx context.Context, clinicID string, ev Event) (int, error) {
	if !IsEventType(ev.Type) {
		return 0, errs.E(errs.Internal, "unknown webhook event type %q", ev.Type)
	}
	var eps []Endpoint
	if err := s.endpoints.Find(ctx, clinicID, bson.D{{Key: "events", Value: ev.Type}}, &eps,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}})); err != nil {
		return 0, err
	}
	if len(eps) == 0 {
		return 0, nil
	}
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	data := ev.Data
	if data == nil {
		data = map[string]any{}
	}
	p := payload{ID: "evt_" + ids.New(), Type: ev.Type, CreatedAt: now, Data: data}
	body, err := json.Marshal(p)
	if err != nil {
		return 0, errs.Wrap(errs.Internal, err, "internal error")
	}
	docs := make([]any, 0, len(eps))
	for _, e := range eps {
		docs = append(docs, Delivery{ID: ids.New(), ClinicID: clinicID, EndpointID: e.ID, EventID: p.ID, Type: ev.Type, Body: string(body),
			Status: Pending, Attempts: []Attempt{}, NextAt: now, GiveUpAt: now.Add(RetryFor), CreatedAt: now, UpdatedAt: now})
	}
	if err := s.deliveries.InsertMany(ctx, clinicID, docs); err != nil {
		return 0, err
	}
	return len(docs), nil
}

// Deliveries is one page of an endpoint's deliveries, newest first, each
// with its attempts newest first.
func (s *Store) Deliveries(ctx context.Context, clinicID, endpointID string, status string, req store.PageRequest) (store.Page[Delivery], error) {
	f := bson.D{{Key: "endpointId", Value: endpointID}}
	if status != "" {
		f = append(f, bson.E{Key: "status", Value: status})
	}
	page, err := store.FindPage[Delivery](ctx, s.deliveries, clinicID, f, store.Sort{Field: "createdAt", Desc: true}, req)
	for i := range page.Items {
		page.Items[i] = page.Items[i].Newest()
	}
	return page, err
}

// Delivery reads one of clinicID's deliveries.
func (s *Store) Delivery(ctx context.Context, clinicID, id string) (Delivery, error) {
	return store.One[Delivery](ctx, s.deliveries, clinicID, id, errs.E(errs.NotFound, "delivery not found"))
}

// Resend makes a settled delivery of endpointID due now, with a new
// 24-hour window and the same event id and body. It answers the delivery
// and whether it was settled (false: it is still pending or sending).
func (s *Store) Resend(ctx context.Context, clinicID, endpointID, id string) (Delivery, bool, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	var d Delivery
	err := s.deliveries.FindOneAndUpdate(ctx, clinicID,
		bson.D{{Key: "_id", Value: id}, {Key: "endpointId", Value: endpointID}, {Key: "status", Value: bson.D{{Key: "$in", Value: []string{Succeeded, Failed}}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Pending}, {Key: "nextAt", Value: now}, {Key: "giveUpAt", Value: now.Add(RetryFor)}, {Key: "updatedAt", Value: now}}}},
		&d)
	if errs.Is(err, errs.NotFound) {
		cur, gerr := s.Delivery(ctx, clinicID, id)
		if gerr != nil || cur.EndpointID != endpointID {
			return Delivery{}, false, errs.E(errs.NotFound, "delivery not found")
		}
		return cur.Newest(), false, nil
	}
	if err != nil {
		return Delivery{}, false, err
	}
	return d.Newest(), true, nil
}

// due is up to limit deliveries of any clinic whose time has come: pending
// ones due, and claims whose lease lapsed (their sender died).
func (s *Store) due(ctx context.Context, limit int) ([]Delivery, error) {
	var out []Delivery
	// Unscoped by design: the sweep serves every clinic.
	err := s.deliveries.Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		cur, err := coll.Find(ctx, bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: []string{Pending, Sending}}}},
			{Key: "nextAt", Value: bson.D{{Key: "$lte", Value: s.clock.Now().UTC()}}}},
			options.Find().SetSort(bson.D{{Key: "nextAt", Value: 1}}).SetLimit(int64(limit)).
				SetProjection(bson.D{{Key: "attempts", Value: 0}}))
		if err != nil {
			return err
		}
		return cur.All(ctx, &out)
	})
	return out, err
}

// claim takes d, as a sweep read it, for sending. FerretDB's conditional
// updates are not atomic (two racing senders can both match a filter on
// the old status), so the decision is an insert into a unique index, the
// one primitive with a single winner: the claim key names the delivery's
// state as read (attempts made, and when it fell due or its last lease
// ended), which every reader of that same state races for and only one
// wins. The winner marks it sending with a fresh lease and token; a reader
// after that sees it not due. A winner that dies leaves the lease to lapse,
// and the next sweep races for a new key (the lease's end). ok is false
// when another sender has it or it is not due.
func (s *Store) claim(ctx context.Context, d Delivery) (Delivery, bool, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	if d.Status != Pending && d.Status != Sending || d.NextAt.After(now) {
		return Delivery{}, false, nil
	}
	won, err := s.claims.Claim(ctx, d.ClinicID, fmt.Sprintf("webhook:%s:%d:%d", d.ID, d.AttemptCount, d.NextAt.UnixMilli()))
	if err != nil || !won {
		return Delivery{}, false, err
	}
	d.Status, d.Claim, d.NextAt = Sending, ids.New(), now.Add(Lease)
	if _, err := s.deliveries.UpdateOne(ctx, d.ClinicID, bson.D{{Key: "_id", Value: d.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Sending}, {Key: "claim", Value: d.Claim},
			{Key: "nextAt", Value: d.NextAt}, {Key: "updatedAt", Value: now}}}}); err != nil {
		return Delivery{}, false, err
	}
	return d, true, nil
}

// settle records attempt a on d, still claimed by d.Claim: status and
// (when pending again) when it is next due. matched is false when the
// claim was lost meanwhile (its lease lapsed and another took it).
func (s *Store) settle(ctx context.Context, d Delivery, a Attempt, status string, next time.Time) (bool, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	return s.deliveries.UpdateOne(ctx, d.ClinicID,
		bson.D{{Key: "_id", Value: d.ID}, {Key: "status", Value: Sending}, {Key: "claim", Value: d.Claim}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "nextAt", Value: next}, {Key: "updatedAt", Value: now}}},
			{Key: "$unset", Value: bson.D{{Key: "claim", Value: ""}}},
			{Key: "$inc", Value: bson.D{{Key: "attemptCount", Value: 1}}},
			{Key: "$push", Value: bson.D{{Key: "attempts", Value: bson.D{{Key: "$each", Value: []Attempt{a}}, {Key: "$slice", Value: -MaxAttemptsKept}}}}},
		})
}
