package insurance_test

import (
	"bytes"
	"net/http"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/billing/billingtest"
	"github.com/topsmile/topsmile/shared/billing/estimate"
	"github.com/topsmile/topsmile/shared/billing/insurance"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/patients"
)

// planBody is a PPO: fillings at 80 % after a $50 deductible (waived for
// exams, images and cleanings), two cleanings a benefit year.
func planBody() map[string]any {
	return map[string]any{
		"carrier":               map[string]any{"name": "Delta Test", "payerId": "DT001", "phone": "+1 555 0100"},
		"name":                  "PPO Gold",
		"groupNumber":           "G-42",
		"benefitYearStartMonth": 1,
		"coverage":              map[string]any{"diagnostic": 100, "preventive": 100, "basic": 80, "major": 50},
		"deductible":            map[string]any{"individualCents": 5000, "familyCents": 15000, "waivedFor": []string{"diagnostic", "preventive"}},
		"annualMaximumCents":    150000,
		"frequencies":           []any{map[string]any{"codes": []string{"PRV-CLN"}, "count": 2, "per": "benefit_year"}},
		"waitingPeriods":        []any{},
	}
}

func mustInsurancePlan(t *testing.T, e *billingtest.Env) insurance.Plan {
	t.Helper()
	var out insurance.Plan
	e.Staff(t, "receptionist").MustJSON(t, "POST", "/api/insurance/plans", planBody(), http.StatusCreated, &out)
	return out
}

func coverageBody(planID, priority string) map[string]any {
	return map[string]any{"planId": planID, "priority": priority, "relationship": "self", "memberId": "W123456789",
		"subscriber": map[string]any{"name": "Robin Chart", "dateOfBirth": "1985-04-12"}, "effectiveDate": "2020-01-01"}
}

func mustCoverage(t *testing.T, e *billingtest.Env, p patients.Patient, planID, priority string) insurance.Coverage {
	t.Helper()
	var out insurance.Coverage
	e.Staff(t, "receptionist").MustJSON(t, "POST", "/api/patients/"+p.ID+"/coverage", coverageBody(planID, priority), http.StatusCreated, &out)
	return out
}

func auditAction(a string) audit.Filter { return audit.Filter{Action: a} }

func TestInsurancePlans(t *testing.T) {
	e := billingtest.New(t)
	plan := mustInsurancePlan(t, e)
	if plan.ID == "" || plan.Version != 0 || plan.Coverage["basic"] != 80 || plan.Deductible.IndividualCents != 5000 {
		t.Fatalf("created plan = %+v", plan)
	}
	other := e.SignIn(t, e.Other.ID, identity.RoleReceptionist, "")
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	bad := planBody()
	bad["benefitYearStartMonth"] = 13
	bad["coverage"] = map[string]any{"cosmetic": 50, "basic": 120}
	bad["frequencies"] = []any{map[string]any{"codes": []string{}, "count": 0, "per": "month"}}
	e.Run(t, []apitest.Case{
		{Name: "every staff role reads the plans", As: "dentist", Method: "GET", Path: "/api/insurance/plans", Status: http.StatusOK,
			Want: map[string]any{"items": []any{map[string]any{"id": plan.ID, "name": "PPO Gold", "carrier": map[string]any{"name": "Delta Test"}}}}},
		{Name: "one plan", As: "assistant", Method: "GET", Path: "/api/insurance/plans/" + plan.ID, Status: http.StatusOK,
			Want: map[string]any{"id": plan.ID, "benefitYearStartMonth": 1.0}},
		{Name: "a clinician may not create plans", As: "dentist", Method: "POST", Path: "/api/insurance/plans", Body: planBody(), Status: http.StatusForbidden},
		{Name: "bad benefits name their fields", As: "receptionist", Method: "POST", Path: "/api/insurance/plans", Body: bad, Status: http.StatusBadRequest,
			Want: apitest.Error("invalid", "benefitYearStartMonth", "coverage.basic", "coverage.cosmetic", "frequencies[0].codes", "frequencies[0].count", "frequencies[0].per")},
	})
	if r := e.PortalOf(t, p).Do(t, "GET", "/api/insurance/plans", nil); r.Status != http.StatusForbidden {
		t.Errorf("a patient listing plans: %d, want 403", r.Status)
	}
	if r := other.Do(t, "GET", "/api/insurance/plans/"+plan.ID, nil); r.Status != http.StatusNotFound {
		t.Errorf("another clinic's plan: %d, want 404", r.Status)
	}
	var list struct{ Items []insurance.Plan }
	other.MustJSON(t, "GET", "/api/insurance/plans", nil, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("another clinic lists %d plans, want none", len(list.Items))
	}
	if got := e.AuditRecords(t, e.Clinic.ID, auditAction("insurance_plan.write")); len(got) != 1 {
		t.Errorf("insurance_plan.write records = %d, want 1", len(got))
	}
}

