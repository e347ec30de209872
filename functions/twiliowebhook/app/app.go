// Package app is the Twilio webhook function's composition root: delivery
// status callbacks raise the outbox's delivery status, and patients'
// replies confirm their next visit, opt them out or in, or land in the
// front desk's inbox. Both routes are public; Twilio's signature is their
// authentication.
package app

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/functions/wire/liveevents"
	"github.com/topsmile/topsmile/functions/wire/webhookevents"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/notify/inbound"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Config is everything the webhook function reads.
type Config struct {
	boot.Config
	Security authz.Config
	PHI      seal.Config
	Twilio   inbound.Config
	// A visit confirmed by text shows on the open schedules at once.
	Live liveevents.Config
}

// Options are the boot options plus, locally, the in-process live fan-out.
type Options struct {
	boot.Options
	Live live.Publisher
}

// New assembles the function (no I/O). Without the auth token or the
// public URL every post would be refused: a configuration error, said at
// start.
func New(cfg Config, o Options) (*boot.App, error) {
	v, err := cfg.Twilio.Validator()
	if err != nil {
		return nil, err
	}
	keys, err := seal.New(cfg.PHI)
	if err != nil {
		return nil, err
	}
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o.Options)
	if err != nil {
		return nil, err
	}
	st := wire.Scheduling(g.Mongo, g.Redis, g.Clock, nil, "")
	liveevents.Wire(st, cfg.Live, o.Live, g.Log, g.Clock.Now)
	webhookevents.Wire(st, g.Mongo, g.Clock, g.Log)
	inbound.WebhookRoutes(g.Routes(), &inbound.Webhook{
		Validator:    v,
		Deliveries:   outbox.New(g.Mongo, keys, g.Clock),
		OptOuts:      prefs.NewLedger(g.Mongo),
		Inbox:        inbound.NewStore(g.Mongo, keys, g.Clock),
		Clinics:      clinics{identity.NewStore(g.Mongo, g.Clock)},
		Patients:     byPhone{patients.NewStore(g.Mongo, g.Clock)},
		Appointments: confirmer{st: st, clock: g.Clock},
		Claims:       inbound.NewClaims(g.Mongo),
		Clock:        g.Clock,
		Log:          g.Log,
	})
	return g.App(), nil
}

// clinics finds the clinic that owns a texting number (identity's).
type clinics struct{ st *identity.Store }

var _ inbound.Clinics = clinics{}

func (c clinics) ClinicByNumber(ctx context.Context, number string) (inbound.Clinic, error) {
	cl, err := c.st.ClinicBySMSNumber(ctx, number)
	if err != nil {
		return inbound.Clinic{}, err
	}
	return inbound.Clinic{ID: cl.ID, Name: cl.Name, TimeZone: cl.Settings.TimeZone}, nil
}

// byPhone finds a clinic's patients by the number they text from.
type byPhone struct{ st *patients.Store }

var _ inbound.Patients = byPhone{}

func (b byPhone) PatientsByPhone(ctx context.Context, clinicID, number string) ([]string, error) {
	list, err := b.st.ByPhone(ctx, clinicID, number)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		out = append(out, p.ID)
	}
	return out, nil
}

// confirmer confirms a patient's next scheduled visit with scheduling's
// own transition (its version moves, the schedule shows it confirmed).
type confirmer struct {
	st    *scheduling.Store
	clock clock.Clock
}

var _ inbound.Appointments = confirmer{}

// bySMS is whom an appointment's history names for a confirmation texted in.
var bySMS = scheduling.Actor{UserID: "sms", Role: "patient"}

// confirmTries bounds re-reading after a racing change to the same visit.
const confirmTries = 3

func (c confirmer) ConfirmNext(ctx context.Context, clinicID string, patientIDs []string) (time.Time, bool, error) {
	for try := 0; ; try++ {
		next, ok, err := c.next(ctx, clinicID, patientIDs)
		if err != nil || !ok {
			return time.Time{}, false, err
		}
		out, err := c.st.Transition(ctx, clinicID, next.ID, "confirm", bySMS, scheduling.CancelReason{}, false)
		switch {
		case err == nil:
			return out.Start, true, nil
		case errs.Is(err, errs.Conflict) && try+1 < confirmTries:
			continue // changed under us (moved, confirmed, cancelled): look again
		}
		return time.Time{}, false, err
	}
}

// next is the earliest scheduled, not yet confirmed, future visit of any
// of patientIDs.
func (c confirmer) next(ctx context.Context, clinicID string, patientIDs []string) (scheduling.Appointment, bool, error) {
	var best scheduling.Appointment
	found := false
	now := c.clock.Now()
	for _, id := range patientIDs {
		page, err := c.st.List(ctx, clinicID, scheduling.ListFilter{From: now, PatientID: id, Status: scheduling.Scheduled}, store.PageRequest{Limit: 1})
		if err != nil {
			return scheduling.Appointment{}, false, err
		}
		if len(page.Items) > 0 && (!found || page.Items[0].Start.Before(best.Start)) {
			best, found = page.Items[0], true
		}
	}
	return best, found, nil
}
