package insurance

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/seal"
)

// Policy is a patient's coverage as a record export names it: the plan
// and its carrier, whom it covers through, and the member id (in full or
// masked, as the caller may see it).
type Policy struct {
	ID              string
	Priority        string
	Relationship    string
	Subscriber      Subscriber
	MemberID        string
	EffectiveDate   string
	TerminationDate string
	PlanID          string
	PlanName        string
	GroupNumber     string
	Carrier         Carrier
}

// Policies is patientID's coverages (at most 200, primary first) with
// their plans: two queries, the coverages on (clinicId, patientId) and
// their plans by id. fullMemberID opens the member id in full (a poster:
// admins and the front desk); otherwise it is masked as the portal shows
// it.
func (s *Store) Policies(ctx context.Context, k *seal.Keys, clinicID, patientID string, fullMemberID bool) ([]Policy, error) {
	covs, err := s.coverages.list(ctx, clinicID, patientID)
	if err != nil || len(covs) == 0 {
		return []Policy{}, err
	}
	var planIDs []string
	for _, c := range covs {
		planIDs = append(planIDs, c.PlanID)
	}
	var pls []Plan
	if err := s.plans.c.Find(ctx, clinicID, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: planIDs}}}}, &pls); err != nil {
		return nil, err
	}
	byID := make(map[string]Plan, len(pls))
	for _, p := range pls {
		byID[p.ID] = p
	}
	out := make([]Policy, 0, len(covs))
	for _, c := range covs {
		member, err := k.Open(c.MemberID, memberWhere(c.ID))
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "internal error")
		}
		if !fullMemberID {
			member = mask(member)
		}
		pl := byID[c.PlanID]
		out = append(out, Policy{ID: c.ID, Priority: c.Priority, Relationship: c.Relationship, Subscriber: c.Subscriber, MemberID: member,
			EffectiveDate: c.EffectiveDate, TerminationDate: c.TerminationDate, PlanID: c.PlanID, PlanName: pl.Name, GroupNumber: pl.GroupNumber, Carrier: pl.Carrier})
	}
	return out, nil
}
