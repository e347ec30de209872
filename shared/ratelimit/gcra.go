package ratelimit

import (
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// What the script answers first.
const (
	statusAllowed = 0
	statusLimited = 1
	statusBlocked = 2
)

// gcra is GCRA as github.com/go-redis/redis_rate v10 computes it (its allowN
// script, after rwz/redis-gcra, for a cost of one event), preceded by the
// blocker check, so that a caller can look at a deny-list and be charged in
// one round trip. The key holds the theoretical arrival time (TAT) of the
// next event, in seconds since 2017 so the float keeps microseconds.
//
// KEYS[1] is the limit's counter, KEYS[2..] the blockers. ARGV is burst,
// rate, period in seconds. The reply is {status, retry-after in seconds as a
// string}: only integers and strings, which Redis and miniredis (the local
// stack's embedded Redis) convert alike.
var gcra = redis.NewScript(`
-- TIME before a write needs effects replication: the default since Redis 5,
-- a no-op call on 7, required on older servers.
redis.replicate_commands()

if #KEYS > 1 and redis.call("EXISTS", unpack(KEYS, 2)) > 0 then
  return {2, "0"}
end

local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local emission_interval = period / rate
local burst_offset = emission_interval * burst

local t = redis.call("TIME")
local now = (t[1] - 1483228800) + (t[2] / 1000000)

local tat = redis.call("GET", KEYS[1])
if tat then
  tat = math.max(tonumber(tat), now)
else
  tat = now
end

local new_tat = tat + emission_interval
local allow_at = new_tat - burst_offset
if now < allow_at then
  -- Denied events are not counted: the key is left as it was.
  return {1, tostring(allow_at - now)}
end

-- The key expires once the bucket is full again.
redis.call("SET", KEYS[1], new_tat, "EX", math.ceil(new_tat - now))
return {0, "0"}
`)

// parseReply reads the script's {status, retry-after} reply.
func parseReply(res []any) (status int64, retryAfter time.Duration, err error) {
	if len(res) != 2 {
		return 0, 0, fmt.Errorf("ratelimit: script answered %v", res)
	}
	status, ok := res[0].(int64)
	secs, ok2 := res[1].(string)
	if !ok || !ok2 || status < statusAllowed || status > statusBlocked {
		return 0, 0, fmt.Errorf("ratelimit: script answered %v", res)
	}
	f, err := strconv.ParseFloat(secs, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("ratelimit: script answered retry-after %q: %w", secs, err)
	}
	return status, time.Duration(f * float64(time.Second)), nil
}
