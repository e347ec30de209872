package cards

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/billing/cards/cardstest"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/errs"
)

type intentAnswer struct {
	ClientSecret    string `json:"clientSecret"`
	PaymentIntentID string `json:"paymentIntentId"`
}

func mustIntent(t testing.TB, cl *apitest.Client, invoiceID string) intentAnswer {
	t.Helper()
	var out intentAnswer
	cl.MustJSON(t, "POST", intentPath(invoiceID), nil, http.StatusOK, &out)
	if out.PaymentIntentID == "" || out.ClientSecret == "" {
		t.Fatalf("answer %+v: want an intent id and a client secret", out)
	}
	return out
}

func TestStripeMock(t *testing.T) {
	base := cardstest.StripeMock(t)
	s := New(Config{SecretKey: cardstest.SecretKey, APIBase: base, Timeout: 5 * time.Second})
	e := newEnv(t, s)
	desk := e.Caller(t, "receptionist")
	pat := e.mustPatient(t, "")
	ctx := context.Background()

	inv := e.invoice(pat.ID, "", 15_000)
	first := mustIntent(t, desk, inv.ID)
	if !strings.HasPrefix(first.PaymentIntentID, "pi_") {
		t.Fatalf("intent id %q", first.PaymentIntentID)
	}
	t.Run("the same invoice and balance reuse the intent we recorded", func(t *testing.T) {
		// stripe-mock ignores idempotency keys (it answers a new id for
		// every create): only our record makes this the same intent.
		if again := mustIntent(t, desk, inv.ID); again.PaymentIntentID != first.PaymentIntentID {
			t.Errorf("second click: intent %s, want %s", again.PaymentIntentID, first.PaymentIntentID)
		}
		rec, err := e.Store.Intent(ctx, first.PaymentIntentID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.ClinicID != e.Clinic.ID || rec.InvoiceID != inv.ID || rec.PatientID != pat.ID || rec.AmountCents != 15_000 || rec.Status != IntentCreated {
			t.Errorf("record %+v", rec)
		}
	})
	t.Run("a new balance is a new intent", func(t *testing.T) {
		inv.BalanceCents, inv.Version = 10_000, 2
		e.Post.put(e.Clinic.ID, inv)
		next := mustIntent(t, desk, inv.ID)
		if next.PaymentIntentID == first.PaymentIntentID {
			t.Fatal("a changed balance reused the old intent")
		}
		if rec, _ := e.Store.Intent(ctx, next.PaymentIntentID); rec.AmountCents != 10_000 {
			t.Errorf("record of the new intent: %+v", rec)
		}
	})
	t.Run("refund through Stripe", func(t *testing.T) {
		id, err := s.Refund(ctx, first.PaymentIntentID, 5_000, "refund:"+first.PaymentIntentID+":0")
		if err != nil || !strings.HasPrefix(id, "re_") {
			t.Fatalf("refund: %q, %v", id, err)
		}
		if id, err := s.Refund(ctx, first.PaymentIntentID, 0, "refund:"+first.PaymentIntentID+":5000"); err != nil || id == "" {
			t.Fatalf("refund of the rest: %q, %v", id, err)
		}
		refunds, err := s.RefundsOf(ctx, "ch_anything")
		if err != nil || len(refunds) == 0 {
			t.Fatalf("refunds of a charge: %d, %v", len(refunds), err)
		}
	})
	t.Run("Stripe unreachable is 503", func(t *testing.T) {
		dead := New(Config{SecretKey: cardstest.SecretKey, APIBase: "http://127.0.0.1:1", Timeout: time.Second})
		if _, err := dead.Intent(ctx, core.IntentInput{AmountCents: 100, IdempotencyKey: "x"}); !errs.Is(err, errs.Unavailable) {
			t.Errorf("intent: %v, want unavailable", err)
		}
		if _, err := dead.Refund(ctx, "pi_x", 0, "x"); !errs.Is(err, errs.Unavailable) {
			t.Errorf("refund: %v, want unavailable", err)
		}
	})
}

func TestPaymentIntentRules(t *testing.T) {
	e := newEnv(t, &fakeCards{})
	guarantor := e.mustPatient(t, "")
	child := e.mustPatient(t, guarantor.ID)
	other := e.mustPatient(t, "")
	childInv, otherInv := e.invoice(child.ID, guarantor.ID, 5_000), e.invoice(other.ID, "", 5_000)
	paid := e.invoice(other.ID, "", 0)
	paid.Status = core.InvoicePaid
	e.Post.put(e.Clinic.ID, paid)
	void := e.invoice(other.ID, "", 5_000)
	void.Status = core.InvoiceVoid
	e.Post.put(e.Clinic.ID, void)
	empty := e.invoice(other.ID, "", 0)

	e.SetCaller("guarantor", e.portal(t, guarantor))
	e.SetCaller("child", e.portal(t, child))
	e.Run(t, []apitest.Case{
		{Name: "the desk", As: "receptionist", Method: "POST", Path: intentPath(otherInv.ID), Status: 200,
			Want: map[string]any{"clientSecret": apitest.Present, "paymentIntentId": apitest.Present}},
		{Name: "an admin", As: "admin", Method: "POST", Path: intentPath(otherInv.ID), Status: 200},
		{Name: "the patient's own", As: "child", Method: "POST", Path: intentPath(childInv.ID), Status: 200},
		{Name: "the guarantor of the family", As: "guarantor", Method: "POST", Path: intentPath(childInv.ID), Status: 200},
		{Name: "another patient's is 404", As: "child", Method: "POST", Path: intentPath(otherInv.ID), Status: 404},
		{Name: "a dentist may not", As: "dentist", Method: "POST", Path: intentPath(otherInv.ID), Status: 403},
		{Name: "no such invoice", As: "receptionist", Method: "POST", Path: intentPath("6b0f7c0a838c1f98e50d3a28"), Status: 404},
		{Name: "a malformed id", As: "receptionist", Method: "POST", Path: intentPath("nope"), Status: 404},
		{Name: "paid is 409", As: "receptionist", Method: "POST", Path: intentPath(paid.ID), Status: 409},
		{Name: "void is 409", As: "receptionist", Method: "POST", Path: intentPath(void.ID), Status: 409},
		{Name: "nothing left to pay is 409", As: "receptionist", Method: "POST", Path: intentPath(empty.ID), Status: 409},
		{Name: "signed out", Method: "POST", Path: intentPath(otherInv.ID), Status: 401},
		{Name: "config with a processor", As: "child", Method: "GET", Path: "/api/billing/config", Status: 200,
			Want: map[string]any{"cards": "test", "publishableKey": ""}},
	})
	t.Run("two racing first clicks answer one intent", func(t *testing.T) {
		// The fake answers a new id for every create, as stripe-mock does:
		// only the record's unique key makes them one.
		inv := e.invoice(other.ID, "", 2_500)
		desk := e.Caller(t, "receptionist")
		got := make([]string, 6)
		var wg sync.WaitGroup
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var out intentAnswer
				if r := desk.Do(t, "POST", intentPath(inv.ID), nil); r.Status == 200 {
					_ = json.Unmarshal(r.Body, &out)
				}
				got[i] = out.PaymentIntentID
			}()
		}
		wg.Wait()
		for _, id := range got {
			if id == "" || id != got[0] {
				t.Fatalf("intents answered %v, want one", got)
			}
		}
	})
	if n := len(e.trail(t, actionIntent)); n != 10 {
		t.Errorf("%d %s records, want one per intent answered (10)", n, actionIntent)
	}

	t.Run("no processor", func(t *testing.T) {
		off := newEnv(t, nil)
		pat := off.mustPatient(t, "")
		inv := off.invoice(pat.ID, "", 5_000)
		off.Run(t, []apitest.Case{
			{Name: "intent is 503", As: "receptionist", Method: "POST", Path: intentPath(inv.ID), Status: 503},
			{Name: "config says off", As: "dentist", Method: "GET", Path: "/api/billing/config", Status: 200,
				Want: map[string]any{"cards": "off", "publishableKey": ""}},
		})
	})
}

