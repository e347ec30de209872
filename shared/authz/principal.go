// Package authz is authorization as infrastructure: one policy table naming,
// for every route, who may call it and which ownership rule applies, and the
// guard that enforces it before any handler runs (authenticate the access
// cookie; refuse revoked tokens and apply the per-user rate limit, together
// in one Redis round trip; check MFA enrolment, role and ownership, and the
// CSRF token; audit denials). A route without a policy cannot be registered.
package authz

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
)

// Cookie and header names of the contract.
const (
	AccessCookie  = "ts_access"
	RefreshCookie = "ts_refresh"
	CSRFCookie    = "csrf_token"
	CSRFHeader    = "X-CSRF-Token"
	// RefreshPath scopes the refresh cookie: only auth routes ever see it.
	RefreshPath = "/api/auth"
)

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
