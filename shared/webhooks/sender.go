package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
)

// Sender posts due deliveries.
type Sender struct {
	Store *Store
	Guard *Guard
	Log   *slog.Logger
	// Rand is the jitter source in [0,1) (nil: math/rand).
	Rand func() float64
	// Workers posts this many deliveries at once (default 8).
	Workers int

	once   sync.Once
	client *http.Client
}

// maxResponse is how much of a receiver's answer is read (and dropped).
const maxResponse = 64 << 10

func (s *Sender) httpClient() *http.Client {
	s.once.Do(func() {
		s.client = &http.Client{
			Timeout: SendTimeout,
			Transport: &http.Transport{
				Proxy:                 nil, // a proxy would dial for us, past the guard
				DialContext:           s.Guard.DialContext,
				TLSHandshakeTimeout:   5 * time.Second,
				ResponseHeaderTimeout: SendTimeout,
				MaxIdleConns:          16,
				IdleConnTimeout:       30 * time.Second,
			},
			// A redirect could point anywhere: the receiver must answer
			// at the URL it registered.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return s.client
}

func (s *Sender) jitter() float64 {
	if s.Rand != nil {
		return s.Rand()
	}
	return rand.Float64()
}

// Sweep sends up to limit due deliveries of every clinic and answers how
// many it attempted. A delivery another sender claimed first is skipped.
func (s *Sender) Sweep(ctx context.Context, limit int) (int, error) {
	due, err := s.Store.due(ctx, limit)
	if err != nil {
		return 0, err
	}
	workers := s.Workers
	if workers <= 0 {
		workers = 8
	}
	var (
		mu    sync.Mutex
		sent  int
		first error
		wg    sync.WaitGroup
		next  = make(chan Delivery)
		cache = endpointCache{m: map[string]endpointResult{}}
	)
	for range min(workers, len(due)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range next {
				ok, err := s.deliver(ctx, d, &cache)
				mu.Lock()
				if ok {
					sent++
				}
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, d := range due {
		if dl, ok := ctx.Deadline(); ctx.Err() != nil || ok && time.Until(dl) < SendTimeout+5*time.Second {
			break // no time for another send: the rest waits for the next sweep
		}
		next <- d
	}
	close(next)
	wg.Wait()
	return sent, first
}

// Deliver claims one delivery and, if this call won the claim, posts it
// and records the attempt. sent is false when it was not due or another
// sender has it.
func (s *Sender) Deliver(ctx context.Context, clinicID, id string) (sent bool, err error) {
	d, err := s.Store.Delivery(ctx, clinicID, id)
	if err != nil {
		return false, err
	}
	return s.deliver(ctx, d, &endpointCache{m: map[string]endpointResult{}})
}

type endpointResult struct {
	e      Endpoint
	secret string
	err    error
}

// endpointCache reads each endpoint once per sweep.
type endpointCache struct {
	mu sync.Mutex
	m  map[string]endpointResult
}

func (c *endpointCache) get(ctx context.Context, st *Store, clinicID, id string) endpointResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := clinicID + "/" + id
	if r, ok := c.m[key]; ok {
		return r
	}
	var r endpointResult
	r.e, r.err = st.Endpoint(ctx, clinicID, id)
	if r.err == nil {
		r.secret, r.err = st.secret(r.e)
	}
	c.m[key] = r
	return r
}

func (s *Sender) deliver(ctx context.Context, read Delivery, cache *endpointCache) (bool, error) {
	d, ok, err := s.Store.claim(ctx, read)
	if err != nil || !ok {
		return false, err
	}
	ep := cache.get(ctx, s.Store, d.ClinicID, d.EndpointID)
	now := s.Store.clock.Now().UTC()
	if errs.Is(ep.err, errs.NotFound) {
		_, err := s.Store.settle(ctx, d, Attempt{At: now, Error: "endpoint deleted"}, Failed, now)
		return false, err
	}
	if ep.err != nil {
		// Not this delivery's fault: give the claim back for the next sweep.
		_, serr := s.Store.settle(ctx, d, Attempt{At: now, Error: "not sent: " + string(errs.KindOf(ep.err))}, Pending, now.Add(FirstRetry))
		return false, errors.Join(ep.err, serr)
	}
	a := s.post(ctx, ep.e.URL, ep.secret, d)
	status, next := Succeeded, a.At
	if a.StatusCode < 200 || a.StatusCode > 299 {
		status, next = Pending, a.At.Add(Schedule(d.AttemptCount+1, s.jitter()))
		if !next.Before(d.GiveUpAt) {
			status, next = Failed, a.At
		}
	}
	matched, err := s.Store.settle(ctx, d, a, status, next)
	if err == nil && !matched && s.Log != nil {
		s.Log.WarnContext(ctx, "webhook delivery claim lapsed before its outcome was stored", "delivery", d.ID, "clinic", d.ClinicID)
	}
	if s.Log != nil {
		s.Log.InfoContext(ctx, "webhook delivery attempted", "delivery", d.ID, "clinic", d.ClinicID, "endpoint", d.EndpointID,
			"event", d.EventID, "status", status, "statusCode", a.StatusCode, "durationMs", a.DurationMS)
	}
	return true, err
}

// post sends d's body to url, signed with secret, and reports how it went.
// The error text names what failed, never the secret or the body.
func (s *Sender) post(ctx context.Context, url, secret string, d Delivery) Attempt {
	at := s.Store.clock.Now().UTC().Truncate(time.Millisecond)
	began := time.Now()
	a := Attempt{At: at}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(d.Body)))
	if err != nil {
		a.Error = "bad endpoint URL"
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(EventIDHeader, d.EventID)
	req.Header.Set(SignatureHeader, Sign(secret, at, []byte(d.Body)))
	resp, err := s.httpClient().Do(req)
	a.DurationMS = time.Since(began).Milliseconds()
	if err != nil {
		a.Error = describe(err)
		return a
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	a.StatusCode = resp.StatusCode
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		a.Error = "redirect not followed"
	case resp.StatusCode >= 400:
		a.Error = fmt.Sprintf("receiver answered %d", resp.StatusCode)
	}
	a.DurationMS = time.Since(began).Milliseconds()
	return a
}

// describe names a transport failure without echoing the URL's query.
func describe(err error) string {
	switch {
	case errors.Is(err, ErrRefused):
		return "refused: the endpoint resolves to a non-public address"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	var ue interface{ Timeout() bool }
	if errors.As(err, &ue) && ue.Timeout() {
		return "timed out"
	}
	return "connection failed"
}
