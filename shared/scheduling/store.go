package scheduling

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// Settings are the clinic rules scheduling needs (owned by the identity
// group; read through SettingsSource).
type Settings struct {
	TimeZone          string `json:"timeZone"`
	SlotMinutes       int    `json:"slotMinutes"`
	CancelNoticeHours int    `json:"cancelNoticeHours"`
	// Per-patient limits on what patients book themselves (see limits.go);
	// zero: the defaults.
	MaxFutureAppointmentsPerPatient int `json:"maxFutureAppointmentsPerPatient"`
	MaxWaitlistEntriesPerPatient    int `json:"maxWaitlistEntriesPerPatient"`
	// MinBookingNoticeMinutes is how soon a patient may book online: no
	// slot starts sooner (staff are not limited).
	MinBookingNoticeMinutes int `json:"minBookingNoticeMinutes"`
}

// Bounds of the booking notice (settings from another group: never trust
// them to be in bounds).
const (
	defaultBookingNotice = 120 * time.Minute
	maxBookingNotice     = 7 * 24 * time.Hour
)

// minBookingNotice is how far ahead of now a patient's own booking starts.
func (st Settings) minBookingNotice() time.Duration {
	d := time.Duration(st.MinBookingNoticeMinutes) * time.Minute
	if d < 0 || d > maxBookingNotice {
		return defaultBookingNotice
	}
	return d
}

// SettingsSource reads a clinic's settings.
type SettingsSource func(ctx context.Context, clinicID string) (Settings, error)

// Catalog is the clinic's read-mostly scheduling data, cached in Redis and
// dropped on every write to it.
type Catalog struct {
	Settings    Settings          `json:"settings"`
	Providers   []Provider        `json:"providers"`
	Operatories []Operatory       `json:"operatories"`
	Types       []AppointmentType `json:"types"`
}

// Store is the scheduling data layer.
type Store struct {
	providers   *store.Collection
	operatories *store.Collection
	types       *store.Collection
	appts       *store.Collection
	claims      *store.Collection // slot_claims: one document per claimed cell
	places      *store.Collection // patient_places: per-patient limits (limits.go)
	versions    *store.Versions   // appointments and waitlist entries change once per version
	waitlist    *store.Collection
	redis       *redis.Client
	settings    SettingsSource
	clock       clock.Clock
	notifier    Notifier
	offerTTL    time.Duration
	notices     AppointmentNotices
	noticeLog   *slog.Logger
	liveEvents  LiveEvents
	webhooks    WebhookEvents
	recall      RecallHook
}

// RecallHook records a completed hygiene visit on the patient's recall
// (the patients group satisfies it): visit date (local) and interval.
type RecallHook func(ctx context.Context, clinicID, patientID, visitDate string, intervalMonths int) error

// WithRecall sets the hook completed hygiene visits call.
func (s *Store) WithRecall(h RecallHook) *Store {
	s.recall = h
	return s
}

// completed runs what follows a completed visit: a hygiene visit moves the
// patient's recall date.
func (s *Store) completed(ctx context.Context, clinicID string, a Appointment) error {
	if s.recall == nil || a.TypeID == "" {
		return nil
	}
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return err
	}
	t, ok := cat.apptType(a.TypeID)
	if !ok || t.Category != "hygiene" {
		return nil
	}
	months := t.RecallMonths
	if months <= 0 {
		months = 6
	}
	return s.recall(ctx, clinicID, a.PatientID, a.Start.In(cat.location()).Format(time.DateOnly), months)
}

// WithWaitlistOffers turns on offering freed slots to the waitlist: each
// offer holds the slot for ttl.
func (s *Store) WithWaitlistOffers(n Notifier, ttl time.Duration) *Store {
	s.notifier, s.offerTTL = n, ttl
	return s
}

// catalogTTL bounds how stale clinic settings can be (they change elsewhere).
const catalogTTL = time.Minute

