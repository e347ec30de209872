package scheduling

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
)

// AvailabilityQuery asks for free slots.
type AvailabilityQuery struct {
	From, To   time.Time
	Duration   time.Duration
	TypeID     string
	ProviderID string
	OnlineOnly bool // patients see only types bookable online
}

// maxAvailabilityRange bounds one query (a month of slots is plenty).
const maxAvailabilityRange = 31 * 24 * time.Hour

// Availability returns free slots: one cached catalog read and one query for
// the appointments in range, whatever the range's length.
func (s *Store) Availability(ctx context.Context, clinicID string, q AvailabilityQuery) ([]avail.Slot, error) {
	var v errs.Validator
	v.Check(!q.From.IsZero(), "from", "is required (RFC 3339)")
	v.Check(!q.To.IsZero() && q.To.After(q.From), "to", "must be after from")
	v.Check(q.To.Sub(q.From) <= maxAvailabilityRange, "to", "the range may span at most 31 days")
	v.Check(q.TypeID != "" || q.Duration > 0, "duration", "give duration (minutes) or typeId")
	if err := v.Err(); err != nil {
		return nil, err
	}
	cat, err := s.Catalog(ctx, clinicID)
	if err != nil {
		return nil, err
	}
	req := avail.Request{From: q.From.UTC(), To: q.To.UTC(), Duration: q.Duration, Location: cat.location(), Now: s.clock.Now()}
	if q.OnlineOnly {
		// Patients see nothing sooner than the clinic's booking notice.
		req.Now = req.Now.Add(cat.Settings.minBookingNotice())
	}
	kind := AppointmentType{}
	if q.TypeID != "" {
		t, ok := cat.apptType(q.TypeID)
		if !ok || !t.Active || (q.OnlineOnly && !t.BookableOnline) {
			return nil, errs.InvalidFields(errs.FieldError{Field: "typeId", Message: "is not a bookable appointment type"})
		}
		kind = t
		req.Duration = time.Duration(t.DurationMinutes) * time.Minute
		req.BufferBefore = time.Duration(t.BufferBefore) * time.Minute
		req.BufferAfter = time.Duration(t.BufferAfter) * time.Minute
		if o, ok := cat.operatory(t.DefaultOperatoryID); ok && o.Active {
			req.OperatoryIDs = []string{o.ID} // an inactive default chair: any active one
		}
	}
	if q.Duration%cell != 0 && q.TypeID == "" {
		return nil, errs.InvalidFields(errs.FieldError{Field: "duration", Message: "must be a multiple of 5 minutes"})
	}
	grid := time.Duration(cat.Settings.SlotMinutes) * time.Minute
	if grid <= 0 {
		grid = 15 * time.Minute
	}
	req.Grid = grid
	if q.ProviderID != "" {
		req.ProviderIDs = []string{q.ProviderID}
	}
	if len(req.OperatoryIDs) == 0 {
		for _, o := range cat.Operatories {
			if o.Active {
				req.OperatoryIDs = append(req.OperatoryIDs, o.ID)
			}
		}
	}
	var providers []avail.Provider
	for _, p := range cat.Providers {
		// Only the kinds of provider the type names (any, when none).
		if p.Active && kind.takes(p.Kind) {
			providers = append(providers, p.availProvider())
		}
	}
	busy, err := s.busy(ctx, clinicID, req.From, req.To)
	if err != nil {
		return nil, err
	}
	slots := avail.Slots(req, providers, busy)
	if slots == nil {
		slots = []avail.Slot{}
	}
	return slots, nil
}
