// Package clinical is the clinical record's resource group: the dental
// chart and perio exams (package chart), procedure codes and treatment
// plans (package plans), clinical notes and prescriptions (package notes).
// Routes binds them; a completed plan item is charted through chart's
// store, which plans reaches through its own small interface.
package clinical

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/clinical/notes"
	"github.com/topsmile/topsmile/shared/clinical/plans"
)

// Routes registers the clinical routes behind the guard.
func Routes(r *authz.Router, d core.Deps) {
	charts := chart.NewStore(d.Mongo, d.Clock, d.Seal)
	chart.Routes(r, d, charts)
	plans.Routes(r, d, charted{charts})
	notes.Routes(r, d)
}

// charted lets plans chart a completed item.
type charted struct{ s *chart.Store }

var _ plans.Charter = charted{}
