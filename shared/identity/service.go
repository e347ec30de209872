package identity

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// Config is the identity group's configuration (auth and admin functions).
type Config struct {
	// DataKey encrypts TOTP secrets at rest: base64 of 32 bytes.
	DataKey string `env:"DATA_KEY,required,secret"`
	// AppURL is where links in e-mails point (password reset).
	AppURL string `env:"APP_URL" default:"http://127.0.0.1:3000"`
	// SessionTTL is the longest a sign-in may last, however active: the
	// ceiling of each clinic's sessionHours (1 to 24, default 12), which
	// sets it for the clinic's new sign-ins.
	SessionTTL time.Duration `env:"SESSION_TTL" default:"24h"`
	// CookieSecure is off only for plain-http test clients; browsers accept
	// Secure cookies from http://127.0.0.1 and localhost. Off, the cookies
	// lose their __Host-/__Secure- prefixes too (authz.CookieName).
	CookieSecure bool `env:"COOKIE_SECURE" default:"true"`
}

// PortalPatient is the record a portal sign-up creates for the front desk
// to review (source "portal").
type PortalPatient struct {
	ID, FirstName, LastName, DateOfBirth, Phone, Email string
}

// PatientRegistrar creates the patient record a portal sign-up links to, and
// removes it when the sign-up is undone. The auth function's composition
// root satisfies it with the patients group.
type PatientRegistrar interface {
	RegisterPatient(ctx context.Context, clinicID string, p PortalPatient) error
}

// Service is the identity group: stores, credentials and the collaborators
// its routes use.
type Service struct {
	cfg       Config
	Store     *Store
	Sessions  *Sessions
	Keys      *token.Keys
	Revoker   *authz.Revoker
	Limiter   *ratelimit.Limiter
	Audit     *audit.Log
	Guard     *authz.Guard
	Publisher notify.Publisher
	Patients  PatientRegistrar
	Clock     clock.Clock
	Log       *slog.Logger
	sealer    *sealer
}

// NewService wires the identity group (no I/O). pub and pr may be nil for a
// function that serves no route needing them (admin).
func NewService(cfg Config, p *authz.Security, m *store.Mongo, pub notify.Publisher, pr PatientRegistrar, c clock.Clock, log *slog.Logger) (*Service, error) {
	key, err := base64.StdEncoding.DecodeString(cfg.DataKey)
	if err != nil {
		key = nil
	}
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	return &Service{
		cfg: cfg, Store: NewStore(m, c), Sessions: NewSessions(m, c, p.Revoker), Keys: p.Keys, Revoker: p.Revoker,
		Limiter: p.Limiter, Audit: p.Audit, Guard: p.Guard, Publisher: pub, Patients: pr, Clock: c, Log: log, sealer: s,
	}, nil
}

// setSessionCookies sets the access, refresh and CSRF cookies for a session.
func (s *Service) setSessionCookies(w http.ResponseWriter, access string, sess Session, refresh string) {
	now := s.Clock.Now()
	s.cookie(w, authz.AccessCookie, access, "/api", true, s.Keys.AccessTTL())
	s.cookie(w, authz.RefreshCookie, refresh, authz.RefreshPath, true, sess.AbsoluteExpiresAt.Sub(now))
	// Readable by the SPA (it echoes it in X-CSRF-Token); bound to the session.
	s.cookie(w, authz.CSRFCookie, s.Keys.CSRF(sess.ID), "/", false, sess.AbsoluteExpiresAt.Sub(now))
}

// clearSessionCookies expires all three.
func (s *Service) clearSessionCookies(w http.ResponseWriter) {
	s.cookie(w, authz.AccessCookie, "", "/api", true, -1)
	s.cookie(w, authz.RefreshCookie, "", authz.RefreshPath, true, -1)
	s.cookie(w, authz.CSRFCookie, "", "/", false, -1)
}

func (s *Service) cookie(w http.ResponseWriter, name, value, path string, httpOnly bool, maxAge time.Duration) {
	c := &http.Cookie{Name: authz.CookieName(name, s.cfg.CookieSecure), Value: value, Path: path, HttpOnly: httpOnly, Secure: s.cfg.CookieSecure, SameSite: http.SameSiteStrictMode}
	if maxAge < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}
