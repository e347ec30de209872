package localstack

import (
	"context"
	"fmt"
	"io"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
)

// Dev defaults, printed at start. A deployed stack has no default accounts:
// only the local stack knows these.
const (
	DevAdminEmail    = "admin@topsmile.local"
	DevAdminPassword = "smile-admin-dev-2026"
	DevStaffPassword = "smile-staff-dev-2026"
	// The demo patient's portal login (Jordan Avery, allergic to penicillin).
	DevPatientEmail    = "patient@topsmile.local"
	DevPatientPassword = "smile-patient-dev-2026"
)

// demoStaff are the seeded staff logins, one per staff role.
var demoStaff = []identity.NewUser{
	{Email: "dentist@topsmile.local", Role: identity.RoleDentist, FirstName: "Maya", LastName: "Okafor"},
	{Email: "hygienist@topsmile.local", Role: identity.RoleHygienist, FirstName: "Luis", LastName: "Fernandes"},
	{Email: "assistant@topsmile.local", Role: identity.RoleAssistant, FirstName: "Priya", LastName: "Nair"},
	{Email: "frontdesk@topsmile.local", Role: identity.RoleReceptionist, FirstName: "Grace", LastName: "Kim"},
}

// BootstrapOptions are the local stack's start-up knobs.
type BootstrapOptions struct {
	AdminEmail, AdminPassword string
	Seed                      bool
	Out                       io.Writer
}

// Bootstrap makes sure the first clinic exists with its admin, and on the
// first start with seeding on, loads the demo data into that clinic.
func Bootstrap(ctx context.Context, d Deps, o BootstrapOptions) error {
	ids := identity.NewStore(d.Mongo, d.Clock)
	clinic, err := ids.FirstClinic(ctx)
	if errs.Is(err, errs.NotFound) {
		clinic, err = ids.CreateClinic(ctx, "Riverside Family Dental")
	}
	if err == nil {
		// A clinic made before slugs existed gets its sign-up slug now.
		clinic, err = ids.EnsureSlug(ctx, clinic)
	}
	if err != nil {
		return fmt.Errorf("first clinic: %w", err)
	}
	email, password, printed := o.AdminEmail, o.AdminPassword, false
	if email == "" || password == "" {
		email, password, printed = DevAdminEmail, DevAdminPassword, true
	}
	if _, err := ids.EnsureAdmin(ctx, clinic.ID, email, password); err != nil {
		return fmt.Errorf("admin %s: %w", email, err)
	}
	fmt.Fprintf(o.Out, "clinic: %s (%s), patients sign up at /sign-up?clinic=%s\n", clinic.Name, clinic.ID, clinic.Slug)
	if printed {
		fmt.Fprintf(o.Out, "admin login: %s / %s (dev default; set TOPSMILE_ADMIN_EMAIL and TOPSMILE_ADMIN_PASSWORD to choose)\n", email, password)
	} else {
		fmt.Fprintf(o.Out, "admin login: %s (password from TOPSMILE_ADMIN_PASSWORD)\n", email)
	}
	if !o.Seed {
		return nil
	}
	if clinic, err = seedTextingNumber(ctx, d, clinic); err != nil {
		return fmt.Errorf("texting number: %w", err)
	}
	first, err := ids.MarkSeeded(ctx, clinic.ID)
	if err != nil {
		return err
	}
	if first {
		staff := map[identity.Role]identity.User{}
		for _, u := range demoStaff {
			u.Password = DevStaffPassword
			created, err := ids.CreateUser(ctx, clinic.ID, u)
			if err != nil && !errs.Is(err, errs.Invalid) {
				return fmt.Errorf("seed %s: %w", u.Email, err)
			}
			staff[u.Role] = created
		}
		if err := seedPractice(ctx, d, clinic, staff); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if err := seedDemoPatient(ctx, d, clinic, staff); err != nil {
			return fmt.Errorf("seed demo patient: %w", err)
		}
		if err := SeedBilling(ctx, d, clinic.ID); err != nil {
			return fmt.Errorf("seed billing: %w", err)
		}
	}
	for _, u := range demoStaff {
		fmt.Fprintf(o.Out, "demo %s login: %s / %s\n", u.Role, u.Email, DevStaffPassword)
	}
	fmt.Fprintf(o.Out, "demo patient login: %s / %s (Jordan Avery)\n", DevPatientEmail, DevPatientPassword)
	return nil
}
