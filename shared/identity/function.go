package identity

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// FunctionConfig is the whole configuration of the auth and admin functions.
type FunctionConfig struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	Mongo    store.MongoConfig
	Redis    store.RedisConfig
	Token    token.Config
	Identity Config
	// QueueURL is the notifications queue (password-reset e-mails).
	QueueURL string `env:"NOTIFICATIONS_QUEUE_URL"`
}

// Clients are the per-cold-start clients a function closes on shutdown.
type Clients struct {
	Mongo *store.Mongo
	Redis *redis.Client
}

// Close disconnects both clients.
func (c Clients) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_ = c.Mongo.Close(ctx)
	_ = c.Redis.Close()
}

// Build makes the identity service from a function's config; routes is
// AuthRoutes or AdminRoutes. It does no network I/O.
func Build(cfg FunctionConfig, pub notify.Publisher, log *slog.Logger, routes func(*Service, *httpapi.Router)) (*httpapi.Router, Clients, error) {
	mongo := store.NewMongo(cfg.Mongo)
	rdb, err := store.NewRedis(cfg.Redis)
	if err != nil {
		return nil, Clients{}, err
	}
	svc, err := New(cfg.Identity, cfg.Token, mongo, rdb, pub, clock.Real{}, log)
	if err != nil {
		return nil, Clients{}, err
	}
	rt := httpapi.NewRouter(log)
	routes(svc, rt)
	return rt, Clients{Mongo: mongo, Redis: rdb}, nil
}

// New builds the identity service over existing clients (the local stack
// shares its clients between functions).
func New(cfg Config, tc token.Config, mongo *store.Mongo, rdb *redis.Client, pub notify.Publisher, c clock.Clock, log *slog.Logger) (*Service, error) {
	platform, err := authz.NewPlatform(tc, mongo, rdb, c, log)
	if err != nil {
		return nil, err
	}
	return NewService(cfg, platform, mongo, pub, patients.NewStore(mongo, c), c, log)
}

// MountAuth registers the auth function's routes behind the guard.
func MountAuth(s *Service, rt *httpapi.Router) { s.AuthRoutes(s.Guard.Router(rt)) }

// MountAdmin registers the admin function's routes behind the guard.
func MountAdmin(s *Service, rt *httpapi.Router) { s.AdminRoutes(s.Guard.Router(rt)) }
