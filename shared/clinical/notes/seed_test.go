package notes_test

import (
	"context"
	"testing"

	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/clinical/notes"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/seal"
)

// The demo record reads back through the API (sealed with the function's
// own keys), and seeding twice adds nothing.
func TestSeed(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	var cfg seal.Config
	if err := config.LoadFrom(e.FE.Lookup, &cfg); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dentist := e.User(t, "dentist")
	for range 2 {
		if err := notes.Seed(context.Background(), e.Mongo, keys, e.Clinic.ID, p.ID, dentist.ID, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	got := list(t, e.Staff(t, "dentist"), p.ID)
	if len(got) != 3 || got[2].Type != "soap" || got[2].Status != "signed" || len(got[2].Amendments) != 1 ||
		got[1].Amends == nil || *got[1].Amends != got[2].ID || got[2].Assessment == "" {
		t.Fatalf("seeded notes %+v, want the exam, its amendment and the hygiene visit", got)
	}
	rxs := rxList(t, e.Staff(t, "dentist"), rxPath(p.ID))
	if len(rxs) != 1 || rxs[0].Status != "active" || rxs[0].Reason == "" {
		t.Fatalf("seeded prescriptions %+v, want one active", rxs)
	}
}
