package inbound

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// InboxCollection holds the clinic's inbox of patients' replies.
const InboxCollection = "inbox_messages"

// MaxBodyRunes bounds what is kept of a reply (Twilio's limit is 1,600).
const MaxBodyRunes = 1600

// Message is one reply as stored: its _id is Twilio's MessageSid, its body
// sealed under the PHI keys, bound to the record.
type Message struct {
	ID         string     `bson:"_id"`
	ClinicID   string     `bson:"clinicId"`
	From       string     `bson:"from"`
	PatientID  string     `bson:"patientId,omitempty"`
	Body       seal.Text  `bson:"body,omitempty"`
	ReceivedAt time.Time  `bson:"receivedAt"`
	Handled    bool       `bson:"handled"`
	HandledBy  string     `bson:"handledBy,omitempty"`
	HandledAt  *time.Time `bson:"handledAt,omitempty"`
}

// Item is a message as the inbox answers it, its body opened.
type Item struct {
	ID          string     `json:"id"`
	From        string     `json:"from"`
	Body        string     `json:"body"`
	PatientID   string     `json:"patientId,omitempty"`
	PatientName string     `json:"patientName,omitempty"`
	ReceivedAt  time.Time  `json:"receivedAt"`
	Handled     bool       `json:"handled"`
	HandledAt   *time.Time `json:"handledAt"`
	HandledBy   string     `json:"handledBy,omitempty"`
}

// Store is the inbox over Mongo.
type Store struct {
	coll  *store.Collection
	keys  *seal.Keys
	clock clock.Clock
}

// NewStore declares the collection and the inbox's index (a clinic's
// messages, handled or not, newest first); no I/O.
func NewStore(m *store.Mongo, keys *seal.Keys, c clock.Clock) *Store {
	return &Store{keys: keys, clock: c, coll: m.Collection(InboxCollection,
		mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "handled", Value: 1}, {Key: "receivedAt", Value: -1}, {Key: "_id", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: store.ClinicField, Value: 1}, {Key: "receivedAt", Value: -1}, {Key: "_id", Value: -1}}},
	)}
}

func where(id string) string { return "inbox/" + id + "/body" }

// Insert stores reply sid of clinicID, its body sealed. A sid stored
// already is left as it is.
func (s *Store) Insert(ctx context.Context, clinicID, sid, from, patientID, body string) error {
	if r := []rune(body); len(r) > MaxBodyRunes {
		body = string(r[:MaxBodyRunes])
	}
	sealed, err := s.keys.Seal(body, where(sid))
	if err != nil {
		return errs.Wrap(errs.Internal, err, "internal error")
	}
	m := Message{ID: sid, ClinicID: clinicID, From: from, PatientID: patientID, Body: sealed,
		ReceivedAt: s.clock.Now().UTC().Truncate(time.Millisecond)}
	err = s.coll.InsertOne(ctx, clinicID, m)
	if errs.Is(err, errs.Conflict) || store.IsDuplicate(err) {
		return nil
	}
	return err
}

// Get reads one message of clinicID.
func (s *Store) Get(ctx context.Context, clinicID, id string) (Message, error) {
	return store.One[Message](ctx, s.coll, clinicID, id, errs.E(errs.NotFound, "message not found"))
}

// List is one page of clinicID's messages, newest first; handled nil
// lists both.
func (s *Store) List(ctx context.Context, clinicID string, handled *bool, req store.PageRequest) (store.Page[Message], error) {
	filter := bson.D{}
	if handled != nil {
		filter = append(filter, bson.E{Key: "handled", Value: *handled})
	}
	return store.FindPage[Message](ctx, s.coll, clinicID, filter, store.Sort{Field: "receivedAt", Desc: true, Type: bson.TypeDateTime}, req)
}

// Handle marks message id handled by userID; one handled already keeps
// who handled it and when.
func (s *Store) Handle(ctx context.Context, clinicID, id, userID string) (Message, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	if _, err := s.coll.UpdateOne(ctx, clinicID, bson.D{{Key: "_id", Value: id}, {Key: "handled", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "handled", Value: true}, {Key: "handledBy", Value: userID}, {Key: "handledAt", Value: now}}}}); err != nil {
		return Message{}, err
	}
	return s.Get(ctx, clinicID, id)
}

