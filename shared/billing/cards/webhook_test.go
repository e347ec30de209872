package cards

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store"
)

// event is a Stripe event body of type kind about object.
func event(kind string, object map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": "evt_" + ids.New(), "object": "event", "api_version": "2023-10-16", "created": time.Now().Unix(),
		"type": kind, "livemode": false, "data": map[string]any{"object": object},
	})
	if err != nil {
		panic(err)
	}
	return b
}

func succeeded(rec IntentRecord, metadataInvoice string) []byte {
	return event(EventSucceeded, map[string]any{"id": rec.ID, "object": "payment_intent", "amount": rec.AmountCents,
		"amount_received": rec.AmountCents, "currency": "usd", "status": "succeeded", "latest_charge": "ch_" + rec.ID,
		"metadata": map[string]string{"invoiceId": metadataInvoice}})
}

func refundedEvent(rec IntentRecord, refunds ...map[string]any) []byte {
	var total int64
	for _, r := range refunds {
		total += r["amount"].(int64)
	}
	return event(EventRefunded, map[string]any{"id": "ch_" + rec.ID, "object": "charge", "payment_intent": rec.ID,
		"amount": rec.AmountCents, "amount_refunded": total, "refunded": total == rec.AmountCents,
		"refunds": map[string]any{"object": "list", "data": refunds}})
}

func refund(id string, amount int64) map[string]any {
	return map[string]any{"id": id, "object": "refund", "amount": amount, "status": "succeeded", "created": time.Now().Unix()}
}

func eventID(t testing.TB, body []byte) string {
	t.Helper()
	var ev struct{ ID string }
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.ID
}

func TestWebhookSignature(t *testing.T) {
	e := newEnv(t, &fakeCards{})
	pat := e.mustPatient(t, "")
	cases := []struct {
		name   string
		header func(body []byte) string
		// tamper changes the body after signing.
		tamper bool
		status int
	}{
		{"good signature", func(b []byte) string { return SignatureHeader(secretOld, b, time.Now()) }, false, 200},
		{"one byte changed", func(b []byte) string { return SignatureHeader(secretOld, b, time.Now()) }, true, 400},
		{"missing header", func([]byte) string { return "" }, false, 400},
		{"malformed header", func([]byte) string { return "t=abc,v1=zz" }, false, 400},
		{"stale timestamp", func(b []byte) string { return SignatureHeader(secretOld, b, time.Now().Add(-6*time.Minute)) }, false, 400},
		{"unknown secret", func(b []byte) string { return SignatureHeader("whsec_someone_else", b, time.Now()) }, false, 400},
		{"the old secret during rotation", func(b []byte) string { return SignatureHeader(secretOld, b, time.Now()) }, false, 200},
		{"the new secret during rotation", func(b []byte) string { return SignatureHeader(secretNew, b, time.Now()) }, false, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := e.mustRecord(t, e.invoice(pat.ID, "", 12_500))
			body := succeeded(rec, rec.InvoiceID)
			header := c.header(body)
			if c.tamper {
				body = bytes.Replace(body, []byte(`"amount":12500`), []byte(`"amount":12501`), 1)
			}
			before, _, _ := e.Post.counts()
			w := e.deliver(t, body, header)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			after, _, _ := e.Post.counts()
			if want := map[bool]int{true: 1, false: 0}[c.status == 200]; after-before != want {
				t.Errorf("%d payments posted, want %d", after-before, want)
			}
			if c.status == 400 {
				// Nothing written: not even the event's claim.
				first, err := e.Store.claim(context.Background(), e.Clinic.ID, eventID(t, body), "x")
				if err != nil || !first {
					t.Errorf("the refused event was claimed (first=%v, %v)", first, err)
				}
			}
		})
	}
	t.Run("a body over 64 KiB is 413", func(t *testing.T) {
		body := append([]byte(`{"pad":"`), bytes.Repeat([]byte("x"), MaxWebhookBytes)...)
		body = append(body, `"}`...)
		if w := e.signed(t, body, secretOld); w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", w.Code)
		}
	})
}

