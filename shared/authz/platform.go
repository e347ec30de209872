package authz

import (
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// Platform is what every guarded function builds once per cold start: the
// token keys, the audit log, the limiter, the revoker and the guard over them.
type Platform struct {
	Keys    *token.Keys
	Audit   *audit.Log
	Limiter *ratelimit.Limiter
	Revoker *Revoker
	Guard   *Guard
}

// NewPlatform builds the guard and its collaborators (no I/O).
func NewPlatform(tc token.Config, m *store.Mongo, rdb *redis.Client, c clock.Clock, log *slog.Logger) (*Platform, error) {
	keys, err := token.NewKeys(tc, c)
	if err != nil {
		return nil, err
	}
	p := &Platform{Keys: keys, Audit: audit.New(m, c), Limiter: ratelimit.New(rdb), Revoker: &Revoker{Redis: rdb, AccessTTL: keys.AccessTTL()}}
	p.Guard = &Guard{Policies: Policies, Keys: keys, Redis: rdb, Limiter: p.Limiter, Audit: p.Audit, Log: log}
	return p, nil
}
