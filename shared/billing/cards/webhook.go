package cards

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
)

// WebhookPath is the route Stripe posts events to.
const WebhookPath = "POST /api/webhooks/stripe"

// Event types the webhook acts on; any other is answered 200 and ignored.
const (
	EventSucceeded = "payment_intent.succeeded"
	EventFailed    = "payment_intent.payment_failed"
	EventRefunded  = "charge.refunded"
	EventDisputed  = "charge.dispute.created"
)

// MaxWebhookBytes bounds an event's body: Stripe's are a few KiB.
const MaxWebhookBytes = 64 << 10

// Tolerance is how old a signed event may be: older is a replay.
const Tolerance = 5 * time.Minute

// releaseTimeout bounds giving an event's claim back after a failure, on a
// context of its own (the request's may be what ran out).
const releaseTimeout = 3 * time.Second

// refundLister reads a charge's refunds back from the processor; *Stripe
// is one.
type refundLister interface {
	RefundsOf(ctx context.Context, chargeID string) ([]*stripe.Refund, error)
}

// WebhookRoutes registers POST webhooks/stripe (a Public route: the
// signature under one of secrets is its authentication), posting what
// Stripe reports through post.
func WebhookRoutes(r *authz.Router, d core.Deps, post core.Posting, s *Store, secrets []string) {
	r.HandleFunc(WebhookPath, NewWebhook(d, post, s, secrets).serve)
}

// Webhook is the Stripe event handler.
type Webhook struct {
	deps    core.Deps
	post    core.Posting
	store   *Store
	secrets []string
}

// NewWebhook is the handler WebhookRoutes mounts.
func NewWebhook(d core.Deps, post core.Posting, s *Store, secrets []string) *Webhook {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Webhook{deps: d, post: post, store: s, secrets: secrets}
}

var errBadSignature = errs.E(errs.Invalid, "invalid Stripe-Signature")

// verify is the event of body if header signs it with one of the secrets
// within the tolerance. The API version is not held to stripe-go's: the
// endpoint's version is set in Stripe's dashboard, and the few fields read
// here are the same in every version since 2022-11-15.
func (h *Webhook) verify(body []byte, header string) (stripe.Event, error) {
	if header == "" || len(h.secrets) == 0 {
		return stripe.Event{}, errBadSignature
	}
	opts := webhook.ConstructEventOptions{Tolerance: Tolerance, IgnoreAPIVersionMismatch: true}
	for _, secret := range h.secrets {
		ev, err := webhook.ConstructEventWithOptions(body, header, secret, opts)
		if err == nil {
			return ev, nil
		}
		if errors.Is(err, webhook.ErrTooOld) || errors.Is(err, webhook.ErrNotSigned) || errors.Is(err, webhook.ErrInvalidHeader) {
			break // no other secret changes these
		}
	}
	return stripe.Event{}, errBadSignature
}

// received is the answer to every event taken (processed now, before, or
// deliberately ignored): Stripe only reads the status.
type received struct {
	Received bool   `json:"received"`
	Ignored  string `json:"ignored,omitempty"`
}

func ignored(w http.ResponseWriter, why string) error {
	httpapi.WriteJSON(w, http.StatusOK, received{Received: true, Ignored: why})
	return nil
}