func TestConfig(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		mode    string
		secrets []string
		pub     string
	}{
		{"nothing set", map[string]string{}, ModeOff, nil, ""},
		{"publishable key alone is still off", map[string]string{"STRIPE_PUBLISHABLE_KEY": "pk_test_1"}, ModeOff, nil, ""},
		{"test key", map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_PUBLISHABLE_KEY": "pk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_a"},
			ModeTest, []string{"whsec_a"}, "pk_test_1"},
		{"stripe-mock with any key", map[string]string{"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_API_BASE": "http://127.0.0.1:12111"}, ModeTest, nil, ""},
		{"live key, two secrets in rotation", map[string]string{"STRIPE_SECRET_KEY": "sk_live_1", "STRIPE_PUBLISHABLE_KEY": "pk_live_1",
			"STRIPE_WEBHOOK_SECRET": " whsec_a , whsec_b,"}, ModeLive, []string{"whsec_a", "whsec_b"}, "pk_live_1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cfg Config
			if err := config.LoadFrom(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }, &cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.Mode() != c.mode || strings.Join(cfg.Secrets(), ",") != strings.Join(c.secrets, ",") || cfg.Timeout != 8*time.Second {
				t.Errorf("mode %q secrets %q timeout %s", cfg.Mode(), cfg.Secrets(), cfg.Timeout)
			}
			if p := publicOf(cfg.Processor()); p.Cards != c.mode || p.PublishableKey != c.pub {
				t.Errorf("billing/config %+v, want %s %q", p, c.mode, c.pub)
			}
			if red := config.Redacted(cfg).String(); strings.Contains(red, "sk_") || strings.Contains(red, "whsec_") {
				t.Errorf("secrets in the logged config: %s", red)
			}
		})
	}
}

func TestProcessorErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want errs.Kind
	}{
		{"not reached", errors.New("dial tcp: connection refused"), errs.Unavailable},
		{"Stripe down", &stripe.Error{HTTPStatusCode: 502, Type: stripe.ErrorTypeAPI}, errs.Unavailable},
		{"throttled", &stripe.Error{HTTPStatusCode: 429, Type: stripe.ErrorTypeInvalidRequest, Code: stripe.ErrorCodeRateLimit}, errs.Unavailable},
		{"our key revoked", &stripe.Error{HTTPStatusCode: 401, Type: stripe.ErrorTypeInvalidRequest}, errs.Unavailable},
		{"same key in flight", &stripe.Error{HTTPStatusCode: 409, Type: stripe.ErrorTypeIdempotency}, errs.Conflict},
		{"card declined", &stripe.Error{HTTPStatusCode: 402, Type: stripe.ErrorTypeCard, Code: stripe.ErrorCodeCardDeclined}, errs.Unprocessable},
		{"amount too small", &stripe.Error{HTTPStatusCode: 400, Type: stripe.ErrorTypeInvalidRequest, Code: stripe.ErrorCodeAmountTooSmall}, errs.Unprocessable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := processorError(c.err); !errs.Is(err, c.want) {
				t.Fatalf("%v: kind %s, want %s", err, errs.KindOf(err), c.want)
			}
		})
	}
}
