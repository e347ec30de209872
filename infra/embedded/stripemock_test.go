package embedded

import (
	"net/http"
	"strings"
	"testing"
)

// stripe-mock answers Stripe's API on loopback: a PaymentIntent is created
// from a form post with a test key, and refused without one.
func TestStripeMockAnswersStripesAPI(t *testing.T) {
	url, stop, err := StartStripeMock()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	post := func(key string) int {
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/payment_intents", strings.NewReader("amount=1234&currency=usd"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("sk_test_local"); got != http.StatusOK {
		t.Fatalf("create with a test key: %d", got)
	}
	if got := post(""); got != http.StatusUnauthorized {
		t.Fatalf("create without a key: %d, want 401", got)
	}
}
