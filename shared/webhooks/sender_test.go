package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// verify is a receiver's check, written from the documented scheme
// (X-TopSmile-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>),
// not from the package's signer: parse t and v1, recompute over the raw
// body, compare in constant time, and refuse a t over 5 minutes off.
func verify(secret, header string, body []byte, now time.Time) bool {
	var ts, v1 string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return false
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || v1 == "" {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	got, err := hex.DecodeString(v1)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	return subtle.ConstantTimeCompare(mac.Sum(nil), got) == 1
}

// receiver is an httptest server that records what it is sent and
// answers codes in turn (the last one from then on).
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []received
	codes []int
	delay time.Duration
	hits  atomic.Int32
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(tb testing.TB, codes ...int) *receiver {
	r := &receiver{codes: codes}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		body, _ := io.ReadAll(req.Body)
		time.Sleep(r.delay)
		r.mu.Lock()
		r.reqs = append(r.reqs, received{req.Header.Clone(), body})
		code := r.codes[min(len(r.reqs), len(r.codes))-1]
		r.mu.Unlock()
		w.WriteHeader(code)
	}))
	tb.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

type env struct {
	m      *store.Mongo
	clk    *clock.Fake
	st     *webhooks.Store
	sender *webhooks.Sender
	clinic string
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	keys, err := seal.New(seal.Config{Keys: "p1:" + storetest.PHIKey, ActiveKID: "p1"})
	if err != nil {
		tb.Fatal(err)
	}
	m := storetest.NewMongo(tb)
	clk := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	st := webhooks.NewStore(m, keys, clk)
	if err := st.EnsureIndexes(context.Background()); err != nil {
		tb.Fatal(err)
	}
	g := &webhooks.Guard{}
	webhooks.AllowLoopback(g)
	return &env{m: m, clk: clk, st: st, clinic: ids.New(), sender: &webhooks.Sender{Store: st, Guard: g, Rand: func() float64 { return 0.5 }}}
}

// endpoint registers url for events (the URL check is the routes'; the
// store takes what it is given).
func (e *env) endpoint(tb testing.TB, url string, events ...string) webhooks.Created {
	tb.Helper()
	c, err := e.st.Create(context.Background(), e.clinic, webhooks.NewEndpoint{URL: url, Events: events})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func (e *env) publish(tb testing.TB, typ string) {
	tb.Helper()
	if _, err := e.st.Publish(context.Background(), e.clinic, webhooks.Event{Type: typ, Data: map[string]any{"appointmentId": "a1", "changedFields": []string{"start"}}}); err != nil {
		tb.Fatal(err)
	}
}

func (e *env) only(tb testing.TB, endpointID string) webhooks.Delivery {
	tb.Helper()
	page, err := e.st.Deliveries(context.Background(), e.clinic, endpointID, "", store.PageRequest{Limit: 50})
	if err != nil {
		tb.Fatal(err)
	}
	if len(page.Items) != 1 {
		tb.Fatalf("%d deliveries, want 1", len(page.Items))
	}
	return page.Items[0]
}

func (e *env) sweep(tb testing.TB) int {
	tb.Helper()
	n, err := e.sender.Sweep(context.Background(), 100)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestDeliveryIsSignedAsDocumented(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 200)
	ep := e.endpoint(t, rcv.URL+"/hooks", webhooks.AppointmentCreated)
	if !strings.HasPrefix(ep.SigningSecret, "whsec_") || len(ep.SigningSecret) < 40 {
		t.Fatalf("secret %q", ep.SigningSecret)
	}
	e.publish(t, webhooks.AppointmentCreated)
	if n := e.sweep(t); n != 1 {
		t.Fatalf("swept %d, want 1", n)
	}
	reqs := rcv.got()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	sig := r.header.Get("X-TopSmile-Signature")
	if !verify(ep.SigningSecret, sig, r.body, e.clk.Now()) {
		t.Fatalf("signature %q does not verify", sig)
	}
	tampered := []byte(strings.Replace(string(r.body), `"a1"`, `"a2"`, 1))
	if string(tampered) == string(r.body) || verify(ep.SigningSecret, sig, tampered, e.clk.Now()) {
		t.Error("a tampered body verifies")
	}
	if verify("whsec_other", sig, r.body, e.clk.Now()) {
		t.Error("another secret verifies")
	}
	if verify(ep.SigningSecret, sig, r.body, e.clk.Now().Add(10*time.Minute)) {
		t.Error("an old signature verifies")
	}
	var body struct {
		ID, Type, CreatedAt string
		Data                map[string]any
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body.ID, "evt_") || body.Type != "appointment.created" || body.Data["appointmentId"] != "a1" || body.CreatedAt == "" {
		t.Errorf("body %s", r.body)
	}
	if got := r.header.Get("X-TopSmile-Event-Id"); got != body.ID {
		t.Errorf("event id header %q, body id %q", got, body.ID)
	}
	if ct, ua := r.header.Get("Content-Type"), r.header.Get("User-Agent"); ct != "application/json" || !strings.HasPrefix(ua, "TopSmile-Webhooks/") {
		t.Errorf("Content-Type %q, User-Agent %q", ct, ua)
	}
	d := e.only(t, ep.ID)
	if d.Status != webhooks.Succeeded || d.AttemptCount != 1 || len(d.Attempts) != 1 || d.Attempts[0].StatusCode != 200 || d.EventID != body.ID {
		t.Errorf("delivery %+v", d)
	}

	// The secret is stored sealed: the raw document does not hold it.
	var raw bson.Raw
	if err := e.m.Collection(webhooks.EndpointsCollection).Get(context.Background(), e.clinic, ep.ID, &raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), ep.SigningSecret) || strings.Contains(string(raw), strings.TrimPrefix(ep.SigningSecret, "whsec_")) {
		t.Error("the stored endpoint holds its secret in the clear")
	}
}

