// Package plans is the clinic's fee schedule (its own procedure codes) and
// patients' treatment plans: items priced from the schedule, alternatives
// for one problem, presentation, the patient's signed acceptance, and the
// completion of items, which charts them (Charter) and posts their charges
// (Charges).
//
// Nothing here needs a multi-document transaction. The fee schedule is one
// document per clinic, so an import lands whole or not at all; a plan moves
// between states by versioned single-document writes (store.Versions); the
// acceptance of one option of a group is claimed by a unique insert; and a
// completion charts and posts under ids derived from the plan and item, both
// idempotent, before the plan itself is written, so a retried completion
// charts and charges once.
package plans

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
)

// Completion is a completed plan item to chart.
type Completion struct {
	EntryID, PatientID, Tooth string
	Surfaces                  []string
	Code, Category            string
	// Kind is the chart kind the procedure code charts as (its chartKind,
	// e.g. "filling"); empty: derived from the category.
	Kind                   string
	ProviderID, RecordedBy string
	At                     time.Time
}

// Charter charts a completed plan item; an EntryID already charted is
// success.
type Charter interface {
	ChartCompleted(ctx context.Context, clinicID string, c Completion) error
}

// Charges receives the charge of each completed item. Posting an event
// whose (clinic, plan, item) is already posted is success, so a retried
// completion charges once. Billing consumes the pending events.
type Charges interface {
	Post(ctx context.Context, e ChargeEvent) error
}

// EntryID is the chart entry id of plan item itemID of plan planID: the
// same for every attempt to complete the item, so the chart keeps one
// entry however often a completion is retried. It has the shape of an id
// (24 hex characters).
func EntryID(planID, itemID string) string { return derived("chart-entry", planID, itemID) }

// chargeID is the charge event id of an item, derived as EntryID is.
func chargeID(planID, itemID string) string { return derived("charge", planID, itemID) }

func derived(kind, planID, itemID string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + planID + "\x00" + itemID))
	return hex.EncodeToString(sum[:12])
}

// Routes registers the procedure code and treatment plan routes, charting
// completed items through c and posting their charges to the pending
// charge events billing reads.
func Routes(r *authz.Router, d core.Deps, c Charter) {
	RoutesWith(r, d, c, NewCharges(d.Mongo))
}
