// Package billingdeps adapts the patients and identity groups to the
// billing group's seams. Both billing functions, the API and the Stripe
// webhook, build their dependencies here; it links no billing part and no
// clinical one, so each function links only what it serves.
package billingdeps

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// New is the billing group's dependencies on g's clients that both
// functions need: the patients, the clinic's settings and the payments'
// webhook events. The API function
// adds clinical's plans, fee schedule and charges; neither adds the card
// processor here.
func New(g *authz.Guarded, keys *seal.Keys) core.Deps {
	m, c := g.Mongo, g.Clock
	return core.Deps{
		Mongo: m, Audit: g.Audit, Seal: keys, Clock: c, Log: g.Log,
		Patients: patientFacts(patients.NewStore(m, c)),
		Settings: clinicFacts(identity.NewStore(m, c)),
		Payments: webhooks.NewProducer(m, c, g.Log),
	}
}

func patientFacts(ps *patients.Store) core.Patients {
	return func(ctx context.Context, clinicID, id string) (core.PatientFacts, error) {
		p, err := ps.Get(ctx, clinicID, id)
		if err != nil {
			return core.PatientFacts{}, err
		}
		return core.PatientFacts{ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, DateOfBirth: p.DateOfBirth,
			Email: p.Email, GuarantorID: p.GuarantorID, Archived: p.Status == patients.StatusArchived}, nil
	}
}

func clinicFacts(ids *identity.Store) core.Settings {
	return func(ctx context.Context, clinicID string) (core.ClinicFacts, error) {
		c, err := ids.Clinic(ctx, clinicID)
		if err != nil {
			return core.ClinicFacts{}, err
		}
		loc, err := time.LoadLocation(c.Settings.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		cur := c.Settings.Currency
		if cur == "" {
			cur = "USD"
		}
		return core.ClinicFacts{Name: c.Name, TimeZone: loc, Currency: cur}, nil
	}
}