func TestSchedule(t *testing.T) {
	for _, tc := range []struct {
		n        int
		rnd      float64
		min, max time.Duration
	}{
		{1, 0, 15 * time.Second, 15 * time.Second},
		{1, 0.5, 22500 * time.Millisecond, 22500 * time.Millisecond},
		{1, 0.9999, 29 * time.Second, 30 * time.Second},
		{2, 0, 30 * time.Second, 30 * time.Second},
		{3, 1, 2 * time.Minute, 2 * time.Minute},
		{7, 1, 32 * time.Minute, 32 * time.Minute},     // 30 s × 2⁶
		{8, 0, 30 * time.Minute, 30 * time.Minute},     // capped at 1 h, half fixed
		{8, 1, time.Hour, time.Hour},                   // the cap
		{500, 0.5, 45 * time.Minute, 45 * time.Minute}, // no overflow
		{0, 0, 15 * time.Second, 15 * time.Second},
	} {
		if got := webhooks.Schedule(tc.n, tc.rnd); got < tc.min || got > tc.max {
			t.Errorf("Schedule(%d, %v) = %v, want in [%v, %v]", tc.n, tc.rnd, got, tc.min, tc.max)
		}
	}
	// Never shorter than the previous ceiling's half, never past the cap.
	prev := time.Duration(0)
	for n := 1; n < 40; n++ {
		lo, hi := webhooks.Schedule(n, 0), webhooks.Schedule(n, math.Nextafter(1, 0))
		if lo < prev/2 || hi > webhooks.MaxRetry || lo > hi {
			t.Errorf("attempt %d: [%v, %v]", n, lo, hi)
		}
		prev = hi
	}
}

