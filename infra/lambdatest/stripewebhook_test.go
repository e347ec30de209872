package lambdatest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/topsmile/topsmile/shared/billing/cards"
)

// The Stripe webhook's real bootstrap under the RIE, configured as
// deployed (two signing secrets mid-rotation): API Gateway hands it the raw
// body, base64-encoded when it flags it so, and the signature is checked on
// the bytes Stripe signed. An event for an intent we never made is
// acknowledged and ignored; one changed byte, or a secret we do not hold,
// is 400.
func TestStripeWebhookUnderRIE(t *testing.T) {
	env := requireEnv(t)
	url := startRIE(t, buildFunction(t, "stripewebhook"), deployedEnv(t, env, "StripeWebhookFunction"))
	body := []byte(fmt.Sprintf(`{"id":"evt_rie_%d","object":"event","api_version":"2023-10-16","type":"payment_intent.succeeded",`+
		`"created":%d,"data":{"object":{"id":"pi_never_made","object":"payment_intent","amount":5000,"currency":"usd","status":"succeeded",`+
		`"metadata":{"invoiceId":"000000000000000000000000"}}}}`, time.Now().UnixNano(), time.Now().Unix()))
	tampered := append([]byte{}, body...)
	tampered[len(tampered)-3] = '1'
	request := func(payload []byte, secret string, b64 bool) events.APIGatewayV2HTTPRequest {
		ev := apiRequest(http.MethodPost, "/api/webhooks/stripe", "")
		delete(ev.Headers, "sec-fetch-site") // Stripe's servers are no browser
		ev.Headers["content-type"] = "application/json; charset=utf-8"
		ev.Headers["stripe-signature"] = cards.SignatureHeader(secret, body, time.Now())
		ev.Body, ev.IsBase64Encoded = string(payload), b64
		if b64 {
			ev.Body = base64.StdEncoding.EncodeToString(payload)
		}
		return ev
	}
	for _, tc := range []struct {
		name    string
		request events.APIGatewayV2HTTPRequest
		status  int
	}{
		{"new secret, base64 body", request(body, "whsec_new_test", true), http.StatusOK},
		{"old secret, plain body", request(body, "whsec_old_test", false), http.StatusOK},
		{"one byte changed", request(tampered, "whsec_new_test", true), http.StatusBadRequest},
		{"a secret we do not hold", request(body, "whsec_someone_else", false), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := invoke[events.APIGatewayV2HTTPResponse](t, url, tc.request)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
		})
	}
}
