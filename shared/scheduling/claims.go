package scheduling

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

// cell is the claim granularity: appointment times are on 5-minute marks.
const cell = 5 * time.Minute

// lease is how long a booking may stay half-written before its claims are
// considered abandoned (the process died between writes).
const lease = 30 * time.Second

// claimDoc is one claimed cell of one resource.
type claimDoc struct {
	ID            string    `bson:"_id"` // p:<providerId>:<unix minute> or o:<operatoryId>:<unix minute>
	AppointmentID string    `bson:"appointmentId"`
	At            time.Time `bson:"at"`
}

// cellKeys names the cells of resource (kind "p" or "o") that iv covers.
func cellKeys(kind, resourceID string, iv avail.Interval) []string {
	var keys []string
	for t := iv.Start.Truncate(cell); t.Before(iv.End); t = t.Add(cell) {
		keys = append(keys, fmt.Sprintf("%s:%s:%d", kind, resourceID, t.Unix()/60))
	}
	return keys
}

// keysOf are all the cells an appointment blocks: provider and chair.
func keysOf(a Appointment) []string {
	iv := a.padded()
	return append(cellKeys("p", a.ProviderID, iv), cellKeys("o", a.OperatoryID, iv)...)
}

var errSlotTaken = errs.E(errs.Conflict, "that time is no longer free for this provider or chair")

// claim takes keys for appointment id. A key held by a live appointment is a
// conflict (after releasing whatever this call took); a key held by a stale
// claim is cleared and retried.
func (s *Store) claim(ctx context.Context, clinicID, id string, keys []string) error {
	remaining := keys
	for attempt := 0; attempt < 6; attempt++ {
		docs := make([]any, 0, len(remaining))
		now := s.clock.Now()
		for _, k := range remaining {
			docs = append(docs, claimDoc{ID: k, AppointmentID: id, At: now})
		}
		err := s.claims.InsertMany(ctx, clinicID, docs)
		if err == nil {
			return nil
		}
		if !errs.Is(err, errs.Conflict) {
			s.releaseKeys(ctx, clinicID, id, keys)
			return err
		}
		var existing []claimDoc
		if err := s.claims.Find(ctx, clinicID, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: remaining}}}}, &existing); err != nil {
			s.releaseKeys(ctx, clinicID, id, keys)
			return err
		}
		mine := map[string]bool{}
		var others []claimDoc
		for _, c := range existing {
			if c.AppointmentID == id {
				mine[c.ID] = true
			} else {
				others = append(others, c)
			}
		}
		if len(others) > 0 {
			stale, err := s.staleClaims(ctx, clinicID, others)
			if err != nil {
				s.releaseKeys(ctx, clinicID, id, keys)
				return err
			}
			if len(stale) < len(others) {
				s.releaseKeys(ctx, clinicID, id, keys)
				return errSlotTaken
			}
			for _, c := range stale {
				// Only that owner's claim: a fresh claim by someone else stays.
				if _, err := s.claims.DeleteOne(ctx, clinicID, bson.D{{Key: "_id", Value: c.ID}, {Key: "appointmentId", Value: c.AppointmentID}}); err != nil {
					s.releaseKeys(ctx, clinicID, id, keys)
					return err
				}
			}
		}
		next := remaining[:0:0]
		for _, k := range remaining {
			if !mine[k] {
				next = append(next, k)
			}
		}
		remaining = next
		if len(remaining) == 0 {
			return nil
		}
	}
	s.releaseKeys(ctx, clinicID, id, keys)
	return errs.E(errs.Unavailable, "the schedule is busy; try again")
}

// staleClaims returns the claims in cs whose owner no longer holds the cell.
func (s *Store) staleClaims(ctx context.Context, clinicID string, cs []claimDoc) ([]claimDoc, error) {
	var ownerIDs []string
	for _, c := range cs {
		if !slices.Contains(ownerIDs, c.AppointmentID) {
			ownerIDs = append(ownerIDs, c.AppointmentID)
		}
	}
	var owners []Appointment
	if err := s.appts.Find(ctx, clinicID, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ownerIDs}}}}, &owners); err != nil {
		return nil, err
	}
	byID := map[string]Appointment{}
	for _, a := range owners {
		byID[a.ID] = a
	}
	now := s.clock.Now()
	var stale []claimDoc
	for _, c := range cs {
		a, ok := byID[c.AppointmentID]
		if !ok || !s.holdsTime(a, now) || !slices.Contains(keysOf(a), c.ID) {
			stale = append(stale, c)
		}
	}
	return stale, nil
}

// holdsTime reports whether a still blocks its time at now. A hold blocks
// it for a lease past its expiry: a confirm that read the hold live may
// still be writing (see transition).
func (s *Store) holdsTime(a Appointment, now time.Time) bool {
	switch {
	case a.Status == Pending:
		return now.Sub(a.CreatedAt) < lease
	case a.Status == Held:
		return a.HoldExpiresAt != nil && now.Before(a.HoldExpiresAt.Add(lease))
	default:
		return a.Status.occupies()
	}
}

// releaseKeys drops the given claims of appointment id (best effort: a
// claim left behind is stale and is cleared by the next booking).
func (s *Store) releaseKeys(ctx context.Context, clinicID, id string, keys []string) {
	ctx = context.WithoutCancel(ctx)
	_, _ = s.claims.DeleteMany(ctx, clinicID, bson.D{{Key: "appointmentId", Value: id}, {Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}})
}

// releaseAll drops every claim of appointment id.
func (s *Store) releaseAll(ctx context.Context, clinicID, id string) {
	ctx = context.WithoutCancel(ctx)
	_, _ = s.claims.DeleteMany(ctx, clinicID, bson.D{{Key: "appointmentId", Value: id}})
}