func TestWebhookEvents(t *testing.T) {
	e := newEnv(t, &fakeCards{})
	pat := e.mustPatient(t, "")
	ctx := context.Background()

	t.Run("payment_intent.succeeded posts once however often it is delivered", func(t *testing.T) {
		rec := e.mustRecord(t, e.invoice(pat.ID, "", 9_900))
		body := succeeded(rec, rec.InvoiceID)
		for i := range 3 {
			if w := e.signed(t, body, secretOld); w.Code != 200 {
				t.Fatalf("delivery %d: %d %s", i, w.Code, w.Body)
			}
		}
		p := e.lastPaid(t, rec.ID)
		if p.AmountCents != 9_900 || p.InvoiceID != rec.InvoiceID || p.ChargeID != "ch_"+rec.ID || p.Currency != "USD" || p.EventID != eventID(t, body) {
			t.Errorf("posted %+v", p)
		}
		if got, _ := e.Store.Intent(ctx, rec.ID); got.Status != IntentSucceeded {
			t.Errorf("intent status %q, want succeeded", got.Status)
		}
		recs := e.trail(t, "card.paid")
		if len(recs) != 1 || recs[0].ActorID != audit.SystemActor || recs[0].ActorRole != audit.SystemActor || recs[0].PatientID != pat.ID {
			t.Errorf("trail %+v, want one card.paid by the system for the patient", recs)
		}
	})

	t.Run("metadata naming another invoice: our record wins", func(t *testing.T) {
		rec := e.mustRecord(t, e.invoice(pat.ID, "", 4_000))
		if w := e.signed(t, succeeded(rec, ids.New()), secretNew); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		if p := e.lastPaid(t, rec.ID); p.InvoiceID != rec.InvoiceID || p.AmountCents != 4_000 {
			t.Errorf("posted %+v, want invoice %s and 4000", p, rec.InvoiceID)
		}
	})

	t.Run("an intent we never created is 200 and posts nothing", func(t *testing.T) {
		paid, refunded, _ := e.Post.counts()
		ghost := IntentRecord{ID: "pi_" + ids.New(), InvoiceID: ids.New(), AmountCents: 100}
		for _, body := range [][]byte{succeeded(ghost, ghost.InvoiceID), refundedEvent(ghost, refund("re_"+ids.New(), 100))} {
			if w := e.signed(t, body, secretOld); w.Code != 200 || !strings.Contains(w.Body.String(), "unknown payment intent") {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		}
		if p, r, _ := e.Post.counts(); p != paid || r != refunded {
			t.Error("posted for an intent that is not ours")
		}
	})

	t.Run("unknown event type is 200 and ignored", func(t *testing.T) {
		rec := e.mustRecord(t, e.invoice(pat.ID, "", 100))
		body := event("customer.created", map[string]any{"id": rec.ID, "object": "customer"})
		if w := e.signed(t, body, secretOld); w.Code != 200 || !strings.Contains(w.Body.String(), "event type") {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})

	t.Run("out of order: the refund before the success", func(t *testing.T) {
		rec := e.mustRecord(t, e.invoice(pat.ID, "", 20_000))
		reID := "re_" + ids.New()
		if w := e.signed(t, refundedEvent(rec, refund(reID, 5_000)), secretOld); w.Code != 200 {
			t.Fatalf("refund first: %d %s", w.Code, w.Body)
		}
		if w := e.signed(t, succeeded(rec, rec.InvoiceID), secretOld); w.Code != 200 {
			t.Fatalf("success second: %d %s", w.Code, w.Body)
		}
		r := e.lastRefund(t, rec.ID)
		if r.RefundID != reID || r.AmountCents != 5_000 || r.ChargeID != "ch_"+rec.ID {
			t.Errorf("refund posted %+v", r)
		}
		if p := e.lastPaid(t, rec.ID); p.AmountCents != 20_000 {
			t.Errorf("payment posted %+v", p)
		}
	})

	t.Run("charge.refunded posts every refund of the charge by its id", func(t *testing.T) {
		rec := e.mustRecord(t, e.invoice(pat.ID, "", 10_000))
		one, two := refund("re_"+ids.New(), 3_000), refund("re_"+ids.New(), 2_000)
		failed := refund("re_"+ids.New(), 1_000)
		failed["status"] = "failed"
		if w := e.signed(t, refundedEvent(rec, one, two, failed), secretOld); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		got := e.refundsOf(rec.ID)
		if len(got) != 2 || got[0].RefundID != one["id"] || got[1].RefundID != two["id"] || got[1].AmountCents != 2_000 {
			t.Errorf("refunds posted %+v, want the two that did not fail", got)
		}
	})

	t.Run("payment_failed records the code and posts nothing", func(t *testing.T) {
		rec := e.mustRecord(t, e.invoice(pat.ID, "", 7_000))
		paid, _, _ := e.Post.counts()
		body := event(EventFailed, map[string]any{"id": rec.ID, "object": "payment_intent", "amount": 7_000, "status": "requires_payment_method",
			"last_payment_error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"}})
		if w := e.signed(t, body, secretOld); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		got, _ := e.Store.Intent(ctx, rec.ID)
		if got.Status != IntentFailed || got.FailureCode != "insufficient_funds" {
			t.Errorf("intent %+v", got)
		}
		if p, _, _ := e.Post.counts(); p != paid {
			t.Error("a failed payment posted")
		}
		// A success after the failure stands, and a late failure does not
		// undo it.
		e.signed(t, succeeded(rec, rec.InvoiceID), secretOld)
		e.signed(t, event(EventFailed, map[string]any{"id": rec.ID, "object": "payment_intent"}), secretOld)
		if got, _ := e.Store.Intent(ctx, rec.ID); got.Status != IntentSucceeded {
			t.Errorf("status %q after success then a late failure", got.Status)
		}
	})

	t.Run("charge.dispute.created posts the dispute", func(t *testing.T) {
		rec := e.mustRecord(t, e.invoice(pat.ID, "", 8_000))
		body := event(EventDisputed, map[string]any{"id": "dp_" + rec.ID, "object": "dispute", "amount": 8_000, "charge": "ch_" + rec.ID,
			"payment_intent": rec.ID, "reason": "fraudulent", "status": "needs_response", "created": time.Now().Unix()})
		for range 2 {
			if w := e.signed(t, body, secretOld); w.Code != 200 {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		}
		var got []string
		e.Post.mu.Lock()
		for _, d := range e.Post.disputed {
			if d.PaymentIntentID == rec.ID {
				got = append(got, d.DisputeID+"/"+d.Reason+"/"+d.ChargeID)
			}
		}
		e.Post.mu.Unlock()
		if want := "dp_" + rec.ID + "/fraudulent/ch_" + rec.ID; len(got) != 1 || got[0] != want {
			t.Errorf("disputes %v, want [%s]", got, want)
		}
	})

	t.Run("a processing failure is 5xx, then Stripe's retry succeeds", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			err    error
			status int
		}{
			{"ledger unavailable", errs.E(errs.Unavailable, "down"), 503},
			{"ledger error", errLedgerDown, 500},
		} {
			t.Run(c.name, func(t *testing.T) {
				rec := e.mustRecord(t, e.invoice(pat.ID, "", 3_300))
				body := succeeded(rec, rec.InvoiceID)
				e.Post.mu.Lock()
				e.Post.fail = c.err
				e.Post.mu.Unlock()
				if w := e.signed(t, body, secretOld); w.Code != c.status {
					t.Fatalf("first delivery %d, want %d: %s", w.Code, c.status, w.Body)
				}
				if got := e.paidOf(rec.ID); len(got) != 0 {
					t.Fatalf("posted %+v on a failure", got)
				}
				if w := e.signed(t, body, secretOld); w.Code != 200 {
					t.Fatalf("retry %d %s", w.Code, w.Body)
				}
				e.lastPaid(t, rec.ID)
			})
		}
	})
}

