// Package backoff spaces out retries of writers that collided over the same
// claim (an audit seq, a record's version), so that they stop colliding.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/topsmile/topsmile/shared/errs"
)

// Sleep waits a random time below a ceiling of base doubled attempt times,
// capped at limit ("full jitter"). Randomizing the whole wait, not just a
// slice of it, spreads writers that collided instead of sending them back
// together; the more of them, the more rounds it takes and the wider they
// spread. A cancelled or expired ctx ends the wait with an Unavailable
// error, which callers return as it is (503).
func Sleep(ctx context.Context, attempt int, base, limit time.Duration) error {
	if err := ctx.Err(); err != nil {
		return cancelled(err)
	}
	c := ceiling(attempt, base, limit)
	if c <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(rand.Int64N(int64(c))))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return cancelled(ctx.Err())
	}
}

// ceiling is min(base<<attempt, limit), computed without letting the shift
// overflow into a negative or tiny duration on a high attempt.
func ceiling(attempt int, base, limit time.Duration) time.Duration {
	if base <= 0 || limit <= 0 {
		return 0
	}
	attempt = max(attempt, 0)
	if base >= limit || attempt >= 63 || base > limit>>attempt {
		return limit
	}
	return base << attempt
}

func cancelled(err error) error { return errs.Wrap(errs.Unavailable, err, "request cancelled") }
