package localstack

import (
	"context"

	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
)

// seedDemoPatient adds Jordan Avery, the patient the demo logins work on:
// a portal account, a severe penicillin allergy (the prescription screen
// warns about amoxicillin) and a latex one.
func seedDemoPatient(ctx context.Context, d Deps, clinic identity.Clinic, _ map[identity.Role]identity.User) error {
	ps := patients.NewStore(d.Mongo, d.Clock)
	p, err := ps.Create(ctx, clinic.ID, patients.Patient{ID: ids.New(), FirstName: "Jordan", LastName: "Avery", DateOfBirth: "1986-04-12",
		Phone: "+12125550199", Email: DevPatientEmail, Source: "seed",
		Allergies: []patients.Allergy{{Substance: "Penicillin", Severity: "severe"}, {Substance: "Latex", Severity: "moderate"}}})
	if err != nil {
		return err
	}
	_, err = identity.NewStore(d.Mongo, d.Clock).CreateUser(ctx, clinic.ID, identity.NewUser{Email: DevPatientEmail, Password: DevPatientPassword,
		Role: identity.RolePatient, FirstName: p.FirstName, LastName: p.LastName, PatientID: p.ID})
	return err
}
