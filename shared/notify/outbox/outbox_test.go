package outbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/sqsqueue"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// fauxqs is a real SQS-protocol server (npm fauxqs), started per test on a
// free port. FAUXQS_CLI names its cli.js (the Makefile sets it).
type fauxqs struct {
	endpoint string
	cmd      *exec.Cmd
	client   *sqs.Client
	queueURL string
}

func cliPath(tb testing.TB) string {
	if p := os.Getenv("FAUXQS_CLI"); p != "" {
		return p
	}
	// Beside the repository's test tools, when installed.
	wd, _ := os.Getwd()
	p := filepath.Join(wd, "..", "..", "..", "infra", "testtools", "node_modules", "fauxqs", "dist", "cli.js")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("FAUXQS_CLI is not set and infra/testtools is not installed (make test-go installs it)")
	}
	tb.Skip("fauxqs not installed: run `make test-go` (or npm ci in infra/testtools)")
	return ""
}

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startFauxqs(tb testing.TB) *fauxqs {
	tb.Helper()
	cli := cliPath(tb)
	port := freePort(tb)
	f := &fauxqs{endpoint: "http://127.0.0.1:" + strconv.Itoa(port)}
	f.start(tb, cli, port)
	f.client = sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(f.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out *sqs.CreateQueueOutput
	var err error
	for ctx.Err() == nil { // ready in about half a second
		if out, err = f.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("topsmile-notifications")}); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("fauxqs did not start: %v", err)
	}
	f.queueURL = aws.ToString(out.QueueUrl)
	return f
}

func (f *fauxqs) start(tb testing.TB, cli string, port int) {
	cmd := exec.Command("node", cli)
	cmd.Env = append(os.Environ(), "FAUXQS_PORT="+strconv.Itoa(port), "FAUXQS_LOGGER=false")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	f.cmd = cmd
	tb.Cleanup(f.stop)
}

func (f *fauxqs) stop() {
	if f.cmd != nil && f.cmd.Process != nil {
		_ = f.cmd.Process.Kill()
		_ = f.cmd.Wait()
		f.cmd = nil
	}
}

