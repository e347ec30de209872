package platform

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/patients"
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

// WaitlistNotifier sends waitlist offers through the queue to the contact the
// patients group has on file (SMS when the patient prefers it and has a
// phone, e-mail otherwise).
func WaitlistNotifier(m *store.Mongo, c clock.Clock, pub notify.Publisher, appURL string) *scheduling.OfferNotifier {
	ps := patients.NewStore(m, c)
	return &scheduling.OfferNotifier{
		Publisher: pub, AppURL: appURL, Clock: c.Now,
		Contact: func(ctx context.Context, clinicID, patientID string) (notify.Channel, string, error) {
			p, err := ps.Get(ctx, clinicID, patientID)
			if err != nil {
				return "", "", err
			}
			if p.Email == "" || (p.PreferredContactMethod == "sms" && p.Phone != "") {
				return notify.SMS, p.Phone, nil
			}
			return notify.Email, p.Email, nil
		},
	}
}

// OfferTTL is how long a waitlist offer holds a freed slot.
const OfferTTL = 30 * time.Minute
