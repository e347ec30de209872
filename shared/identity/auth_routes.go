package identity

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/token"
)

// AuthRoutes registers the auth function's routes.
func (s *Service) AuthRoutes(r *authz.Router) {
	r.HandleFunc("POST /api/auth/login", s.login)
	r.HandleFunc("POST /api/auth/refresh", s.refresh)
	r.HandleFunc("POST /api/auth/logout", s.logout)
	r.HandleFunc("GET /api/auth/me", s.me)
	r.HandleFunc("POST /api/auth/register", s.register)
	r.HandleFunc("GET /api/clinics", s.searchClinics)
	r.HandleFunc("POST /api/auth/verify-email", s.verifyEmail)
	r.HandleFunc("POST /api/auth/password/forgot", s.forgot)
	r.HandleFunc("POST /api/auth/password/reset", s.reset)
	r.HandleFunc("POST /api/auth/password/change", s.changePassword)
	r.HandleFunc("POST /api/auth/mfa/setup", s.mfaSetup)
	r.HandleFunc("POST /api/auth/mfa/verify", s.mfaVerify)
	r.HandleFunc("GET /api/auth/sessions", s.listSessions)
	r.HandleFunc("DELETE /api/auth/sessions/{id}", s.deleteSession)
}

// errBadCredentials is the one answer for unknown email, wrong password and
// disabled account: a login probe learns nothing.
var errBadCredentials = errs.E(errs.Unauthorized, "email or password is incorrect")

// errEmailUnverified answers the right password of a sign-up whose email is
// not confirmed yet. Only after the right password: it tells nothing to
// anyone without the credentials, and tells the owner what to do instead
// of letting them think the password is wrong.
var errEmailUnverified = &errs.Error{Kind: errs.Unauthorized, Message: "confirm your email first: open the link we sent you when you signed up",
	Fields: []errs.FieldError{{Field: "email", Message: "is not confirmed yet"}}}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

// sessionResponse is what login, refresh and verify-email answer: the user and
// whether MFA enrolment is required. Tokens travel only in cookies.
type sessionResponse struct {
	User                  User `json:"user"`
	MFAEnrollmentRequired bool `json:"mfaEnrollmentRequired"`
}

func (s *Service) login(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	var v errs.Validator
	v.Check(in.Email != "", "email", "is required")
	v.Check(in.Password != "", "password", "is required")
	if err := v.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	email := NormalizeEmail(in.Email)
	// IP first: a blocked address must not use up a real user's attempts.
	if err := s.Limiter.AllowAll(ctx,
		ratelimit.Check{Limit: ratelimit.LoginPerIP, Key: ratelimit.IPKey(httpapi.ClientIP(r))},
		ratelimit.Check{Limit: ratelimit.LoginPerAccount, Key: email},
	); err != nil {
		return err
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		BurnPasswordTime(in.Password)
		if err := s.Audit.Request(r, audit.Actor{ClinicID: audit.SystemClinic}, audit.Entry{Action: "auth.login", Resource: "auth/login", Outcome: audit.Failure, Detail: "unknown account"}); err != nil {
			return err
		}
		return errBadCredentials
	}
	if err != nil {
		return err
	}
	fail := func(detail string, answer error) error {
		if err := s.Audit.Request(r, u.actor(), audit.Entry{Action: "auth.login", Resource: "auth/login", Outcome: audit.Failure, Detail: detail}); err != nil {
			return err
		}
		return answer
	}
	if ok, _ := VerifyPassword(u.PasswordHash, in.Password); !ok {
		return fail("wrong password", errBadCredentials)
	}
	if u.Disabled {
		return fail("account disabled", errBadCredentials)
	}
	if u.Unverified {
		return fail("email not confirmed", errEmailUnverified)
	}
	if u.MFA.Enabled {
		if strings.TrimSpace(in.TOTP) == "" {
			return &errs.Error{Kind: errs.Unauthorized, Message: "enter the code from your authenticator app", Fields: []errs.FieldError{{Field: "totp", Message: "is required"}}}
		}
		if err := s.Limiter.Allow(ctx, ratelimit.MFAVerify, "login:"+u.ID); err != nil {
			return err
		}
		if ok, err := s.checkSecondFactor(ctx, u, in.TOTP); err != nil {
			return err
		} else if !ok {
			return fail("wrong second factor", &errs.Error{Kind: errs.Unauthorized, Message: "the code is not valid", Fields: []errs.FieldError{{Field: "totp", Message: "is not valid"}}})
		}
	}
	resp, err := s.signIn(w, r, u)
	if err != nil {
		return err
	}
	_ = s.Limiter.Reset(ctx, ratelimit.LoginPerAccount, email)
	httpapi.WriteJSON(w, http.StatusOK, resp)
	return nil
}

