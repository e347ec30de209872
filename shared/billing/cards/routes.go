package cards

import (
	"context"
	"fmt"
	"net/http"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
)

// Audit actions of the card part.
const (
	actionIntent   = "invoice.payment_intent"
	actionPaid     = "card.paid"
	actionFailed   = "card.failed"
	actionRefunded = "card.refunded"
	actionDisputed = "card.disputed"
)

// Public is what GET billing/config tells every signed-in caller: whether
// the pay screen can take cards, and the key Stripe.js loads with.
type Public struct {
	Cards          string `json:"cards"`
	PublishableKey string `json:"publishableKey"`
}

// PublicOf is cfg's Public. The mode is the secret key's (see Mode); the
// publishable key is answered only when cards are on.
func PublicOf(cfg Config) Public {
	p := Public{Cards: cfg.Mode()}
	if p.Cards != ModeOff {
		p.PublishableKey = cfg.PublishableKey
	}
	return p
}

// publicOf is what GET billing/config answers for processor c: off without
// one, its own configuration's for *Stripe, test mode for any other (the
// tests' fakes).
func publicOf(c core.Cards) Public {
	switch c := c.(type) {
	case nil:
		return Public{Cards: ModeOff}
	case interface{ Public() Public }:
		return c.Public()
	default:
		return Public{Cards: ModeTest}
	}
}

// Routes registers GET billing/config and POST
// invoices/{id}/payment-intent, which reads the invoice through post and
// creates the intent with d.Cards (nil: 503, and billing/config says
// "off").
func Routes(r *authz.Router, d core.Deps, post core.Posting, s *Store) {
	h := &handlers{Deps: d, post: post, store: s}
	pub := publicOf(d.Cards)
	r.HandleFunc("GET /api/billing/config", func(w http.ResponseWriter, r *http.Request) error {
		httpapi.WriteJSON(w, http.StatusOK, pub)
		return nil
	})
	r.HandleFunc("POST /api/invoices/{id}/payment-intent", h.paymentIntent)
}

type handlers struct {
	core.Deps
	post  core.Posting
	store *Store
}

var errInvoiceNotFound = errs.E(errs.NotFound, "invoice not found")

// intentReader is the part of the processor that reads an intent back;
// *Stripe is one. A repeated click needs the client secret of the intent
// already recorded, which we do not keep (Stripe asks that it not be
// stored).
type intentReader interface {
	Retrieve(ctx context.Context, id string) (core.Intent, string, error)
}

// IntentKey is the idempotency key of a payment intent for invoice f of
// clinicID: the same invoice at the same version and balance is the same
// intent however often the pay button is pressed; a payment posted since
// (a new version, a new balance) makes a new one.
func IntentKey(clinicID string, f core.InvoiceFacts) string {
	return fmt.Sprintf("topsmile:%s:invoice:%s:v%d:%d", clinicID, f.ID, f.Version, f.BalanceCents)
}

// paymentIntent answers {"clientSecret","paymentIntentId"} for the open
// balance of the path's invoice: a patient's own or family's only (404
// otherwise), open with something to pay (409 otherwise).
func (h *handlers) paymentIntent(w http.ResponseWriter, r *http.Request) error {
	p := authz.MustPrincipal(r.Context())
	id := r.PathValue("id")
	if !ids.Valid(id) {
		return errInvoiceNotFound
	}
	f, err := h.post.InvoiceFacts(r.Context(), p.ClinicID, id)
	if errs.Is(err, errs.NotFound) || err == nil && !core.Owns(p, f.PatientID, f.GuarantorID) {
		return errInvoiceNotFound
	}
	if err != nil {
		return err
	}
	switch {
	case f.Status != core.InvoiceOpen:
		return errs.E(errs.Conflict, "the invoice is %s", f.Status)
	case f.BalanceCents <= 0:
		return errs.E(errs.Conflict, "the invoice has nothing left to pay")
	}
	if h.Cards == nil {
		return core.ErrCardsNotConfigured
	}
	var out core.Intent
	detail := fmt.Sprintf("invoiceId=%s amountCents=%d", f.ID, f.BalanceCents)
	err = h.Write(r, p, core.Entry(actionIntent, "invoices/"+f.ID, f.PatientID, detail), func() error {
		out, err = h.intent(r.Context(), p.ClinicID, f)
		return err
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// intent is the intent of invoice f's balance: the one recorded under its
// key, else a new one, recorded. Two racing first clicks both create at
// Stripe (under the same key real Stripe answers the same intent); the
// record's unique key lets one of them in, and the other answers that one.
func (h *handlers) intent(ctx context.Context, clinicID string, f core.InvoiceFacts) (core.Intent, error) {
	key := IntentKey(clinicID, f)
	if rec, err := h.store.byKey(ctx, clinicID, key); err == nil {
		return h.reuse(ctx, rec, key, f)
	} else if !errs.Is(err, errs.NotFound) {
		return core.Intent{}, err
	}
	currency := "USD"
	if h.Settings != nil {
		c, err := h.Settings(ctx, clinicID)
		if err != nil {
			return core.Intent{}, err
		}
		if c.Currency != "" {
			currency = c.Currency
		}
	}
	in, err := h.Cards.Intent(ctx, core.IntentInput{ClinicID: clinicID, InvoiceID: f.ID, PatientID: f.PatientID,
		AmountCents: f.BalanceCents, Currency: currency, IdempotencyKey: key})
	if err != nil {
		return core.Intent{}, err
	}
	err = h.store.Record(ctx, IntentRecord{ID: in.ID, ClinicID: clinicID, InvoiceID: f.ID, PatientID: f.PatientID,
		AmountCents: f.BalanceCents, Currency: currency, Key: key, Status: IntentCreated})
	if errs.Is(err, errs.Conflict) {
		rec, rerr := h.store.byKey(ctx, clinicID, key)
		if rerr != nil {
			return core.Intent{}, rerr
		}
		if rec.ID == in.ID {
			return in, nil
		}
		return h.reuse(ctx, rec, key, f)
	}
	return in, err
}

// reuse answers recorded intent rec again, read back from the processor
// for its client secret. A processor that cannot read intents back is
// asked for the intent under the same key, which Stripe answers from its
// idempotency cache.
func (h *handlers) reuse(ctx context.Context, rec IntentRecord, key string, f core.InvoiceFacts) (core.Intent, error) {
	if rd, ok := h.Cards.(intentReader); ok {
		in, _, err := rd.Retrieve(ctx, rec.ID)
		return in, err
	}
	in, err := h.Cards.Intent(ctx, core.IntentInput{ClinicID: rec.ClinicID, InvoiceID: f.ID, PatientID: f.PatientID,
		AmountCents: rec.AmountCents, Currency: rec.Currency, IdempotencyKey: key})
	if err == nil && in.ID != rec.ID {
		return core.Intent{}, errs.E(errs.Internal, "the processor answered another intent for the same idempotency key")
	}
	return in, err
}