func TestCoverages(t *testing.T) {
	e := billingtest.New(t)
	plan := mustInsurancePlan(t, e)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	q := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Sam", LastName: "Other"})
	desk := e.Staff(t, "receptionist")

	primary := mustCoverage(t, e, p, plan.ID, "primary")
	if primary.MemberID != "W123456789" || primary.Plan.Name != "PPO Gold" || primary.Plan.Carrier.Name != "Delta Test" || !primary.Active ||
		primary.TerminationDate != nil || primary.Usage.BenefitYear.From == "" {
		t.Fatalf("created coverage = %+v", primary)
	}
	// The member id is sealed at rest: its plaintext is nowhere in the
	// stored document.
	for _, d := range e.RawDocs(t, "coverages", bson.D{{Key: "_id", Value: primary.ID}}) {
		if bytes.Contains(d, []byte("W123456789")) || bytes.Contains(d, []byte("6789")) {
			t.Fatal("the member id is stored in the clear")
		}
	}

	t.Run("one active primary at a time", func(t *testing.T) {
		r := desk.Do(t, "POST", "/api/patients/"+p.ID+"/coverage", coverageBody(plan.ID, "primary"))
		if r.Status != http.StatusConflict {
			t.Fatalf("second primary: %d %s, want 409", r.Status, r.Body)
		}
	})
	secondary := mustCoverage(t, e, p, plan.ID, "secondary")

	t.Run("racing primaries: exactly one wins", func(t *testing.T) {
		var wg sync.WaitGroup
		statuses := make([]int, 4)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = desk.Do(t, "POST", "/api/patients/"+q.ID+"/coverage", coverageBody(plan.ID, "primary")).Status
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if !slices.Equal(statuses, []int{http.StatusCreated, http.StatusConflict, http.StatusConflict, http.StatusConflict}) {
			t.Fatalf("statuses = %v, want one 201 and three 409", statuses)
		}
	})

	t.Run("who sees what", func(t *testing.T) {
		other := e.SignIn(t, e.Other.ID, identity.RoleReceptionist, "")
		e.SetCaller("patient", e.PortalOf(t, p))
		e.SetCaller("other patient", e.PortalOf(t, q))
		e.SetCaller("other clinic", other)
		path := "/api/patients/" + p.ID + "/coverage"
		e.Run(t, []apitest.Case{
			{Name: "the desk sees the member id", As: "receptionist", Method: "GET", Path: path, Status: http.StatusOK,
				Want: map[string]any{"items": []any{
					map[string]any{"id": primary.ID, "priority": "primary", "memberId": "W123456789"},
					map[string]any{"id": secondary.ID, "priority": "secondary", "memberId": "W123456789"}}}},
			{Name: "the patient sees their own, masked", As: "patient", Method: "GET", Path: path, Status: http.StatusOK,
				Want: map[string]any{"items": []any{map[string]any{"id": primary.ID, "memberId": "••••6789"}, map[string]any{"id": secondary.ID, "memberId": "••••6789"}}}},
			{Name: "another patient's is 404", As: "other patient", Method: "GET", Path: path, Status: http.StatusNotFound},
			{Name: "another clinic's is 404", As: "other clinic", Method: "GET", Path: path, Status: http.StatusNotFound},
			{Name: "a clinician may not read coverage", As: "dentist", Method: "GET", Path: path, Status: http.StatusForbidden},
			{Name: "a patient may not add coverage", As: "patient", Method: "POST", Path: path, Body: coverageBody(plan.ID, "primary"), Status: http.StatusForbidden},
			{Name: "another clinic may not change it", As: "other clinic", Method: "PATCH", Path: "/api/coverage/" + primary.ID,
				Body: map[string]any{"memberId": "X1", "version": 0}, Status: http.StatusNotFound},
			{Name: "bad input names its fields", As: "receptionist", Method: "POST", Path: path,
				Body: map[string]any{"planId": "nope", "priority": "tertiary", "relationship": "cousin", "memberId": "", "subscriber": map[string]any{},
					"effectiveDate": "2020-02-30"},
				Status: http.StatusBadRequest,
				Want:   apitest.Error("invalid", "planId", "priority", "subscriber.name", "subscriber.dateOfBirth", "relationship", "memberId", "effectiveDate")},
		})
	})

	t.Run("version-guarded PATCH ends a coverage and frees its place", func(t *testing.T) {
		path := "/api/coverage/" + primary.ID
		if r := desk.Do(t, "PATCH", path, map[string]any{"terminationDate": "2021-12-31", "version": 7}); r.Status != http.StatusConflict {
			t.Fatalf("stale version: %d %s, want 409", r.Status, r.Body)
		}
		var ended insurance.Coverage
		desk.MustJSON(t, "PATCH", path, map[string]any{"terminationDate": "2021-12-31", "version": 0}, http.StatusOK, &ended)
		if ended.Version != 1 || ended.TerminationDate == nil || *ended.TerminationDate != "2021-12-31" || ended.Active {
			t.Fatalf("ended coverage = %+v", ended)
		}
		if r := desk.Do(t, "PATCH", path, map[string]any{"memberId": "Z9", "version": 0}); r.Status != http.StatusConflict {
			t.Fatalf("the old version again: %d, want 409", r.Status)
		}
		body := coverageBody(plan.ID, "primary")
		body["effectiveDate"] = "2021-06-01"
		if r := desk.Do(t, "POST", "/api/patients/"+p.ID+"/coverage", body); r.Status != http.StatusConflict {
			t.Fatalf("a primary overlapping the ended one: %d %s, want 409", r.Status, r.Body)
		}
		body["effectiveDate"] = "2022-01-01"
		var next insurance.Coverage
		desk.MustJSON(t, "POST", "/api/patients/"+p.ID+"/coverage", body, http.StatusCreated, &next)
		// Reopening the ended one would make two open-ended primaries.
		if r := desk.Do(t, "PATCH", path, map[string]any{"terminationDate": "", "version": 1}); r.Status != http.StatusConflict {
			t.Fatalf("reopening: %d %s, want 409", r.Status, r.Body)
		}
	})

	if got := e.Actions(t, e.Clinic.ID, p.ID); !slices.Contains(got, "coverage.read") || !slices.Contains(got, "coverage.write") {
		t.Errorf("the patient's trail %v lacks coverage.read or coverage.write", got)
	}
}

