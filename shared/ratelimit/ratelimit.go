// Package ratelimit throttles events per key (an account, an IP, a user) in
// Redis, so every Lambda instance shares the same counters.
//
// The algorithm is GCRA (a token bucket), computed as
// github.com/go-redis/redis_rate computes it: Burst events may happen at once,
// after which one more event is allowed every Period/Rate. Each check is one
// Lua script on the server, atomic, and timed by Redis's own clock, so
// concurrent instances cannot overshoot and clock skew between Lambdas does
// not matter. A denied event is not counted. The script is this package's own
// so that it can also look at a deny-list in the same round trip
// (AllowUnless), which is what the guard of every authenticated request does.
//
// Redis keys are rl:<limit name>:<hash>, where hash is a truncated SHA-256 of
// the normalized key: Redis never holds an email or IP address in clear. Each
// key expires by itself once its bucket is full again.
//
// The limiter fails closed: if Redis cannot be reached, Allow returns an
// errs.Unavailable error (503) rather than letting unthrottled password
// guessing through.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// Limit is a named rate: Rate events per Period, with up to Burst at once.
// Name is the Redis namespace of the limit's counters: give each limit its
// own.
type Limit struct {
	Name   string
	Rate   int
	Burst  int
	Period time.Duration
}

// The limits auth uses. With GCRA, "Rate per Period, Burst B" means B attempts
// right away, then one every Period/Rate; a successful login or MFA check
// should Reset the per-account (per-user) counter.
var (
	// LoginPerAccount slows password guessing against one account (key: the
	// normalized email): 5 tries, then one every 3 minutes (at most ~480 a
	// day), while a user who mistypes a few times is not locked out for long.
	LoginPerAccount = Limit{Name: "login_account", Rate: 5, Burst: 5, Period: 15 * time.Minute}

	// LoginPerIP slows credential stuffing across many accounts from one
	// address (key: IPKey(ip)): 30 tries, then one every 30 seconds. A clinic's
	// whole front desk usually shares one NAT address, so this stays well above
	// what one office does at the start of a day.
	LoginPerIP = Limit{Name: "login_ip", Rate: 30, Burst: 30, Period: 15 * time.Minute}

	// PasswordForgot is checked per email and per IP (use both keys in one
	// AllowAll). Each allowed request may send an email, so it is as strict as
	// LoginPerAccount: it stops flooding a victim's inbox and probing accounts.
	PasswordForgot = Limit{Name: "password_forgot", Rate: 5, Burst: 5, Period: 15 * time.Minute}

	// PasswordReset (key: IPKey(ip)) guards the token-redeeming endpoint. The
	// tokens are long random strings, so this is not about guessing them but
	// about bounding the password hashing each request costs.
	PasswordReset = Limit{Name: "password_reset", Rate: 10, Burst: 10, Period: 15 * time.Minute}

	// MFAVerify (key: user id) protects 6-digit TOTP codes: 5 tries, then one
	// every 6 minutes, so an attacker who already has the password gets ~240
	// guesses a day: with ~3 codes valid at a time (clock-drift window) out of
	// a million, under a 0.1% chance a day of getting in.
	MFAVerify = Limit{Name: "mfa_verify", Rate: 5, Burst: 5, Period: 30 * time.Minute}

	// Register (key: IPKey(ip)) limits patient self sign-up: 10 at once, then
	// one every 6 minutes — enough for a family signing up together, not for
	// scripted account creation. Staff create patients through authenticated
	// endpoints, which GeneralPerUser covers.
	Register = Limit{Name: "register", Rate: 10, Burst: 10, Period: time.Hour}

	// ClinicSearch (key: IPKey(ip)) limits the public practice search of
	// the sign-up form: a person typing a name makes a few requests a
	// minute; listing every practice by script takes far more.
	ClinicSearch = Limit{Name: "clinic_search", Rate: 60, Burst: 60, Period: 10 * time.Minute}

	// GeneralPerUser (key: user id) is a ceiling on any authenticated API use:
	// 10 requests a second sustained with bursts of 600, far above what a
	// person in the SPA does, but it stops a runaway script or stolen session.
	GeneralPerUser = Limit{Name: "general_user", Rate: 600, Burst: 600, Period: time.Minute}
)

// Check is one (limit, key) pair for AllowAll.
type Check struct {
	Limit Limit
	Key   string
}

// Limiter checks limits in Redis. It is safe for concurrent use.
type Limiter struct {
	rdb *redis.Client
}

