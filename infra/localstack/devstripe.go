package localstack

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/topsmile/topsmile/shared/billing/cards"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
)

// DevStripePayPath is the dev endpoint that plays Stripe's part of a card
// payment.
const DevStripePayPath = "POST /_dev/stripe/pay"

// devStripeAPIVersion is the API version of the events it makes: the one
// stripe-go v76 is pinned to.
const devStripeAPIVersion = "2023-10-16"

// maxDevPayBody bounds the request ({"paymentIntentId"}).
const maxDevPayBody = 4 << 10

// DevStripePay is POST /_dev/stripe/pay {"paymentIntentId"}: offline,
// Stripe.js cannot load and stripe-mock sends no webhooks, so this plays
// Stripe's part after a payer presses Pay. It finds the intent in our
// records (intents), makes the payment_intent.succeeded event Stripe would
// send (API version 2023-10-16, the record's amount, currency and
// metadata.invoiceId), signs it with the first webhook secret and hands it
// to webhook (the stripe-webhook function's handler) in-process, answering
// what the webhook answered. The webhook then posts the payment and marks
// the intent paid, exactly as for a real delivery.
//
// It answers a request with the right X-Dev-Token, or a same-origin browser
// request (Sec-Fetch-Site: same-origin) naming an intent that exists and is
// not yet paid, so the SPA's test-mode pay screen can call it without the
// dev token. That is no weaker than Stripe's own model: there, whoever
// holds an intent's client secret (which the pay route hands only to the
// desk and to the invoice's own patient or guarantor) can confirm it with
// the public publishable key, and in test mode with a test card that
// always succeeds. Here the intent id, handed out by the same route, plays
// the client secret's part, and test mode is all the local stack ever runs.
// Paying moves no one's money to the caller: it can only settle an open
// invoice once (a paid intent is refused, and the ledger posts one payment
// an intent). Sec-Fetch-Site is set by the browser and no page script can
// change it, so another site cannot make a visitor's browser pay; a
// non-browser client can send it, and learns nothing by doing so. The
// local stack's host check (ownHosts) stands in front, and no Lambda
// mounts this.
func DevStripePay(intents *cards.Store, webhookSecrets []string, devToken string, webhook http.Handler, log *slog.Logger) http.Handler {
	want := sha256.Sum256([]byte(devToken))
	tokenOK := func(r *http.Request) (sent, ok bool) {
		v := r.Header.Get(HeaderDevToken)
		got := sha256.Sum256([]byte(v))
		return v != "", v != "" && devToken != "" && subtle.ConstantTimeCompare(got[:], want[:]) == 1
	}
	fail := func(w http.ResponseWriter, r *http.Request, err error) { httpapi.WriteError(w, r, log, err) }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, ok := tokenOK(r)
		switch {
		case sent && !ok:
			fail(w, r, errs.E(errs.Forbidden, "wrong %s", HeaderDevToken))
			return
		case !ok && r.Header.Get("Sec-Fetch-Site") != "same-origin":
			fail(w, r, errs.E(errs.Unauthorized, "dev stripe pay needs the %s header or a same-origin request from the app", HeaderDevToken))
			return
		}
		var in struct {
			PaymentIntentID string `json:"paymentIntentId"`
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxDevPayBody)
		if err := httpapi.Decode(w, r, &in); err != nil {
			fail(w, r, err)
			return
		}
		if !strings.HasPrefix(in.PaymentIntentID, "pi_") || len(in.PaymentIntentID) > 255 {
			fail(w, r, errs.InvalidFields(errs.FieldError{Field: "paymentIntentId", Message: "must be a payment intent id (pi_…)"}))
			return
		}
		rec, err := intents.Intent(r.Context(), in.PaymentIntentID)
		switch {
		case err != nil:
			fail(w, r, err)
			return
		case rec.Status == cards.IntentSucceeded:
			fail(w, r, errs.E(errs.Conflict, "the payment intent is already paid"))
			return
		case len(webhookSecrets) == 0:
			fail(w, r, errs.E(errs.Unavailable, "no STRIPE_WEBHOOK_SECRET to sign the event with"))
			return
		}
		body, err := devSucceededEvent(rec, time.Now())
		if err != nil {
			fail(w, r, errs.Wrap(errs.Internal, err, "internal error"))
			return
		}
		delivery, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "/api/webhooks/stripe", bytes.NewReader(body))
		if err != nil {
			fail(w, r, errs.Wrap(errs.Internal, err, "internal error"))
			return
		}
		delivery.Host, delivery.RemoteAddr = r.Host, r.RemoteAddr
		delivery.Header.Set("Content-Type", "application/json")
		delivery.Header.Set("Stripe-Signature", cards.SignatureHeader(webhookSecrets[0], body, time.Now()))
		got := httptest.NewRecorder()
		webhook.ServeHTTP(got, delivery)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(got.Code)
		_, _ = w.Write(got.Body.Bytes())
	})
}

// devSucceededEvent is the payment_intent.succeeded Stripe would send for
// intent rec.
func devSucceededEvent(rec cards.IntentRecord, now time.Time) ([]byte, error) {
	currency := strings.ToLower(rec.Currency)
	if currency == "" {
		currency = "usd"
	}
	return json.Marshal(map[string]any{
		"id": "evt_dev_" + ids.New(), "object": "event", "api_version": devStripeAPIVersion,
		"created": now.Unix(), "livemode": false, "type": cards.EventSucceeded,
		"data": map[string]any{"object": map[string]any{
			"id": rec.ID, "object": "payment_intent", "amount": rec.AmountCents, "amount_received": rec.AmountCents,
			"currency": currency, "status": "succeeded", "latest_charge": "ch_dev_" + ids.New(),
			"metadata": map[string]string{"invoiceId": rec.InvoiceID},
		}},
	})
}
