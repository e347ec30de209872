package identity

import (
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// New builds the identity service and its own guard over existing clients
// (the local stack and tests; the Lambda functions pass their
// platform.Base's guard to NewService instead).
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