// serve verifies, claims and processes one event. Anything short of a
// verified event is 400 with nothing written; a verified event that is not
// ours (a type we do not act on, an intent we never created) is 200 so
// Stripe stops sending it; a failure while processing is 5xx with the
// claim given back, so Stripe's retry processes it again.
func (h *Webhook) serve(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errs.E(errs.TooLarge, "event body exceeds %d bytes", MaxWebhookBytes)
	case err != nil:
		return errs.Wrap(errs.Invalid, err, "could not read the event body")
	}
	// API Gateway's payload joins a header's values with commas, and the
	// Lambda adapter splits every header back on them: Stripe's
	// "t=…,v1=…,v1=…" arrives as several values. Joined, it is the header
	// Stripe sent (the same, unsplit, behind any other server).
	ev, err := h.verify(body, strings.Join(r.Header.Values("Stripe-Signature"), ","))
	if err != nil {
		return err
	}
	if ev.Data == nil {
		return errs.E(errs.Invalid, "event has no data")
	}
	switch ev.Type {
	case EventSucceeded, EventFailed, EventRefunded, EventDisputed:
	default:
		return ignored(w, "event type")
	}
	intentID, err := intentOf(ev)
	if err != nil {
		return err
	}
	rec, o, err := h.store.lookup(r.Context(), intentID)
	if errs.Is(err, errs.NotFound) {
		// Not one of ours: another integration on the same account, or an
		// intent made in Stripe's dashboard. Nothing is posted.
		return ignored(w, "unknown payment intent")
	}
	if err != nil {
		return err
	}
	first, err := h.store.claim(r.Context(), rec.ClinicID, ev.ID, string(ev.Type))
	if err != nil {
		return err
	}
	if !first {
		return ignored(w, "duplicate event")
	}
	if err := h.process(r, ev, rec, o); err != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), releaseTimeout)
		defer cancel()
		if rerr := h.store.release(ctx, rec.ClinicID, ev.ID); rerr != nil {
			// The retry will be taken for a duplicate: say so loudly, with
			// the ids only.
			h.deps.Log.ErrorContext(r.Context(), "stripe event claim not released", "event", ev.ID, "error", rerr)
		}
		if !errs.Is(err, errs.Unavailable) {
			err = errs.Wrap(errs.Internal, err, "internal error")
		}
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, received{Received: true})
	return nil
}

// intentOf is the payment intent event ev is about.
func intentOf(ev stripe.Event) (string, error) {
	var id string
	switch ev.Type {
	case EventSucceeded, EventFailed:
		id, _ = ev.Data.Object["id"].(string)
	case EventRefunded:
		var ch stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
			return "", errs.Wrap(errs.Invalid, err, "event object is not a charge")
		}
		if ch.PaymentIntent != nil {
			id = ch.PaymentIntent.ID
		}
	case EventDisputed:
		var dp stripe.Dispute
		if err := json.Unmarshal(ev.Data.Raw, &dp); err != nil {
			return "", errs.Wrap(errs.Invalid, err, "event object is not a dispute")
		}
		if dp.PaymentIntent != nil {
			id = dp.PaymentIntent.ID
		}
	}
	return id, nil
}

// process makes event ev's effect on intent rec, audited as the system
// (Stripe is nobody's session) in rec's clinic. Clinic, invoice and amount
// paid are the record's, whatever the event's metadata says.
func (h *Webhook) process(r *http.Request, ev stripe.Event, rec IntentRecord, o store.Owned) error {
	ctx := r.Context()
	switch ev.Type {
	case EventSucceeded, EventFailed:
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return errs.Wrap(errs.Invalid, err, "event object is not a payment intent")
		}
		if ev.Type == EventFailed {
			return h.failed(r, ev, rec, o, pi)
		}
		if pi.AmountReceived != 0 && pi.AmountReceived != rec.AmountCents {
			h.deps.Log.WarnContext(ctx, "stripe intent amount differs from our record; posting the record's",
				"intent", rec.ID, "recordCents", rec.AmountCents, "eventCents", pi.AmountReceived)
		}
		p := core.CardPayment{EventID: ev.ID, InvoiceID: rec.InvoiceID, PaymentIntentID: rec.ID,
			AmountCents: rec.AmountCents, Currency: rec.Currency, At: at(ev.Created)}
		if pi.LatestCharge != nil {
			p.ChargeID = pi.LatestCharge.ID
		}
		detail := fmt.Sprintf("event=%s intent=%s amountCents=%d", ev.ID, rec.ID, p.AmountCents)
		return h.write(r, rec, actionPaid, detail, func() error {
			if err := h.post.CardPaid(ctx, rec.ClinicID, p); err != nil {
				return err
			}
			return h.store.setStatus(ctx, o, rec, IntentSucceeded, "")
		})
	case EventRefunded:
		return h.refunded(r, ev, rec)
	case EventDisputed:
		var dp stripe.Dispute
		if err := json.Unmarshal(ev.Data.Raw, &dp); err != nil {
			return errs.Wrap(errs.Invalid, err, "event object is not a dispute")
		}
		d := core.CardDispute{EventID: ev.ID, DisputeID: dp.ID, PaymentIntentID: rec.ID,
			AmountCents: min(dp.Amount, rec.AmountCents), Reason: string(dp.Reason), At: at(dp.Created)}
		if dp.Charge != nil {
			d.ChargeID = dp.Charge.ID
		}
		detail := fmt.Sprintf("event=%s intent=%s dispute=%s amountCents=%d", ev.ID, rec.ID, d.DisputeID, d.AmountCents)
		return h.write(r, rec, actionDisputed, detail, func() error { return h.post.CardDisputed(ctx, rec.ClinicID, d) })
	}
	return nil
}