// Open is m as the inbox answers it.
func (s *Store) Open(m Message) (Item, error) {
	body, err := s.keys.Open(m.Body, where(m.ID))
	if err != nil {
		return Item{}, errs.Wrap(errs.Internal, err, "internal error")
	}
	return Item{ID: m.ID, From: m.From, Body: body, PatientID: m.PatientID, ReceivedAt: m.ReceivedAt,
		Handled: m.Handled, HandledAt: m.HandledAt, HandledBy: m.HandledBy}, nil
}

// PatientNames names patients of a clinic for the inbox (the patients
// group's store, wired by the composition root); nil names no one.
type PatientNames interface {
	PatientName(ctx context.Context, clinicID, patientID string) (string, error)
}

// InboxDeps are what the inbox routes need.
type InboxDeps struct {
	Store *Store
	Audit *audit.Log
	Names PatientNames
	Log   *slog.Logger
}

// The inbox routes.
const (
	ListRoute   = "GET /api/inbox"
	HandleRoute = "POST /api/inbox/{id}/handle"
)

// InboxRoutes registers the front desk's inbox behind the guard.
func InboxRoutes(r *authz.Router, d InboxDeps) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	h := &inboxHandlers{d}
	r.HandleFunc(ListRoute, h.list)
	r.HandleFunc(HandleRoute, h.handle)
}

type inboxHandlers struct{ InboxDeps }

func (h *inboxHandlers) list(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	q := r.URL.Query()
	req, err := store.ParsePage(q)
	if err != nil {
		return err
	}
	var handled *bool
	switch q.Get("handled") {
	case "":
	case "true":
		handled = ptr(true)
	case "false":
		handled = ptr(false)
	default:
		return errs.InvalidFields(errs.FieldError{Field: "handled", Message: "must be true or false"})
	}
	page, err := h.Store.List(r.Context(), p.ClinicID, handled, req)
	if err != nil {
		return err
	}
	var found []string
	for _, m := range page.Items {
		if m.PatientID != "" {
			found = append(found, m.PatientID)
		}
	}
	// The replies are patients' own words: the read is in the trail
	// (which patients, never the text) before anything is answered.
	if err := h.Audit.Request(r, p.Actor(), audit.Entry{Action: "inbox.read", Resource: "inbox", PatientIDs: found,
		Outcome: audit.Success, Detail: "messages: " + strconv.Itoa(len(page.Items))}); err != nil {
		return err
	}
	out := store.Page[Item]{Items: make([]Item, 0, len(page.Items)), NextCursor: page.NextCursor}
	names := map[string]string{}
	for _, m := range page.Items {
		it, err := h.item(r.Context(), p.ClinicID, m, names)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, it)
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *inboxHandlers) handle(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	id := r.PathValue("id")
	m, err := h.Store.Get(r.Context(), p.ClinicID, id)
	if err != nil {
		return err
	}
	err = h.Audit.Guarded(r, p.Actor(), audit.Entry{Action: "inbox.handle", Resource: "inbox/" + id, PatientID: m.PatientID}, func() error {
		m, err = h.Store.Handle(r.Context(), p.ClinicID, id, p.UserID)
		return err
	})
	if err != nil {
		return err
	}
	it, err := h.item(r.Context(), p.ClinicID, m, map[string]string{})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, it)
	return nil
}

// item opens m and names its patient (once per page: names caches).
func (h *inboxHandlers) item(ctx context.Context, clinicID string, m Message, names map[string]string) (Item, error) {
	it, err := h.Store.Open(m)
	if err != nil {
		return Item{}, err
	}
	if m.PatientID == "" || h.Names == nil {
		return it, nil
	}
	name, ok := names[m.PatientID]
	if !ok {
		name, err = h.Names.PatientName(ctx, clinicID, m.PatientID)
		switch {
		case errs.Is(err, errs.NotFound):
			name = ""
		case err != nil:
			return Item{}, err
		}
		names[m.PatientID] = name
	}
	it.PatientName = name
	return it, nil
}

func ptr[T any](v T) *T { return &v }
