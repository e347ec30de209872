package plans

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
)

// service is what the plan routes do, apart from HTTP and the trail.
type service struct {
	Codes   *Codes
	Plans   *Store
	Charter Charter
	Charges Charges
	Seal    *seal.Keys
	Clock   clock.Clock
	Log     *slog.Logger
}

// auditFn makes one change of one plan under the trail's rule: action on
// planID is recorded first, and change runs only if it was (the handlers
// pass core.Deps.Write; tests a func that runs change).
type auditFn func(action, planID, detail string, change func() error) error

func (s *service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Millisecond) }

// errState is the answer for a transition the plan's status does not allow.
func errState(status, what string) error {
	return errs.E(errs.Conflict, "a %s plan cannot be %s", strings.ReplaceAll(status, "_", " "), what)
}

// errUnchanged, returned by a change's fn, stores nothing and is no error.
var errUnchanged = errors.New("plans: unchanged")

// newPlan is a draft plan for patientID from in, checked, its items priced
// from clinicID's schedule and its notes sealed; alternativeTo must be a
// plan of the same patient, whose group it joins.
func (s *service) newPlan(ctx context.Context, clinicID, patientID string, in PlanInput, by authz.Principal) (record, error) {
	sc, err := s.Codes.read(ctx, clinicID)
	if err != nil {
		return record{}, err
	}
	now := s.now()
	r := record{ID: ids.New(), ClinicID: clinicID, PatientID: patientID, Title: strings.TrimSpace(in.Title), Status: StatusDraft,
		CreatedAt: now, CreatedBy: by.UserID, UpdatedAt: now}
	r.GroupID = r.ID
	var v errs.Validator
	checkTitle(&v, in.Title)
	checkNotes(&v, in.Notes)
	r.Items = buildItems(&v, sc, in.Items, nil)
	if in.AlternativeTo != "" {
		alt, err := s.Plans.get(ctx, clinicID, in.AlternativeTo)
		switch {
		case errs.Is(err, errs.NotFound) || err == nil && alt.PatientID != patientID:
			v.Check(false, "alternativeTo", "is not a treatment plan of this patient")
		case err != nil:
			return record{}, err
		case accepted(alt.Status):
			// The acceptance claim decides races; this answers the plain
			// case before a clinician plans an option nobody can accept.
			return record{}, errs.E(errs.Conflict, "an option for this problem has already been accepted")
		default:
			r.GroupID = alt.GroupID
		}
	}
	if err := v.Err(); err != nil {
		return record{}, err
	}
	if r.Notes, err = s.Seal.Seal(in.Notes, notesWhere(r.ID)); err != nil {
		return record{}, err
	}
	r.total()
	return r, nil
}

// Create stores a plan newPlan made.
func (s *service) Create(ctx context.Context, r record) error {
	return s.Plans.insert(ctx, r.ClinicID, r)
}

