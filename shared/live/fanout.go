package live

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/store"
)

// Fanout sends events to every connection of a clinic.
type Fanout struct {
	Registry *Registry
	Poster   Poster
	Log      *slog.Logger
	Now      func() time.Time
	// Parallel bounds the posts in flight (default 32).
	Parallel int
}

// Result is what one fan-out did.
type Result struct {
	Sent, Closed, Gone, Failed int
}

// Send posts ev to each of the clinic's connections. A connection whose
// sign-in expired or whose session, user or token is on the deny list is
// closed instead (the SPA reconnects with its refreshed cookie, or is
// signed out); one that is gone is forgotten. Only Redis failing is an
// error: a post that fails is counted, the others still go.
func (f *Fanout) Send(ctx context.Context, clinicID string, ev Event) (Result, error) {
	var res Result
	conns, err := f.Registry.Members(ctx, clinicID)
	if err != nil || len(conns) == 0 {
		return res, err
	}
	denied, err := f.denied(ctx, conns)
	if err != nil {
		return res, err
	}
	body, err := ev.Marshal()
	if err != nil {
		return res, err
	}
	now := f.Now()
	var mu sync.Mutex
	count := func(n *int) { mu.Lock(); *n++; mu.Unlock() }
	par := f.Parallel
	if par <= 0 {
		par = 32
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if denied[i] || !now.Before(c.Expires) {
				_ = f.Poster.Close(ctx, c.ID)
				f.forget(ctx, c.ID)
				count(&res.Closed)
				return
			}
			err := f.Poster.Post(ctx, c.ID, body)
			switch {
			case errors.Is(err, ErrGone):
				f.forget(ctx, c.ID)
				count(&res.Gone)
			case err != nil:
				f.Log.WarnContext(ctx, "live post failed", "connectionId", c.ID, "err", err.Error())
				count(&res.Failed)
			default:
				count(&res.Sent)
			}
		}()
	}
	wg.Wait()
	return res, nil
}

func (f *Fanout) forget(ctx context.Context, id string) {
	if err := f.Registry.Remove(context.WithoutCancel(ctx), id); err != nil {
		f.Log.WarnContext(ctx, "live connection not forgotten", "connectionId", id, "err", err.Error())
	}
}

// denied checks every connection's deny-list entries in one round trip.
func (f *Fanout) denied(ctx context.Context, conns []Conn) ([]bool, error) {
	cmds := make([]*redis.IntCmd, len(conns))
	_, err := f.Registry.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range conns {
			cmds[i] = p.Exists(ctx, authz.DenyKeys(c.TokenID, c.SessionID, c.UserID)...)
		}
		return nil
	})
	if err != nil {
		return nil, store.RedisError(err)
	}
	out := make([]bool, len(conns))
	for i, cmd := range cmds {
		out[i] = cmd.Val() > 0
	}
	return out, nil
}
