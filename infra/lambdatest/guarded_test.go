package lambdatest

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// apiRequest is method path as API Gateway delivers it, with a JSON body.
func apiRequest(method, path, body string) events.APIGatewayV2HTTPRequest {
	ev := healthRequest("")
	ev.RouteKey, ev.RawPath = method+" "+path, path
	ev.RequestContext.RouteKey = ev.RouteKey
	ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = method, path
	ev.Headers["sec-fetch-site"] = "same-origin"
	if body != "" {
		ev.Headers["content-type"] = "application/json"
		ev.Body = body
	}
	return ev
}

// TestGuardedFunctionsUnderRIE starts each API function's real bootstrap
// with its deployed configuration (deployedEnv: what template.yaml gives it)
// and checks one route answers in the contract's shape: proof that config,
// clients, guard and adapter work in the Lambda runtime, not only under
// httptest.
func TestGuardedFunctionsUnderRIE(t *testing.T) {
	env := requireEnv(t)
	tests := []struct {
		id, folder string
		request    events.APIGatewayV2HTTPRequest
		status     int
		code       string
	}{
		{"AuthFunction", "auth", apiRequest(http.MethodPost, "/api/auth/login", `{"email":"nobody@example.com","password":"not-the-password"}`), 401, "unauthorized"},
		{"AuthFunction", "auth", apiRequest(http.MethodPost, "/api/auth/login", `{"email":"a@b.co","password":"x","role":"admin"}`), 400, "invalid"},
		{"AdminFunction", "admin", apiRequest(http.MethodGet, "/api/users", ""), 401, "unauthorized"},
		{"SchedulingFunction", "scheduling", apiRequest(http.MethodGet, "/api/providers", ""), 401, "unauthorized"},
	}
	for _, tc := range tests {
		t.Run(tc.folder+" "+tc.request.RouteKey, func(t *testing.T) {
			url := startRIE(t, buildFunction(t, tc.folder), deployedEnv(t, env, tc.id))
			resp := invoke[events.APIGatewayV2HTTPResponse](t, url, tc.request)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
			var body struct {
				Error struct{ Code, RequestID string }
			}
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Error.Code != tc.code || body.Error.RequestID == "" {
				t.Fatalf("body %s", resp.Body)
			}
			assertHeaders(t, resp, map[string]string{"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
		})
	}
}
