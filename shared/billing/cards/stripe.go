// Package cards is billing's card part: Stripe payment intents for an
// invoice's open balance, refunds through Stripe, and the webhook that
// turns Stripe's word on a payment into ledger entries. Card data never
// reaches the server: the browser hands it to Stripe.js, and the server
// only ever sees intent, charge, refund and dispute ids and amounts.
//
// It is its own package so that only the functions that take card payments
// (billing, stripe-webhook) link stripe-go.
package cards

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/errs"
)

// Config is how the function reaches Stripe. Every field may be unset: no
// secret key means no card payments (the card routes answer 503 and
// GET billing/config says "off").
type Config struct {
	SecretKey string `env:"STRIPE_SECRET_KEY,secret"`
	// APIBase, when set, is the API's base URL instead of Stripe's: the
	// local stack's and the tests' stripe-mock.
	APIBase        string `env:"STRIPE_API_BASE"`
	PublishableKey string `env:"STRIPE_PUBLISHABLE_KEY"`
	// WebhookSecret is the endpoint's signing secret; during a rotation
	// both, comma-separated ("whsec_old,whsec_new").
	WebhookSecret string `env:"STRIPE_WEBHOOK_SECRET,secret"`
	// Timeout bounds each call to Stripe, its retries included (functions
	// time out at 10 s; a Stripe that does not answer is a 503).
	Timeout time.Duration `env:"STRIPE_TIMEOUT" default:"8s"`
}

// Card modes GET billing/config answers.
const (
	ModeLive = "live"
	ModeTest = "test"
	ModeOff  = "off"
)

// Mode is "off" with no secret key, "test" with a test key or an API base
// of our own (stripe-mock takes any key), "live" otherwise.
func (c Config) Mode() string {
	switch {
	case c.SecretKey == "":
		return ModeOff
	case c.APIBase != "" || strings.HasPrefix(c.SecretKey, "sk_test_") || strings.HasPrefix(c.SecretKey, "rk_test_"):
		return ModeTest
	default:
		return ModeLive
	}
}

// Secrets are the webhook signing secrets, in the order configured.
func (c Config) Secrets() []string {
	var out []string
	for _, s := range strings.Split(c.WebhookSecret, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Processor is the core.Cards cfg configures, or nil (not a nil *Stripe in
// an interface, which would not compare equal to nil) when there is no
// secret key.
func (c Config) Processor() core.Cards {
	if c.Mode() == ModeOff {
		return nil
	}
	return New(c)
}

// Stripe is core.Cards on Stripe's API.
type Stripe struct {
	api     *client.API
	timeout time.Duration
	public  Public
}

var _ core.Cards = (*Stripe)(nil)

// New builds the API client for cfg: its own backends (no global
// stripe.Key, so two configurations in one process never meet), Stripe's
// logger silenced (it would log request failures our own error path
// already reports, without the request id). No I/O.
func New(cfg Config) *Stripe {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 8 * time.Second
	}
	// One retry: stripe-go retries only what is safe (every creating call
	// here carries an idempotency key), and the context below bounds the
	// whole call however many tries it takes.
	retries := int64(1)
	bc := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: timeout},
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		MaxNetworkRetries: &retries,
	}
	if cfg.APIBase != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.APIBase, "/"))
	}
	return &Stripe{api: client.New(cfg.SecretKey, stripe.NewBackendsWithConfig(bc)), timeout: timeout, public: PublicOf(cfg)}
}

// Public is what GET billing/config answers for s.
func (s *Stripe) Public() Public { return s.public }

