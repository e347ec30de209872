package chart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
)

// Seed charts the demo patient: existing work from before they joined the
// practice (crowns, fillings), a caries with its filling planned, a missing
// lower right third molar, and a full-mouth perio exam with a few 5–6 mm
// bleeding pockets, all recorded three months before at. Ids come from the
// patient's, so seeding twice stores nothing new.
func Seed(ctx context.Context, s *Store, clinicID, patientID, providerID string, at time.Time) error {
	when := at.UTC().AddDate(0, -3, 0).Truncate(time.Minute)
	entries := []Entry{
		{Tooth: "3", Kind: "crown", Status: StatusExisting, Code: "CRN-PFM", Note: "PFM crown placed at a previous practice"},
		{Tooth: "14", Surfaces: []string{"M", "O"}, Kind: "filling", Status: StatusExisting, Code: "FIL-C2"},
		{Tooth: "19", Surfaces: []string{"O"}, Kind: "filling", Status: StatusExisting, Code: "FIL-C1"},
		{Tooth: "30", Kind: "crown", Status: StatusExisting, Code: "CRN-ZR"},
		{Tooth: "8", Surfaces: []string{"M", "F"}, Kind: "filling", Status: StatusExisting, Code: "FIL-C2"},
		{Tooth: "18", Surfaces: []string{"D", "O"}, Kind: "caries", Status: StatusCondition, Note: "Radiolucency into dentin on the bitewing"},
		{Tooth: "18", Surfaces: []string{"D", "O"}, Kind: "filling", Status: StatusPlanned, Code: "FIL-C2"},
		{Tooth: "32", Kind: "missing", Status: StatusCondition},
	}
	for i, e := range entries {
		e.ID = seedID(patientID, "chart", i)
		e.PatientID, e.ProviderID, e.RecordedBy = patientID, providerID, providerID
		e.RecordedAt = when.Add(time.Duration(i) * time.Minute)
		if _, err := s.Append(ctx, clinicID, e); err != nil {
			return err
		}
	}
	x := Exam{ID: seedID(patientID, "perio", 0), PatientID: patientID, ExaminerID: providerID, RecordedAt: when.Add(30 * time.Minute)}
	// Healthy 2–3 mm sulci, with inflamed pockets distal of 3 and around
	// the lower left first molar.
	deep := map[[2]string]Site{
		{"3", "DB"}:  {Depth: 5, Margin: 1, Bleeding: true},
		{"19", "DL"}: {Depth: 6, Margin: 1, Bleeding: true, Suppuration: true},
		{"19", "DB"}: {Depth: 5, Margin: 0, Bleeding: true},
	}
	for _, t := range Teeth() {
		n := t.order
		if t.Primary || t.Supernumerary || t.Position == 8 {
			continue
		}
		mobility, furcation := 0, 0
		if t.Universal == "19" {
			furcation = 1
		}
		et := ExamTooth{Tooth: t.Universal, Mobility: &mobility, Sites: []Site{}}
		if !t.Anterior() {
			et.Furcation = &furcation
		}
		for k, site := range perioSites {
			sv, ok := deep[[2]string{t.Universal, site}]
			if !ok {
				sv = Site{Depth: 2 + (n+k)%2, Bleeding: (n+k)%17 == 0}
			}
			sv.Site = site
			et.Sites = append(et.Sites, sv)
		}
		x.Teeth = append(x.Teeth, et)
	}
	if _, err := s.AddExam(ctx, clinicID, x); err != nil && !errs.Is(err, errs.Conflict) {
		return err
	}
	return nil
}

// seedID is a stable record id (ObjectID-shaped, as ids.New makes) for the
// i-th seeded record of kind for patientID.
func seedID(patientID, kind string, i int) string {
	sum := sha256.Sum256([]byte(patientID + "/" + kind + "/" + string(rune('a'+i))))
	return hex.EncodeToString(sum[:12])
}
