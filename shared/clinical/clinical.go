// Package clinical is the clinical record's resource group: the dental
// chart and perio exams (package chart), procedure codes and treatment
// plans (package plans), clinical notes and prescriptions (package notes),
// consent forms (package consents) and documents and images in the object
// store (package documents).
// Routes binds them; a completed plan item is charted through chart's
// store, which plans reaches through its own small interface.
package clinical

import (
	"context"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/consents"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/clinical/documents"
	"github.com/topsmile/topsmile/shared/clinical/notes"
	"github.com/topsmile/topsmile/shared/clinical/plans"
)

// Routes registers the clinical routes behind the guard.
func Routes(r *authz.Router, d core.Deps) {
	charts := chart.NewStore(d.Mongo, d.Clock, d.Seal)
	chart.Routes(r, d, charts)
	plans.Routes(r, d, charted{charts})
	notes.Routes(r, d)
	consents.Routes(r, d)
	documents.Routes(r, d)
}

// charted lets plans chart a completed item: as a completed procedure on
// its tooth and surfaces, under the id plans derived from the item (so a
// retried completion charts once).
type charted struct{ s *chart.Store }

var _ plans.Charter = charted{}

func (c charted) ChartCompleted(ctx context.Context, clinicID string, done plans.Completion) error {
	if done.Tooth == "" {
		// A whole-mouth procedure (an exam, a cleaning) is billed, not charted.
		return nil
	}
	kind := done.Kind
	if kind == "" {
		kind = chartKind(done.Category)
	}
	surfaces := done.Surfaces
	if kind == "extraction" || kind == "implant" {
		// Whole-tooth work: the chart takes no surfaces for it.
		surfaces = nil
	}
	_, err := c.s.Append(ctx, clinicID, chart.Entry{
		ID: done.EntryID, PatientID: done.PatientID, Tooth: done.Tooth, Surfaces: surfaces,
		Kind: kind, Status: "completed", Code: done.Code,
		ProviderID: done.ProviderID, RecordedBy: done.RecordedBy, RecordedAt: done.At,
	})
	return err
}

// chartKind is the chart's kind for a procedure of category: restorative
// categories chart as the work they are; others (cleanings, exams, x-rays)
// chart as a procedure on the tooth or the whole mouth.
func chartKind(category string) string {
	switch category {
	case "endo":
		return "root_canal"
	case "surgery":
		return "extraction"
	case "prosth":
		return "crown"
	case "basic":
		return "filling"
	default:
		return "procedure"
	}
}
