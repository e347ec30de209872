package sqsqueue_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/sqsqueue"
)

const queueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/topsmile-notifications"

// The publisher speaks SQS's JSON protocol, signed for the queue's region
// with the environment's credentials, and carries the message as its body.
func TestPublishSendsASignedSendMessage(t *testing.T) {
	type seen struct {
		target, auth, token string
		body                map[string]string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]string
		_ = json.Unmarshal(b, &body)
		got <- seen{r.Header.Get("X-Amz-Target"), r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token"), body}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		sum := md5.Sum([]byte(body["MessageBody"]))
		_, _ = w.Write([]byte(`{"MessageId":"m-1","MD5OfMessageBody":"` + hex.EncodeToString(sum[:]) + `"}`))
	}))
	defer srv.Close()
	p := sqsqueue.New(sqsqueue.Config{QueueURL: queueURL, AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", SessionToken: "session", Endpoint: srv.URL})
	m := notify.Message{ID: "n-1", ClinicID: "c-1", Channel: notify.Email, To: "ana@example.com", Template: "password_reset", CreatedAt: time.Unix(0, 0).UTC()}
	if err := p.Publish(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.target != "AmazonSQS.SendMessage" {
		t.Errorf("X-Amz-Target %q", s.target)
	}
	if !strings.Contains(s.auth, "Credential=AKIDTEST/") || !strings.Contains(s.auth, "/eu-west-1/sqs/aws4_request") {
		t.Errorf("Authorization %q: want the key signed for the queue's region", s.auth)
	}
	if s.token != "session" {
		t.Errorf("security token %q", s.token)
	}
	if s.body["QueueUrl"] != queueURL {
		t.Errorf("QueueUrl %q", s.body["QueueUrl"])
	}
	var sent notify.Message
	if err := json.Unmarshal([]byte(s.body["MessageBody"]), &sent); err != nil || sent.ID != "n-1" || sent.To != "ana@example.com" {
		t.Errorf("MessageBody %q (%v)", s.body["MessageBody"], err)
	}
}

// A queue that cannot be reached is Unavailable (the caller answers 503);
// a malformed message never leaves.
func TestPublishFailures(t *testing.T) {
	p := sqsqueue.New(sqsqueue.Config{QueueURL: queueURL, AccessKeyID: "a", SecretAccessKey: "b", Endpoint: "http://127.0.0.1:1"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ok := notify.Message{ID: "n-1", ClinicID: "c-1", Channel: notify.SMS, To: "+12125550147", Template: "t"}
	if err := p.Publish(ctx, ok); !errs.Is(err, errs.Unavailable) {
		t.Errorf("queue down: %v, want Unavailable", err)
	}
	if err := p.Publish(ctx, notify.Message{ID: "n-2"}); !errs.Is(err, errs.Internal) {
		t.Errorf("invalid message: %v, want Internal", err)
	}
}
