package identity

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
	"github.com/topsmile/topsmile/shared/validate"
)

// AuthRoutes registers the auth function's routes.
func (s *Service) AuthRoutes(r *authz.Router) {
	r.HandleFunc("POST /api/auth/login", s.login)
	r.HandleFunc("POST /api/auth/refresh", s.refresh)
	r.HandleFunc("POST /api/auth/logout", s.logout)
	r.HandleFunc("GET /api/auth/me", s.me)
	r.HandleFunc("POST /api/auth/register", s.register)
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

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

// sessionResponse is what login, refresh and register answer: the user and
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
		if err := s.audit(r, audit.Entry{ClinicID: audit.SystemClinic, Action: "auth.login", Resource: "auth/login", Outcome: audit.Failure, Detail: "unknown account"}); err != nil {
			return err
		}
		return errBadCredentials
	}
	if err != nil {
		return err
	}
	fail := func(detail string, answer error) error {
		if err := s.audit(r, audit.Entry{ClinicID: u.ClinicID, ActorID: u.ID, ActorRole: string(u.Role), Action: "auth.login", Resource: "auth/login", Outcome: audit.Failure, Detail: detail}); err != nil {
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
	clinic, err := s.Store.Clinic(ctx, u.ClinicID)
	if err != nil {
		return err
	}
	pending := clinic.Settings.MFARequired && (u.Role == RoleAdmin || u.Role == RoleDentist) && !u.MFA.Enabled
	sess, refresh, err := s.Sessions.Create(ctx, u, s.limits(clinic), pending, r.UserAgent(), httpapi.ClientIP(r))
	if err != nil {
		return err
	}
	if err := s.issue(w, sess, refresh); err != nil {
		return err
	}
	_ = s.Limiter.Reset(ctx, ratelimit.LoginPerAccount, email)
	if err := s.audit(r, audit.Entry{ClinicID: u.ClinicID, ActorID: u.ID, ActorRole: string(u.Role), Action: "auth.login", Resource: "sessions/" + sess.ID, Outcome: audit.Success}); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, sessionResponse{User: u.Public(), MFAEnrollmentRequired: pending})
	return nil
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
	return s.Store.UseRecoveryCode(ctx, u, strings.ToLower(strings.TrimSpace(code)))
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
	return SessionLimits{Absolute: s.cfg.SessionTTL, Idle: idle}
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
	c, err := r.Cookie(authz.RefreshCookie)
	if err != nil {
		return ErrRefreshInvalid
	}
	ctx := r.Context()
	res, err := s.Sessions.Rotate(ctx, c.Value)
	if res.Reused {
		// Reuse means the token leaked: every access token of the family
		// dies now, and the trail says so.
		if rerr := s.Revoker.Session(ctx, res.Session.ID); rerr != nil {
			return rerr
		}
		if aerr := s.audit(r, audit.Entry{ClinicID: res.Session.ClinicID, ActorID: res.Session.UserID, ActorRole: string(res.Session.Role), Action: "auth.refresh_reuse", Resource: "sessions/" + res.Session.ID, Outcome: audit.Denied, Detail: "retired refresh token presented; session revoked"}); aerr != nil {
			return aerr
		}
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
	if err := s.Sessions.Revoke(ctx, p.ClinicID, p.SessionID, "logout"); err != nil {
		return err
	}
	if err := s.Revoker.Token(ctx, p.TokenID, p.ExpiresAt); err != nil {
		return err
	}
	if err := s.Revoker.Session(ctx, p.SessionID); err != nil {
		return err
	}
	s.clearSessionCookies(w)
	if err := s.auditAs(r, p, "auth.logout", "sessions/"+p.SessionID, audit.Success, ""); err != nil {
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
	c, err := s.Store.Clinic(r.Context(), p.ClinicID)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, meResponse{User: u.Public(), Clinic: c, MFAEnrollmentRequired: p.MFAPending})
	return nil
}

type registerRequest struct {
	ClinicID    string `json:"clinicId"`
	Email       string `json:"email"`
	Password    string `json:"password"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	DateOfBirth string `json:"dateOfBirth"`
	Phone       string `json:"phone"`
}

// register is patient self sign-up: always role patient (a role field in the
// body is an unknown field: 400), linked to a new patient record. Matching an
// existing record would hand its health history to whoever knows a name,
// birth date and email, so linking to existing records is the front desk's
// job, not sign-up's.
func (s *Service) register(w http.ResponseWriter, r *http.Request) error {
	var in registerRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	var v errs.Validator
	v.Check(ids.Valid(in.ClinicID), "clinicId", "is required")
	v.Check(strings.TrimSpace(in.FirstName) != "", "firstName", "is required")
	v.Check(strings.TrimSpace(in.LastName) != "", "lastName", "is required")
	v.Check(validDate(in.DateOfBirth, s.Clock.Now()), "dateOfBirth", "must be a past date YYYY-MM-DD")
	phone, err := validate.Phone(in.Phone, validate.DefaultRegion)
	validate.Check(&v, "phone", err)
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.Limiter.Allow(ctx, ratelimit.Register, ratelimit.IPKey(httpapi.ClientIP(r))); err != nil {
		return err
	}
	clinic, err := s.Store.Clinic(ctx, in.ClinicID)
	if errs.Is(err, errs.NotFound) {
		return errs.InvalidFields(errs.FieldError{Field: "clinicId", Message: "is not a practice"})
	}
	if err != nil {
		return err
	}
	patientID := ids.New()
	u, err := s.Store.CreateUser(ctx, clinic.ID, NewUser{Email: in.Email, Password: in.Password, Role: RolePatient,
		FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName), PatientID: patientID})
	if err != nil {
		return err
	}
	err = s.Patients.RegisterPatient(ctx, clinic.ID, PortalPatient{ID: patientID, FirstName: u.FirstName, LastName: u.LastName,
		DateOfBirth: in.DateOfBirth, Phone: phone, Email: u.Email})
	if err != nil {
		// Undo the account so the email can sign up again.
		_ = s.Store.DeleteUser(context.WithoutCancel(ctx), clinic.ID, u.ID)
		return err
	}
	sess, refresh, err := s.Sessions.Create(ctx, u, s.limits(clinic), false, r.UserAgent(), httpapi.ClientIP(r))
	if err != nil {
		return err
	}
	if err := s.issue(w, sess, refresh); err != nil {
		return err
	}
	if err := s.audit(r, audit.Entry{ClinicID: clinic.ID, ActorID: u.ID, ActorRole: string(u.Role), Action: "auth.register", Resource: "patients/" + patientID, PatientID: patientID, Outcome: audit.Success}); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusCreated, sessionResponse{User: u.Public()})
	return nil
}

func validDate(s string, now time.Time) bool {
	t, err := validate.Date(s)
	return err == nil && t.Before(now) && t.Year() > 1900
}

type forgotRequest struct {
	Email string `json:"email"`
}

// resetTTL is how long a password-reset link works.
const resetTTL = 30 * time.Minute

// forgot always answers 202, whether or not the account exists.
func (s *Service) forgot(w http.ResponseWriter, r *http.Request) error {
	var in forgotRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	email := NormalizeEmail(in.Email)
	if err := s.Limiter.AllowAll(ctx,
		ratelimit.Check{Limit: ratelimit.PasswordForgot, Key: "ip:" + ratelimit.IPKey(httpapi.ClientIP(r))},
		ratelimit.Check{Limit: ratelimit.PasswordForgot, Key: email},
	); err != nil {
		return err
	}
	u, err := s.Store.UserByEmail(ctx, email)
	switch {
	case errs.Is(err, errs.NotFound) || (err == nil && u.Disabled):
		BurnPasswordTime(email) // similar work either way
	case err != nil:
		return err
	default:
		secret := ids.Token(32)
		if err := s.Store.CreateReset(ctx, u, secret, resetTTL); err != nil {
			return err
		}
		if err := s.Publisher.Publish(ctx, notify.Message{
			ID: ids.New(), ClinicID: u.ClinicID, Channel: notify.Email, To: u.Email, Template: "password-reset",
			Data:      map[string]string{"firstName": u.FirstName, "resetUrl": strings.TrimRight(s.cfg.AppURL, "/") + "/reset-password?token=" + secret, "expiresInMinutes": "30"},
			CreatedAt: s.Clock.Now(),
		}); err != nil {
			return err
		}
		if err := s.audit(r, audit.Entry{ClinicID: u.ClinicID, ActorID: u.ID, ActorRole: string(u.Role), Action: "auth.password_forgot", Resource: "users/" + u.ID, Outcome: audit.Success}); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

type resetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (s *Service) reset(w http.ResponseWriter, r *http.Request) error {
	var in resetRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.Limiter.Allow(ctx, ratelimit.PasswordReset, ratelimit.IPKey(httpapi.ClientIP(r))); err != nil {
		return err
	}
	// Policy first: a rejected password must not burn the single-use token.
	if err := CheckPasswordPolicy(in.Password, ""); err != nil {
		return err
	}
	rs, err := s.Store.ConsumeReset(ctx, in.Token)
	if err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, rs.ClinicID, rs.UserID)
	if err != nil {
		return err
	}
	if err := s.Store.SetPassword(ctx, u.ClinicID, u.ID, in.Password, u.Email); err != nil {
		return err
	}
	if err := s.endSessions(ctx, u.ClinicID, u.ID, "", "password reset"); err != nil {
		return err
	}
	if err := s.audit(r, audit.Entry{ClinicID: u.ClinicID, ActorID: u.ID, ActorRole: string(u.Role), Action: "auth.password_reset", Resource: "users/" + u.ID, Outcome: audit.Success}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// endSessions revokes a user's sessions (except keep) in the store and in
// the deny-list, so their access tokens are refused on the next request.
func (s *Service) endSessions(ctx context.Context, clinicID, userID, keep, reason string) error {
	ended, err := s.Sessions.RevokeAllForUser(ctx, clinicID, userID, keep, reason)
	for _, sid := range ended {
		if derr := s.Revoker.Session(ctx, sid); derr != nil {
			return derr
		}
	}
	return err
}

type changePasswordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

func (s *Service) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in changePasswordRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	u, err := s.requireCurrentPassword(r, p, in.CurrentPassword)
	if err != nil {
		return err
	}
	if err := s.Store.SetPassword(r.Context(), p.ClinicID, p.UserID, in.NewPassword, u.Email); err != nil {
		return err
	}
	// Every other sign-in ends; this one carries on.
	if err := s.endSessions(r.Context(), p.ClinicID, p.UserID, p.SessionID, "password changed"); err != nil {
		return err
	}
	if err := s.auditAs(r, p, "auth.password_change", "users/"+p.UserID, audit.Success, ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// requireCurrentPassword re-checks the caller's password before a sensitive
// change (rate limited like MFA).
func (s *Service) requireCurrentPassword(r *http.Request, p authz.Principal, password string) (User, error) {
	ctx := r.Context()
	if err := s.Limiter.Allow(ctx, ratelimit.MFAVerify, "reauth:"+p.UserID); err != nil {
		return User{}, err
	}
	u, err := s.Store.UserByID(ctx, p.ClinicID, p.UserID)
	if err != nil {
		return User{}, err
	}
	if ok, _ := VerifyPassword(u.PasswordHash, password); !ok {
		if err := s.auditAs(r, p, "auth.reauthenticate", "users/"+p.UserID, audit.Failure, ""); err != nil {
			return User{}, err
		}
		return User{}, errs.InvalidFields(errs.FieldError{Field: "currentPassword", Message: "is incorrect"})
	}
	return u, nil
}

type mfaSetupRequest struct {
	CurrentPassword string `json:"currentPassword"`
}

type mfaSetupResponse struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauthUrl"`
}

func (s *Service) mfaSetup(w http.ResponseWriter, r *http.Request) error {
	var in mfaSetupRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	p := authz.MustPrincipal(r.Context())
	u, err := s.requireCurrentPassword(r, p, in.CurrentPassword)
	if err != nil {
		return err
	}
	if u.MFA.Enabled {
		return errs.E(errs.Conflict, "two-factor authentication is already on")
	}
	key, err := newTOTP(u.Email)
	if err != nil {
		return err
	}
	if err := s.Store.SetPendingMFA(r.Context(), p.ClinicID, p.UserID, s.sealer.seal(key.Secret())); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, mfaSetupResponse{Secret: key.Secret(), OTPAuthURL: key.URL()})
	return nil
}

