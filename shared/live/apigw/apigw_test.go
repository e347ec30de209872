package apigw_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/live/apigw"
)

// The poster speaks the Management API: POST and DELETE on
// /{stage}/@connections/{id}, SigV4-signed for execute-api in the
// endpoint's region; 410 is a gone connection.
func TestPostAndCloseAreSignedManagementCalls(t *testing.T) {
	type call struct{ method, path, auth, body string }
	var mu sync.Mutex
	var calls []call
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, call{r.Method, r.URL.EscapedPath(), r.Header.Get("Authorization"), string(b)})
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/gone") {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	p, err := apigw.New(apigw.Config{Endpoint: srv.URL + "/prod", Region: "eu-west-1", AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Post(ctx, "Ab1=", []byte(`{"type":"appointment.created"}`)); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(ctx, "Ab1="); err != nil {
		t.Fatal(err)
	}
	if err := p.Post(ctx, "gone", []byte(`{}`)); !errors.Is(err, live.ErrGone) {
		t.Fatalf("410: %v, want ErrGone", err)
	}
	if len(calls) != 3 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	if c.method != "POST" || c.path != "/prod/@connections/Ab1=" || c.body != `{"type":"appointment.created"}` {
		t.Fatalf("post %+v", c)
	}
	if !strings.HasPrefix(c.auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(c.auth, "/eu-west-1/execute-api/aws4_request") {
		t.Fatalf("authorization %q", c.auth)
	}
	if calls[1].method != "DELETE" || calls[1].path != "/prod/@connections/Ab1=" {
		t.Fatalf("close %+v", calls[1])
	}
	if _, err := apigw.New(apigw.Config{Endpoint: "not a url"}); err == nil {
		t.Fatal("a bad endpoint was taken")
	}
}