// Edit is the change in makes to a draft (title, items, notes), judged on
// whatever copy of the plan it is applied to; sc prices new items.
func (s *service) Edit(sc schedule, in PatchInput) func(r *record) error {
	return func(r *record) error {
		if r.Status != StatusDraft {
			return errState(r.Status, "edited (only a draft is)")
		}
		if in.Version != nil && *in.Version != r.Version {
			return errs.E(errs.Conflict, "the plan has changed since version %d; reload it", *in.Version)
		}
		var v errs.Validator
		if in.Title != nil {
			checkTitle(&v, *in.Title)
			r.Title = strings.TrimSpace(*in.Title)
		}
		if in.Items != nil {
			r.Items = buildItems(&v, sc, *in.Items, r.Items)
		}
		if in.Notes != nil {
			checkNotes(&v, *in.Notes)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if in.Notes != nil {
			sealed, err := s.Seal.Seal(*in.Notes, notesWhere(r.ID))
			if err != nil {
				return err
			}
			r.Notes = sealed
		}
		return nil
	}
}

// Present is the change that presents a draft to the patient.
func (s *service) Present(by authz.Principal) func(r *record) error {
	return func(r *record) error {
		if r.Status != StatusDraft {
			return errState(r.Status, "presented (only a draft is)")
		}
		if len(r.Items) == 0 {
			return errs.E(errs.Unprocessable, "a plan needs at least one item to be presented")
		}
		now := s.now()
		r.Status, r.PresentedAt, r.PresentedBy = StatusPresented, &now, by.UserID
		return nil
	}
}

// Reject is the change that rejects a presented plan, or discards a draft.
func (s *service) Reject(by authz.Principal, reason string) func(r *record) error {
	return func(r *record) error {
		if r.Status != StatusPresented && r.Status != StatusDraft {
			return errState(r.Status, "rejected (only a draft or presented plan is)")
		}
		now := s.now()
		r.Status, r.RejectedAt, r.RejectedBy, r.RejectedReason = StatusRejected, &now, by.UserID, reason
		return nil
	}
}

// Accept accepts presented plan id with the patient's signed acceptance a
// (checked by the caller), and then rejects the group's other open options,
// each through audited. Of a group's options exactly one is ever accepted,
// however many acceptances race: the group is claimed by a unique insert
// before the plan moves. An acceptance that finds the group won by an
// accepted option finishes that option's work (its siblings rejected) and
// is a Conflict.
func (s *service) Accept(ctx context.Context, clinicID, id string, a Acceptance, by authz.Principal, audited auditFn) (record, error) {
	cur, err := s.Plans.get(ctx, clinicID, id)
	if err != nil {
		return record{}, err
	}
	if cur.Status != StatusPresented {
		return record{}, errState(cur.Status, "accepted (only a presented plan is)")
	}
	winner, err := s.Plans.claimGroup(ctx, clinicID, cur.GroupID, cur.ID)
	if errors.Is(err, errGroupDecided) {
		if rerr := s.rejectAlternatives(ctx, clinicID, cur.GroupID, winner, by, audited); rerr != nil {
			s.Log.Warn("plans: rejecting the alternatives of an accepted plan", "plan", winner, "err", rerr)
		}
		return record{}, err
	}
	if err != nil {
		return record{}, err
	}
	out, err := s.Plans.change(ctx, clinicID, id, func(r *record) error {
		if r.Status != StatusPresented {
			return errState(r.Status, "accepted (only a presented plan is)")
		}
		r.Status, r.Acceptance = StatusAccepted, &a
		return nil
	})
	if err != nil {
		return record{}, err
	}
	if err := s.rejectAlternatives(ctx, clinicID, cur.GroupID, id, by, audited); err != nil {
		// The plan is accepted: that is the answer. The options left open
		// are rejected by the next acceptance tried on any of them.
		s.Log.Warn("plans: rejecting the alternatives of an accepted plan", "plan", id, "err", err)
	}
	return out, nil
}

// rejectAlternatives rejects the draft and presented plans of group groupID
// but winnerID, if winnerID is accepted.
func (s *service) rejectAlternatives(ctx context.Context, clinicID, groupID, winnerID string, by authz.Principal, audited auditFn) error {
	group, err := s.Plans.group(ctx, clinicID, groupID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(group, func(r record) bool { return r.ID == winnerID })
	if i < 0 || !accepted(group[i].Status) {
		return nil // the winner's acceptance is still in flight (or failed)
	}
	reject := s.Reject(by, RejectedAlternative)
	for _, r := range group {
		if r.ID == winnerID || (r.Status != StatusDraft && r.Status != StatusPresented) {
			continue
		}
		err := audited(actionReject, r.ID, "alternative accepted: "+winnerID, func() error {
			_, err := s.Plans.change(ctx, clinicID, r.ID, func(x *record) error {
				if x.Status != StatusDraft && x.Status != StatusPresented {
					return errUnchanged
				}
				return reject(x)
			})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Complete completes item itemID of plan id: it charts the item as
// completed (Charter) and posts its charge (Charges), both under ids
// derived from the plan and item, and only then marks the item completed
// (the plan in progress, or completed with its last item). A completion
// that fails part-way is retried whole and charts and charges once; an
// item already completed is a Conflict before anything is charted.
func (s *service) Complete(ctx context.Context, clinicID, id, itemID string, by authz.Principal) (record, error) {
	cur, err := s.Plans.get(ctx, clinicID, id)
	if err != nil {
		return record{}, err
	}
	it, err := completable(cur, itemID)
	if err != nil {
		return record{}, err
	}
	at := s.now()
	provider := ""
	if slices.Contains(core.Signers, by.Role) {
		provider = by.UserID // the clinician who did the work
	}
	err = s.Charter.ChartCompleted(ctx, clinicID, Completion{
		EntryID: EntryID(id, itemID), PatientID: cur.PatientID, Tooth: it.Tooth, Surfaces: it.Surfaces,
		Code: it.Code, Category: it.Category, Kind: it.ChartKind, ProviderID: provider, RecordedBy: by.UserID, At: at,
	})
	if err != nil {
		return record{}, err
	}
	err = s.Charges.Post(ctx, ChargeEvent{
		ID: chargeID(id, itemID), ClinicID: clinicID, PatientID: cur.PatientID, PlanID: id, ItemID: itemID,
		Code: it.Code, Description: it.Description, Tooth: it.Tooth, Surfaces: it.Surfaces, AmountCents: it.FeeCents,
		ProviderID: provider, At: at, By: by.UserID, Status: ChargePending,
	})
	if err != nil {
		return record{}, err
	}
	return s.Plans.change(ctx, clinicID, id, func(r *record) error {
		if _, err := completable(*r, itemID); err != nil {
			return err
		}
		done := 0
		for i := range r.Items {
			if r.Items[i].ID == itemID {
				r.Items[i].Status, r.Items[i].CompletedAt, r.Items[i].CompletedBy = ItemCompleted, &at, by.UserID
			}
			if r.Items[i].Status == ItemCompleted {
				done++
			}
		}
		r.Status = StatusInProgress
		if done == len(r.Items) {
			r.Status, r.CompletedAt = StatusCompleted, &at
		}
		return nil
	})
}

var errItemNotFound = errs.E(errs.NotFound, "plan item not found")

// completable is item itemID of r if r's status and the item's allow it
// to be completed.
func completable(r record, itemID string) (item, error) {
	if r.Status != StatusAccepted && r.Status != StatusInProgress {
		return item{}, errState(r.Status, "carried out (only an accepted plan is)")
	}
	i := slices.IndexFunc(r.Items, func(it item) bool { return it.ID == itemID })
	if i < 0 {
		return item{}, errItemNotFound
	}
	if r.Items[i].Status == ItemCompleted {
		return item{}, errs.E(errs.Conflict, "the item is already completed")
	}
	return r.Items[i], nil
}
