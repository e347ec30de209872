// Package cost measures what a request costs in round trips to its
// dependencies and how the costs grow with the data: Mongo commands counted
// with the driver's command monitor, Redis commands with a go-redis hook,
// availability over 100k appointments, PHI reads against a long audit
// chain, and the audit chain's contention limit.
package cost

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/event"
)

// Counter counts round trips: Mongo commands (the handshake and heartbeat
// commands excepted) and Redis commands, a pipeline as one.
type Counter struct {
	mu    sync.Mutex
	mongo []string // command collection per round trip, since Reset
	redis []string
}

// Reset forgets what was counted.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mongo, c.redis = nil, nil
}

// Counts are the round trips since the last Reset.
func (c *Counter) Counts() (mongo, redis int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.mongo), len(c.redis)
}

// Names are the round trips since the last Reset, by name, with counts.
func (c *Counter) Names() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return tally(c.mongo) + "; redis: " + tally(c.redis)
}

func tally(names []string) string {
	n := map[string]int{}
	for _, s := range names {
		n[s]++
	}
	var out []string
	for s, k := range n {
		if k > 1 {
			s += " ×" + strconv.Itoa(k)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

var handshake = map[string]bool{"hello": true, "isMaster": true, "ismaster": true, "ping": true, "saslStart": true, "saslContinue": true, "endSessions": true}

// Monitor is the command monitor to give a Mongo client.
func (c *Counter) Monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if handshake[e.CommandName] {
			return
		}
		name := e.CommandName
		if coll, ok := e.Command.Lookup(e.CommandName).StringValueOK(); ok {
			name += " " + coll
		}
		c.mu.Lock()
		c.mongo = append(c.mongo, name)
		c.mu.Unlock()
	}}
}

// Hook is the Redis hook that counts.
func (c *Counter) Hook() redis.Hook { return redisHook{c} }

type redisHook struct{ c *Counter }

func (h redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.add(cmd.Name())
		return next(ctx, cmd)
	}
}

func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		var names []string
		for _, c := range cmds {
			names = append(names, c.Name())
		}
		h.add("pipeline(" + strings.Join(names, " ") + ")")
		return next(ctx, cmds)
	}
}

func (h redisHook) add(name string) {
	h.c.mu.Lock()
	h.c.redis = append(h.c.redis, name)
	h.c.mu.Unlock()
}
