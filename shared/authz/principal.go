// Package authz is authorization as infrastructure: one policy table naming,
// for every route, who may call it and which ownership rule applies, and the
// guard that enforces it before any handler runs (authenticate the access
// cookie; refuse revoked tokens and apply the per-user rate limit, together
// in one Redis round trip; check MFA enrolment, role and ownership, and the
// CSRF token; audit denials). A route without a policy cannot be registered.
package authz

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
)

// Cookie and header names of the contract. The cookies carry a prefix the
// browser enforces:
//   - __Host-csrf_token (Path=/): Secure, no Domain and Path=/ are required,
//     so neither a sibling subdomain nor a plain-http response can plant or
//     overwrite it.
//   - __Secure-ts_access (Path=/api) and __Secure-ts_refresh (Path=/api/auth):
//     __Host- would force Path=/, sending the access token with every page
//     and asset request and the long-lived refresh token with every API
//     call; keeping each on its path matters more. __Secure- still keeps a
//     plain-http response from setting them, and none is given a Domain, so
//     all three are host-only.
//
// Browsers refuse a prefixed cookie that is not Secure, so with
// COOKIE_SECURE=false (plain-http test clients) they are set under their
// bare names (CookieName) and read under either (RequestCookie).
const (
	AccessCookie  = "__Secure-ts_access"
	RefreshCookie = "__Secure-ts_refresh"
	CSRFCookie    = "__Host-csrf_token"
	CSRFHeader    = "X-CSRF-Token"
	// RefreshPath scopes the refresh cookie: only auth routes ever see it.
	RefreshPath = "/api/auth"
)

// CookieName is the name the cookie name (one of the above) is set under:
// as is when secure, else without its prefix.
func CookieName(name string, secure bool) string {
	if secure {
		return name
	}
	return strings.TrimPrefix(strings.TrimPrefix(name, "__Host-"), "__Secure-")
}

// RequestCookie is r's cookie name, or its bare form when r has no
// prefixed one (a COOKIE_SECURE=false deployment). Accepting the bare form
// is no weaker than the prefix-less names were: the CSRF token is bound to
// the session, and a prefixed cookie, when present, is the one read.
func RequestCookie(r *http.Request, name string) (*http.Cookie, error) {
	if c, err := r.Cookie(name); err == nil {
		return c, nil
	}
	return r.Cookie(CookieName(name, false))
}

// Role names (the identity group owns the richer type).
const (
	Admin        = "admin"
	Dentist      = "dentist"
	Hygienist    = "hygienist"
	Assistant    = "assistant"
	Receptionist = "receptionist"
	Patient      = "patient"
)

// AllRoles lists every role.
var AllRoles = []string{Admin, Dentist, Hygienist, Assistant, Receptionist, Patient}

// Principal is the authenticated caller.
type Principal struct {
	UserID     string
	Role       string
	ClinicID   string
	SessionID  string
	PatientID  string // set for role patient
	TokenID    string // the access token's jti
	ExpiresAt  time.Time
	MFAPending bool
}

// IsPatient reports whether the caller is a patient (ownership rules apply).
func (p Principal) IsPatient() bool { return p.Role == Patient }

// Actor is p as the audit trail names whoever acts in a request.
func (p Principal) Actor() audit.Actor {
	return audit.Actor{ClinicID: p.ClinicID, UserID: p.UserID, Role: p.Role}
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal the guard put in ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// MustPrincipal returns the principal of a guarded route. The guard always
// sets one for non-public routes, so its absence is a wiring bug.
func MustPrincipal(ctx context.Context) Principal {
	p, ok := FromContext(ctx)
	if !ok {
		panic("authz: no principal in context: route registered without the guard")
	}
	return p
}
