package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/billing/insurance"
	"github.com/topsmile/topsmile/shared/billing/ledger"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/token"
)

// The demo's insurance: Jordan Avery's carrier, and a second plan the desk
// can put on a patient as a secondary.
var (
	demoPrimaryPlan = insurance.PlanInput{
		Carrier: insurance.Carrier{Name: "Northwind Dental", PayerID: "NWD01", Phone: "+18005550142"},
		Name:    "Northwind Dental PPO", GroupNumber: "RFD-2040", BenefitYearStartMonth: 1,
		Coverage: map[string]int{"diagnostic": 100, "preventive": 100, "basic": 80, "major": 50, "endo": 80, "perio": 80,
			"prosth": 50, "ortho": 50, "surgery": 80},
		Deductible:         insurance.Deductible{IndividualCents: 5000, FamilyCents: 15000, WaivedFor: []string{"diagnostic", "preventive"}},
		AnnualMaximumCents: 150000, OrthoLifetimeMaximumCents: 150000,
		Frequencies: []insurance.Frequency{{Codes: []string{"PRV-CLN"}, Count: 2, Per: "benefit_year"},
			{Codes: []string{"XR-PAN"}, Count: 1, Per: "years", Years: 5}},
		WaitingPeriods: []insurance.WaitingPeriod{{Category: "major", Months: 12}},
	}
	demoSecondaryPlan = insurance.PlanInput{
		Carrier: insurance.Carrier{Name: "Harbor Mutual", PayerID: "HBM22", Phone: "+18005550177"},
		Name:    "Harbor Mutual Dental Basic", GroupNumber: "HM-77310", BenefitYearStartMonth: 7,
		Coverage: map[string]int{"diagnostic": 100, "preventive": 100, "basic": 70, "major": 40, "endo": 50, "perio": 50,
			"prosth": 40, "surgery": 50},
		Deductible:         insurance.Deductible{IndividualCents: 7500, FamilyCents: 22500, WaivedFor: []string{"preventive"}},
		AnnualMaximumCents: 100000,
		Frequencies:        []insurance.Frequency{{Codes: []string{"PRV-CLN"}, Count: 2, Per: "benefit_year"}},
		WaitingPeriods:     []insurance.WaitingPeriod{{Category: "major", Months: 6}},
	}
	demoMemberID = "NWD-448812"
)

// Jordan's visits: a recall with the first quadrant of scaling, the second
// quadrant, a limited exam of a sensitive tooth, and fluoride after the
// scaling. Each charge is known again by its code and description, so a
// second seed finds it posted.
var (
	demoRecall = []ledger.ChargeInput{
		{Code: "EX-PER", Description: "Periodic oral evaluation"},
		{Code: "XR-BW2", Description: "Bitewing images, two"},
		{Code: "PRV-CLN", Description: "Adult cleaning and polish"},
		{Code: "PER-SRP", Description: "Deep cleaning below the gumline, lower left quadrant"},
	}
	demoScaling  = []ledger.ChargeInput{{Code: "PER-SRP", Description: "Deep cleaning below the gumline, upper right quadrant"}}
	demoLimited  = []ledger.ChargeInput{{Code: "EX-LIM", Description: "Limited evaluation of a specific problem"}, {Code: "XR-PA", Tooth: "18", Description: "Single periapical image"}}
	demoFluoride = []ledger.ChargeInput{{Code: "PRV-FLU", Description: "Fluoride varnish"}}
	demoDeskRef  = "Terminal receipt 0419"
	demoEOBRef   = "Northwind EOB 7730-2291"
)

// demoEOB is what Northwind paid of the recall, line by line: diagnostic and
// preventive in full (the deductible is waived for them), the scaling at
// 80% after the $50 deductible.
var demoEOB = []struct {
	paid, deductible int64
}{{5500, 0}, {6000, 0}, {10500, 0}, {13600, 5000}}

