package identity

import (
	"net/http"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/token"
)

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
	err = s.Audit.Guarded(r, p.Actor(), audit.Entry{Action: "auth.mfa_enabled", Resource: "users/" + p.UserID}, func() error {
		if err := s.Store.EnableMFA(ctx, p.ClinicID, p.UserID, u.MFA.Pending, step, hashes); err != nil {
			return err
		}
		if !p.MFAPending {
			return nil
		}
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
		return s.Revoker.Token(ctx, p.TokenID, p.ExpiresAt)
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, mfaVerifyResponse{RecoveryCodes: codes})
	return nil
}
