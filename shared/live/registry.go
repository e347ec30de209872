package live

import (
	"context"
	"encoding/json"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// Conn is one open live connection: whose it is and until when its
// sign-in holds (its access token's expiry: after it the fan-out closes
// the connection and the SPA opens a new one with its refreshed cookie, so
// a connection never outlives the deny-list's reach).
type Conn struct {
	ID        string    `json:"id"`
	ClinicID  string    `json:"clinicId"`
	UserID    string    `json:"userId"`
	SessionID string    `json:"sessionId"`
	TokenID   string    `json:"tokenId"`
	Expires   time.Time `json:"expires"`
}

// Limits bound the connections a user (tabs) and a clinic may hold.
type Limits struct {
	PerUser   int `env:"LIVE_MAX_PER_USER" default:"5"`
	PerClinic int `env:"LIVE_MAX_PER_CLINIC" default:"200"`
}

// MaxLifetime is API Gateway's longest WebSocket connection (two hours): a
// record older than that is forgotten even if its $disconnect was lost.
const MaxLifetime = 2 * time.Hour

// Registry keeps the connections in Redis: a sorted set per clinic and
// per user (member the connection id, score its expiry) and one key per
// connection holding the Conn.
type Registry struct {
	Redis  *redis.Client
	Limits Limits
}

func clinicKey(id string) string { return "live:c:" + id }
func userKey(id string) string   { return "live:u:" + id }
func connKey(id string) string   { return "live:k:" + id }

// ErrTooMany is a connection over the user's or the clinic's limit.
var ErrTooMany = errs.E(errs.RateLimited, "too many live connections: close another tab")

// addScript forgets expired members of both sets, refuses a connection
// over either limit, and records it: one atomic step, so racing tabs
// cannot pass a limit together.
var addScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) == false then
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 1 end
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[6]) then return 2 end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[8])
return 0`)

// Add records c, unless its user or clinic is at its limit (ErrTooMany).
func (r *Registry) Add(ctx context.Context, c Conn, now time.Time) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	until := now.Add(MaxLifetime)
	if c.Expires.Before(until) {
		until = c.Expires
	}
	ttl := max(until.Sub(now), time.Second)
	res, err := addScript.Run(ctx, r.Redis, []string{clinicKey(c.ClinicID), userKey(c.UserID), connKey(c.ID)},
		now.UnixMilli(), until.UnixMilli(), c.ID, body, r.Limits.PerUser, r.Limits.PerClinic, MaxLifetime.Milliseconds(), ttl.Milliseconds()).Int()
	if err != nil {
		return store.RedisError(err)
	}
	if res != 0 {
		return ErrTooMany
	}
	return nil
}

// Remove forgets connection id ($disconnect, gone, closed).
func (r *Registry) Remove(ctx context.Context, id string) error {
	c, err := r.Get(ctx, id)
	if err != nil || c.ID == "" {
		return err
	}
	_, err = r.Redis.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, clinicKey(c.ClinicID), id)
		p.ZRem(ctx, userKey(c.UserID), id)
		p.Del(ctx, connKey(id))
		return nil
	})
	return store.RedisError(err)
}

// Get reads connection id (the zero Conn when it is not known).
func (r *Registry) Get(ctx context.Context, id string) (Conn, error) {
	var c Conn
	b, err := r.Redis.Get(ctx, connKey(id)).Bytes()
	if err == redis.Nil {
		return c, nil
	}
	if err != nil {
		return c, store.RedisError(err)
	}
	return c, json.Unmarshal(b, &c)
}

// Members are the clinic's connections (expired ones included, for the
// fan-out to close); ids whose record is gone are forgotten.
func (r *Registry) Members(ctx context.Context, clinicID string) ([]Conn, error) {
	ids, err := r.Redis.ZRangeByScore(ctx, clinicKey(clinicID), &redis.ZRangeBy{Min: "-inf", Max: "+inf"}).Result()
	if err != nil {
		return nil, store.RedisError(err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = connKey(id)
	}
	vals, err := r.Redis.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, store.RedisError(err)
	}
	out := make([]Conn, 0, len(ids))
	var lost []any
	for i, v := range vals {
		s, ok := v.(string)
		var c Conn
		if !ok || json.Unmarshal([]byte(s), &c) != nil || c.ClinicID != clinicID {
			lost = append(lost, ids[i])
			continue
		}
		out = append(out, c)
	}
	if len(lost) > 0 {
		r.Redis.ZRem(ctx, clinicKey(clinicID), lost...)
	}
	return out, nil
}

// Count is how many connections the clinic has (for the limits' tests and
// the bench).
func (r *Registry) Count(ctx context.Context, clinicID string) (int, error) {
	n, err := r.Redis.ZCount(ctx, clinicKey(clinicID), "-inf", "+inf").Result()
	return int(n), store.RedisError(err)
}