// receive drains the queue (deleting what it reads) and returns the ids
// of the notifications on it.
func (f *fauxqs) receive(tb testing.TB) []string {
	tb.Helper()
	var got []string
	for {
		out, err := f.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(f.queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0})
		if err != nil {
			tb.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return got
		}
		for _, m := range out.Messages {
			var n notify.Message
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &n); err != nil {
				tb.Fatal(err)
			}
			got = append(got, n.ID)
			if _, err := f.client.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(f.queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

type env struct {
	m     *store.Mongo
	clock *clock.Fake
	store *outbox.Store
	pub   *outbox.Publisher
	logs  *bytes.Buffer
}

func newEnv(tb testing.TB, queue notify.Publisher) *env {
	tb.Helper()
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{m: storetest.NewMongo(tb), clock: clock.NewFake(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)), logs: &bytes.Buffer{}}
	e.store = outbox.New(e.m, keys, e.clock)
	e.pub = &outbox.Publisher{Store: e.store, Queue: queue, Log: slog.New(slog.NewTextHandler(e.logs, nil))}
	return e
}

func msg(id string) notify.Message {
	return notify.Message{ID: id, ClinicID: "c1", Channel: notify.Email, To: "jordan@example.com", Template: "password-reset",
		Data: map[string]string{"resetUrl": "https://clinic.test/reset?token=secret-token-123", "patientId": "p1"}}
}

func (e *env) status(tb testing.TB, id string) string {
	tb.Helper()
	r, err := e.store.Get(context.Background(), "c1", id)
	if err != nil {
		tb.Fatal(err)
	}
	return r.Status
}

func sqsPublisher(endpoint, queueURL string) *sqsqueue.Publisher {
	return sqsqueue.New(sqsqueue.Config{QueueURL: queueURL, Region: "us-east-1", AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Endpoint: endpoint})
}

// A publish stores the message, puts it on the real queue and marks it
// queued; publishing the same id again adds nothing to the queue.
func TestPublishStoresThenQueuesOnce(t *testing.T) {
	q := startFauxqs(t)
	e := newEnv(t, sqsPublisher(q.endpoint, q.queueURL))
	ctx := context.Background()
	for range 2 {
		if err := e.pub.Publish(ctx, msg("n1")); err != nil {
			t.Fatal(err)
		}
	}
	if got := q.receive(t); len(got) != 1 || got[0] != "n1" {
		t.Fatalf("on the queue: %v, want [n1] once", got)
	}
	if s := e.status(t, "n1"); s != outbox.Queued {
		t.Fatalf("status %s, want queued", s)
	}
	r, _ := e.store.Get(ctx, "c1", "n1")
	if r.Attempts != 1 || r.PatientID != "p1" {
		t.Fatalf("attempts %d patient %q", r.Attempts, r.PatientID)
	}
}

// With SQS down the producer's change still succeeds and the message
// waits in the outbox; a sweep after a minute delivers it once, and a
// second sweep finds nothing to do.
func TestSQSOutageLosesNothing(t *testing.T) {
	q := startFauxqs(t)
	down := sqsPublisher("http://127.0.0.1:"+strconv.Itoa(freePort(t)), q.queueURL) // nothing listens there
	e := newEnv(t, down)
	ctx := context.Background()
	if err := e.pub.Publish(ctx, msg("n2")); err != nil {
		t.Fatalf("publish with SQS down: %v (the outbox holds it; the caller must not fail)", err)
	}
	if s := e.status(t, "n2"); s != outbox.Pending {
		t.Fatalf("status %s, want pending", s)
	}
	if !strings.Contains(e.logs.String(), "the sweep will publish it") || strings.Contains(e.logs.String(), "secret-token-123") {
		t.Fatalf("log: %s", e.logs)
	}
	// Too early: the first publisher may still be at it.
	e.pub.Queue = sqsPublisher(q.endpoint, q.queueURL)
	if n, err := e.pub.Sweep(ctx, 100); err != nil || n != 0 {
		t.Fatalf("early sweep published %d (%v)", n, err)
	}
	e.clock.Advance(outbox.SweepAfter)
	if n, err := e.pub.Sweep(ctx, 100); err != nil || n != 1 {
		t.Fatalf("sweep published %d (%v), want 1", n, err)
	}
	if n, err := e.pub.Sweep(ctx, 100); err != nil || n != 0 {
		t.Fatalf("second sweep published %d (%v), want 0", n, err)
	}
	got := q.receive(t)
	if len(got) != 1 || got[0] != "n2" {
		t.Fatalf("on the queue: %v", got)
	}
	if s := e.status(t, "n2"); s != outbox.Queued {
		t.Fatalf("status %s", s)
	}
}

// A sweep whose queue fails stops and backs off; the record is published
// by a later sweep once the queue is back.
func TestSweepBacksOffWhileTheQueueIsDown(t *testing.T) {
	q := startFauxqs(t)
	down := sqsPublisher("http://127.0.0.1:"+strconv.Itoa(freePort(t)), q.queueURL)
	e := newEnv(t, down)
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if err := e.pub.Publish(ctx, msg(id)); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(outbox.SweepAfter)
	if _, err := e.pub.Sweep(ctx, 100); err == nil {
		t.Fatal("sweep with the queue down reported no error")
	}
	e.pub.Queue = sqsPublisher(q.endpoint, q.queueURL)
	// "a" was tried and backs off two minutes; "b" was not reached.
	if n, _ := e.pub.Sweep(ctx, 100); n != 1 {
		t.Fatalf("published %d, want only the untried one", n)
	}
	e.clock.Advance(2 * outbox.SweepAfter)
	if n, _ := e.pub.Sweep(ctx, 100); n != 1 {
		t.Fatalf("published %d after the back-off, want 1", n)
	}
	got := q.receive(t)
	if len(got) != 2 {
		t.Fatalf("on the queue: %v", got)
	}
}

// A message held until a time (quiet hours) is stored, not queued, and
// the first sweep after that time publishes it.
func TestHeldUntilItsTime(t *testing.T) {
	q := startFauxqs(t)
	e := newEnv(t, sqsPublisher(q.endpoint, q.queueURL))
	ctx := context.Background()
	at := e.clock.Now().Add(10 * time.Hour)
	if err := e.pub.PublishAt(ctx, msg("held"), at); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(9 * time.Hour)
	if n, _ := e.pub.Sweep(ctx, 100); n != 0 || len(q.receive(t)) != 0 {
		t.Fatal("published before its time")
	}
	e.clock.Advance(time.Hour)
	if n, _ := e.pub.Sweep(ctx, 100); n != 1 {
		t.Fatalf("published %d at its time", n)
	}
	if got := q.receive(t); len(got) != 1 || got[0] != "held" {
		t.Fatalf("on the queue: %v", got)
	}
}

// Two sweeps at once publish each record at most... once per sweep that
// took it: the consumer delivers an id once, so what matters here is that
// every record is published and none is left pending.
func TestConcurrentSweepsPublishEverything(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	pub := publisherFunc(func(_ context.Context, m notify.Message) error {
		mu.Lock()
		seen[m.ID]++
		mu.Unlock()
		return nil
	})
	failing := publisherFunc(func(context.Context, notify.Message) error { return fmt.Errorf("down") })
	e := newEnv(t, failing)
	ctx := context.Background()
	for i := range 20 {
		if err := e.pub.Publish(ctx, msg(fmt.Sprintf("m%02d", i))); err != nil {
			t.Fatal(err)
		}
	}
	e.pub.Queue = pub
	e.clock.Advance(outbox.SweepAfter)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = e.pub.Sweep(ctx, 100) }()
	}
	wg.Wait()
	if len(seen) != 20 {
		t.Fatalf("published %d distinct of 20", len(seen))
	}
	page, err := e.store.List(ctx, "c1", outbox.Filter{Status: outbox.Pending}, store.PageRequest{Limit: 50})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("%d still pending (%v)", len(page.Items), err)
	}
}

