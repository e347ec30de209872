package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// cmdLog records the name of every command a client sends, the ones it
// sends by itself on a new connection included.
type cmdLog struct {
	mu    sync.Mutex
	names []string
}

func (l *cmdLog) DialHook(next redis.DialHook) redis.DialHook { return next }
func (l *cmdLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.mu.Lock()
		l.names = append(l.names, cmd.Name())
		l.mu.Unlock()
		return next(ctx, cmd)
	}
}
func (l *cmdLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		l.mu.Lock()
		for _, c := range cmds {
			l.names = append(l.names, c.Name())
		}
		l.mu.Unlock()
		return next(ctx, cmds)
	}
}

// A cold start's first Redis command costs its connection's handshake and
// nothing more: no CLIENT SETINFO, no CLIENT MAINT_NOTIFICATIONS.
func TestRedisNewConnectionSendsOnlyTheHandshake(t *testing.T) {
	rdb, err := store.NewRedis(storetest.RedisConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var log cmdLog
	rdb.AddHook(&log)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	got := slices.DeleteFunc(slices.Clone(log.names), func(n string) bool { return n == "hello" })
	if !slices.Equal(got, []string{"ping"}) {
		t.Fatalf("commands on a new connection %v, want only the handshake (hello) and ping", log.names)
	}
}
