package localstack

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify/inbound"
)

// DevTwilioInboundPath is the dev endpoint that plays Twilio delivering a
// patient's text.
const DevTwilioInboundPath = "POST /_dev/twilio/inbound"

// HeaderMessageSid names the MessageSid the dev endpoint made up.
const HeaderMessageSid = "X-Twilio-Message-Sid"

// maxDevTextBody bounds the request ({"from","body"}).
const maxDevTextBody = 8 << 10

// DefaultTextingNumber is the first clinic's texting number when
// TWILIO_FROM is unset: Twilio's magic test number.
const DefaultTextingNumber = "+15005550006"

// DevTwilioInbound is POST /_dev/twilio/inbound {"from","body"}: offline,
// no phone can text the local stack, so this plays Twilio. It builds the
// form Twilio posts for an incoming text (From, To = the first clinic's
// texting number, Body, a fresh MessageSid "SM" + 32 hex digits,
// AccountSid), signs it with the local auth token as Twilio does (over
// publicURL + the route's path) and hands it to webhook (the
// twilio-webhook function's handler) in-process, answering what the
// webhook answered (TwiML; the sid in X-Twilio-Message-Sid). The webhook
// then verifies and acts on it exactly as on a real delivery. It is mounted
// behind the dev token (devOnly), and no Lambda mounts it.
func DevTwilioInbound(clinics *identity.Store, cfg inbound.Config, accountSID string, webhook http.Handler, log *slog.Logger) http.Handler {
	fail := func(w http.ResponseWriter, r *http.Request, err error) { httpapi.WriteError(w, r, log, err) }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			From string `json:"from"`
			Body string `json:"body"`
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxDevTextBody)
		if err := httpapi.Decode(w, r, &in); err != nil {
			fail(w, r, err)
			return
		}
		var v errs.Validator
		v.Check(validNumber(in.From), "from", "must be a phone number in E.164 (+12125550199)")
		v.Check(utf8.RuneCountInString(in.Body) <= inbound.MaxBodyRunes, "body", "must be at most 1600 characters")
		if err := v.Err(); err != nil {
			fail(w, r, err)
			return
		}
		clinic, err := clinics.FirstClinic(r.Context())
		switch {
		case err != nil:
			fail(w, r, err)
			return
		case clinic.Settings.SMSNumber == "":
			fail(w, r, errs.E(errs.Conflict, "the first clinic has no texting number (settings.smsNumber)"))
			return
		}
		sid, err := randomSid("SM")
		if err != nil {
			fail(w, r, errs.Wrap(errs.Internal, err, "internal error"))
			return
		}
		if accountSID == "" {
			accountSID = "AC" + strings.Repeat("0", 32)
		}
		form := url.Values{
			"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {accountSID},
			"From": {in.From}, "To": {clinic.Settings.SMSNumber}, "Body": {in.Body},
			"NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"},
		}
		delivery, err := http.NewRequestWithContext(r.Context(), http.MethodPost, inbound.InboundPath, strings.NewReader(form.Encode()))
		if err != nil {
			fail(w, r, errs.Wrap(errs.Internal, err, "internal error"))
			return
		}
		delivery.Host, delivery.RemoteAddr = r.Host, r.RemoteAddr
		delivery.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		delivery.Header.Set("X-Twilio-Signature", inbound.Sign(cfg.AuthToken, strings.TrimRight(cfg.PublicURL, "/")+inbound.InboundPath, form))
		got := httptest.NewRecorder()
		webhook.ServeHTTP(got, delivery)
		if ct := got.Header().Get("Content-Type"); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set(HeaderMessageSid, sid)
		w.WriteHeader(got.Code)
		_, _ = w.Write(got.Body.Bytes())
	})
}

// validNumber reports whether s looks like E.164: + and 8 to 15 digits.
func validNumber(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// randomSid is prefix and 32 random hex digits, as Twilio's sids are.
func randomSid(prefix string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b[:]), nil
}
