package localstack_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/billing/cards"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

const (
	payToken  = "dev-token-for-stripe-pay"
	paySecret = "whsec_dev_first"
)

// fakeStripeWebhook verifies what it is delivered as the real webhook does
// and keeps the events, answering status.
type fakeStripeWebhook struct {
	mu     sync.Mutex
	events []stripe.Event
	status int
}

func (f *fakeStripeWebhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ev, err := webhook.ConstructEventWithOptions(body, r.Header.Get("Stripe-Signature"), paySecret,
		webhook.ConstructEventOptions{Tolerance: cards.Tolerance})
	if err != nil {
		http.Error(w, `{"error":{"code":"invalid"}}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.events = append(f.events, ev)
	f.mu.Unlock()
	w.WriteHeader(f.status)
	_, _ = w.Write([]byte(`{"received":true}`))
}

func (f *fakeStripeWebhook) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events)
}

func TestDevStripePay(t *testing.T) {
	s := cards.NewStore(storetest.NewMongo(t), clock.Real{})
	ctx := context.Background()
	mustIntent := func(t *testing.T, status string) cards.IntentRecord {
		t.Helper()
		rec := cards.IntentRecord{ID: "pi_" + ids.New(), ClinicID: ids.New(), InvoiceID: ids.New(), PatientID: ids.New(),
			AmountCents: 12_345, Currency: "USD", Key: ids.New(), Status: status}
		if err := s.Record(ctx, rec); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	open, paid := mustIntent(t, cards.IntentCreated), mustIntent(t, cards.IntentSucceeded)
	hook := &fakeStripeWebhook{status: http.StatusOK}
	h := localstack.DevStripePay(s, []string{paySecret, "whsec_dev_second"}, payToken, hook, httpapi.NewLogger(io.Discard, nil))

	cases := []struct {
		name      string
		headers   map[string]string
		intent    string
		status    int
		delivered bool
	}{
		{"the dev token", map[string]string{localstack.HeaderDevToken: payToken}, open.ID, 200, true},
		{"a same-origin browser request", map[string]string{"Sec-Fetch-Site": "same-origin"}, open.ID, 200, true},
		{"a cross-site request", map[string]string{"Sec-Fetch-Site": "cross-site"}, open.ID, 401, false},
		{"no token, no browser", nil, open.ID, 401, false},
		{"a wrong token, even same-origin", map[string]string{localstack.HeaderDevToken: "guess", "Sec-Fetch-Site": "same-origin"}, open.ID, 403, false},
		{"an intent we never created", map[string]string{"Sec-Fetch-Site": "same-origin"}, "pi_" + ids.New(), 404, false},
		{"an intent already paid", map[string]string{"Sec-Fetch-Site": "same-origin"}, paid.ID, 409, false},
		{"not an intent id", map[string]string{localstack.HeaderDevToken: payToken}, "ch_123", 400, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := hook.count()
			w := pay(h, c.intent, c.headers)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if got := hook.count() - before; got != map[bool]int{true: 1, false: 0}[c.delivered] {
				t.Fatalf("%d events delivered", got)
			}
			if !c.delivered {
				return
			}
			hook.mu.Lock()
			ev := hook.events[len(hook.events)-1]
			hook.mu.Unlock()
			var pi stripe.PaymentIntent
			if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
				t.Fatal(err)
			}
			if ev.Type != cards.EventSucceeded || ev.APIVersion != "2023-10-16" || pi.ID != open.ID || pi.Amount != 12_345 ||
				pi.Currency != "usd" || pi.Metadata["invoiceId"] != open.InvoiceID || !strings.HasPrefix(ev.ID, "evt_") ||
				time.Since(time.Unix(ev.Created, 0)) > time.Minute {
				t.Errorf("event %s %s %s: %+v", ev.ID, ev.Type, ev.APIVersion, pi)
			}
		})
	}
	t.Run("the webhook's answer is the answer", func(t *testing.T) {
		hook.status = http.StatusServiceUnavailable
		defer func() { hook.status = http.StatusOK }()
		if w := pay(h, open.ID, map[string]string{localstack.HeaderDevToken: payToken}); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want the webhook's 503", w.Code)
		}
	})
	t.Run("no webhook secret is 503", func(t *testing.T) {
		none := localstack.DevStripePay(s, nil, payToken, hook, httpapi.NewLogger(io.Discard, nil))
		if w := pay(none, open.ID, map[string]string{localstack.HeaderDevToken: payToken}); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", w.Code)
		}
	})
}

func pay(h http.Handler, intentID string, headers map[string]string) *httptest.ResponseRecorder {
	body, _ := json.Marshal(map[string]string{"paymentIntentId": intentID})
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:3000/_dev/stripe/pay", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
