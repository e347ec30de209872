package localstack

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/identity"
)

// SweepOffers passes lapsed waitlist offers on every interval until ctx
// ends: locally it stands in for the reminders schedule that does this in a
// deployed stack (offers also move on whenever the waitlist is read). It
// records what it does in the trail as the system, with the keys the
// functions use (AUDIT_KEYS from d.Env).
func SweepOffers(ctx context.Context, d Deps, every time.Duration) error {
	var cfg audit.Config
	if err := config.LoadFrom(d.Env, &cfg); err != nil {
		return err
	}
	keys, err := audit.NewKeys(cfg)
	if err != nil {
		return err
	}
	trail := audit.New(d.Mongo, d.Clock, keys)
	st := wire.Scheduling(d.Mongo, d.Redis, d.Clock, d.Publisher, d.AppURL)
	clinics := identity.NewStore(d.Mongo, d.Clock)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			c, err := clinics.FirstClinic(ctx)
			if err != nil {
				continue
			}
			if err := st.ExpireOffers(ctx, c.ID, trail); err != nil {
				d.Log.Warn("waitlist sweep failed", "err", err.Error())
			}
		}
	}()
	return nil
}
