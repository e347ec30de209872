package backoff_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/backoff"
	"github.com/topsmile/topsmile/shared/errs"
)

func TestCeilingDoublesUpToTheLimit(t *testing.T) {
	const ms = time.Millisecond
	for _, tc := range []struct {
		name              string
		attempt           int
		base, limit, want time.Duration
	}{
		{"first attempt", 0, 2 * ms, 500 * ms, 2 * ms},
		{"doubles", 3, 2 * ms, 500 * ms, 16 * ms},
		{"just under the limit", 7, 2 * ms, 500 * ms, 256 * ms},
		{"capped", 8, 2 * ms, 500 * ms, 500 * ms},
		{"shift that would overflow", 62, 5 * ms, 200 * ms, 200 * ms},
		{"past the word size", 1000, 5 * ms, 200 * ms, 200 * ms},
		{"negative attempt", -1, 5 * ms, 200 * ms, 5 * ms},
		{"base above the limit", 0, time.Second, 200 * ms, 200 * ms},
		{"no base", 4, 0, 200 * ms, 0},
		{"no limit", 4, 5 * ms, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := backoff.Ceiling(tc.attempt, tc.base, tc.limit); got != tc.want {
				t.Fatalf("ceiling %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSleepStaysBelowTheCeiling(t *testing.T) {
	for attempt := range 70 {
		start := time.Now()
		if err := backoff.Sleep(context.Background(), attempt, 100*time.Microsecond, 2*time.Millisecond); err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
		// Generous slack: timers on a loaded machine fire late, never early.
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Fatalf("attempt %d slept %v", attempt, d)
		}
	}
	if err := backoff.Sleep(context.Background(), 3, 0, 0); err != nil {
		t.Fatalf("no wait: %v", err)
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := backoff.Sleep(ctx, 10, time.Hour, time.Hour)
	if !errs.Is(err, errs.Unavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: err %v, want unavailable wrapping context.Canceled", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = backoff.Sleep(ctx, 10, time.Hour, time.Hour)
	if !errs.Is(err, errs.Unavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline during: err %v, want unavailable wrapping context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("returned after %v", d)
	}
}
