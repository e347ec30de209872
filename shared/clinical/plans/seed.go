package plans

import (
	"context"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/store"
)

// sampleCodes is a small starter fee schedule in the practice's own code
// scheme and wording (no licensed code set): a clinic replaces it with its
// own by import.
var sampleCodes = []struct {
	code, description, category string
	fee                         int64
	chartKind                   string
}{
	{"EX-COMP", "Comprehensive oral evaluation, new patient", "diagnostic", 9500, ""},
	{"EX-PER", "Periodic oral evaluation", "diagnostic", 5500, ""},
	{"EX-LIM", "Limited evaluation of a specific problem", "diagnostic", 7000, ""},
	{"XR-BW2", "Bitewing images, two", "diagnostic", 6000, ""},
	{"XR-PA", "Single periapical image", "diagnostic", 3000, ""},
	{"XR-PAN", "Panoramic image", "diagnostic", 12000, ""},
	{"PRV-CLN", "Adult cleaning and polish", "preventive", 10500, ""},
	{"PRV-CLNC", "Child cleaning and polish", "preventive", 7500, ""},
	{"PRV-FLU", "Fluoride varnish", "preventive", 4000, ""},
	{"PRV-SEAL", "Pit and fissure sealant, per tooth", "preventive", 5000, "sealant"},
	{"FIL-C1", "Composite filling, one surface", "basic", 16000, "filling"},
	{"FIL-C2", "Composite filling, two surfaces", "basic", 20000, "filling"},
	{"FIL-C3", "Composite filling, three or more surfaces", "basic", 25000, "filling"},
	{"END-ANT", "Root canal treatment, front tooth", "endo", 85000, "root_canal"},
	{"END-MOL", "Root canal treatment, molar", "endo", 120000, "root_canal"},
	{"PER-SRP", "Deep cleaning below the gumline, per quadrant", "perio", 22000, ""},
	{"CRN-ZR", "Zirconia crown", "major", 125000, "crown"},
	{"CRN-PFM", "Porcelain-on-metal crown", "major", 115000, "crown"},
	{"IMP-FIX", "Implant placement", "surgery", 220000, "implant"},
	{"SRG-EXT", "Removal of an erupted tooth", "surgery", 18000, "extraction"},
	{"SRG-SUR", "Surgical removal of a tooth", "surgery", 32000, "extraction"},
	{"PRS-DEN", "Full denture, one arch", "prosth", 160000, "procedure"},
	{"ORT-CON", "Orthodontic consultation", "ortho", 0, ""},
}

// Seed gives clinicID the sample fee schedule: the codes it lacks are
// added, and codes it has keep the clinic's own fees (so running it again
// changes nothing).
func Seed(ctx context.Context, m *store.Mongo, c clock.Clock, clinicID string) error {
	rows := make([]CodeInput, 0, len(sampleCodes))
	for _, s := range sampleCodes {
		fee := s.fee
		rows = append(rows, CodeInput{Code: s.code, Description: s.description, Category: s.category, FeeCents: &fee, ChartKind: s.chartKind})
	}
	return NewCodes(m, c).AddMissing(ctx, clinicID, rows)
}
