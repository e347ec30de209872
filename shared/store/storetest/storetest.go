// Package storetest gives tests real databases: a fresh Mongo database on the
// run's server (MONGODB_URI, set by `make test`), dropped when the test ends,
// and a client for the run's Redis (REDIS_URL).
package storetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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
