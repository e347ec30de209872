package authz

import (
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// Config is the security part of a guarded function's configuration: the
// token keys, the audit trail's keys, and the origin secret that tells
// CloudFront's word on the caller's address from anyone else's.
type Config struct {
	Token token.Config
	Audit audit.Config
	Edge  httpapi.EdgeConfig
}

// Security is what every guarded function builds once per cold start: the
// token keys, the audit trail, the limiter, the deny-list writer and the
// guard over them. Groups take the parts they use from it.
type Security struct {
	Keys    *token.Keys
	Audit   *audit.Log
	Limiter *ratelimit.Limiter
	Revoker *Revoker
	Guard   *Guard
	// Edge is how App tells the viewer's address (httpapi.Viewer).
	Edge httpapi.EdgeConfig
}

// NewSecurity builds the guard and its collaborators (no I/O), and signs
// m's pagination cursors.
func NewSecurity(cfg Config, m *store.Mongo, rdb *redis.Client, c clock.Clock, log *slog.Logger) (*Security, error) {
	keys, err := token.NewKeys(cfg.Token, c)
	if err != nil {
		return nil, err
	}
	trail, err := audit.NewKeys(cfg.Audit)
	if err != nil {
		return nil, err
	}
	// Pagination cursors are signed with keys derived from the token keys:
	// they rotate with JWT_KEYS and need no secret of their own.
	active, cursorKeys := keys.Derived("pagination cursor")
	m.SignCursorsWith(store.CursorKeys{Active: active, Keys: cursorKeys})
	s := &Security{Keys: keys, Audit: audit.New(m, c, trail), Limiter: ratelimit.New(rdb), Revoker: &Revoker{Redis: rdb, AccessTTL: keys.AccessTTL()}, Edge: cfg.Edge}
	s.Guard = &Guard{Policies: Policies, Keys: keys, Limiter: s.Limiter, Audit: s.Audit, Log: log}
	return s, nil
}

// Guarded is a guarded API function's base: its clients, its security and
// the router its group's routes go on.
type Guarded struct {
	*boot.Clients
	*Security
	Router *httpapi.Router
}

// Open builds a guarded function's base from its configuration (no I/O);
// whole is the function's entire config, logged with secrets masked.
func Open(cfg boot.Config, sc Config, whole any, o boot.Options) (*Guarded, error) {
	c, err := boot.Open(cfg, whole, o)
	if err != nil {
		return nil, err
	}
	sec, err := NewSecurity(sc, c.Mongo, c.Redis, c.Clock, c.Log)
	if err != nil {
		return nil, err
	}
	return &Guarded{Clients: c, Security: sec, Router: httpapi.NewRouter(c.Log)}, nil
}

// Routes is the guarded router to register the group's routes on.
func (g *Guarded) Routes() *Router { return g.Guard.Router(g.Router) }

// App is the assembled function: the router under the common middleware,
// behind httpapi.Viewer (per-IP limits, sessions and the trail see the
// viewer's address, not CloudFront's), closing the clients on shutdown.
func (g *Guarded) App() *boot.App {
	a := boot.NewHTTP(g.Log, g.Router)
	a.Handler = httpapi.Viewer(g.Edge, a.Handler)
	a.OnClose(g.Clients.Close)
	return a
}
