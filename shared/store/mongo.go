// Package store is the data platform: one lazily connected Mongo client per
// cold start, collections scoped to a clinic (tenancy enforced here, below
// the handlers), idempotent indexes, cursor pagination, and the Redis client.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"

	"github.com/topsmile/topsmile/shared/errs"
)

// MongoConfig is the Mongo part of a function's config.
type MongoConfig struct {
	URI      string `env:"MONGODB_URI,required,secret"`
	Database string `env:"MONGODB_DATABASE" default:"topsmile"`
	// MaxPoolSize stays small: a Lambda instance serves one request at a
	// time, and Atlas counts every pooled connection of every instance.
	MaxPoolSize uint64        `env:"MONGODB_MAX_POOL_SIZE" default:"4"`
	MaxIdleTime time.Duration `env:"MONGODB_MAX_IDLE_TIME" default:"60s"`
	// Timeout bounds each database call, well under the function's timeout.
	Timeout time.Duration `env:"MONGODB_TIMEOUT" default:"3s"`
	// Monitor, when set, sees every command the client sends: tests count
	// round trips and read filters with it. It has no env tag, so
	// config.Load leaves it alone and config.Redacted does not print it.
	Monitor *event.CommandMonitor
}

// Mongo is the process's Mongo client. Creating it does no I/O; the client
// connects on first use and is reused for the life of the process.
type Mongo struct {
	cfg MongoConfig

	mu     sync.Mutex
	client *mongo.Client
	db     *mongo.Database
	// cursorKeys sign FindPage's cursors (SignCursorsWith).
	cursorKeys CursorKeys
}

// NewMongo returns an unconnected client for cfg.
func NewMongo(cfg MongoConfig) *Mongo {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.Database == "" {
		cfg.Database = "topsmile"
	}
	return &Mongo{cfg: cfg}
}

// Timeout is the per-call timeout.
func (m *Mongo) Timeout() time.Duration { return m.cfg.Timeout }

// Database connects on first call and returns the configured database.
// Connection failures are Unavailable and are retried on the next call.
func (m *Mongo) Database() (*mongo.Database, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.db != nil {
		return m.db, nil
	}
	opts := options.Client().
		ApplyURI(m.cfg.URI).
		SetAppName("topsmile").
		SetMaxPoolSize(m.cfg.MaxPoolSize).
		SetMinPoolSize(0).
		SetMaxConnIdleTime(m.cfg.MaxIdleTime).
		SetServerSelectionTimeout(m.cfg.Timeout).
		SetConnectTimeout(m.cfg.Timeout)
	if m.cfg.Monitor != nil {
		opts.SetMonitor(m.cfg.Monitor)
	}
	client, err := mongo.Connect(context.Background(), opts)
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "database unavailable")
	}
	m.client, m.db = client, client.Database(m.cfg.Database)
	return m.db, nil
}

// Ping checks the server answers within the per-call timeout.
func (m *Mongo) Ping(ctx context.Context) error {
	db, err := m.Database()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	if err := db.Client().Ping(ctx, readpref.Primary()); err != nil {
		return errs.Wrap(errs.Unavailable, err, "database unavailable")
	}
	return nil
}

// Close disconnects if connected.
func (m *Mongo) Close(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.client == nil {
		return nil
	}
	err := m.client.Disconnect(ctx)
	m.client, m.db = nil, nil
	return err
}

// MapError turns a driver error into the error model: no document → NotFound,
// unique index violation → Conflict, timeouts and network trouble →
// Unavailable, anything else → Internal.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	switch {
	case errors.As(err, &e):
		return err
	case errors.Is(err, mongo.ErrNoDocuments):
		return errs.E(errs.NotFound, "not found")
	case IsDuplicate(err):
		return errs.Wrap(errs.Conflict, err, "already exists")
	case errors.Is(err, context.Canceled):
		// Before the network cases: the driver reports a cancelled call as a
		// network error too, and httpapi needs the cause to tell a client that
		// went away from a database that did.
		return errs.Wrap(errs.Unavailable, err, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded), mongo.IsTimeout(err), mongo.IsNetworkError(err),
		errors.As(err, &topology.ServerSelectionError{}), errors.Is(err, mongo.ErrClientDisconnected):
		return errs.Wrap(errs.Unavailable, err, "database unavailable")
	default:
		return errs.Wrap(errs.Internal, err, "internal error")
	}
}

// IsDuplicate reports a unique index violation. MongoDB reports E11000 from
// inserts and updates alike; FerretDB reports violations caused by updates as
// an InternalError whose message still names the duplicate key.
func IsDuplicate(err error) bool {
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		msg := strings.ToLower(ce.Message)
		return strings.Contains(msg, "e11000") || strings.Contains(msg, "duplicate key")
	}
	return false
}

// callCtx bounds one database call.
func (m *Mongo) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, m.cfg.Timeout)
}

func (m *Mongo) String() string { return fmt.Sprintf("mongo(db=%s)", m.cfg.Database) }
