package identity

import (
	"context"
	"net/http"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
)

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
	if id == p.SessionID {
		s.clearSessionCookies(w)
	}
	// Recorded after the session ends: ending one must not wait on the trail.
	if err := s.Audit.Request(r, p.Actor(), audit.Entry{Action: "auth.session_revoke", Resource: "sessions/" + id, Outcome: audit.Success}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// endSessions revokes a user's sessions (except keep), deny-list first,
// so their access tokens are refused on the next request.
func (s *Service) endSessions(ctx context.Context, clinicID, userID, keep, reason string) error {
	_, err := s.Sessions.RevokeAllForUser(ctx, clinicID, userID, keep, reason)
	return err
}