// NewStore declares collections and indexes (no I/O).
func NewStore(m *store.Mongo, rdb *redis.Client, settings SettingsSource, c clock.Clock) *Store {
	ix := func(keys ...string) mongo.IndexModel {
		d := bson.D{{Key: "clinicId", Value: 1}}
		for _, k := range keys {
			d = append(d, bson.E{Key: k, Value: 1})
		}
		return mongo.IndexModel{Keys: d}
	}
	return &Store{
		providers:   m.Collection("providers", ix("active")),
		operatories: m.Collection("operatories", ix("active")),
		types:       m.Collection("appointment_types", ix("name")),
		appts: m.Collection("appointments",
			ix("start"),
			ix("providerId", "start"),
			ix("operatoryId", "start"),
			ix("patientId", "start"),
			ix("status", "start"),
			abandonedIndex,
		),
		claims:   m.Collection("slot_claims", ix("appointmentId")),
		places:   m.Collection("patient_places", ix("owner")),
		versions: store.NewVersions(m, c),
		waitlist: m.Collection("waitlist", ix("status", "urgency", "createdAt"), ix("patientId")),
		redis:    rdb,
		settings: settings,
		clock:    c,
	}
}

// catalogKey names a clinic's cached catalog; its version changes with the
// cached shape (v2: types carry active, which a v1 entry would read as false).
func catalogKey(clinicID string) string { return "sched:catalog:v2:" + clinicID }

// Catalog returns the clinic's providers, chairs, types and settings: one
// Redis read when cached, else four small queries and a cache fill.
func (s *Store) Catalog(ctx context.Context, clinicID string) (Catalog, error) {
	var c Catalog
	raw, err := s.redis.Get(ctx, catalogKey(clinicID)).Bytes()
	if err == nil && json.Unmarshal(raw, &c) == nil {
		return c, nil
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return c, store.RedisError(err)
	}
	if c.Settings, err = s.settings(ctx, clinicID); err != nil {
		return c, err
	}
	byName := options.Find().SetSort(bson.D{{Key: "name", Value: 1}})
	if err := s.providers.Find(ctx, clinicID, nil, &c.Providers, byName); err != nil {
		return c, err
	}
	if err := s.operatories.Find(ctx, clinicID, nil, &c.Operatories, byName); err != nil {
		return c, err
	}
	if err := s.types.Find(ctx, clinicID, nil, &c.Types, byName); err != nil {
		return c, err
	}
	for i := range c.Types {
		c.Types[i].Active = !c.Types[i].Inactive
		if c.Types[i].ProviderKinds == nil {
			c.Types[i].ProviderKinds = []string{} // any: answered as [], not null
		}
	}
	if b, err := json.Marshal(c); err == nil {
		if err := s.redis.Set(ctx, catalogKey(clinicID), b, catalogTTL).Err(); err != nil {
			return c, store.RedisError(err)
		}
	}
	return c, nil
}

// invalidate drops the cached catalog after a write to it.
func (s *Store) invalidate(ctx context.Context, clinicID string) error {
	return store.RedisError(s.redis.Del(context.WithoutCancel(ctx), catalogKey(clinicID)).Err())
}

// provider finds one provider in a catalog.
func (c Catalog) provider(id string) (Provider, bool) {
	for _, p := range c.Providers {
		if p.ID == id {
			return p, true
		}
	}
	return Provider{}, false
}

func (c Catalog) operatory(id string) (Operatory, bool) {
	for _, o := range c.Operatories {
		if o.ID == id {
			return o, true
		}
	}
	return Operatory{}, false
}

func (c Catalog) apptType(id string) (AppointmentType, bool) {
	for _, t := range c.Types {
		if t.ID == id {
			return t, true
		}
	}
	return AppointmentType{}, false
}

func (c Catalog) location() *time.Location {
	loc, err := time.LoadLocation(c.Settings.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

var errNotFound = errs.E(errs.NotFound, "appointment not found")

// Get returns one appointment (pending and failed bookings do not exist for callers).
func (s *Store) Get(ctx context.Context, clinicID, id string) (Appointment, error) {
	a, err := store.One[Appointment](ctx, s.appts, clinicID, id, errNotFound)
	if err == nil && (a.Status == Pending || a.Status == Failed) {
		return Appointment{}, errNotFound
	}
	return a, err
}
