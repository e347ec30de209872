package lambdatest

import (
	"encoding/base64"
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
// with its deployed configuration shape and checks one route answers in the
// contract's shape: proof that config, clients, guard and adapter work in
// the Lambda runtime, not only under httptest.
func TestGuardedFunctionsUnderRIE(t *testing.T) {
	env := requireEnv(t)
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	base := map[string]string{
		"MONGODB_URI": env.mongoURI, "MONGODB_DATABASE": "lambdatest", "REDIS_URL": env.redisURL,
		"JWT_KEYS": "k1:" + key, "JWT_ACTIVE_KID": "k1",
	}
	with := func(extras ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range append([]map[string]string{base}, extras...) {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	// Publishers need a queue URL and a region; nothing is sent in these cases.
	queue := map[string]string{"NOTIFICATIONS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/topsmile-notifications",
		"APP_URL": "https://clinic.example", "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
	dataKey := map[string]string{"DATA_KEY": key}
	tests := []struct {
		function string
		env      map[string]string
		request  events.APIGatewayV2HTTPRequest
		status   int
		code     string
	}{
		{"auth", with(dataKey, queue), apiRequest(http.MethodPost, "/api/auth/login", `{"email":"nobody@example.com","password":"not-the-password"}`), 401, "unauthorized"},
		{"auth", with(dataKey, queue), apiRequest(http.MethodPost, "/api/auth/login", `{"email":"a@b.co","password":"x","role":"admin"}`), 400, "invalid"},
		{"admin", with(dataKey), apiRequest(http.MethodGet, "/api/users", ""), 401, "unauthorized"},
		{"scheduling", with(queue), apiRequest(http.MethodGet, "/api/providers", ""), 401, "unauthorized"},
	}
	for _, tc := range tests {
		t.Run(tc.function+" "+tc.request.RouteKey, func(t *testing.T) {
			url := startRIE(t, buildFunction(t, tc.function), tc.env)
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
