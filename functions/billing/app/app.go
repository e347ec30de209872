// Package app is the billing function's composition root: insurance plans
// and coverages, estimates, the ledger, invoices and statements, and card
// payments. It reads patients from the patients group, the clinic's name,
// time zone and currency from identity, and treatment plans, the fee
// schedule and completed items' charges from clinical's plans.
package app

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/seal"
)

// Config is everything the billing function reads.
type Config struct {
	boot.Config
	Security authz.Config
	// PHI is the key set insurance member ids are sealed under.
	PHI seal.Config
}

// New assembles the function (no I/O).
func New(cfg Config, o boot.Options) (*boot.App, error) {
	keys, err := seal.New(cfg.PHI)
	if err != nil {
		return nil, err
	}
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o)
	if err != nil {
		return nil, err
	}
	billing.Routes(g.Routes(), Deps(g, keys))
	return g.App(), nil
}

// Deps are the billing group's dependencies over m: the facts it reads
// from the other groups, adapted here (the stripe webhook function builds
// the same).
func Deps(g *authz.Guarded, keys *seal.Keys) core.Deps {
	m, c := g.Mongo, g.Clock
	pl := plans.NewStore(m, c)
	codes := plans.NewCodes(m, c)
	return core.Deps{
		Mongo: m, Audit: g.Audit, Seal: keys, Clock: c, Log: g.Log,
		Patients: patientFacts(patients.NewStore(m, c)),
		Settings: clinicFacts(identity.NewStore(m, c)),
		Plans:    planFacts(pl),
		Codes:    codeFacts(codes),
		Charges:  chargeFeed{plans.NewCharges(m), c},
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

func planFacts(s *plans.Store) core.Plans {
	return func(ctx context.Context, clinicID, id string) (core.Plan, error) {
		p, err := s.Items(ctx, clinicID, id)
		if err != nil {
			return core.Plan{}, err
		}
		out := core.Plan{ID: p.ID, PatientID: p.PatientID, Title: p.Title, Status: p.Status}
		for _, it := range p.Items {
			tooth := ""
			if it.Tooth != nil {
				tooth = *it.Tooth
			}
			out.Items = append(out.Items, core.PlanItem{ID: it.ID, Code: it.Code, Description: it.Description, Category: it.Category,
				Tooth: tooth, Surfaces: it.Surfaces, FeeCents: it.FeeCents, Phase: it.Phase, Priority: it.Priority, Status: it.Status})
		}
		return out, nil
	}
}

var errUnknownCode = errs.E(errs.NotFound, "no such procedure code in the clinic's fee schedule")

func codeFacts(s *plans.Codes) core.Codes {
	return func(ctx context.Context, clinicID, code string) (core.Code, error) {
		c, ok, err := s.Find(ctx, clinicID, code)
		if err != nil {
			return core.Code{}, err
		}
		if !ok || !c.Active {
			return core.Code{}, errUnknownCode
		}
		return core.Code{Code: c.Code, Description: c.Description, Category: c.Category, FeeCents: c.FeeCents}, nil
	}
}

// chargeFeed is clinical's charge events as billing's feed.
type chargeFeed struct {
	c     *plans.MongoCharges
	clock clock.Clock
}

var _ core.ChargeFeed = chargeFeed{}

func (f chargeFeed) Pending(ctx context.Context, clinicID, patientID string) ([]core.ChargeEvent, error) {
	evs, err := f.c.PendingFor(ctx, clinicID, patientID)
	if err != nil {
		return nil, err
	}
	out := make([]core.ChargeEvent, 0, len(evs))
	for _, e := range evs {
		out = append(out, core.ChargeEvent{ID: e.ID, PatientID: e.PatientID, PlanID: e.PlanID, ItemID: e.ItemID, Code: e.Code,
			Description: e.Description, Tooth: e.Tooth, Surfaces: e.Surfaces, AmountCents: e.AmountCents, ProviderID: e.ProviderID, At: e.At})
	}
	return out, nil
}

func (f chargeFeed) Taken(ctx context.Context, clinicID, id string) error {
	return f.c.Taken(ctx, clinicID, id, f.clock.Now().UTC())
}
