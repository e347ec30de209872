// Package app is the clinical function's composition root: the chart, perio,
// procedure codes, treatment plans, notes and prescriptions, reading the
// patient (allergies) from the patients group and the clinic's time zone and
// tooth numbering from identity.
package app

import (
	"context"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/blob"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clinical"
	"github.com/topsmile/topsmile/shared/clinical/core"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/seal"
)

// Config is everything the clinical function reads.
type Config struct {
	boot.Config
	Security authz.Config
	// PHI is the key set clinical free text is sealed under.
	PHI seal.Config
	// S3 is the bucket documents and images are kept in.
	S3 blob.Config
}

// New assembles the function (no I/O).
func New(cfg Config, o boot.Options) (*boot.App, error) {
	keys, err := seal.New(cfg.PHI)
	if err != nil {
		return nil, err
	}
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o)
	if err != nil {
		return nil, err
	}
	clinical.Routes(g.Routes(), core.Deps{
		Mongo: g.Mongo, Audit: g.Audit, Seal: keys, Clock: g.Clock, Log: g.Log,
		Patients: patientFacts(patients.NewStore(g.Mongo, g.Clock)),
		Settings: clinicFacts(identity.NewStore(g.Mongo, g.Clock)),
		Objects:  blob.New(cfg.S3),
	})
	return g.App(), nil
}

func patientFacts(ps *patients.Store) core.Patients {
	return func(ctx context.Context, clinicID, id string) (core.PatientFacts, error) {
		p, err := ps.Get(ctx, clinicID, id)
		if err != nil {
			return core.PatientFacts{}, err
		}
		f := core.PatientFacts{ID: p.ID, FirstName: p.FirstName, LastName: p.LastName, DateOfBirth: p.DateOfBirth, GuarantorID: p.GuarantorID,
			Archived: p.Status == patients.StatusArchived}
		for _, a := range p.Allergies {
			f.Allergies = append(f.Allergies, core.Allergy{Substance: a.Substance, Severity: a.Severity})
		}
		return f, nil
	}
}

func clinicFacts(ids *identity.Store) core.Settings {
	return func(ctx context.Context, clinicID string) (core.ClinicFacts, error) {
		c, err := ids.Clinic(ctx, clinicID)
		if err != nil {
			return core.ClinicFacts{}, err
		}
		loc, err := time.LoadLocation(c.Settings.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		return core.ClinicFacts{TimeZone: loc, Numbering: c.Settings.ToothNumbering}, nil
	}
}
