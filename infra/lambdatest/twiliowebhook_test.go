package lambdatest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/topsmile/topsmile/shared/notify/inbound"
	"github.com/topsmile/topsmile/shared/notify/twilio"
)

// The Twilio webhook's real bootstrap under the RIE, configured as
// deployed: API Gateway hands it Twilio's form (base64 when it flags it
// so) at its own host, and the signature is checked over PUBLIC_URL + the
// path. A signed text to a number no clinic has is acknowledged with empty
// TwiML; a signed status callback for a sid we never sent is acknowledged;
// one changed parameter, the http URL, another host or no signature is 403.
func TestTwilioWebhookUnderRIE(t *testing.T) {
	env := requireEnv(t)
	cfg := deployedEnv(t, env, "TwilioWebhookFunction")
	token, public := cfg["TWILIO_AUTH_TOKEN"], cfg["PUBLIC_URL"]
	if token == "" || public == "" {
		t.Fatal("the deployed config has no TWILIO_AUTH_TOKEN or PUBLIC_URL")
	}
	fn := startRIE(t, buildFunction(t, "twiliowebhook"), cfg)
	sid := fmt.Sprintf("SM%032x", time.Now().UnixNano())
	text := url.Values{"From": {"+12125550100"}, "To": {"+15005550999"}, "Body": {"C"}, "MessageSid": {sid},
		"AccountSid": {"AC" + strings.Repeat("0", 32)}}
	status := url.Values{"MessageSid": {sid}, "MessageStatus": {"delivered"}, "AccountSid": {"AC" + strings.Repeat("0", 32)}}
	request := func(path string, form url.Values, signURL string, b64 bool, change func(url.Values)) events.APIGatewayV2HTTPRequest {
		ev := apiRequest(http.MethodPost, path, "")
		delete(ev.Headers, "sec-fetch-site") // Twilio's servers are no browser
		ev.Headers["content-type"] = "application/x-www-form-urlencoded"
		ev.Headers["host"] = "abc123.execute-api.us-east-1.amazonaws.com"
		if signURL != "" {
			ev.Headers["x-twilio-signature"] = inbound.Sign(token, signURL+path, form)
		}
		sent := url.Values{}
		for k, v := range form {
			sent[k] = v
		}
		if change != nil {
			change(sent)
		}
		ev.Body, ev.IsBase64Encoded = sent.Encode(), b64
		if b64 {
			ev.Body = base64.StdEncoding.EncodeToString([]byte(sent.Encode()))
		}
		return ev
	}
	plain := strings.Replace(public, "https://", "http://", 1)
	for _, tc := range []struct {
		name    string
		request events.APIGatewayV2HTTPRequest
		status  int
	}{
		{"signed text, base64 body", request(inbound.InboundPath, text, public, true, nil), 200},
		{"signed text, plain body", request(inbound.InboundPath, text, public, false, nil), 200},
		{"signed status callback", request(twilio.StatusPath, status, public, false, nil), 200},
		{"one parameter changed", request(inbound.InboundPath, text, public, true, func(f url.Values) { f.Set("Body", "STOP") }), 403},
		{"signed for http", request(inbound.InboundPath, text, plain, false, nil), 403},
		{"signed for another host", request(inbound.InboundPath, text, "https://execute-api.example", false, nil), 403},
		{"no signature", request(twilio.StatusPath, status, "", false, nil), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := invoke[events.APIGatewayV2HTTPResponse](t, fn, tc.request)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
			if tc.status == 200 && (resp.Headers["Content-Type"] != "text/xml; charset=utf-8" || !strings.Contains(resp.Body, "<Response></Response>")) {
				t.Fatalf("answer %v %s, want empty TwiML", resp.Headers, resp.Body)
			}
		})
	}
}
