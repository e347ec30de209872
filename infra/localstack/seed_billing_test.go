package localstack_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/billing/insurance"
	"github.com/topsmile/topsmile/shared/billing/ledger"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
)

// Issue 12: the demo stack has money in it. Jordan Avery has a primary
// coverage, four visits' charges whose open balance shows in every aging
// bucket, an insurance payment and a desk payment on the invoice of the
// first visit, and that invoice's rest open for the portal's Pay. Seeding
// again, a week on (so no date of the data can be what tells a seeded
// record), adds nothing.
func TestSeedBillingGivesJordanAnAccountOnce(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	// The Monday after the clocks went forward: the visits fall in the
	// last benefit year and this one, on both sides of the change.
	now := time.Date(2026, 3, 9, 8, 0, 0, 0, ny)
	fake := clock.NewFake(now)
	deps := newDeps(t)
	deps.Clock = fake
	ctx := context.Background()
	if err := localstack.Bootstrap(ctx, deps, localstack.BootstrapOptions{Seed: true, Out: io.Discard}); err != nil {
		t.Fatal(err)
	}
	users := identity.NewStore(deps.Mongo, deps.Clock)
	clinic, err := users.FirstClinic(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fake.Set(now.AddDate(0, 0, 7))
	if err := localstack.SeedBilling(ctx, deps, clinic.ID); err != nil {
		t.Fatalf("seeding again: %v", err)
	}
	fake.Set(now)
	portal, err := users.UserByEmail(ctx, localstack.DevPatientEmail)
	if err != nil {
		t.Fatal(err)
	}
	stack, err := localstack.Build(loadTemplate(t), deps, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stack.Close)
	api := &apitest.Env{Handler: stack.Handler}
	jordan := api.Login(t, localstack.DevPatientEmail, localstack.DevPatientPassword)
	desk := api.Login(t, "frontdesk@topsmile.local", localstack.DevStaffPassword)
	pp := "/api/patients/" + portal.PatientID

	t.Run("ledger", func(t *testing.T) {
		var l ledger.Ledger
		jordan.MustJSON(t, http.MethodGet, pp+"/ledger", nil, http.StatusOK, &l)
		var got []string
		for _, e := range l.Items {
			got = append(got, fmt.Sprintf("%s %s %s %d", e.At.In(ny).Format(time.DateOnly), e.Kind, e.Code+e.Reference, e.EffectCents))
		}
		want := []string{
			"2025-12-01 charge EX-PER 5500", "2025-12-01 charge XR-BW2 6000", "2025-12-01 charge PRV-CLN 10500", "2025-12-01 charge PER-SRP 22000",
			"2025-12-01 patient_payment Terminal receipt 0419 -5000",
			"2025-12-15 insurance_payment Northwind EOB 7730-2291 -35600",
			"2025-12-30 charge PER-SRP 22000",
			"2026-01-28 charge EX-LIM 7000", "2026-01-28 charge XR-PA 3000",
			"2026-02-25 charge PRV-FLU 4000",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("entries:\n%q\nwant\n%q", got, want)
		}
		// The credits pay the oldest charges first: of the first visit
		// 3400 is left (98 days old); the later visits are open whole.
		wantAging := ledger.Aging{Current: 4000, Days31: 10000, Days61: 22000, Days90: 3400}
		if l.BalanceCents != 39400 || l.CreditCents != 0 || l.Aging != wantAging || l.Items[len(l.Items)-1].BalanceCents != 39400 {
			t.Fatalf("balance %d credit %d aging %+v (last running %d), want 39400, 0, %+v", l.BalanceCents, l.CreditCents, l.Aging,
				l.Items[len(l.Items)-1].BalanceCents, wantAging)
		}
		if eob := l.Items[5]; len(eob.Lines) != 4 || eob.CoverageID == "" || eob.InvoiceID == "" {
			t.Fatalf("the insurance payment: %+v, want 4 EOB lines, its coverage and the invoice", eob)
		}
	})
	t.Run("one open invoice for the portal's Pay", func(t *testing.T) {
		var list struct{ Items []ledger.Invoice }
		jordan.MustJSON(t, http.MethodGet, "/api/invoices", nil, http.StatusOK, &list)
		if len(list.Items) != 1 {
			t.Fatalf("%d invoices, want 1: %+v", len(list.Items), list.Items)
		}
		inv := list.Items[0]
		if inv.Status != "open" || inv.AmountCents != 44000 || inv.PaidCents != 40600 || inv.BalanceCents != 3400 || len(inv.Lines) != 4 {
			t.Fatalf("invoice %+v, want open, 44000 of the first visit's 4 charges, 40600 paid, 3400 to pay", inv)
		}
	})
	t.Run("insurance", func(t *testing.T) {
		var plans struct{ Items []insurance.Plan }
		desk.MustJSON(t, http.MethodGet, "/api/insurance/plans", nil, http.StatusOK, &plans)
		var names []string
		for _, p := range plans.Items {
			names = append(names, p.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"Harbor Mutual Dental Basic", "Northwind Dental PPO"}) {
			t.Fatalf("plans %q", names)
		}
		var covs struct{ Items []insurance.Coverage }
		desk.MustJSON(t, http.MethodGet, pp+"/coverage", nil, http.StatusOK, &covs)
		if len(covs.Items) != 1 {
			t.Fatalf("%d coverages, want 1: %+v", len(covs.Items), covs.Items)
		}
		c := covs.Items[0]
		if c.Priority != "primary" || c.Plan.Name != "Northwind Dental PPO" || c.MemberID != "NWD-448812" || c.EffectiveDate != "2025-03-09" ||
			c.Relationship != "self" || c.Subscriber.PatientID != portal.PatientID {
			t.Fatalf("coverage %+v", c)
		}
		// The EOB's deductible and payment were last benefit year's: this
		// year (from January) starts afresh.
		if c.Usage.DeductibleMetCents != 0 || c.Usage.MaximumUsedCents != 0 {
			t.Fatalf("usage %+v, want none this benefit year", c.Usage)
		}
	})
}
