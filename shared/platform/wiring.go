package platform

import (
	"context"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store"
)

// ClinicSettings lets scheduling read the clinic rules the identity group
// owns, without either group importing the other.
func ClinicSettings(m *store.Mongo, c clock.Clock) scheduling.SettingsSource {
	clinics := identity.NewStore(m, c)
	return func(ctx context.Context, clinicID string) (scheduling.Settings, error) {
		cl, err := clinics.Clinic(ctx, clinicID)
		return scheduling.Settings{TimeZone: cl.Settings.TimeZone, SlotMinutes: cl.Settings.SlotMinutes, CancelNoticeHours: cl.Settings.CancelNoticeHours}, err
	}
}
