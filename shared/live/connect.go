package live

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
)

// Path is the live route: API Gateway's $connect locally and deployed is
// GET /api/live with the session's cookie.
const Path = "/api/live"

// Connector admits a live connection: the guard has already checked the
// access cookie (and the deny list) for "GET /api/live"; the Connector
// checks that the socket comes from the SPA's origin, then registers it
// under the caller's clinic within the limits. Deployed, the connection is
// API Gateway's (its id in the context, WithConnectionID); locally an
// Acceptor upgrades the request and keeps the socket.
type Connector struct {
	Registry *Registry
	// Origin is the SPA's origin (APP_URL): a socket opened from any
	// other page is refused, so another site cannot ride the cookie.
	Origin string
	Accept Acceptor // local only
	Now    func() time.Time
	Log    *slog.Logger
}

// Acceptor upgrades a request to a WebSocket it keeps (the local hub): it
// registers conn (under an id of its own) and serves it until it closes.
type Acceptor interface {
	Serve(w http.ResponseWriter, r *http.Request, reg *Registry, now time.Time, conn Conn) error
}

type connIDKey struct{}

// WithConnectionID is ctx carrying API Gateway's connection id ($connect).
func WithConnectionID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, connIDKey{}, id)
}

func connectionID(ctx context.Context) string {
	id, _ := ctx.Value(connIDKey{}).(string)
	return id
}

// Routes mounts GET /api/live.
func Routes(r *authz.Router, c *Connector) {
	r.HandleFunc("GET "+Path, c.connect)
}

var errOrigin = errs.E(errs.Forbidden, "live updates open only from the practice's own pages")

// sameOrigin reports whether the request's Origin is the SPA's.
func (c *Connector) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	want, err := url.Parse(c.Origin)
	if err != nil || want.Host == "" {
		return false
	}
	got, err := url.Parse(o)
	return err == nil && strings.EqualFold(got.Scheme, want.Scheme) && strings.EqualFold(got.Host, want.Host)
}

// originIsHost: locally the SPA and the API share one origin, whatever
// name the stack was reached by.
func originIsHost(r *http.Request) bool {
	got, err := url.Parse(r.Header.Get("Origin"))
	return err == nil && got.Host != "" && strings.EqualFold(got.Host, r.Host)
}

func (c *Connector) connect(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	if !c.sameOrigin(r) && (c.Accept == nil || !originIsHost(r)) {
		return errOrigin
	}
	conn := Conn{ClinicID: p.ClinicID, UserID: p.UserID, SessionID: p.SessionID, TokenID: p.TokenID, Expires: p.ExpiresAt}
	if c.Accept != nil {
		return c.Accept.Serve(w, r, c.Registry, c.Now(), conn)
	}
	conn.ID = connectionID(r.Context())
	if conn.ID == "" {
		return errs.E(errs.Invalid, "a live connection is a WebSocket")
	}
	if err := c.Registry.Add(r.Context(), conn, c.Now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