type estimateAnswer struct {
	PlanID         string
	AsOf           string
	Currency       string
	TotalCents     int64
	InsuranceCents int64
	PatientCents   int64
	Lines          []estimate.Line
	Coverages      []insurance.EstimatedBy
}

func (a estimateAnswer) line(t *testing.T, code string) estimate.Line {
	t.Helper()
	for _, l := range a.Lines {
		if l.Code == code {
			return l
		}
	}
	t.Fatalf("no line for %s in %+v", code, a.Lines)
	return estimate.Line{}
}

func TestEstimate(t *testing.T) {
	e := billingtest.New(t)
	plan := mustInsurancePlan(t, e)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	q := e.MustPatient(t, e.Clinic.ID, patients.Patient{FirstName: "Sam", LastName: "Other"})
	cov := mustCoverage(t, e, p, plan.ID, "primary")
	tp := e.MustPlan(t, p, billingtest.Item{Code: "FIL-C1", Tooth: "3", Surfaces: []string{"O"}}, billingtest.Item{Code: "PRV-CLN"},
		billingtest.Item{Code: "XR-PAN"}, billingtest.Item{Code: "CRN-ZR", Tooth: "14"})
	path := "/api/treatment-plans/" + tp.ID + "/estimate"

	var est estimateAnswer
	e.Staff(t, "receptionist").MustJSON(t, "GET", path, nil, http.StatusOK, &est)
	if est.PlanID != tp.ID || est.Currency == "" || len(est.Lines) != 4 || len(est.Coverages) != 1 || est.Coverages[0].ID != cov.ID {
		t.Fatalf("estimate = %+v", est)
	}
	for _, c := range []struct {
		code               string
		insurance, patient int64
	}{
		{"FIL-C1", 8800, 7200},   // 80% of (16000 − the 5000 deductible)
		{"PRV-CLN", 10500, 0},    // deductible waived, 100%
		{"XR-PAN", 12000, 0},     // deductible waived, 100%
		{"CRN-ZR", 62500, 62500}, // deductible already met by the filling
	} {
		l := est.line(t, c.code)
		if l.InsuranceCents != c.insurance || l.PatientCents != c.patient || l.PrimaryCents != c.insurance || len(l.Basis) == 0 {
			t.Errorf("%s: insurance/patient %d/%d, want %d/%d (%+v)", c.code, l.InsuranceCents, l.PatientCents, c.insurance, c.patient, l.Basis)
		}
	}
	if est.TotalCents != 16000+10500+12000+125000 || est.InsuranceCents+est.PatientCents != est.TotalCents {
		t.Errorf("totals %d = %d + %d", est.TotalCents, est.InsuranceCents, est.PatientCents)
	}

	other := e.SignIn(t, e.Other.ID, identity.RoleReceptionist, "")
	e.SetCaller("patient", e.PortalOf(t, p))
	e.SetCaller("other patient", e.PortalOf(t, q))
	e.SetCaller("other clinic", other)
	e.Run(t, []apitest.Case{
		{Name: "the patient sees their own plan's estimate", As: "patient", Method: "GET", Path: path, Status: http.StatusOK,
			Want: map[string]any{"planId": tp.ID, "insuranceCents": float64(est.InsuranceCents)}},
		{Name: "a clinician sees it on the plan", As: "hygienist", Method: "GET", Path: path, Status: http.StatusOK},
		{Name: "another patient's is 404", As: "other patient", Method: "GET", Path: path, Status: http.StatusNotFound},
		{Name: "another clinic's is 404", As: "other clinic", Method: "GET", Path: path, Status: http.StatusNotFound},
		{Name: "a bad as-of date is 400", As: "receptionist", Method: "GET", Path: path + "?asOf=2026-13-01", Status: http.StatusBadRequest,
			Want: apitest.Error("invalid", "asOf")},
		{Name: "before the coverage starts nothing is covered", As: "receptionist", Method: "GET", Path: path + "?asOf=2019-06-01", Status: http.StatusOK,
			Want: map[string]any{"asOf": "2019-06-01", "insuranceCents": 0.0}},
	})
	var records int
	for _, r := range e.AuditRecords(t, e.Clinic.ID, auditAction("estimate.read")) {
		if r.PatientID == p.ID {
			records++
		}
	}
	if records < 3 {
		t.Errorf("estimate.read records of the patient = %d, want one per answered read", records)
	}
}