// signIn starts a session for u, whose credentials were checked, and sets
// its cookies (login, verify-email).
func (s *Service) signIn(w http.ResponseWriter, r *http.Request, u User) (sessionResponse, error) {
	ctx := r.Context()
	clinic, err := s.Store.Clinic(ctx, u.ClinicID)
	if err != nil {
		return sessionResponse{}, err
	}
	pending := clinic.Settings.MFARequired && (u.Role == RoleAdmin || u.Role == RoleDentist) && !u.MFA.Enabled
	sess, refresh, err := s.Sessions.Create(ctx, u, s.limits(clinic), pending, r.UserAgent(), httpapi.ClientIP(r))
	if err != nil {
		return sessionResponse{}, err
	}
	// Recorded before any cookie is set: a sign-in the trail does not show
	// must not be usable.
	if err := s.Audit.Request(r, u.actor(), audit.Entry{Action: "auth.login", Resource: "sessions/" + sess.ID, Outcome: audit.Success}); err != nil {
		_ = s.Sessions.Revoke(context.WithoutCancel(ctx), u.ClinicID, sess.ID, "sign-in not audited")
		return sessionResponse{}, err
	}
	if err := s.issue(w, sess, refresh); err != nil {
		return sessionResponse{}, err
	}
	return sessionResponse{User: u.Public(), MFAEnrollmentRequired: pending}, nil
}

// checkSecondFactor accepts a current TOTP code (once) or a recovery code.
func (s *Service) checkSecondFactor(ctx context.Context, u User, code string) (bool, error) {
	secret, err := s.sealer.open(u.MFA.Secret)
	if err != nil {
		return false, errs.Wrap(errs.Internal, err, "internal error")
	}
	if step := matchTOTP(secret, code, s.Clock.Now()); step >= 0 {
		return s.Store.UseTOTPStep(ctx, u, step)
	}
	return s.Store.UseRecoveryCode(ctx, u, code)
}

func (s *Service) limits(c Clinic) SessionLimits {
	idle := time.Duration(c.Settings.IdleLogoffMinutes) * time.Minute
	if idle <= 0 {
		idle = 15 * time.Minute
	}
	// The SPA refreshes before the access token expires, so an active user's
	// refreshes are at most AccessTTL apart: idle must exceed it.
	if min := s.Keys.AccessTTL() + time.Minute; idle < min {
		idle = min
	}
	// The clinic chooses how long a sign-in lasts; the deployment's
	// SESSION_TTL is the ceiling (an operator may enforce a shorter one).
	absolute := time.Duration(c.Settings.SessionHours) * time.Hour
	if absolute <= 0 || absolute > s.cfg.SessionTTL {
		absolute = s.cfg.SessionTTL
	}
	return SessionLimits{Absolute: absolute, Idle: idle}
}

// issue signs an access token for sess and sets the cookies.
func (s *Service) issue(w http.ResponseWriter, sess Session, refresh string) error {
	access, _, err := s.Keys.IssueAccess(token.Subject{
		UserID: sess.UserID, Role: string(sess.Role), ClinicID: sess.ClinicID, SessionID: sess.ID, PatientID: sess.PatientID, MFAPending: sess.MFAPending,
	})
	if err != nil {
		return err
	}
	s.setSessionCookies(w, access, sess, refresh)
	return nil
}

func (s *Service) refresh(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(authz.CookieName(authz.RefreshCookie, s.cfg.CookieSecure))
	if err != nil {
		return ErrRefreshInvalid
	}
	ctx := r.Context()
	res, err := s.Sessions.Rotate(ctx, c.Value)
	if res.Reused {
		// Reuse means the token leaked: Rotate has denied every access
		// token of the family and ended it; the trail says so.
		if aerr := s.Audit.Request(r, res.Session.actor(), audit.Entry{Action: "auth.refresh_reuse", Resource: "sessions/" + res.Session.ID, Outcome: audit.Denied, Detail: "retired refresh token presented; session revoked"}); aerr != nil {
			return aerr
		}
	}
	if errors.Is(err, ErrRefreshRaced) {
		// Lost a race: the winner's cookies stand.
		return err
	}
	if err != nil {
		s.clearSessionCookies(w)
		return err
	}
	u, err := s.Store.UserByID(ctx, res.Session.ClinicID, res.Session.UserID)
	if err != nil {
		return err
	}
	if u.Disabled {
		_ = s.Sessions.Revoke(ctx, u.ClinicID, res.Session.ID, "user disabled")
		s.clearSessionCookies(w)
		return ErrRefreshInvalid
	}
	if err := s.issue(w, res.Session, res.Token); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, sessionResponse{User: u.Public(), MFAEnrollmentRequired: res.Session.MFAPending})
	return nil
}

func (s *Service) logout(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	ctx := r.Context()
	// The access token and its session are denied before the session is
	// marked ended (Revoke), so a retry after a failure finishes the job.
	if err := s.Revoker.Token(ctx, p.TokenID, p.ExpiresAt); err != nil {
		return err
	}
	if err := s.Sessions.Revoke(ctx, p.ClinicID, p.SessionID, "logout"); err != nil {
		return err
	}
	s.clearSessionCookies(w)
	// Recorded after the session ends: ending one must not wait on the trail.
	if err := s.Audit.Request(r, p.Actor(), audit.Entry{Action: "auth.logout", Resource: "sessions/" + p.SessionID, Outcome: audit.Success}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	User                  User   `json:"user"`
	Clinic                Clinic `json:"clinic"`
	MFAEnrollmentRequired bool   `json:"mfaEnrollmentRequired"`
}

func (s *Service) me(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	u, err := s.Store.UserByID(r.Context(), p.ClinicID, p.UserID)
	if err != nil {
		return err
	}
	c, err := s.Store.ClinicWithSlug(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, meResponse{User: u.Public(), Clinic: c, MFAEnrollmentRequired: p.MFAPending})
	return nil
}