type publisherFunc func(ctx context.Context, m notify.Message) error

func (f publisherFunc) Publish(ctx context.Context, m notify.Message) error { return f(ctx, m) }

// The template data (here a reset link with its token) is sealed at rest
// and opens back into the same message.
func TestDataIsSealedAtRest(t *testing.T) {
	e := newEnv(t, publisherFunc(func(context.Context, notify.Message) error { return nil }))
	ctx := context.Background()
	if err := e.pub.Publish(ctx, msg("s1")); err != nil {
		t.Fatal(err)
	}
	var raw bson.Raw
	err := e.m.Collection(outbox.Collection).Unscoped(ctx, func(ctx context.Context, coll *mongo.Collection) error {
		return coll.FindOne(ctx, bson.D{{Key: "_id", Value: "s1"}}).Decode(&raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("secret-token-123")) || bytes.Contains(raw, []byte("resetUrl")) {
		t.Fatal("the stored record holds the data in the clear")
	}
	r, _ := e.store.Get(ctx, "c1", "s1")
	m, err := e.store.Message(r)
	if err != nil || m.Data["resetUrl"] != msg("s1").Data["resetUrl"] || m.To != "jordan@example.com" {
		t.Fatalf("reopened %+v (%v)", m, err)
	}
	// Another clinic does not see it.
	if _, err := e.store.Get(ctx, "c2", "s1"); err == nil {
		t.Fatal("another clinic read the record")
	}
}

// The consumer's outcomes, Twilio's callbacks and the admin's retry.
func TestOutcomesDeliveryAndRetry(t *testing.T) {
	var queued []string
	e := newEnv(t, publisherFunc(func(_ context.Context, m notify.Message) error { queued = append(queued, m.ID); return nil }))
	ctx := context.Background()
	sms := msg("t1")
	sms.Channel, sms.To, sms.Template = notify.SMS, "+12125550147", "appointment-reminder"
	if err := e.pub.Publish(ctx, sms); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Settle(ctx, "c1", "t1", outbox.Sent, "", "SM123"); err != nil {
		t.Fatal(err)
	}
	// Callbacks in any order: the status only rises.
	for _, st := range []string{"delivered", "sent", "queued"} {
		if found, err := e.store.Delivered(ctx, "SM123", st); err != nil || !found {
			t.Fatalf("%s: found %v %v", st, found, err)
		}
	}
	r, _ := e.store.Get(ctx, "c1", "t1")
	if r.Delivery != "delivered" || r.Status != outbox.Sent {
		t.Fatalf("delivery %q status %s", r.Delivery, r.Status)
	}
	if found, _ := e.store.Delivered(ctx, "SM-unknown", "sent"); found {
		t.Fatal("an unknown sid matched")
	}
	if _, err := e.store.Delivered(ctx, "SM123", "bogus"); err == nil {
		t.Fatal("an unknown status was taken")
	}
	// A sent message cannot be retried; a dead one can, and is queued again.
	if ok, err := e.pub.Retry(ctx, "c1", "t1", forget); ok || err != nil {
		t.Fatalf("retried a sent message: %v %v", ok, err)
	}
	if err := e.pub.Publish(ctx, msg("d1")); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MarkDead(ctx, "c1", "d1", "retries-exhausted"); err != nil {
		t.Fatal(err)
	}
	dead, _ := e.store.List(ctx, "c1", outbox.Filter{Status: outbox.Dead}, store.PageRequest{Limit: 10})
	if len(dead.Items) != 1 || dead.Items[0].ID != "d1" || dead.Items[0].Class != "retries-exhausted" {
		t.Fatalf("dead list %+v", dead.Items)
	}
	var forgotten []string
	ok, err := e.pub.Retry(ctx, "c1", "d1", func(_ context.Context, id string) error { forgotten = append(forgotten, id); return nil })
	if !ok || err != nil || len(forgotten) != 1 {
		t.Fatalf("retry %v %v forgot %v", ok, err, forgotten)
	}
	if s := e.status(t, "d1"); s != outbox.Queued {
		t.Fatalf("after retry %s", s)
	}
	if queued[len(queued)-1] != "d1" {
		t.Fatalf("queue got %v", queued)
	}
	// Another clinic cannot retry it.
	if ok, _ := e.pub.Retry(ctx, "c2", "d1", forget); ok {
		t.Fatal("another clinic retried it")
	}
}

func forget(context.Context, string) error { return nil }
