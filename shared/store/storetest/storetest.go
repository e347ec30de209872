// Package storetest gives tests real databases: a fresh Mongo database on the
// run's server (MONGODB_URI, set by `make test`), dropped when the test ends,
// and a client for the run's Redis (REDIS_URL).
package storetest

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"

	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

func env(tb testing.TB, key string) string {
	tb.Helper()
	v := os.Getenv(key)
	if v == "" {
		tb.Fatalf("%s is not set: run tests with `make test` (or `go run ./infra/testenv -- go test ./...`)", key)
	}
	return v
}

// MongoConfig is a config for a new, uniquely named database on the test server.
func MongoConfig(tb testing.TB) store.MongoConfig {
	tb.Helper()
	return store.MongoConfig{
		URI:         env(tb, "MONGODB_URI"),
		Database:    "t_" + ids.New(),
		MaxPoolSize: 8,
		MaxIdleTime: time.Minute,
		Timeout:     10 * time.Second,
	}
}

// CursorKeys sign the pagination cursors of the clients made here (a
// guarded function derives its own from JWT_KEYS).
var CursorKeys = store.CursorKeys{Active: "t1", Keys: map[string][]byte{"t1": []byte("test cursor key, 32 bytes long..")}}

// NewMongo returns a client on a fresh database that is dropped at cleanup.
func NewMongo(tb testing.TB) *store.Mongo {
	tb.Helper()
	return NewMongoWith(tb, MongoConfig(tb))
}

// NewMongoWith returns a client for cfg, normally MongoConfig's with a field
// changed (a command monitor, a shorter timeout), whose database is dropped
// at cleanup.
func NewMongoWith(tb testing.TB, cfg store.MongoConfig) *store.Mongo {
	tb.Helper()
	m := store.NewMongo(cfg)
	m.SignCursorsWith(CursorKeys)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if db, err := m.Database(); err == nil {
			_ = db.Drop(ctx)
		}
		_ = m.Close(ctx)
	})
	return m
}

// Commands keeps the commands a client sends, as the server receives them,
// for tests that count round trips or read the filters sent.
type Commands struct {
	mu   sync.Mutex
	cmds []Command
}

// Command is one command sent: its name ("find") and the whole document.
type Command struct {
	Name string
	Doc  bson.Raw
}

// Monitor is the store.MongoConfig.Monitor that fills c.
func (c *Commands) Monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.cmds = append(c.cmds, Command{Name: e.CommandName, Doc: slices.Clone(e.Command)})
	}}
}

// Take returns the commands sent since the last Take and forgets them.
func (c *Commands) Take() []Command {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.cmds
	c.cmds = nil
	return out
}

// NewMonitoredMongo is NewMongo whose client reports every command it sends.
func NewMonitoredMongo(tb testing.TB) (*store.Mongo, *Commands) {
	tb.Helper()
	cmds := &Commands{}
	cfg := MongoConfig(tb)
	cfg.Monitor = cmds.Monitor()
	return NewMongoWith(tb, cfg), cmds
}

// OnlyByID fails tb for every read, update or delete among cmds whose
// filter is not {_id: <string>} alone (the only filter FerretDB hands down
// to its storage; for any other it decodes the whole collection), and
// returns the commands as "name collection".
func OnlyByID(tb testing.TB, cmds []Command) []string {
	tb.Helper()
	var names []string
	for _, c := range cmds {
		coll, _ := c.Doc.Lookup(c.Name).StringValueOK()
		names = append(names, c.Name+" "+coll)
		var filters []bson.Raw
		switch c.Name {
		case "find":
			filters = append(filters, c.Doc.Lookup("filter").Document())
		case "findAndModify":
			filters = append(filters, c.Doc.Lookup("query").Document())
		case "update", "delete":
			list, _ := c.Doc.Lookup(c.Name + "s").Array().Values()
			for _, u := range list {
				filters = append(filters, u.Document().Lookup("q").Document())
			}
		}
		for _, f := range filters {
			elems, _ := f.Elements()
			if len(elems) != 1 || elems[0].Key() != "_id" || elems[0].Value().Type != bson.TypeString {
				tb.Errorf("%s on %s has filter %s, want {_id: <string>} alone", c.Name, coll, f)
			}
		}
	}
	return names
}

// RedisConfig is the config of the test run's Redis.
func RedisConfig(tb testing.TB) store.RedisConfig {
	tb.Helper()
	return store.RedisConfig{URL: env(tb, "REDIS_URL"), PoolSize: 8, Timeout: 2 * time.Second}
}

// NewRedis returns a client of the test run's Redis, closed at cleanup. Tests
// share the server: use keys with a unique prefix (ids.New()).
func NewRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	rdb, err := store.NewRedis(RedisConfig(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// DeadRedis returns a client pointing at a port nothing listens on, for
// "dependency down" tests.
func DeadRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	rdb, err := store.NewRedis(store.RedisConfig{URL: "redis://127.0.0.1:1", Timeout: 200 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// DeadMongo returns a client pointing at a port nothing listens on.
func DeadMongo(tb testing.TB) *store.Mongo {
	tb.Helper()
	m := store.NewMongo(store.MongoConfig{URI: "mongodb://127.0.0.1:1/", Database: "dead", MaxPoolSize: 1, Timeout: 300 * time.Millisecond})
	tb.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}
