// Package app is the auth function's composition root: sign-in, tokens,
// sign-up, password reset, MFA and the caller's sessions. Sign-up creates the
// patient record through the patients group, wired here.
package app

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/notify/sqsqueue"
	"github.com/topsmile/topsmile/shared/notify/unsub"
	"github.com/topsmile/topsmile/shared/notify/unsub/unsubroutes"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Config is everything the auth function reads.
type Config struct {
	boot.Config
	Security authz.Config
	Identity identity.Config
	// Queue is the notifications queue (password-reset e-mails).
	Queue sqsqueue.Config
	// PHI seals the outbox's copy of each message's data (links with
	// tokens, names).
	PHI seal.Config
}

// Options are the boot options plus, locally and in tests, the queue to
// publish to instead of SQS at Queue.
type Options struct {
	boot.Options
	Publisher notify.Publisher
}

// New assembles the function (no I/O).
func New(cfg Config, o Options) (*boot.App, error) {
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o.Options)
	if err != nil {
		return nil, err
	}
	keys, err := seal.New(cfg.PHI)
	if err != nil {
		return nil, err
	}
	pub := outbox.NewPublisher(g.Mongo, keys, g.Clock, sqsqueue.Queue(cfg.Queue, o.Publisher), g.Log)
	svc, err := identity.NewService(cfg.Identity, g.Security, g.Mongo, pub, PatientRegistrar(g.Mongo, g.Clock), g.Clock, g.Log)
	if err != nil {
		return nil, err
	}
	r := g.Routes()
	svc.AuthRoutes(r)
	unsubKeys, err := unsub.New(cfg.Identity.DataKey)
	if err != nil {
		return nil, err
	}
	clinics := identity.NewStore(g.Mongo, g.Clock)
	unsubroutes.Routes(r, unsubroutes.Deps{Keys: unsubKeys, Ledger: emailOptOuts{prefs.NewLedger(g.Mongo)}, Now: g.Clock.Now, Log: g.Log,
		Clinic: func(ctx context.Context, id string) (string, error) {
			c, err := clinics.Clinic(ctx, id)
			return c.Name, err
		}})
	return g.App(), nil
}

// emailOptOuts is the notifications group's ledger as the unsubscribe
// link writes it.
type emailOptOuts struct{ l *prefs.Ledger }

func (o emailOptOuts) OptOutEmail(ctx context.Context, clinicID, address, source string, at time.Time) error {
	return o.l.OptOut(ctx, clinicID, notify.Email, address, source, at)
}

// PatientRegistrar creates a portal sign-up's patient record in the patients
// group (source "portal", for the front desk to review and merge).
func PatientRegistrar(m *store.Mongo, c clock.Clock) identity.PatientRegistrar {
	return registrar{patients.NewStore(m, c)}
}

type registrar struct{ st *patients.Store }

func (r registrar) RegisterPatient(ctx context.Context, clinicID string, p identity.PortalPatient) error {
	_, err := r.st.Create(ctx, clinicID, patients.Patient{ID: p.ID, FirstName: p.FirstName, LastName: p.LastName,
		DateOfBirth: p.DateOfBirth, Phone: p.Phone, Email: p.Email, Source: "portal"})
	return err
}
