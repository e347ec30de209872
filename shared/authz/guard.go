package authz

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/token"
)

// Auditor appends to the audit trail.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Limiter charges a rate limit unless one of the blockers (Redis keys)
// exists, in one round trip; *ratelimit.Limiter is one.
type Limiter interface {
	AllowUnless(ctx context.Context, limit ratelimit.Limit, key string, blockers ...string) (blocked bool, err error)
}

// Guard enforces Policies in front of every handler.
type Guard struct {
	Policies map[string]Rule
	Keys     *token.Keys
	// Limiter reads the deny-list (Revoker's keys) and applies the per-user
	// limit: a guarded request's only Redis round trip.
	Limiter Limiter
	Audit   Auditor
	Log     *slog.Logger
}

// Router registers routes through the guard on an httpapi.Router.
type Router struct {
	*httpapi.Router
	guard *Guard
}

// Router wraps rt so every route it registers is guarded.
func (g *Guard) Router(rt *httpapi.Router) *Router { return &Router{Router: rt, guard: g} }

// HandleFunc registers h behind the policy for pattern. A pattern without a
// policy panics at start: deny by default, caught by the first test.
func (r *Router) HandleFunc(pattern string, h httpapi.HandlerFunc) {
	r.Router.Handle(pattern, r.guard.Wrap(pattern, r.Router.Adapt(h)))
}

// Wrap guards next with the rule for pattern.
func (g *Guard) Wrap(pattern string, next http.Handler) http.Handler {
	rule, ok := g.Policies[pattern]
	if !ok {
		panic(fmt.Sprintf("authz: route %q has no policy in authz.Policies", pattern))
	}
	if rule.Public {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := g.check(r, pattern, rule)
		if err != nil {
			httpapi.WriteError(w, r, g.Log, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

var errUnauthenticated = errs.E(errs.Unauthorized, "sign in required")

func (g *Guard) check(r *http.Request, pattern string, rule Rule) (Principal, error) {
	ctx := r.Context()
	c, err := RequestCookie(r, AccessCookie)
	if err != nil {
		return Principal{}, errUnauthenticated
	}
	claims, err := g.Keys.VerifyAccess(c.Value)
	if err != nil {
		return Principal{}, errUnauthenticated
	}
	p := Principal{
		UserID: claims.Subject, Role: claims.Role, ClinicID: claims.ClinicID, SessionID: claims.SessionID,
		PatientID: claims.PatientID, TokenID: claims.ID, ExpiresAt: claims.ExpiresAt.Time, MFAPending: claims.MFAPending,
	}
	// One round trip refuses a revoked token and charges the caller's
	// per-user budget (a revoked token is not charged). It comes before the
	// other checks, so requests that end in a denial count too: a runaway
	// script cannot fill the audit trail with denials unthrottled. Fail
	// closed: if Redis cannot be read, a revoked token could pass, so the
	// error (503) is the answer; a spent budget is a 429.
	if blocked, err := g.Limiter.AllowUnless(ctx, ratelimit.GeneralPerUser, p.UserID, denyKeys(p)...); err != nil {
		return Principal{}, err
	} else if blocked {
		return Principal{}, errUnauthenticated
	}
	if p.MFAPending && !rule.AllowMFAPending {
		return Principal{}, g.deny(r, p, pattern, "", errs.E(errs.Forbidden, "enrol in two-factor authentication first"))
	}
	if !rule.Allows(p.Role) {
		return Principal{}, g.deny(r, p, pattern, "", errs.E(errs.Forbidden, "your role may not do this"))
	}
	if rule.Owner == OwnPatient && p.IsPatient() {
		if id := r.PathValue(rule.Param); id != p.PatientID {
			// Another patient's anything is 404: not even its existence leaks.
			return Principal{}, g.deny(r, p, pattern, id, errs.E(errs.NotFound, "not found"))
		}
	}
	if !safeMethod(r.Method) {
		header := r.Header.Get(CSRFHeader)
		cookie, _ := RequestCookie(r, CSRFCookie)
		if cookie == nil || !g.Keys.VerifyCSRF(header, cookie.Value, p.SessionID) {
			return Principal{}, g.deny(r, p, pattern, "", errs.E(errs.Forbidden, "missing or invalid CSRF token"))
		}
	}
	return p, nil
}

// deny audits a refused request and returns err.
func (g *Guard) deny(r *http.Request, p Principal, pattern, patientID string, err *errs.Error) error {
	if aerr := g.Audit.Record(r.Context(), audit.Entry{
		ClinicID: p.ClinicID, ActorID: p.UserID, ActorRole: p.Role, Action: "authz.denied",
		Resource: pattern, PatientID: patientID, RequestID: httpapi.RequestID(r.Context()),
		IP: httpapi.ClientIP(r), Outcome: audit.Denied, Detail: err.Message,
	}); aerr != nil {
		return aerr // an unaudited denial would be a hole in the trail: 503
	}
	return err
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
