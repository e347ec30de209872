package plans

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
)

// Completion is a completed plan item to chart. (scaffold: keep)
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
// success. (scaffold: keep)
type Charter interface {
	ChartCompleted(ctx context.Context, clinicID string, c Completion) error
}

// Routes registers the procedure code and treatment plan routes.
func Routes(r *authz.Router, d core.Deps, c Charter) {}