// A receiver that fails once then takes it: two attempts, the second after
// the backoff, with the same event id and body; then succeeded.
func TestRetryThenSucceed(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 500, 200)
	ep := e.endpoint(t, rcv.URL, webhooks.AppointmentUpdated)
	e.publish(t, webhooks.AppointmentUpdated)
	e.sweep(t)
	d := e.only(t, ep.ID)
	wait := webhooks.Schedule(1, 0.5)
	if d.Status != webhooks.Pending || d.AttemptCount != 1 || d.Attempts[0].StatusCode != 500 || !d.NextAt.Equal(e.clk.Now().Add(wait)) {
		t.Fatalf("after a 500: %+v (next %v, want now+%v)", d, d.NextAt, wait)
	}
	// Not due yet.
	e.clk.Advance(wait - time.Second)
	if n := e.sweep(t); n != 0 {
		t.Fatalf("swept %d before its time", n)
	}
	e.clk.Advance(time.Second)
	if n := e.sweep(t); n != 1 {
		t.Fatalf("swept %d when due", n)
	}
	d = e.only(t, ep.ID)
	if d.Status != webhooks.Succeeded || d.AttemptCount != 2 || len(d.Attempts) != 2 {
		t.Fatalf("after a 200: %+v", d)
	}
	// Newest first.
	if d.Attempts[0].StatusCode != 200 || d.Attempts[1].StatusCode != 500 || !d.Attempts[0].At.After(d.Attempts[1].At) || d.Attempts[1].Error == "" {
		t.Errorf("attempts %+v", d.Attempts)
	}
	reqs := rcv.got()
	if len(reqs) != 2 || string(reqs[0].body) != string(reqs[1].body) ||
		reqs[0].header.Get("X-TopSmile-Event-Id") != reqs[1].header.Get("X-TopSmile-Event-Id") {
		t.Errorf("the retry is not the same event: %d requests", len(reqs))
	}
	// Settled: nothing more to send.
	e.clk.Advance(time.Hour)
	if n := e.sweep(t); n != 0 || len(rcv.got()) != 2 {
		t.Errorf("a succeeded delivery was sent again")
	}
}

// A receiver that never takes it: attempts until 24 h after the event,
// then failed.
func TestGivesUpAfter24Hours(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 503)
	ep := e.endpoint(t, rcv.URL, webhooks.PaymentSucceeded)
	start := e.clk.Now()
	e.publish(t, webhooks.PaymentSucceeded)
	var d webhooks.Delivery
	for i := 0; i < 100; i++ {
		e.sweep(t)
		d = e.only(t, ep.ID)
		if d.Status != webhooks.Pending {
			break
		}
		e.clk.Set(d.NextAt)
	}
	if d.Status != webhooks.Failed {
		t.Fatalf("status %s after %d attempts", d.Status, d.AttemptCount)
	}
	last := d.Attempts[0].At
	if last.After(start.Add(24*time.Hour)) || last.Before(start.Add(23*time.Hour)) {
		t.Errorf("last attempt at +%v, want within the last hour of 24 h", last.Sub(start))
	}
	// 30 s doubling to the 1 h cap (half fixed: 0.75 of it with rnd 0.5)
	// → about 8 attempts in the first 2 h, then one each 45 min.
	if d.AttemptCount < 25 || d.AttemptCount > 40 || len(rcv.got()) != d.AttemptCount {
		t.Errorf("%d attempts (%d requests)", d.AttemptCount, len(rcv.got()))
	}
}

// Two senders given one delivery at once: one claims it, one POST.
func TestConcurrentSendsPostOnce(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 200)
	rcv.delay = 100 * time.Millisecond
	ep := e.endpoint(t, rcv.URL, webhooks.AppointmentCancelled)
	for round := range 5 {
		e.publish(t, webhooks.AppointmentCancelled)
		page, err := e.st.Deliveries(context.Background(), e.clinic, ep.ID, webhooks.Pending, store.PageRequest{Limit: 10})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("round %d: %v %d pending", round, err, len(page.Items))
		}
		id := page.Items[0].ID
		var wg sync.WaitGroup
		var won atomic.Int32
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sent, err := e.sender.Deliver(context.Background(), e.clinic, id)
				if err != nil {
					t.Error(err)
				}
				if sent {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 || int(rcv.hits.Load()) != round+1 {
			t.Fatalf("round %d: %d senders won, %d POSTs in all", round, won.Load(), rcv.hits.Load())
		}
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	e := newEnv(t)
	target := newReceiver(t, 200)
	rcv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusFound))
	t.Cleanup(rcv.Close)
	ep := e.endpoint(t, rcv.URL, webhooks.PatientUpdated)
	e.publish(t, webhooks.PatientUpdated)
	e.sweep(t)
	d := e.only(t, ep.ID)
	if d.Status != webhooks.Pending || d.Attempts[0].StatusCode != 302 || d.Attempts[0].Error != "redirect not followed" || target.hits.Load() != 0 {
		t.Errorf("delivery %+v, target hit %d times", d, target.hits.Load())
	}
}

