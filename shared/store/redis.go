package store

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/topsmile/topsmile/shared/errs"
)

// RedisConfig is the Redis part of a function's config.
type RedisConfig struct {
	URL      string        `env:"REDIS_URL,required,secret"`
	PoolSize int           `env:"REDIS_POOL_SIZE" default:"4"`
	Timeout  time.Duration `env:"REDIS_TIMEOUT" default:"500ms"`
}

// NewRedis returns the process's Redis client. go-redis dials on first use,
// so this does no I/O.
func NewRedis(cfg RedisConfig) (*redis.Client, error) {
	opts, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, errors.New("store: REDIS_URL is not a redis:// or rediss:// URL")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 500 * time.Millisecond
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = 4
	}
	opts.PoolSize = cfg.PoolSize
	opts.MinIdleConns = 0
	opts.ConnMaxIdleTime = time.Minute
	opts.DialTimeout = cfg.Timeout
	opts.ReadTimeout = cfg.Timeout
	opts.WriteTimeout = cfg.Timeout
	opts.PoolTimeout = cfg.Timeout
	opts.MaxRetries = 1
	// No CLIENT SETINFO chatter on connect: one less round trip per new conn.
	opts.DisableIdentity = true
	// Nor CLIENT MAINT_NOTIFICATIONS, which Redis 7.0 refuses anyway: another
	// round trip every new connection would pay.
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(opts), nil
}

// RedisError maps a Redis failure to Unavailable (redis.Nil is not an error
// of the dependency and is returned unchanged).
func RedisError(err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	return errs.Wrap(errs.Unavailable, err, "cache unavailable")
}

// PingRedis checks Redis answers.
func PingRedis(ctx context.Context, rdb *redis.Client) error {
	return RedisError(rdb.Ping(ctx).Err())
}
