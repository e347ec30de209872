package twilio

import (
	"net/http"
	"net/url"
	"strings"

	twclient "github.com/twilio/twilio-go/client"
)

// Validator checks X-Twilio-Signature on webhooks. Twilio signs the URL it
// called, which API Gateway and CloudFront hide (host, stage, path), so the
// URL checked is always PUBLIC_URL + the route's path.
type Validator struct {
	public string
	rv     twclient.RequestValidator
}

// NewValidator validates against publicURL (PUBLIC_URL) with authToken.
func NewValidator(publicURL, authToken string) *Validator {
	return &Validator{public: strings.TrimRight(publicURL, "/"), rv: twclient.NewRequestValidator(authToken)}
}

// Valid reports whether signature signs path (with its query, if any) under
// the public URL and the posted form params.
func (v *Validator) Valid(path string, form url.Values, signature string) bool {
	if signature == "" || v.public == "" {
		return false
	}
	params := make(map[string]string, len(form))
	for k, vals := range form {
		// Twilio posts each parameter once; a repeated one is not Twilio's.
		if len(vals) != 1 {
			return false
		}
		params[k] = vals[0]
	}
	return v.rv.Validate(v.public+path, params, signature)
}

// ValidRequest checks a parsed webhook request (ParseForm done by the caller
// or here): its path and query, its POST form, its X-Twilio-Signature.
func (v *Validator) ValidRequest(r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		return false
	}
	path := r.URL.Path
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	return v.Valid(path, r.PostForm, r.Header.Get("X-Twilio-Signature"))
}

// Reply is what an inbound text means.
type Reply string

const (
	Confirm Reply = "confirm" // C, YES, CONFIRM: confirm the next appointment
	Stop    Reply = "stop"    // Twilio's stop words: opt out of SMS
	Start   Reply = "start"   // START, UNSTOP, or YES while opted out: opt back in
	Other   Reply = "other"   // anything else: the front desk's inbox
)

var (
	stopWords    = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true, "END": true, "QUIT": true}
	startWords   = map[string]bool{"START": true, "UNSTOP": true}
	confirmWords = map[string]bool{"C": true, "YES": true, "CONFIRM": true}
)

// Classify reads an inbound body the way Twilio's keyword handling does: one
// keyword alone, case and surrounding spaces ignored, a final full stop or
// exclamation mark allowed. YES is Twilio's opt-in keyword too, so from a
// number that is opted out it opts back in rather than confirms.
func Classify(body string, optedOut bool) Reply {
	w := strings.ToUpper(strings.TrimSpace(body))
	w = strings.TrimSpace(strings.TrimRight(w, ".!"))
	switch {
	case stopWords[w]:
		return Stop
	case startWords[w]:
		return Start
	case w == "YES" && optedOut:
		return Start
	case confirmWords[w]:
		return Confirm
	}
	return Other
}