// failed records a failed attempt on the intent (no ledger entry: nothing
// was paid), with Stripe's decline or error code.
func (h *Webhook) failed(r *http.Request, ev stripe.Event, rec IntentRecord, o store.Owned, pi stripe.PaymentIntent) error {
	code := ""
	if e := pi.LastPaymentError; e != nil {
		code = string(e.DeclineCode)
		if code == "" {
			code = string(e.Code)
		}
	}
	detail := fmt.Sprintf("event=%s intent=%s code=%s", ev.ID, rec.ID, code)
	return h.write(r, rec, actionFailed, detail, func() error {
		return h.store.setStatus(r.Context(), o, rec, IntentFailed, code)
	})
}

// refunded posts each refund of the event's charge. Each posts once by its
// refund id (ours, posted when the desk refunded, or one made in Stripe's
// dashboard), so posting all of them on every charge.refunded is right:
// the ledger takes only the new ones, and a refund that comes before the
// payment's success still posts (the ledger nets it when the success
// arrives).
func (h *Webhook) refunded(r *http.Request, ev stripe.Event, rec IntentRecord) error {
	ctx := r.Context()
	var ch stripe.Charge
	if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
		return errs.Wrap(errs.Invalid, err, "event object is not a charge")
	}
	var refunds []*stripe.Refund
	if ch.Refunds != nil && len(ch.Refunds.Data) > 0 {
		refunds = ch.Refunds.Data
	} else if l, ok := h.deps.Cards.(refundLister); ok {
		// API versions since 2022-11-15 leave the refunds out of the
		// event's charge: read them back.
		var err error
		if refunds, err = l.RefundsOf(ctx, ch.ID); err != nil {
			return err
		}
	} else {
		return errs.E(errs.Unavailable, "the charge's refunds cannot be read: card payments are not configured")
	}
	var posts []core.CardRefund
	var total int64
	for _, rf := range refunds {
		if rf == nil || rf.ID == "" || rf.Status == stripe.RefundStatusFailed || rf.Status == stripe.RefundStatusCanceled {
			continue
		}
		posts = append(posts, core.CardRefund{EventID: ev.ID, PaymentIntentID: rec.ID, ChargeID: ch.ID,
			RefundID: rf.ID, AmountCents: rf.Amount, At: at(rf.Created)})
		total += rf.Amount
	}
	detail := fmt.Sprintf("event=%s intent=%s refunds=%d amountCents=%d", ev.ID, rec.ID, len(posts), total)
	return h.write(r, rec, actionRefunded, detail, func() error {
		for _, p := range posts {
			if err := h.post.CardRefunded(ctx, rec.ClinicID, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// SignatureHeader is the Stripe-Signature header Stripe would send with
// body signed with secret at t: for the dev stack's stand-in for Stripe
// and the tests, which speak the real wire.
func SignatureHeader(secret string, body []byte, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: t}).Header
}

// write records e as the system's in rec's clinic and makes change.
func (h *Webhook) write(r *http.Request, rec IntentRecord, action, detail string, change func() error) error {
	e := core.Entry(action, "invoices/"+rec.InvoiceID, rec.PatientID, detail)
	return h.deps.Audit.Guarded(r, audit.System(rec.ClinicID), e, change)
}

func at(unix int64) time.Time { return time.Unix(unix, 0).UTC() }
