package identity

import (
	"net/http"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/ratelimit"
)

type forgotRequest struct {
	Email string `json:"email"`
}

// resetTTL is how long a password-reset link works.
const resetTTL = 30 * time.Minute

// forgot always answers 202, whether or not the account exists, after the
// same work: no password hashing on either path (a hash on one only is what
// told them apart), one trail record each, and answerFloor over the I/O
// only a known account has (its link and message).
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
	defer holdFrom(ctx, time.Now())
	u, err := s.Store.UserByEmail(ctx, email)
	switch {
	case errs.Is(err, errs.NotFound):
		err = s.Audit.Request(r, audit.Actor{ClinicID: audit.SystemClinic}, audit.Entry{Action: "auth.password_forgot", Resource: "auth/password/forgot", Outcome: audit.Failure, Detail: "unknown account"})
	case err != nil:
	case u.Disabled:
		err = s.Audit.Request(r, u.actor(), audit.Entry{Action: "auth.password_forgot", Resource: "users/" + u.ID, Outcome: audit.Failure, Detail: "account disabled"})
	default:
		err = s.Audit.Guarded(r, u.actor(), audit.Entry{Action: "auth.password_forgot", Resource: "users/" + u.ID}, func() error {
			secret := ids.Token(32)
			if err := s.Store.CreateReset(ctx, u, secret, resetTTL); err != nil {
				return err
			}
			return s.Publisher.Publish(ctx, notify.Message{
				ID: ids.New(), ClinicID: u.ClinicID, Channel: notify.Email, To: u.Email, Template: "password-reset",
				Data:      map[string]string{"firstName": u.FirstName, "resetUrl": s.link("/reset-password?token=" + secret), "expiresInMinutes": "30"},
				CreatedAt: s.Clock.Now(),
			})
		})
	}
	if err != nil {
		return err
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
	u, err := s.Store.ConsumeReset(ctx, in.Token)
	if err != nil {
		return err
	}
	if err := s.replacePassword(r, u.actor(), "auth.password_reset", u, in.Password, "", "password reset"); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
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
	// Every other sign-in ends; this one carries on.
	if err := s.replacePassword(r, p.Actor(), "auth.password_change", u, in.NewPassword, p.SessionID, "password changed"); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// replacePassword gives u a new password, recorded first as action by a,
// and ends every sign-in of theirs but keep: one made with a password that
// may have leaked must not outlive it. The sessions end before the password
// changes, so a failure in between leaves the old password with fewer
// sessions (the retry, with the old password, finishes the job) rather than
// a new password beside sessions that a retry can no longer find.
func (s *Service) replacePassword(r *http.Request, a audit.Actor, action string, u User, password, keep, reason string) error {
	if err := CheckPasswordPolicy(password, u.Email); err != nil {
		return err
	}
	return s.Audit.Guarded(r, a, audit.Entry{Action: action, Resource: "users/" + u.ID}, func() error {
		if err := s.endSessions(r.Context(), u.ClinicID, u.ID, keep, reason); err != nil {
			return err
		}
		return s.Store.SetPassword(r.Context(), u.ClinicID, u.ID, password, u.Email)
	})
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
		if err := s.Audit.Request(r, p.Actor(), audit.Entry{Action: "auth.reauthenticate", Resource: "users/" + p.UserID, Outcome: audit.Failure}); err != nil {
			return User{}, err
		}
		return User{}, errs.InvalidFields(errs.FieldError{Field: "currentPassword", Message: "is incorrect"})
	}
	return u, nil
}