func (s *Stripe) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// Intent creates a payment intent for in, or (for the same idempotency
// key, within Stripe's 24 hours) answers the one already created. The
// metadata names the invoice and clinic for Stripe's dashboard; the webhook
// trusts our own record of the intent, not them.
func (s *Stripe) Intent(ctx context.Context, in core.IntentInput) (core.Intent, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	currency := strings.ToLower(in.Currency)
	if currency == "" {
		currency = "usd"
	}
	params := &stripe.PaymentIntentParams{
		Amount:   stripe.Int64(in.AmountCents),
		Currency: stripe.String(currency),
		AutomaticPaymentMethods: &stripe.PaymentIntentAutomaticPaymentMethodsParams{
			Enabled: stripe.Bool(true),
		},
	}
	params.Context = ctx
	params.AddMetadata("invoiceId", in.InvoiceID)
	params.AddMetadata("clinicId", in.ClinicID)
	params.SetIdempotencyKey(in.IdempotencyKey)
	pi, err := s.api.PaymentIntents.New(params)
	if err != nil {
		return core.Intent{}, processorError(err)
	}
	return core.Intent{ID: pi.ID, ClientSecret: pi.ClientSecret}, nil
}

// Retrieve is intent id as Stripe holds it now: its client secret (for a
// repeated click, which reuses the intent we recorded) and its status.
func (s *Stripe) Retrieve(ctx context.Context, id string) (core.Intent, string, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	params := &stripe.PaymentIntentParams{}
	params.Context = ctx
	pi, err := s.api.PaymentIntents.Get(id, params)
	if err != nil {
		return core.Intent{}, "", processorError(err)
	}
	return core.Intent{ID: pi.ID, ClientSecret: pi.ClientSecret}, string(pi.Status), nil
}

// Refund refunds amountCents (0: what is left) of intent paymentIntentID.
func (s *Stripe) Refund(ctx context.Context, paymentIntentID string, amountCents int64, idempotencyKey string) (string, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	params := &stripe.RefundParams{PaymentIntent: stripe.String(paymentIntentID)}
	if amountCents > 0 {
		params.Amount = stripe.Int64(amountCents)
	}
	params.Context = ctx
	params.SetIdempotencyKey(idempotencyKey)
	rf, err := s.api.Refunds.New(params)
	if err != nil {
		return "", processorError(err)
	}
	return rf.ID, nil
}

// maxListedRefunds bounds one charge's refunds read back (a charge has a
// handful at most).
const maxListedRefunds = 100

// RefundsOf lists charge chargeID's refunds: a charge.refunded event of API
// versions since 2022-11-15 no longer carries them.
func (s *Stripe) RefundsOf(ctx context.Context, chargeID string) ([]*stripe.Refund, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	params := &stripe.RefundListParams{Charge: stripe.String(chargeID)}
	params.Context = ctx
	params.Limit = stripe.Int64(maxListedRefunds)
	it := s.api.Refunds.List(params)
	var out []*stripe.Refund
	for it.Next() && len(out) < maxListedRefunds {
		out = append(out, it.Refund())
	}
	if err := it.Err(); err != nil {
		return nil, processorError(err)
	}
	return out, nil
}

// processorError maps a Stripe failure into the error model. Stripe down,
// throttling us or not reached at all is Unavailable (503: try again); a
// refusal of the request itself (a declined card, an amount below Stripe's
// minimum, a refund of more than is left) is Unprocessable with Stripe's
// code, never its message, which can name the card.
func processorError(err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return errs.Wrap(errs.Unavailable, err, "the card processor could not be reached; try again")
	}
	switch {
	case se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode >= 500:
		return errs.Wrap(errs.Unavailable, err, "the card processor is unavailable; try again")
	case se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden:
		// Our key is wrong or revoked: nothing the caller can fix.
		return errs.Wrap(errs.Unavailable, err, "the card processor refused this clinic's credentials")
	case se.HTTPStatusCode == http.StatusConflict:
		return errs.Wrap(errs.Conflict, err, "the card processor is handling the same request; try again")
	default:
		code := string(se.Code)
		if code == "" {
			code = string(se.Type)
		}
		return errs.Wrap(errs.Unprocessable, err, "the card processor refused the request ("+code+")")
	}
}
