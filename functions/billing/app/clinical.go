package app

import (
	"context"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// withClinical adds to d what billing reads of clinical: treatment plans
// (estimates), the fee schedule (charges by code) and the charges of
// completed items (the ledger's feed).
func withClinical(d core.Deps, m *store.Mongo, c clock.Clock) core.Deps {
	d.Plans = planFacts(plans.NewStore(m, c))
	d.Codes = codeFacts(plans.NewCodes(m, c))
	d.Charges = chargeFeed{plans.NewCharges(m), c}
	return d
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
