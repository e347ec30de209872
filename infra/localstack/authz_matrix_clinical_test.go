package localstack_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
)

// clinicalTarget fills a clinical route's ids with a real resource of clinic,
// made through the API by a dentist of that clinic: of the caller's own
// patient record when the caller is a patient of that clinic, so a patient
// allowed on the route reaches the handler with their own resource.
func (m *matrix) clinicalTarget(path string, caller identity.User, clinic string) string {
	m.t.Helper()
	patientID := m.patient(clinic)
	if caller.PatientID != "" && caller.ClinicID == clinic {
		patientID = caller.PatientID
	}
	dentist := m.mint(m.staffOf(clinic, identity.RoleDentist))
	pp := "/api/patients/" + patientID
	var id, itemID string
	switch {
	case strings.HasPrefix(path, "/api/perio-exams/{id}"):
		id = m.create(&dentist, pp+"/perio-exams", map[string]any{"teeth": []any{map[string]any{"tooth": "3", "sites": []any{
			map[string]any{"site": "MB", "depth": 3, "margin": 0}}}}})["id"].(string)
	case strings.HasPrefix(path, "/api/treatment-plans/{id}"):
		admin := m.mint(m.staffOf(clinic, identity.RoleAdmin))
		code := "MX-" + strings.ToUpper(ids.New()[16:])
		m.create(&admin, "/api/procedure-codes", map[string]any{"code": code, "description": "Matrix exam", "category": "diagnostic", "feeCents": 5000})
		plan := m.create(&dentist, pp+"/treatment-plans", map[string]any{"title": "Matrix plan", "items": []any{map[string]any{"code": code}}})
		id = plan["id"].(string)
		itemID = plan["items"].([]any)[0].(map[string]any)["id"].(string)
		// Presented, so a patient may see, accept or reject it.
		m.create(&dentist, "/api/treatment-plans/"+id+"/present", map[string]any{})
	case strings.HasPrefix(path, "/api/notes/{id}"):
		// Drafts are their author's: the caller's own, when the caller
		// charts in this clinic.
		author := dentist
		if caller.ClinicID == clinic && slices.Contains([]identity.Role{identity.RoleAdmin, identity.RoleDentist, identity.RoleHygienist, identity.RoleAssistant}, caller.Role) {
			author = m.mint(caller)
		}
		id = m.create(&author, pp+"/notes", map[string]any{"type": "progress", "body": "Matrix note"})["id"].(string)
	case strings.HasPrefix(path, "/api/prescriptions/{id}"):
		id = m.create(&dentist, pp+"/prescriptions", map[string]any{"drug": "Chlorhexidine", "strength": "0.12%", "form": "rinse",
			"sig": "Rinse twice daily", "quantity": 1, "refills": 0, "reason": "Matrix"})["id"].(string)
	case strings.HasPrefix(path, "/api/documents/{id}"):
		// Declared, not uploaded: complete answers 409, get 409, archive 200.
		id = m.create(&dentist, pp+"/documents", map[string]any{"kind": "xray", "fileName": "bw.jpg", "contentType": "image/jpeg", "size": 1000})["id"].(string)
	case strings.HasPrefix(path, "/api/consent-templates/{id}"):
		admin := m.mint(m.staffOf(clinic, identity.RoleAdmin))
		id = m.create(&admin, "/api/consent-templates", map[string]any{"title": "Matrix form", "kind": "other", "body": "Matrix text."})["id"].(string)
	case strings.HasPrefix(path, "/api/consents/{id}"):
		admin := m.mint(m.staffOf(clinic, identity.RoleAdmin))
		tpl := m.create(&admin, "/api/consent-templates", map[string]any{"title": "Matrix form", "kind": "other", "body": "Matrix text."})["id"].(string)
		id = m.create(&dentist, pp+"/consents", map[string]any{"templateId": tpl})["id"].(string)
	}
	path = strings.Replace(path, "{id}", id, 1)
	return strings.Replace(path, "{itemId}", itemID, 1)
}

// fixtureStaff are the users who make the fixtures, one per clinic and
// role (accounts hash a password: not one per cell).
var fixtureStaff = map[string]identity.User{}

func (m *matrix) staffOf(clinic string, role identity.Role) identity.User {
	key := clinic + "/" + string(role)
	if u, ok := fixtureStaff[key]; ok {
		return u
	}
	u := m.user(clinic, role)
	fixtureStaff[key] = u
	return u
}

// create sends body as c and returns the decoded answer, failing unless
// the request succeeded.
func (m *matrix) create(c *creds, path string, body any) map[string]any {
	m.t.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, "http://localhost:3000"+path, bytes.NewReader(b))
	req.RemoteAddr = "10.1.2.3:4000"
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: authz.AccessCookie, Value: c.access})
	req.AddCookie(&http.Cookie{Name: authz.CSRFCookie, Value: c.csrf})
	req.Header.Set(authz.CSRFHeader, c.csrf)
	rec := httptest.NewRecorder()
	m.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
		m.t.Fatalf("matrix fixture POST %s: %d %s", path, rec.Code, rec.Body)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		m.t.Fatalf("matrix fixture POST %s: %v", path, err)
	}
	return out
}
