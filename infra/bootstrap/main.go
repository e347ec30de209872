// Command bootstrap prepares a deployed stack's database: it creates the
// first clinic (MFA required for admins and dentists, as a deployed practice
// should start) and its first admin, and the indexes. It refuses to run
// without TOPSMILE_ADMIN_EMAIL and TOPSMILE_ADMIN_PASSWORD: a deployed stack
// has no default accounts.
//
//	MONGODB_URI=... TOPSMILE_ADMIN_EMAIL=... TOPSMILE_ADMIN_PASSWORD=... \
//	TOPSMILE_CLINIC_NAME="Riverside Family Dental" go run ./infra/bootstrap
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/store"
)

type Config struct {
	Mongo         store.MongoConfig
	AdminEmail    string `env:"TOPSMILE_ADMIN_EMAIL,required"`
	AdminPassword string `env:"TOPSMILE_ADMIN_PASSWORD,required,secret"`
	ClinicName    string `env:"TOPSMILE_CLINIC_NAME" default:"My Dental Practice"`
	TimeZone      string `env:"TOPSMILE_TIME_ZONE" default:"America/New_York"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bootstrap:", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		return err
	}
	if _, err := time.LoadLocation(cfg.TimeZone); err != nil {
		return fmt.Errorf("TOPSMILE_TIME_ZONE: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m := store.NewMongo(cfg.Mongo)
	defer m.Close(context.Background())
	ids := identity.NewStore(m, clock.Real{})
	clinic, err := ids.FirstClinic(ctx)
	if errs.Is(err, errs.NotFound) {
		if clinic, err = ids.CreateClinic(ctx, cfg.ClinicName); err == nil {
			st := clinic.Settings
			st.TimeZone, st.MFARequired = cfg.TimeZone, true
			clinic, err = ids.UpdateClinic(ctx, clinic.ID, nil, st)
		}
	}
	if err == nil {
		// A clinic made before slugs existed gets its sign-up slug now.
		clinic, err = ids.EnsureSlug(ctx, clinic)
	}
	if err != nil {
		return err
	}
	created, err := ids.EnsureAdmin(ctx, clinic.ID, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return err
	}
	fmt.Printf("clinic %s (%s, sign-up slug %s); admin %s %s\n", clinic.Name, clinic.ID, clinic.Slug, cfg.AdminEmail, map[bool]string{true: "created", false: "already present"}[created])
	return nil
}