type mfaVerifyRequest struct {
	Code string `json:"code"`
}

type mfaVerifyResponse struct {
	RecoveryCodes []string `json:"recoveryCodes"`
}

func (s *Service) mfaVerify(w http.ResponseWriter, r *http.Request) error {
	var in mfaVerifyRequest
	if err := httpapi.Decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	if err := s.Limiter.Allow(ctx, ratelimit.MFAVerify, "enrol:"+p.UserID); err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, p.ClinicID, p.UserID)
	if err != nil {
		return err
	}
	if u.MFA.Pending == "" {
		return errs.E(errs.Conflict, "start two-factor setup first")
	}
	secret, err := s.sealer.open(u.MFA.Pending)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "internal error")
	}
	step := matchTOTP(secret, in.Code, s.Clock.Now())
	if step < 0 {
		return errs.InvalidFields(errs.FieldError{Field: "code", Message: "is not valid"})
	}
	codes, hashes := newRecoveryCodes(10)
	if err := s.Store.EnableMFA(ctx, p.ClinicID, p.UserID, u.MFA.Pending, step, hashes); err != nil {
		return err
	}
	if p.MFAPending {
		// The session was limited to enrolment: it is a full sign-in now.
		if err := s.Sessions.ClearMFAPending(ctx, p.ClinicID, p.SessionID); err != nil {
			return err
		}
		sess, err := s.Sessions.Get(ctx, p.ClinicID, p.SessionID)
		if err != nil {
			return err
		}
		access, _, err := s.Keys.IssueAccess(token.Subject{UserID: sess.UserID, Role: string(sess.Role), ClinicID: sess.ClinicID, SessionID: sess.ID, PatientID: sess.PatientID})
		if err != nil {
			return err
		}
		s.cookie(w, authz.AccessCookie, access, "/api", true, s.Keys.AccessTTL())
		if err := s.Revoker.Token(ctx, p.TokenID, p.ExpiresAt); err != nil {
			return err
		}
	}
	if err := s.auditAs(r, p, "auth.mfa_enabled", "users/"+p.UserID, audit.Success, ""); err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, mfaVerifyResponse{RecoveryCodes: codes})
	return nil
}

type sessionView struct {
	Session
	Current bool `json:"current"`
}

func (s *Service) listSessions(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	list, err := s.Sessions.Active(r.Context(), p.ClinicID, p.UserID)
	if err != nil {
		return err
	}
	out := make([]sessionView, 0, len(list))
	for _, sess := range list {
		out = append(out, sessionView{Session: sess, Current: sess.ID == p.SessionID})
	}
	httpapi.WriteJSON(w, http.StatusOK, store.All(out))
	return nil
}

func (s *Service) deleteSession(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := authz.MustPrincipal(ctx)
	id := r.PathValue("id")
	sess, err := s.Sessions.Get(ctx, p.ClinicID, id)
	if err != nil || sess.UserID != p.UserID {
		return errs.E(errs.NotFound, "session not found") // someone else's session does not exist for you
	}
	if err := s.Sessions.Revoke(ctx, p.ClinicID, id, "revoked by user"); err != nil {
		return err
	}
	if err := s.Revoker.Session(ctx, id); err != nil {
		return err
	}
	if id == p.SessionID {
		s.clearSessionCookies(w)
	}
	if err := s.auditAs(r, p, "auth.session_revoke", "sessions/"+id, audit.Success, ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
