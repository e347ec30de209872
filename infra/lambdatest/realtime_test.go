package lambdatest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/token"
)

// The realtime function's real bootstrap under the RIE, configured as
// deployed, with an HTTP server standing in for API Gateway's Management
// API: $connect with the session cookie from the SPA's origin registers
// the connection, from another origin it is refused; a live-queue batch is
// posted (SigV4-signed) to the clinic's connection, and only to it.
func TestRealtimeUnderRIE(t *testing.T) {
	env := requireEnv(t)
	type post struct{ path, auth, body string }
	var mu sync.Mutex
	var posts []post
	mgmt := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, post{r.URL.Path, r.Header.Get("Authorization"), string(b)})
		mu.Unlock()
	}))
	defer mgmt.Close()
	vars := deployedEnv(t, env, "RealtimeFunction")
	vars["LIVE_ENDPOINT"] = mgmt.URL + "/prod"
	url := startRIE(t, buildFunction(t, "realtime"), vars)

	keys, err := token.NewKeys(token.Config{Keys: vars["JWT_KEYS"], ActiveKID: vars["JWT_ACTIVE_KID"], AccessTTL: 10 * time.Minute}, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	clinic, other := ids.New(), ids.New()
	access, _, err := keys.IssueAccess(token.Subject{UserID: ids.New(), Role: authz.Receptionist, ClinicID: clinic, SessionID: ids.New()})
	if err != nil {
		t.Fatal(err)
	}
	connect := func(id, origin string) int {
		t.Helper()
		var ev events.APIGatewayWebsocketProxyRequest
		ev.RequestContext.RouteKey, ev.RequestContext.EventType, ev.RequestContext.ConnectionID = "$connect", "CONNECT", id
		ev.RequestContext.Identity.SourceIP = "203.0.113.7"
		ev.Headers = map[string]string{"Origin": origin, "Host": "abc123.execute-api.eu-west-1.amazonaws.com", "Sec-WebSocket-Version": "13"}
		ev.MultiValueHeaders = map[string][]string{"Cookie": {authz.AccessCookie + "=" + access}}
		return invoke[events.APIGatewayProxyResponse](t, url, ev).StatusCode
	}
	conn := "rie-" + ids.New()
	if got := connect(conn, vars["APP_URL"]); got != http.StatusOK {
		t.Fatalf("$connect from the SPA's origin: %d", got)
	}
	if got := connect("rie-evil-"+ids.New(), "https://evil.example"); got != http.StatusForbidden {
		t.Fatalf("$connect from another origin: %d", got)
	}
	batch := func(clinicID string) events.SQSEvent {
		b, _ := json.Marshal(live.Envelope{ClinicID: clinicID, Event: live.Event{Type: live.AppointmentCreated, ID: ids.New(), Version: 1, At: time.Now().UTC()}})
		return events.SQSEvent{Records: []events.SQSMessage{{MessageId: ids.New(), Body: string(b), EventSource: "aws:sqs"}}}
	}
	for _, c := range []string{other, clinic} {
		if resp := invoke[events.SQSEventResponse](t, url, batch(c)); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("fan-out failures %+v", resp.BatchItemFailures)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 1 {
		t.Fatalf("%d posts to the Management API, want 1 (the clinic's one connection): %+v", len(posts), posts)
	}
	p := posts[0]
	if p.path != "/prod/@connections/"+conn || !strings.Contains(p.body, `"type":"appointment.created"`) ||
		!strings.Contains(p.auth, "/eu-west-1/execute-api/aws4_request") {
		t.Fatalf("post %+v", p)
	}
}
