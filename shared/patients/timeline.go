package patients

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
)

// TimelineEntry is one event in a patient's history.
type TimelineEntry struct {
	At time.Time `json:"at"`
	// Kind is appointment, note, plan or payment.
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status,omitempty"`
}

// TimelineSource contributes entries to a patient's timeline. Each source
// (appointments from scheduling, notes and plans from clinical, payments
// from billing) decides what the caller's role may see: a receptionist's
// timeline leaves clinical notes out because the notes source does. The
// patient has already been found in p's clinic when a source is asked.
type TimelineSource interface {
	Timeline(ctx context.Context, p authz.Principal, patientID string) ([]TimelineEntry, error)
}

// TimelineFunc adapts a function to TimelineSource.
type TimelineFunc func(ctx context.Context, p authz.Principal, patientID string) ([]TimelineEntry, error)

// Timeline calls f.
func (f TimelineFunc) Timeline(ctx context.Context, p authz.Principal, patientID string) ([]TimelineEntry, error) {
	return f(ctx, p, patientID)
}

var _ TimelineSource = TimelineFunc(nil)

// mergeTimeline asks every source and orders all entries newest first (ties
// by kind and id, so the order is stable). A source that fails fails the
// whole timeline: a history with a silent gap would mislead.
func mergeTimeline(ctx context.Context, sources []TimelineSource, p authz.Principal, patientID string) ([]TimelineEntry, error) {
	out := []TimelineEntry{}
	for _, src := range sources {
		entries, err := src.Timeline(ctx, p, patientID)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
	}
	slices.SortStableFunc(out, func(a, b TimelineEntry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	})
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}