// ofIntent are the posts of list for intent id, in the order made.
func ofIntent[T any](f *fakePosting, list *[]T, id string, intent func(T) string) []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []T
	for _, x := range *list {
		if intent(x) == id {
			out = append(out, x)
		}
	}
	return out
}

// only is the one post of got, failing unless there is exactly one.
func only[T any](t testing.TB, got []T, what, id string) T {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("%d %s posted for %s, want 1", len(got), what, id)
	}
	return got[0]
}

func (e *env) paidOf(id string) []core.CardPayment {
	return ofIntent(e.Post, &e.Post.paid, id, func(p core.CardPayment) string { return p.PaymentIntentID })
}

func (e *env) refundsOf(id string) []core.CardRefund {
	return ofIntent(e.Post, &e.Post.refunded, id, func(r core.CardRefund) string { return r.PaymentIntentID })
}

func (e *env) lastPaid(t testing.TB, id string) core.CardPayment {
	t.Helper()
	return only(t, e.paidOf(id), "payments", id)
}

func (e *env) lastRefund(t testing.TB, id string) core.CardRefund {
	t.Helper()
	return only(t, e.refundsOf(id), "refunds", id)
}

// trail is the clinic's records of action.
func (e *env) trail(t testing.TB, action string) []audit.Record {
	t.Helper()
	page, err := e.Audit.List(context.Background(), e.Clinic.ID, audit.Filter{Action: action}, store.PageRequest{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Record
	for _, r := range page.Items {
		if r.Outcome == audit.Success {
			out = append(out, r)
		}
	}
	return out
}