// The ledger feeds usage: a completed item no insurance payment has
// settled is pending and spends the deductible before the plan's items;
// the insurance payment that settles it moves it to met and used; two
// cleanings done this year use up the frequency limit.
func TestUsageFromTheLedger(t *testing.T) {
	e := billingtest.New(t)
	plan := mustInsurancePlan(t, e)
	p := e.MustPatient(t, e.Clinic.ID, patients.Patient{})
	cov := mustCoverage(t, e, p, plan.ID, "primary")
	desk := e.Staff(t, "receptionist")
	e.MustCompleted(t, p, billingtest.Item{Code: "FIL-C1", Tooth: "3", Surfaces: []string{"O"}}, billingtest.Item{Code: "PRV-CLN"}, billingtest.Item{Code: "PRV-CLN"})

	// The ledger takes the completed items' charges on its first read.
	var ledger struct {
		Items []struct{ ID, Kind, Code string }
	}
	desk.MustJSON(t, "GET", "/api/patients/"+p.ID+"/ledger", nil, http.StatusOK, &ledger)
	filling := ""
	for _, it := range ledger.Items {
		if it.Kind == "charge" && it.Code == "FIL-C1" {
			filling = it.ID
		}
	}
	if filling == "" {
		t.Fatalf("no filling charge on the ledger: %+v", ledger.Items)
	}

	usage := func() insurance.Usage {
		var list struct{ Items []insurance.Coverage }
		desk.MustJSON(t, "GET", "/api/patients/"+p.ID+"/coverage", nil, http.StatusOK, &list)
		return list.Items[0].Usage
	}
	tp := e.MustPlan(t, p, billingtest.Item{Code: "FIL-C2", Tooth: "4", Surfaces: []string{"O", "M"}}, billingtest.Item{Code: "PRV-CLN"})
	estimateOf := func() estimateAnswer {
		var est estimateAnswer
		desk.MustJSON(t, "GET", "/api/treatment-plans/"+tp.ID+"/estimate", nil, http.StatusOK, &est)
		return est
	}

	if u := usage(); u.PendingCents != 8800+10500+10500 || u.DeductibleMetCents != 0 || u.MaximumUsedCents != 0 {
		t.Fatalf("usage before any payment = %+v, want 29800 pending", u)
	}
	est := estimateOf()
	// The pending filling spent the deductible: 80% of all of 20000.
	if l := est.line(t, "FIL-C2"); l.InsuranceCents != 16000 {
		t.Errorf("FIL-C2 after a pending filling: %d, want 16000 (%+v)", l.InsuranceCents, l.Basis)
	}
	if l := est.line(t, "PRV-CLN"); l.InsuranceCents != 0 || l.Basis[0].Rule != estimate.RuleFrequency {
		t.Errorf("a third cleaning this year: %d %+v, want 0 by the frequency limit", l.InsuranceCents, l.Basis)
	}

	body := map[string]any{"amountCents": 8800, "method": "insurance", "coverageId": cov.ID, "reference": "EOB-1",
		"lines": []any{map[string]any{"entryId": filling, "paidCents": 8800, "deductibleCents": 5000}}}
	desk.MustDo(t, "POST", "/api/patients/"+p.ID+"/payments", body, http.StatusCreated)
	if u := usage(); u.DeductibleMetCents != 5000 || u.MaximumUsedCents != 8800 || u.PendingCents != 10500+10500 {
		t.Fatalf("usage after the filling's EOB = %+v, want 5000 met, 8800 used, 21000 pending", u)
	}
	if l := estimateOf().line(t, "FIL-C2"); l.InsuranceCents != 16000 {
		t.Errorf("FIL-C2 once the deductible is met: %d, want 16000", l.InsuranceCents)
	}
}