// A name that resolved to a public address at registration and resolves
// to an internal one at delivery (DNS rebinding) is refused by the dialer:
// the receiver listening there hears nothing.
func TestRebindingIsRefusedAtDelivery(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 200)
	_, port, _ := strings.Cut(strings.TrimPrefix(rcv.URL, "http://"), ":")
	var calls atomic.Int32
	g := &webhooks.Guard{Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return names(map[string][]string{"rebind.example": {"93.184.215.14"}})(ctx, host)
		}
		return names(map[string][]string{"rebind.example": {"127.0.0.1"}})(ctx, host)
	}}
	url := "https://rebind.example:" + port + "/hook"
	if p := g.URLProblem(context.Background(), url); p != "" {
		t.Fatalf("registration refused: %s", p)
	}
	ep := e.endpoint(t, "http://rebind.example:"+port+"/hook", webhooks.AppointmentCreated)
	e.sender.Guard = g // no loopback allowance here
	e.publish(t, webhooks.AppointmentCreated)
	e.sweep(t)
	d := e.only(t, ep.ID)
	if rcv.hits.Load() != 0 {
		t.Fatal("the rebound address was reached")
	}
	if d.Status != webhooks.Pending || d.Attempts[0].StatusCode != 0 || !strings.Contains(d.Attempts[0].Error, "refused") {
		t.Errorf("delivery %+v", d)
	}
}

func TestPublishReachesOnlySubscribers(t *testing.T) {
	e := newEnv(t)
	a := e.endpoint(t, "https://a.example/", webhooks.AppointmentCreated, webhooks.AppointmentCancelled)
	b := e.endpoint(t, "https://b.example/", webhooks.PaymentSucceeded)
	n, err := e.st.Publish(context.Background(), e.clinic, webhooks.Event{Type: webhooks.AppointmentCancelled})
	if err != nil || n != 1 {
		t.Fatalf("published %d, %v", n, err)
	}
	// Another clinic's event reaches none of these.
	if n, err := e.st.Publish(context.Background(), ids.New(), webhooks.Event{Type: webhooks.AppointmentCancelled}); err != nil || n != 0 {
		t.Fatalf("another clinic: %d, %v", n, err)
	}
	if d := e.only(t, a.ID); d.Type != webhooks.AppointmentCancelled || d.Status != webhooks.Pending {
		t.Errorf("%+v", d)
	}
	page, err := e.st.Deliveries(context.Background(), e.clinic, b.ID, "", store.PageRequest{Limit: 10})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("b got %d deliveries (%v)", len(page.Items), err)
	}
}

// A delivery whose endpoint was deleted fails at the next sweep, unsent.
func TestDeletedEndpointFailsItsDeliveries(t *testing.T) {
	e := newEnv(t)
	rcv := newReceiver(t, 200)
	ep := e.endpoint(t, rcv.URL, webhooks.AppointmentCreated)
	e.publish(t, webhooks.AppointmentCreated)
	if err := e.st.Delete(context.Background(), e.clinic, ep.ID); err != nil {
		t.Fatal(err)
	}
	e.sweep(t)
	d := e.only(t, ep.ID)
	if d.Status != webhooks.Failed || d.Attempts[0].Error != "endpoint deleted" || rcv.hits.Load() != 0 {
		t.Errorf("%+v", d)
	}
}
