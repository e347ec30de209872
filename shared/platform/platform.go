// Package platform is the cold-start wiring every guarded API function
// shares: its base configuration, the Mongo and Redis clients (lazy: no I/O
// here), the guard with its keys, audit log and limiter, and shutdown.
package platform

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// Config is what every guarded function reads.
type Config struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	Mongo    store.MongoConfig
	Redis    store.RedisConfig
	Token    token.Config
}

// Base is one cold start's shared clients.
type Base struct {
	Log    *slog.Logger
	Mongo  *store.Mongo
	Redis  *redis.Client
	Authz  *authz.Platform
	Clock  clock.Clock
	Router *httpapi.Router
}

// New builds the base from cfg (a function's whole config, logged redacted).
func New(cfg Config, whole any) (*Base, error) {
	log := httpapi.NewLogger(os.Stdout, httpapi.ParseLevel(cfg.LogLevel))
	log.Info("cold start", "config", config.Redacted(whole))
	rdb, err := store.NewRedis(cfg.Redis)
	if err != nil {
		return nil, err
	}
	m := store.NewMongo(cfg.Mongo)
	c := clock.Real{}
	p, err := authz.NewPlatform(cfg.Token, m, rdb, c, log)
	if err != nil {
		return nil, err
	}
	return &Base{Log: log, Mongo: m, Redis: rdb, Authz: p, Clock: c, Router: httpapi.NewRouter(log)}, nil
}

// Routes is the guarded router to register routes on.
func (b *Base) Routes() *authz.Router { return b.Authz.Guard.Router(b.Router) }

// Serve hands the stacked handler to Lambda and closes the clients on SIGTERM.
func (b *Base) Serve() {
	httpapi.StartLambda(httpapi.Stack(b.Log, b.Router), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_ = b.Mongo.Close(ctx)
		_ = b.Redis.Close()
	})
}
