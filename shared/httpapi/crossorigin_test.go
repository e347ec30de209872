package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Only the webhook routes skip the cross-origin check: a look-alike path,
// another method or any other route is still refused cross-site.
func TestOnlyWebhooksBypassTheCrossOriginCheck(t *testing.T) {
	h := CrossOrigin(slog.New(slog.NewTextHandler(io.Discard, nil)), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	cases := []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, "/api/webhooks/stripe", http.StatusNoContent},
		{http.MethodPost, "/api/webhooks/stripe/", http.StatusForbidden},
		{http.MethodPut, "/api/webhooks/stripe", http.StatusForbidden},
		{http.MethodPost, "/api/webhooks/stripex", http.StatusForbidden},
		{http.MethodPost, "/api/webhooks/twilio/status", http.StatusNoContent},
		{http.MethodPost, "/api/webhooks/twilio/inbound", http.StatusNoContent},
		{http.MethodPost, "/api/webhooks/twilio/inbound/", http.StatusForbidden},
		{http.MethodPost, "/api/webhooks/twilio", http.StatusForbidden},
		{http.MethodPost, "/api/inbox/abc/handle", http.StatusForbidden},
		{http.MethodPost, "/api/invoices/abc/payment-intent", http.StatusForbidden},
		{http.MethodPost, "/api/auth/login", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.path, nil)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
		})
	}
}
