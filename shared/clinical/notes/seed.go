package notes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
)

// Seed gives the demo patient a record to read: a signed periodic exam
// note by dentistID three months before at, an amendment correcting its
// plan, a signed hygiene visit note, and an active ibuprofen prescription
// (the demo patient's penicillin allergy then shows its refusal when
// amoxicillin is tried). Ids come from the patient's, so seeding twice
// stores nothing new.
func Seed(ctx context.Context, m *store.Mongo, k *seal.Keys, clinicID, patientID, dentistID string, at time.Time) error {
	when := at.UTC().AddDate(0, -3, 0).Truncate(time.Minute)
	signed := func(i int, typ string, t noteText, amends string) (noteRecord, error) {
		rec := noteRecord{ID: seedID(patientID, "note", i), PatientID: patientID, Type: typ, Status: StatusSigned,
			AuthorID: dentistID, AuthorRole: "dentist", SignedBy: dentistID, Amends: amends, Version: 1}
		rec.CreatedAt = when.Add(time.Duration(i) * 20 * time.Minute)
		rec.UpdatedAt, rec.SignedAt = rec.CreatedAt, &rec.CreatedAt
		var err error
		rec.Text, err = sealNote(k, rec.ID, t)
		return rec, err
	}
	exam, err := signed(0, TypeSOAP, noteText{
		Subjective: "Here for periodic exam. No complaints. Medical history reviewed: penicillin allergy (hives).",
		Objective:  "Soft tissue WNL. Generalized light plaque, BOP #3 DB and #19. Radiolucency #18 DO on BWX.",
		Assessment: "Caries #18 DO. Localized moderate periodontitis around #19.",
		Plan:       "DO composite #18. SRP LL quadrant. Recall 3 months.",
	}, "")
	if err != nil {
		return err
	}
	fix, err := signed(1, TypeSOAP, noteText{Plan: "Correction: SRP of the LL and UR quadrants (#3 DB pocket), not LL only."}, exam.ID)
	if err != nil {
		return err
	}
	exam.Amendments = []string{fix.ID}
	hygiene, err := signed(2, TypeProgress, noteText{Body: "Prophy and OHI (interdental brushes LL). BOP reduced. Next recall in 3 months."}, "")
	if err != nil {
		return err
	}
	notes := newNoteStore(m, clock.Real{})
	for _, rec := range []noteRecord{exam, fix, hygiene} {
		if err := notes.Insert(ctx, clinicID, rec); err != nil && !errs.Is(err, errs.Conflict) {
			return fmt.Errorf("notes: seed note: %w", err)
		}
	}
	rx := rxRecord{ID: seedID(patientID, "rx", 0), PatientID: patientID, Drug: "ibuprofen", Strength: "600 mg", Form: "tablet",
		Sig: "1 tablet by mouth every 6 hours as needed for pain, with food", Quantity: 20, Status: RxActive, Version: 1,
		PrescriberID: dentistID, CreatedAt: when.Add(time.Hour)}
	if rx.Reason, err = k.Seal("Post-operative pain after SRP", rxWhere(rx.ID, "reason")); err != nil {
		return err
	}
	if err := newRxStore(m, clock.Real{}).Insert(ctx, clinicID, rx); err != nil && !errs.Is(err, errs.Conflict) {
		return fmt.Errorf("notes: seed prescription: %w", err)
	}
	return nil
}

// seedID is a demo record's id: an ObjectID-shaped hash of the patient.
func seedID(patientID, kind string, i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d", patientID, kind, i))
	return hex.EncodeToString(sum[:12])
}