// New returns a limiter on rdb. It does no I/O.
func New(rdb *redis.Client) *Limiter { return &Limiter{rdb: rdb} }

// Allow consumes one event for key under limit. When the limit is exhausted
// it returns an errs.RateLimited error with RetryAfterSeconds (>= 1) set; when
// Redis fails, an errs.Unavailable error.
func (l *Limiter) Allow(ctx context.Context, limit Limit, key string) error {
	_, err := l.AllowUnless(ctx, limit, key)
	return err
}

// AllowUnless is Allow preceded, in the same script and so the same round
// trip, by a look for blockers: if any of those Redis keys exists (a
// deny-list entry, say), it reports blocked and consumes nothing. Otherwise it
// consumes one event for key under limit as Allow does, with the same errors.
func (l *Limiter) AllowUnless(ctx context.Context, limit Limit, key string, blockers ...string) (blocked bool, err error) {
	k, err := redisKey(limit, key)
	if err != nil {
		return false, err
	}
	keys := append([]string{k}, blockers...)
	// Run is EVALSHA, and EVAL only when the server does not know the script
	// yet (after a restart or failover): one round trip in the steady state.
	res, err := gcra.Run(ctx, l.rdb, keys, limit.Burst, limit.Rate, limit.Period.Seconds()).Slice()
	if err != nil {
		return false, store.RedisError(err)
	}
	status, retryAfter, err := parseReply(res)
	switch {
	case err != nil:
		return false, errs.Wrap(errs.Internal, err, "internal error")
	case status == statusBlocked:
		return true, nil
	case status == statusLimited:
		return false, denied(retryAfter)
	}
	return false, nil
}

// AllowAll checks each (limit, key) in order and returns the first denial
// (or Redis failure); checks after it are not consumed. Put the broadest key
// first (the IP before the account): an address that is already blocked then
// does not burn the budget of the accounts it is attacking, which would lock
// their owners out.
func (l *Limiter) AllowAll(ctx context.Context, checks ...Check) error {
	for _, c := range checks {
		if err := l.Allow(ctx, c.Limit, c.Key); err != nil {
			return err
		}
	}
	return nil
}

// Reset clears key's counter under limit, e.g. the per-account login counter
// after a successful login.
func (l *Limiter) Reset(ctx context.Context, limit Limit, key string) error {
	k, err := redisKey(limit, key)
	if err != nil {
		return err
	}
	return store.RedisError(l.rdb.Del(ctx, k).Err())
}

// IPKey is the key to use for a client address: the address itself for IPv4,
// and its /64 network for IPv6, since one subscriber usually holds a whole /64
// and could otherwise rotate addresses to escape a per-IP limit. Text that is
// not an IP address is returned unchanged.
func IPKey(ip string) string {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}

func denied(retryAfter time.Duration) error {
	secs := int(math.Ceil(retryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	e := errs.E(errs.RateLimited, "too many attempts; try again in %d %s", secs, unit)
	e.RetryAfterSeconds = secs
	return e
}

// keyHashLen is how many hex characters of the SHA-256 a Redis key keeps:
// 128 bits, so distinct keys do not share a counter by accident.
const keyHashLen = 32

// redisKey is rl:<limit name>:<hash of the normalized key>. Keys are trimmed
// and lower-cased, so "Alice@Example.com " and "alice@example.com" share one
// counter and changing case cannot get around a limit.
func redisKey(limit Limit, key string) (string, error) {
	if err := limit.validate(); err != nil {
		return "", err
	}
	key = strings.ToLower(strings.TrimSpace(key))
	if key == "" {
		// An empty key would put every caller in one bucket: a bug upstream
		// (a missing source IP, say) must not throttle everybody together.
		return "", errs.Wrap(errs.Internal, fmt.Errorf("ratelimit: empty key for limit %q", limit.Name), "internal error")
	}
	sum := sha256.Sum256([]byte(key))
	return "rl:" + limit.Name + ":" + hex.EncodeToString(sum[:])[:keyHashLen], nil
}

func (lim Limit) validate() error {
	if lim.Name == "" || strings.ContainsAny(lim.Name, ": \t\r\n*?[]") ||
		lim.Rate < 1 || lim.Burst < 1 || lim.Period <= 0 {
		return errs.Wrap(errs.Internal, fmt.Errorf("ratelimit: invalid limit %+v", lim), "internal error")
	}
	return nil
}