// SeedBilling gives the demo clinic's patient Jordan Avery his insurance
// and about a hundred days of his account, through the billing function's
// own routes as the front desk would post them, each on the day it
// happened (the function runs on a clock of its own, set to each moment):
// the two plans, his primary coverage from a year ago, four visits' charges
// (98, 69, 40 and 12 days ago, so the aging shows every bucket), an invoice
// of the first visit paid in part at the desk and then by his insurer's
// EOB, its rest still open for the portal's Pay. Bootstrap calls it on the
// first seed; it finds what it made before by name, code and reference, so
// running it again adds nothing.
func SeedBilling(ctx context.Context, d Deps, clinicID string) error {
	users := identity.NewStore(d.Mongo, d.Clock)
	clinic, err := users.Clinic(ctx, clinicID)
	if err != nil {
		return err
	}
	frontDesk, err := users.UserByEmail(ctx, demoDeskEmail())
	if err != nil {
		return fmt.Errorf("the demo front desk: %w", err)
	}
	portal, err := users.UserByEmail(ctx, DevPatientEmail)
	if err != nil {
		return fmt.Errorf("the demo patient: %w", err)
	}
	if frontDesk.ClinicID != clinicID || portal.ClinicID != clinicID || portal.PatientID == "" {
		return fmt.Errorf("the demo front desk and patient are not of clinic %s", clinicID)
	}
	jordan, err := patients.NewStore(d.Mongo, d.Clock).Get(ctx, clinicID, portal.PatientID)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(clinic.Settings.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	y, m, day := d.Clock.Now().In(loc).Date()
	// daysAgo is a moment of the clinic's day n days before today.
	daysAgo := func(n, hour, minute int) time.Time { return time.Date(y, m, day-n, hour, minute, 0, 0, loc) }
	s, err := newSeedDesk(d, frontDesk)
	if err != nil {
		return err
	}
	defer s.close()

	effective := time.Date(y-1, m, day, 9, 0, 0, 0, loc)
	planIDs, err := s.plans(ctx, effective.AddDate(0, 0, -30), demoPrimaryPlan, demoSecondaryPlan)
	if err != nil {
		return err
	}
	pp := "/api/patients/" + jordan.ID
	s.at(effective)
	var covs struct{ Items []insurance.Coverage }
	if err := s.do(ctx, http.MethodGet, pp+"/coverage", nil, &covs, http.StatusOK); err != nil {
		return err
	}
	i := slices.IndexFunc(covs.Items, func(c insurance.Coverage) bool { return c.PlanID == planIDs[0] && c.Priority == "primary" })
	var coverageID string
	if i >= 0 {
		coverageID = covs.Items[i].ID
	} else {
		var c insurance.Coverage
		err := s.do(ctx, http.MethodPost, pp+"/coverage", insurance.CoverageInput{PlanID: planIDs[0], Priority: "primary",
			Subscriber:   insurance.Subscriber{Name: jordan.FirstName + " " + jordan.LastName, DateOfBirth: jordan.DateOfBirth, PatientID: jordan.ID},
			Relationship: "self", MemberID: demoMemberID, EffectiveDate: effective.Format(time.DateOnly)}, &c, http.StatusCreated)
		if err != nil {
			return err
		}
		coverageID = c.ID
	}

	a, err := s.account(ctx, jordan.ID)
	if err != nil {
		return err
	}
	recall, err := a.visit(ctx, daysAgo(98, 9, 0), demoRecall)
	if err != nil {
		return err
	}
	invoiceID, err := a.invoiceOf(ctx, daysAgo(98, 10, 15), recall[0])
	if err != nil {
		return err
	}
	if err := a.pay(ctx, daysAgo(98, 10, 20), demoDeskRef, map[string]any{"amountCents": 5000, "method": ledger.MethodCardTerminal,
		"invoiceId": invoiceID}); err != nil {
		return err
	}
	lines := make([]map[string]any, len(recall))
	var paid int64
	for i, id := range recall {
		lines[i] = map[string]any{"entryId": id, "paidCents": demoEOB[i].paid, "deductibleCents": demoEOB[i].deductible}
		paid += demoEOB[i].paid
	}
	if err := a.pay(ctx, daysAgo(84, 14, 0), demoEOBRef, map[string]any{"amountCents": paid, "method": ledger.MethodInsurance,
		"invoiceId": invoiceID, "coverageId": coverageID, "lines": lines}); err != nil {
		return err
	}
	for _, v := range []struct {
		at      time.Time
		charges []ledger.ChargeInput
	}{{daysAgo(69, 15, 30), demoScaling}, {daysAgo(40, 11, 0), demoLimited}, {daysAgo(12, 9, 30), demoFluoride}} {
		if _, err := a.visit(ctx, v.at, v.charges); err != nil {
			return err
		}
	}
	return nil
}

// demoDeskEmail is the seeded receptionist's login.
func demoDeskEmail() string {
	for _, u := range demoStaff {
		if u.Role == identity.RoleReceptionist {
			return u.Email
		}
	}
	return ""
}

// seedDesk calls the billing function in-process as the demo front desk, at
// the moment its clock is set to. It signs the access token each request
// carries with the function's own keys, on that clock: the token names no
// stored session and has expired (it lives minutes of a past day) before
// anyone but this process could hold it.
type seedDesk struct {
	api   http.Handler
	keys  *token.Keys
	clock *clock.Fake
	user  identity.User
	// session is the id the tokens and the CSRF token are bound to.
	session string
	close   func()
}

func newSeedDesk(d Deps, u identity.User) (*seedDesk, error) {
	then := clock.NewFake(d.Clock.Now())
	own := d
	own.Clock = then
	app, err := Functions["BillingFunction"](own)
	if err != nil {
		return nil, err
	}
	var tc token.Config
	if err := config.LoadFrom(d.Env, &tc); err != nil {
		app.Close()
		return nil, err
	}
	keys, err := token.NewKeys(tc, then)
	if err != nil {
		app.Close()
		return nil, err
	}
	return &seedDesk{api: app.Handler, keys: keys, clock: then, user: u, session: ids.New(), close: app.Close}, nil
}

// at sets the moment the next requests happen at.
func (s *seedDesk) at(t time.Time) { s.clock.Set(t) }

// seedRequestTimeout bounds each seeding request.
const seedRequestTimeout = 10 * time.Second

// do sends body (nil: none) as JSON and decodes the answer into out (nil:
// not read); an answer other than want is an error.
func (s *seedDesk) do(ctx context.Context, method, path string, body, out any, want int) error {
	ctx, cancel := context.WithTimeout(ctx, seedRequestTimeout)
	defer cancel()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://localhost"+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	access, _, err := s.keys.IssueAccess(token.Subject{UserID: s.user.ID, Role: string(s.user.Role), ClinicID: s.user.ClinicID, SessionID: s.session})
	if err != nil {
		return err
	}
	csrf := s.keys.CSRF(s.session)
	req.RemoteAddr = "127.0.0.1:0"
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(authz.CSRFHeader, csrf)
	req.AddCookie(&http.Cookie{Name: authz.AccessCookie, Value: access})
	req.AddCookie(&http.Cookie{Name: authz.CSRFCookie, Value: csrf})
	rec := httptest.NewRecorder()
	s.api.ServeHTTP(rec, req)
	if rec.Code != want {
		return fmt.Errorf("seed %s %s: %d %s", method, path, rec.Code, bytes.TrimSpace(rec.Body.Bytes()))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rec.Body.Bytes(), out)
}

// plans are the ids of the plans named like want, each created at at when
// the clinic has none of that name.
func (s *seedDesk) plans(ctx context.Context, at time.Time, want ...insurance.PlanInput) ([]string, error) {
	s.at(at)
	var list struct{ Items []insurance.Plan }
	if err := s.do(ctx, http.MethodGet, "/api/insurance/plans", nil, &list, http.StatusOK); err != nil {
		return nil, err
	}
	out := make([]string, len(want))
	for i, in := range want {
		if j := slices.IndexFunc(list.Items, func(p insurance.Plan) bool { return p.Name == in.Name }); j >= 0 {
			out[i] = list.Items[j].ID
			continue
		}
		var p insurance.Plan
		if err := s.do(ctx, http.MethodPost, "/api/insurance/plans", in, &p, http.StatusCreated); err != nil {
			return nil, err
		}
		out[i] = p.ID
	}
	return out, nil
}

// account is one patient's ledger as the seed found it.
type account struct {
	*seedDesk
	patientID string
	entries   []ledger.Entry
}

func (s *seedDesk) account(ctx context.Context, patientID string) (*account, error) {
	var l ledger.Ledger
	if err := s.do(ctx, http.MethodGet, "/api/patients/"+patientID+"/ledger", nil, &l, http.StatusOK); err != nil {
		return nil, err
	}
	return &account{seedDesk: s, patientID: patientID, entries: l.Items}, nil
}

// visit posts the charges of a visit at at, those not posted before, and
// answers every charge's entry id.
func (a *account) visit(ctx context.Context, at time.Time, charges []ledger.ChargeInput) ([]string, error) {
	a.at(at)
	out := make([]string, len(charges))
	for i, c := range charges {
		j := slices.IndexFunc(a.entries, func(e ledger.Entry) bool {
			return e.Kind == core.KindCharge && e.Code == c.Code && e.Description == c.Description
		})
		if j >= 0 {
			out[i] = a.entries[j].ID
			continue
		}
		var e ledger.Entry
		if err := a.do(ctx, http.MethodPost, "/api/patients/"+a.patientID+"/charges", c, &e, http.StatusCreated); err != nil {
			return nil, err
		}
		a.entries = append(a.entries, e)
		out[i] = e.ID
	}
	return out, nil
}

// invoiceOf is the invoice that holds charge entryID, made at at (of every
// charge not yet invoiced) when none does.
func (a *account) invoiceOf(ctx context.Context, at time.Time, entryID string) (string, error) {
	a.at(at)
	var list struct{ Items []ledger.Invoice }
	if err := a.do(ctx, http.MethodGet, "/api/invoices?patientId="+a.patientID, nil, &list, http.StatusOK); err != nil {
		return "", err
	}
	for _, inv := range list.Items {
		for _, l := range inv.Lines {
			if l.EntryID == entryID && inv.Status != core.InvoiceVoid {
				return inv.ID, nil
			}
		}
	}
	var inv ledger.Invoice
	if err := a.do(ctx, http.MethodPost, "/api/invoices", ledger.InvoiceInput{PatientID: a.patientID}, &inv, http.StatusCreated); err != nil {
		return "", err
	}
	return inv.ID, nil
}

// pay posts payment body with reference ref at at, unless a payment of
// that reference is on the ledger.
func (a *account) pay(ctx context.Context, at time.Time, ref string, body map[string]any) error {
	if slices.ContainsFunc(a.entries, func(e ledger.Entry) bool { return e.Reference == ref }) {
		return nil
	}
	body["reference"] = ref
	a.at(at)
	var out ledger.PaymentAnswer
	if err := a.do(ctx, http.MethodPost, "/api/patients/"+a.patientID+"/payments", body, &out, http.StatusCreated); err != nil {
		return err
	}
	a.entries = append(a.entries, out.Payment)
	return nil
}
