// Package load runs the bounded load and fault scenarios on the local stack
// (loopback only): many desks signing in, reading the schedule and patients
// and racing each other for the same slots, then the same with Redis
// stopped and with the database unreachable; it counts every answer by
// status and checks the data afterwards (no double booking, no half-written
// booking, an audit chain that verifies).
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/topsmile/topsmile/bench/internal/seed"
	"github.com/topsmile/topsmile/bench/internal/stack"
)

// Timeout is the clients' own: an answer later than this is a hang.
const Timeout = 10 * time.Second

// Tally counts answers by status ("timeout" and "error" for none), and
// those that broke the contract's error shape.
type Tally struct {
	mu       sync.Mutex
	byStatus map[string]int
	badShape int
	slowest  time.Duration
}

func newTally() *Tally { return &Tally{byStatus: map[string]int{}} }

func (t *Tally) add(status string, badShape bool, took time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byStatus[status]++
	if badShape {
		t.badShape++
	}
	t.slowest = max(t.slowest, took)
}

// Count is how many answers had one of statuses.
func (t *Tally) Count(statuses ...string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, s := range statuses {
		n += t.byStatus[s]
	}
	return n
}

// BadShape is how many error answers were not in the contract's shape.
func (t *Tally) BadShape() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.badShape
}

// Other is how many answers had none of statuses.
func (t *Tally) Other(statuses ...string) int {
	t.mu.Lock()
	total := 0
	for _, n := range t.byStatus {
		total += n
	}
	t.mu.Unlock()
	return total - t.Count(statuses...)
}

func (t *Tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var parts []string
	for s, n := range t.byStatus {
		parts = append(parts, fmt.Sprintf("%s×%d", s, n))
	}
	sort.Strings(parts)
	s := strings.Join(parts, " ")
	if t.badShape > 0 {
		s += fmt.Sprintf(" · %d not in the error shape", t.badShape)
	}
	return s + fmt.Sprintf(" · slowest %s", t.slowest.Round(time.Millisecond))
}

// Desk is one simulated client.
type Desk struct {
	s      *stack.Stack
	c      *http.Client
	n      int
	email  string
	header http.Header
	tally  *Tally
}

// NewDesk is a desk at viewer address n signing in as email.
func NewDesk(s *stack.Stack, n int, email string, t *Tally) *Desk {
	return &Desk{s: s, c: &http.Client{Timeout: Timeout}, n: n, email: email, tally: t}
}

// SignIn signs the desk in; the answer is counted.
func (d *Desk) SignIn(ctx context.Context) {
	t0 := time.Now()
	h, err := d.s.SignIn(ctx, d.c, d.n, d.email, seed.Password)
	d.header = nil
	if err == nil {
		d.header = h
		d.tally.add("200", false, time.Since(t0))
		return
	}
	if ctx.Err() != nil {
		return // the run ended meanwhile
	}
	var refused *stack.SignInError
	if errors.As(err, &refused) {
		d.tally.add(fmt.Sprint(refused.Status), !errorShape(refused.Body), time.Since(t0))
		return
	}
	d.tally.add(failure(err), false, time.Since(t0))
}

// Do sends one request and counts its answer.
func (d *Desk) Do(ctx context.Context, method, path string, body any) int {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.s.URL+path, rd)
	if err != nil {
		return 0
	}
	if d.header != nil {
		req.Header = d.header.Clone()
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	t0 := time.Now()
	resp, err := d.c.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			d.tally.add(failure(err), false, time.Since(t0))
		}
		return 0
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d.tally.add(fmt.Sprint(resp.StatusCode), resp.StatusCode >= 400 && !errorShape(msg), time.Since(t0))
	return resp.StatusCode
}

// errorShape says msg is {"error":{"code":…,"message":…}}.
func errorShape(msg []byte) bool {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	return json.Unmarshal(msg, &e) == nil && e.Error.Code != "" && e.Error.Message != ""
}

func failure(err error) string {
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return "timeout"
	}
	return "no answer"
}

// Work is what a desk does: reads of the schedule and of patients, and
// bookings racing for the same few slots.
type Work struct {
	Clinic *seed.Clinic
	// Contested is when the raced slots start: 24 starts 5 minutes apart
	// for one provider and chair, each booking 15 minutes, so most overlap.
	Contested time.Time
	day       string
}

// NewWork races for slots on day (UTC midnight) at 09:00.
func NewWork(c *seed.Clinic, day time.Time) *Work {
	return &Work{Clinic: c, Contested: day.Add(9 * time.Hour),
		day: "from=" + fmtTime(day) + "&to=" + fmtTime(day.AddDate(0, 0, 1))}
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Step is one request of the mix: 40% the busy day, 30% a patient, 30% a
// booking.
func (w *Work) Step(ctx context.Context, d *Desk) int {
	c := w.Clinic
	switch r := rand.IntN(10); {
	case r < 4:
		return d.Do(ctx, http.MethodGet, "/api/appointments?"+w.day, nil)
	case r < 7:
		return d.Do(ctx, http.MethodGet, "/api/patients/"+c.Patients[rand.IntN(len(c.Patients))], nil)
	default:
		start := w.Contested.Add(time.Duration(rand.IntN(24)) * 5 * time.Minute)
		return d.Do(ctx, http.MethodPost, "/api/appointments", map[string]any{"patientId": c.Patients[rand.IntN(len(c.Patients))],
			"providerId": c.Open.ID, "operatoryId": c.OpenChair, "typeId": c.Visit.ID, "start": start, "end": start.Add(15 * time.Minute)})
	}
}

// Run has desks each sign in, then work closed-loop (a short pause between
// requests, a fresh sign-in every 50) until ctx ends. Desks not yet signed
// in arrive over the first stagger, as a morning's staff do, and one whose
// sign-in failed tries again a second later.
func Run(ctx context.Context, desks []*Desk, w *Work, stagger time.Duration) {
	var wg sync.WaitGroup
	for k, d := range desks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if d.header == nil {
				pause(ctx, stagger*time.Duration(k)/time.Duration(len(desks)))
			}
			for i := 0; ctx.Err() == nil; i++ {
				if d.header == nil || i%50 == 49 {
					if d.SignIn(ctx); d.header == nil {
						pause(ctx, time.Second)
					}
					continue
				}
				w.Step(ctx, d)
				pause(ctx, time.Duration(20+rand.IntN(80))*time.Millisecond)
			}
		}()
	}
	wg.Wait()
}

func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
