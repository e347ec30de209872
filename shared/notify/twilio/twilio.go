// Package twilio is the SMS notify.Sender (twilio-go's Messages API, base
// URL configurable so tests and the local stack can stand in for Twilio) and
// the inbound side's helpers: webhook signature validation and the meaning
// of a patient's reply.
package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/templates"
)

// StatusPath is where Twilio posts delivery status callbacks, under PUBLIC_URL.
const StatusPath = "/api/webhooks/twilio/status"

const defaultBase = "https://api.twilio.com"

// Config is the Twilio part of a function's config. Real SMS only when SID,
// token and FROM are all set; the token alone only verifies inbound webhooks.
type Config struct {
	AccountSID string        `env:"TWILIO_ACCOUNT_SID"`
	AuthToken  string        `env:"TWILIO_AUTH_TOKEN,secret"`
	From       string        `env:"TWILIO_FROM"`
	APIBase    string        `env:"TWILIO_API_BASE"` // default https://api.twilio.com
	PublicURL  string        `env:"PUBLIC_URL"`      // status callbacks go to PUBLIC_URL + StatusPath
	Timeout    time.Duration `env:"TWILIO_TIMEOUT" default:"10s"`
}

// Configured reports whether texts can be sent.
func (c Config) Configured() bool { return c.AccountSID != "" && c.AuthToken != "" && c.From != "" }

// Sender sends texts through Twilio's Messages API, with twilio-go's REST
// client (its authentication, user agent and error decoding). Not through
// the generated v2010 API service: that package is thousands of types, and
// the templates' reflection keeps every exported method of every one in the
// binary (it more than doubled the notifications function's size).
type Sender struct {
	client   *twclient.Client
	messages string
	from     string
	callback string
}

var _ notify.ContentSender = (*Sender)(nil)

// New checks the settings; it does no I/O.
func New(cfg Config) (*Sender, error) {
	if !cfg.Configured() {
		return nil, errors.New("twilio: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are all required to send texts")
	}
	base := strings.TrimRight(cfg.APIBase, "/")
	if base == "" {
		base = defaultBase
	}
	bu, err := url.Parse(base)
	if err != nil || (bu.Scheme != "https" && bu.Scheme != "http") || bu.Host == "" {
		return nil, errors.New("twilio: TWILIO_API_BASE must be an http(s) URL")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	c := &twclient.Client{
		Credentials: twclient.NewCredentials(cfg.AccountSID, cfg.AuthToken),
		HTTPClient:  &http.Client{Timeout: timeout, Transport: rebase{base: bu, next: http.DefaultTransport}},
	}
	c.SetAccountSid(cfg.AccountSID)
	s := &Sender{client: c, from: cfg.From,
		messages: defaultBase + "/2010-04-01/Accounts/" + url.PathEscape(cfg.AccountSID) + "/Messages.json"}
	if cfg.PublicURL != "" {
		s.callback = strings.TrimRight(cfg.PublicURL, "/") + StatusPath
	}
	return s, nil
}

// rebase sends twilio-go's requests for api.twilio.com to base instead
// (twilio-go fixes the host; its path, auth and form are kept).
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (r rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.base.String() == defaultBase {
		return r.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host = r.base.Scheme, r.base.Host
	out.URL.Path = strings.TrimRight(r.base.Path, "/") + req.URL.Path
	out.Host = r.base.Host
	return r.next.RoundTrip(out)
}

// Send renders m and sends it.
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	return templates.Deliver(ctx, s, m)
}

// SendContent texts c.Text to m.To.
func (s *Sender) SendContent(ctx context.Context, m notify.Message, c notify.Content) error {
	_, err := s.SendReceipt(ctx, m, c)
	return err
}

var _ notify.ReceiptSender = (*Sender)(nil)

// SendReceipt texts c.Text to m.To and answers the MessageSid that Twilio's
// status callbacks will name.
func (s *Sender) SendReceipt(ctx context.Context, m notify.Message, c notify.Content) (string, error) {
	form := url.Values{"To": {m.To}, "From": {s.from}, "Body": {c.Text}}
	if s.callback != "" {
		form.Set("StatusCallback", s.callback)
	}
	// twilio-go takes no context: the call runs beside it, bounded by the
	// client's timeout, and an ended ctx stops the wait (a retry is then
	// possible, the claim protects against a double send within its TTL).
	type result struct {
		sid string
		err error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := s.client.SendRequest(http.MethodPost, s.messages, form, map[string]any{"Content-Type": "application/x-www-form-urlencoded"})
		var sent struct {
			SID string `json:"sid"`
		}
		if err == nil {
			// The text is sent whatever the body says: a body that does
			// not parse only loses the sid (and so its callbacks).
			_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&sent)
			resp.Body.Close()
		}
		done <- result{sent.SID, err}
	}()
	select {
	case r := <-done:
		return r.sid, classify(r.err)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Twilio error codes no retry can fix.
var permanentCodes = map[int]string{
	21211: notify.ClassBadRecipient,   // invalid 'To' number
	21614: notify.ClassBadRecipient,   // 'To' is not a mobile number
	21612: notify.ClassBadRecipient,   // 'To' cannot be reached by SMS
	21610: notify.ClassProviderOptOut, // the number replied STOP to this sender
}

// classify: the codes above are permanent; 429, 5xx, the network and
// anything else (a wrong token is fixed and the message retried from the
// DLQ) are transient.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var te *twclient.TwilioRestError
	if errors.As(err, &te) {
		if class, ok := permanentCodes[te.Code]; ok {
			return notify.Permanent(class, fmt.Errorf("twilio error %d", te.Code))
		}
		return fmt.Errorf("twilio error %d (status %d)", te.Code, te.Status)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("twilio unreachable: %w", err)
	}
	return err
}
