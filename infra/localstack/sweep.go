package localstack

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/scheduling"
)

// SweepOffers passes lapsed waitlist offers on every interval until ctx
// ends: locally it stands in for the reminders schedule that does this in a
// deployed stack (offers also move on whenever the waitlist is read).
func SweepOffers(ctx context.Context, d Deps, every time.Duration) {
	st := wire.Scheduling(d.Mongo, d.Redis, d.Clock, d.Publisher, d.AppURL)
	clinics := identity.NewStore(d.Mongo, d.Clock)
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
		if err := st.ExpireOffers(ctx, c.ID, scheduling.Actor{UserID: "system", Role: "system"}); err != nil {
			d.Log.Warn("waitlist sweep failed", "err", err.Error())
		}
	}
}
