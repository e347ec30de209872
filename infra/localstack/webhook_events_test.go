package localstack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// send is one request with a JSON body as caller, through the stack;
// header is name, value pairs.
func (m *matrix) send(u identity.User, method, path, body string, header ...string) *httptest.ResponseRecorder {
	m.t.Helper()
	c := m.mint(u)
	req := httptest.NewRequest(method, "http://localhost:3000"+path, strings.NewReader(body))
	req.RemoteAddr = "10.1.2.3:4000"
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: authz.AccessCookie, Value: c.access})
	req.AddCookie(&http.Cookie{Name: authz.CSRFCookie, Value: c.csrf})
	req.Header.Set(authz.CSRFHeader, c.csrf)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	m.handler.ServeHTTP(rec, req)
	return rec
}

// A patient's record changed by the desk and a payment taken at the desk
// reach the endpoints subscribed to patient.updated and payment.succeeded,
// as the deployed patients and billing functions wire them: ids and field
// names, never a value of the record; the medical history's lists are
// named as one. A desk payment sent twice with the same key is one event.
func TestPatientAndPaymentEventsReachTheWebhooks(t *testing.T) {
	m := newMatrix(t)
	ctx := context.Background()
	clinic := m.clinicA.ID
	ep, err := m.webhooks.Create(ctx, clinic, webhooks.NewEndpoint{URL: "https://192.0.2.10/hook", Events: []string{webhooks.PatientUpdated, webhooks.PaymentSucceeded}})
	if err != nil {
		t.Fatal(err)
	}
	pt := m.patient(clinic)
	desk := m.callers["receptionist"]
	if rec := m.send(m.callers["dentist"], "PATCH", "/api/patients/"+pt, `{"phone":"+1 212 555 0199","allergies":[{"substance":"Latex","severity":"severe"}]}`); rec.Code != 200 {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	if rec := m.send(desk, "PATCH", "/api/patients/"+pt, `{"phone":"+1 212 555 0199"}`); rec.Code != 200 {
		t.Fatalf("unchanged patch: %d %s", rec.Code, rec.Body)
	}
	for range 2 {
		rec := m.send(desk, "POST", "/api/patients/"+pt+"/payments", `{"amountCents":2500,"method":"cash"}`, "Idempotency-Key", "webhook-events-1")
		if rec.Code != 201 && rec.Code != 200 {
			t.Fatalf("payment: %d %s", rec.Code, rec.Body)
		}
	}

	page, err := m.webhooks.Deliveries(ctx, clinic, ep.ID, "", store.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string][]map[string]any{}
	for _, stored := range page.Items {
		d := stored
		for _, secret := range []string{"Latex", "555", "severe", "Matrix"} {
			if strings.Contains(stored.Body, secret) {
				t.Errorf("%s body carries %q: %s", d.Type, secret, stored.Body)
			}
		}
		var body struct{ Data map[string]any }
		if err := json.Unmarshal([]byte(stored.Body), &body); err != nil {
			t.Fatal(err)
		}
		byType[d.Type] = append(byType[d.Type], body.Data)
	}
	if got := byType[webhooks.PatientUpdated]; len(got) != 1 || got[0]["patientId"] != pt ||
		!sameStrings(got[0]["changedFields"], "phone", "medicalHistory") {
		t.Errorf("patient.updated events: %v", got)
	}
	if got := byType[webhooks.PaymentSucceeded]; len(got) != 1 || got[0]["patientId"] != pt || got[0]["amountCents"] != float64(2500) || got[0]["method"] != "cash" {
		t.Errorf("payment.succeeded events: %v", got)
	}
}

// sameStrings reports whether v (a decoded JSON array) holds exactly want, in any order.
func sameStrings(v any, want ...string) bool {
	list, ok := v.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range list {
		s, _ := x.(string)
		seen[s] = true
	}
	for _, w := range want {
		if !seen[w] {
			return false
		}
	}
	return true
}
