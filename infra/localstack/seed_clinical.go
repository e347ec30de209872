package localstack

import (
	"context"

	"github.com/topsmile/topsmile/shared/clinical/chart"
	"github.com/topsmile/topsmile/shared/clinical/consents"
	"github.com/topsmile/topsmile/shared/clinical/notes"
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/seal"
)

// seedDemoPatient adds Jordan Avery, the patient the demo logins work on:
// a portal account, a severe penicillin allergy (the prescription screen
// warns about amoxicillin) and a latex one, a chart, a perio exam, notes
// and a prescription from a visit three months ago, and the sample fee
// schedule and the four consent forms.
func seedDemoPatient(ctx context.Context, d Deps, clinic identity.Clinic, staff map[identity.Role]identity.User) error {
	ps := patients.NewStore(d.Mongo, d.Clock)
	p, err := ps.Create(ctx, clinic.ID, patients.Patient{ID: ids.New(), FirstName: "Jordan", LastName: "Avery", DateOfBirth: "1986-04-12",
		Phone: "+12125550199", Email: DevPatientEmail, Source: "seed",
		Allergies: []patients.Allergy{{Substance: "Penicillin", Severity: "severe"}, {Substance: "Latex", Severity: "moderate"}}})
	if err != nil {
		return err
	}
	if _, err = identity.NewStore(d.Mongo, d.Clock).CreateUser(ctx, clinic.ID, identity.NewUser{Email: DevPatientEmail, Password: DevPatientPassword,
		Role: identity.RolePatient, FirstName: p.FirstName, LastName: p.LastName, PatientID: p.ID}); err != nil {
		return err
	}
	if err := plans.Seed(ctx, d.Mongo, d.Clock, clinic.ID); err != nil {
		return err
	}
	if err := consents.Seed(ctx, d.Mongo, d.Clock, clinic.ID, "seed"); err != nil {
		return err
	}
	// The chart's free text is sealed under the clinical function's keys.
	var phi seal.Config
	if err := config.LoadFrom(d.Env, &phi); err != nil {
		return err
	}
	keys, err := seal.New(phi)
	if err != nil {
		return err
	}
	dentist := staff[identity.RoleDentist].ID
	if err := chart.Seed(ctx, chart.NewStore(d.Mongo, d.Clock, keys), clinic.ID, p.ID, dentist, d.Clock.Now()); err != nil {
		return err
	}
	return notes.Seed(ctx, d.Mongo, keys, clinic.ID, p.ID, dentist, d.Clock.Now())
}
