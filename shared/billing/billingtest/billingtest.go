// Package billingtest is the billing group's API test harness: the auth,
// clinical and billing functions as their composition roots build them, on
// a fresh database with two clinics (Clinic has the demo fee schedule), a
// caller per role, and helpers that make patients, treatment plans and
// completed items (which clinical posts as charges for the ledger). Test
// tooling only: no Lambda links it.
package billingtest

import (
	"context"
	"net/http"
	"testing"

	billingapp "github.com/topsmile/topsmile/functions/billing/app"
	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/clinical/plans"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/patients"
)

// Env is the harness (see clinicaltest.Env for the callers: Staff(t,
// "receptionist"), PortalOf(t, p), MustPatient, AuditRecords, RawDocs).
type Env struct {
	*clinicaltest.Env
}

// Settings are extra environment variables for the billing function (for
// example STRIPE_API_BASE pointing at stripe-mock); they win over the
// harness's own.
type Settings map[string]string

// New builds the harness with the demo fee schedule in Clinic.
func New(t testing.TB, extra ...Settings) *Env {
	t.Helper()
	build := func(tb testing.TB, lookup config.Lookup, c *clock.Fake) *boot.App {
		env := func(key string) (string, bool) {
			for _, s := range extra {
				if v, ok := s[key]; ok {
					return v, true
				}
			}
			return lookup(key)
		}
		return apitest.Build(tb, env, func(cfg billingapp.Config) (*boot.App, error) {
			return billingapp.New(cfg, apitest.Options(c, nil))
		})
	}
	e := &Env{Env: clinicaltest.NewWith(t, build)}
	if err := plans.Seed(context.Background(), e.Mongo, e.Clock, e.Clinic.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

// Item is one item of a plan to make: a code of the fee schedule and, for
// work on a tooth, the tooth (and surfaces).
type Item struct {
	Code     string
	Tooth    string
	Surfaces []string
}

// MustPlan makes a treatment plan of items for p as a dentist, presents it
// and has the patient accept it (state "accepted"), ready to estimate or
// to complete.
func (e *Env) MustPlan(t testing.TB, p patients.Patient, items ...Item) plans.Plan {
	t.Helper()
	dentist := e.Staff(t, "dentist")
	var body []map[string]any
	for _, it := range items {
		m := map[string]any{"code": it.Code}
		if it.Tooth != "" {
			m["tooth"] = it.Tooth
		}
		if len(it.Surfaces) > 0 {
			m["surfaces"] = it.Surfaces
		}
		body = append(body, m)
	}
	var plan plans.Plan
	dentist.MustJSON(t, "POST", "/api/patients/"+p.ID+"/treatment-plans", map[string]any{"title": "Plan", "items": body}, http.StatusCreated, &plan)
	dentist.MustJSON(t, "POST", "/api/treatment-plans/"+plan.ID+"/present", nil, http.StatusOK, &plan)
	e.PortalOf(t, p).MustJSON(t, "POST", "/api/treatment-plans/"+plan.ID+"/accept",
		map[string]any{"signature": p.FirstName + " " + p.LastName}, http.StatusOK, &plan)
	return plan
}

// MustComplete completes item i of plan as a dentist: clinical charts it
// and posts its charge event, which the ledger takes on its next read.
func (e *Env) MustComplete(t testing.TB, plan plans.Plan, i int) plans.Plan {
	t.Helper()
	var out plans.Plan
	e.Staff(t, "dentist").MustJSON(t, "POST", "/api/treatment-plans/"+plan.ID+"/items/"+plan.Items[i].ID+"/complete", nil, http.StatusOK, &out)
	return out
}

// MustCompleted makes a plan of items for p and completes every item: each
// becomes a charge on p's ledger.
func (e *Env) MustCompleted(t testing.TB, p patients.Patient, items ...Item) plans.Plan {
	t.Helper()
	plan := e.MustPlan(t, p, items...)
	for i := range plan.Items {
		plan = e.MustComplete(t, plan, i)
	}
	return plan
}
