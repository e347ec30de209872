package localstack

import (
	"context"

	"github.com/topsmile/topsmile/shared/identity"
)

// seedTextingNumber gives clinic its texting number when it has none:
// TWILIO_FROM, else Twilio's test number, so replies to the demo's texts
// (and /_dev/twilio/inbound) reach it. Every start with seeding on, so a
// data folder seeded before the setting existed gets it too.
func seedTextingNumber(ctx context.Context, d Deps, clinic identity.Clinic) (identity.Clinic, error) {
	if clinic.Settings.SMSNumber != "" {
		return clinic, nil
	}
	st := clinic.Settings
	st.SMSNumber = DefaultTextingNumber
	if d.Env != nil {
		if from, ok := d.Env("TWILIO_FROM"); ok && from != "" {
			st.SMSNumber = from
		}
	}
	return identity.NewStore(d.Mongo, d.Clock).UpdateClinic(ctx, clinic.ID, nil, st)
}
