package clinicaltest_test

import (
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/clinical/clinicaltest"
	"github.com/topsmile/topsmile/shared/patients"
)

// The harness serves the clinical function behind the guard: a receptionist
// is refused the chart, a patient another patient's plans.
func TestHarnessServesTheClinicalFunction(t *testing.T) {
	e := clinicaltest.New(t)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	apitest.Case{Method: "GET", Path: "/api/patients/" + p.ID + "/chart", Status: 403}.Send(t, e.Staff(t, "receptionist"))
	other := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	apitest.Case{Method: "GET", Path: "/api/patients/" + other.ID + "/treatment-plans", Status: 404}.Send(t, e.PortalOf(t, p))
}
