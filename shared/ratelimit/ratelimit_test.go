package ratelimit_test

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/ratelimit"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// forEachRedis runs test against the test run's Redis server and against
// miniredis, the embedded Redis of the local stack: the limiter's script must
// behave the same on both.
func forEachRedis(t *testing.T, test func(t *testing.T, rdb *redis.Client)) {
	t.Helper()
	t.Run("redis", func(t *testing.T) { test(t, storetest.NewRedis(t)) })
	t.Run("miniredis", func(t *testing.T) { test(t, newMiniredis(t)) })
}

// newMiniredis is a client of a fresh miniredis, both closed at cleanup.
func newMiniredis(tb testing.TB) *redis.Client {
	tb.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: miniredis.RunT(tb).Addr()})
	tb.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// A slow refill (one event every 20 minutes) so that no test sees a token
// come back while it runs.
func limit(name string, n int) ratelimit.Limit {
	return ratelimit.Limit{Name: name, Rate: n, Burst: n, Period: time.Duration(n) * 20 * time.Minute}
}

func mustAllow(t *testing.T, l *ratelimit.Limiter, lim ratelimit.Limit, key string, n int) {
	t.Helper()
	for i := range n {
		if err := l.Allow(context.Background(), lim, key); err != nil {
			t.Fatalf("event %d of %d under %s: %v", i+1, n, lim.Name, err)
		}
	}
}

func mustDeny(t *testing.T, err error) *errs.Error {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.RateLimited {
		t.Fatalf("err = %v, want a RateLimited *errs.Error", err)
	}
	if e.RetryAfterSeconds < 1 {
		t.Fatalf("RetryAfterSeconds = %d, want >= 1", e.RetryAfterSeconds)
	}
	if !strings.Contains(e.Message, "try again in") {
		t.Fatalf("message %q does not say when to retry", e.Message)
	}
	return e
}

func TestAllowsExactlyNThenDenies(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		lim := limit("test", 3)
		key := "user-" + ids.New()

		mustAllow(t, l, lim, key, 3)
		e := mustDeny(t, l.Allow(context.Background(), lim, key))
		// The next event comes back after Period/Rate = 20 minutes.
		if e.RetryAfterSeconds > 1200 || e.RetryAfterSeconds < 1190 {
			t.Errorf("RetryAfterSeconds = %d, want about 1200", e.RetryAfterSeconds)
		}
		want := "too many attempts; try again in " + strconv.Itoa(e.RetryAfterSeconds) + " seconds"
		if e.Message != want {
			t.Errorf("message = %q, want %q", e.Message, want)
		}
		// Denied events are not counted, and keep being denied.
		mustDeny(t, l.Allow(context.Background(), lim, key))
	})
}

func TestKeysAndLimitsAreIndependent(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		a, b := limit("test_a", 2), limit("test_b", 2)
		k1, k2 := "k1-"+ids.New(), "k2-"+ids.New()

		mustAllow(t, l, a, k1, 2)
		mustDeny(t, l.Allow(context.Background(), a, k1))
		mustAllow(t, l, a, k2, 2) // another key, same limit
		mustAllow(t, l, b, k1, 2) // same key, another limit
	})
}

func TestKeysAreNormalized(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		lim := limit("test", 2)
		email := "alice." + ids.New() + "@example.com"

		mustAllow(t, l, lim, email, 1)
		mustAllow(t, l, lim, "  "+strings.ToUpper(email)+"\n", 1)
		mustDeny(t, l.Allow(context.Background(), lim, "Alice."+email[len("alice."):]))
	})
}

func TestResetRestores(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		lim := limit("test", 2)
		key := "user-" + ids.New()
		other := "user-" + ids.New()

		mustAllow(t, l, lim, key, 2)
		mustAllow(t, l, lim, other, 2)
		mustDeny(t, l.Allow(context.Background(), lim, key))
		if err := l.Reset(context.Background(), lim, key); err != nil {
			t.Fatal(err)
		}
		mustAllow(t, l, lim, key, 2)
		mustDeny(t, l.Allow(context.Background(), lim, key))
		// Only that key was reset.
		mustDeny(t, l.Allow(context.Background(), lim, other))
		// Resetting a key with no counter is fine.
		if err := l.Reset(context.Background(), lim, "never-"+ids.New()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAllowAllDeniesWhenAnyCheckDenies(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		perIP, perAccount := limit("test_ip", 5), limit("test_account", 2)
		ip, account := "ip-"+ids.New(), "acct-"+ids.New()
		checks := []ratelimit.Check{{Limit: perIP, Key: ip}, {Limit: perAccount, Key: account}}
		ctx := context.Background()

		for range 2 {
			if err := l.AllowAll(ctx, checks...); err != nil {
				t.Fatal(err)
			}
		}
		mustDeny(t, l.AllowAll(ctx, checks...)) // the account is exhausted
		// The IP was charged for all three calls: two tokens left.
		mustAllow(t, l, perIP, ip, 2)
		mustDeny(t, l.Allow(ctx, perIP, ip))

		// Once the first check denies, later ones are not consumed.
		fresh := "acct-" + ids.New()
		mustDeny(t, l.AllowAll(ctx, ratelimit.Check{Limit: perIP, Key: ip}, ratelimit.Check{Limit: perAccount, Key: fresh}))
		mustAllow(t, l, perAccount, fresh, 2)

		if err := l.AllowAll(ctx); err != nil {
			t.Fatalf("no checks: %v", err)
		}
	})
}

func TestConcurrentCallersShareOneBudget(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		lim := limit("test", 5)
		key := "user-" + ids.New()

		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed, deniedN := 0, 0
		for range 20 {
			wg.Go(func() {
				err := l.Allow(context.Background(), lim, key)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					allowed++
				case errs.Is(err, errs.RateLimited):
					deniedN++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			})
		}
		wg.Wait()
		if allowed != 5 || deniedN != 15 {
			t.Fatalf("allowed %d, denied %d; want 5 and 15", allowed, deniedN)
		}
	})
}

func TestTokensComeBackAtTheRate(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		// One at once, then one every 100 ms.
		lim := ratelimit.Limit{Name: "test_refill", Rate: 10, Burst: 1, Period: time.Second}
		key := "user-" + ids.New()

		mustAllow(t, l, lim, key, 1)
		if e := mustDeny(t, l.Allow(context.Background(), lim, key)); e.RetryAfterSeconds != 1 {
			t.Errorf("RetryAfterSeconds = %d, want 1 (rounded up from 100 ms)", e.RetryAfterSeconds)
		}
		time.Sleep(150 * time.Millisecond)
		mustAllow(t, l, lim, key, 1)
		mustDeny(t, l.Allow(context.Background(), lim, key))
	})
}

func TestAllowUnless(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		l := ratelimit.New(rdb)
		lim := limit("test_unless", 2)
		prefix := "block:" + ids.New() + ":"
		blockers := []string{prefix + "a", prefix + "b", prefix + "c"}

		for i, b := range blockers {
			t.Run("blocked by blocker "+strconv.Itoa(i+1), func(t *testing.T) {
				key := "user-" + ids.New()
				if err := rdb.Set(ctx, b, "1", time.Minute).Err(); err != nil {
					t.Fatal(err)
				}
				defer rdb.Del(ctx, b)
				for range 3 { // more than the budget: a blocked call is never charged
					blocked, err := l.AllowUnless(ctx, lim, key, blockers...)
					if !blocked || err != nil {
						t.Fatalf("AllowUnless = %v, %v; want blocked", blocked, err)
					}
				}
				if err := rdb.Del(ctx, b).Err(); err != nil {
					t.Fatal(err)
				}
				mustAllow(t, l, lim, key, 2)
			})
		}

		t.Run("no blocker charges the limit", func(t *testing.T) {
			key := "user-" + ids.New()
			for range 2 {
				if blocked, err := l.AllowUnless(ctx, lim, key, blockers...); blocked || err != nil {
					t.Fatalf("AllowUnless = %v, %v; want allowed", blocked, err)
				}
			}
			blocked, err := l.AllowUnless(ctx, lim, key, blockers...)
			if blocked {
				t.Fatal("blocked with no blocker set")
			}
			mustDeny(t, err)
			// Shares the budget with Allow.
			mustDeny(t, l.Allow(ctx, lim, key))
		})

		t.Run("blocked wins over an exhausted limit", func(t *testing.T) {
			key := "user-" + ids.New()
			mustAllow(t, l, lim, key, 2)
			if err := rdb.Set(ctx, blockers[1], "1", time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			defer rdb.Del(ctx, blockers[1])
			if blocked, err := l.AllowUnless(ctx, lim, key, blockers...); !blocked || err != nil {
				t.Fatalf("AllowUnless = %v, %v; want blocked", blocked, err)
			}
		})
	})
}

func TestRedisDownIsUnavailable(t *testing.T) {
	l := ratelimit.New(storetest.DeadRedis(t))
	lim := limit("test", 5)
	ctx := context.Background()

	for name, err := range map[string]error{
		"Allow":    l.Allow(ctx, lim, "k"),
		"AllowAll": l.AllowAll(ctx, ratelimit.Check{Limit: lim, Key: "k"}),
		"Reset":    l.Reset(ctx, lim, "k"),
		"AllowUnless": func() error {
			blocked, err := l.AllowUnless(ctx, lim, "k", "deny:k")
			if blocked {
				t.Error("AllowUnless reports blocked with Redis down")
			}
			return err
		}(),
	} {
		if !errs.Is(err, errs.Unavailable) {
			t.Errorf("%s: err = %v (kind %s), want unavailable", name, err, errs.KindOf(err))
		}
	}
}

func TestBadInputIsInternalWithoutTouchingRedis(t *testing.T) {
	// DeadRedis: a call that reached Redis would be Unavailable.
	l := ratelimit.New(storetest.DeadRedis(t))
	ctx := context.Background()
	ok := limit("test", 1)
	for name, lim := range map[string]ratelimit.Limit{
		"no name":      {Rate: 1, Burst: 1, Period: time.Minute},
		"colon":        {Name: "a:b", Rate: 1, Burst: 1, Period: time.Minute},
		"zero rate":    {Name: "x", Burst: 1, Period: time.Minute},
		"zero burst":   {Name: "x", Rate: 1, Period: time.Minute},
		"zero period":  {Name: "x", Rate: 1, Burst: 1},
		"neg period":   {Name: "x", Rate: 1, Burst: 1, Period: -time.Second},
		"neg rate":     {Name: "x", Rate: -1, Burst: 1, Period: time.Minute},
		"glob in name": {Name: "x*", Rate: 1, Burst: 1, Period: time.Minute},
	} {
		if err := l.Allow(ctx, lim, "k"); errs.KindOf(err) != errs.Internal {
			t.Errorf("%s: Allow err = %v, want internal", name, err)
		}
		if err := l.Reset(ctx, lim, "k"); errs.KindOf(err) != errs.Internal {
			t.Errorf("%s: Reset err = %v, want internal", name, err)
		}
	}
	for _, key := range []string{"", "   "} {
		if err := l.Allow(ctx, ok, key); errs.KindOf(err) != errs.Internal {
			t.Errorf("key %q: err = %v, want internal", key, err)
		}
	}
}

func TestRedisKeyIsNamespacedAndHashed(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		ctx := context.Background()
		lim := limit("t"+ids.New(), 3) // a name of its own, to find its keys
		email := "patient." + ids.New() + "@example.com"

		mustAllow(t, l, lim, email, 1)

		all, err := rdb.Keys(ctx, "rl:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		var ours []string
		for _, k := range all {
			if strings.Contains(strings.ToLower(k), email) || strings.Contains(k, "@") {
				t.Errorf("Redis key %q holds the raw key", k)
			}
			if strings.HasPrefix(k, "rl:"+lim.Name+":") {
				ours = append(ours, k)
			}
		}
		if len(ours) != 1 {
			t.Fatalf("keys of the limit = %q, want exactly one", ours)
		}
		if !regexp.MustCompile(`^rl:` + lim.Name + `:[0-9a-f]{32}$`).MatchString(ours[0]) {
			t.Errorf("key %q is not rl:<name>:<32 hex>", ours[0])
		}
		ttl, err := rdb.TTL(ctx, ours[0]).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 || ttl > lim.Period {
			t.Errorf("TTL = %v, want the key to expire within the period %v", ttl, lim.Period)
		}

		// Reset deletes that exact key.
		if err := l.Reset(ctx, lim, email); err != nil {
			t.Fatal(err)
		}
		if n, _ := rdb.Exists(ctx, ours[0]).Result(); n != 0 {
			t.Errorf("Reset left %q", ours[0])
		}
	})
}

func TestAuthLimitsAreUsable(t *testing.T) {
	forEachRedis(t, func(t *testing.T, rdb *redis.Client) {
		l := ratelimit.New(rdb)
		names := map[string]bool{}
		for _, lim := range []ratelimit.Limit{
			ratelimit.LoginPerAccount, ratelimit.LoginPerIP, ratelimit.PasswordForgot,
			ratelimit.PasswordReset, ratelimit.MFAVerify, ratelimit.Register, ratelimit.ClinicSearch, ratelimit.GeneralPerUser,
		} {
			if names[lim.Name] {
				t.Errorf("two limits are named %q", lim.Name)
			}
			names[lim.Name] = true
			if lim.Burst > lim.Rate*4 {
				t.Errorf("%s: burst %d is out of proportion to rate %d", lim.Name, lim.Burst, lim.Rate)
			}
			key := "probe-" + ids.New()
			if err := l.Allow(context.Background(), lim, key); err != nil {
				t.Errorf("%s: %v", lim.Name, err)
			}
			_ = l.Reset(context.Background(), lim, key)
		}
		// Login is the strictest per-account limit; forgot-password is no looser.
		if ratelimit.PasswordForgot.Burst > ratelimit.LoginPerAccount.Burst ||
			ratelimit.PasswordForgot.Period*time.Duration(ratelimit.LoginPerAccount.Rate) <
				ratelimit.LoginPerAccount.Period*time.Duration(ratelimit.PasswordForgot.Rate) {
			t.Errorf("PasswordForgot %+v is looser than LoginPerAccount %+v", ratelimit.PasswordForgot, ratelimit.LoginPerAccount)
		}
	})
}

func TestIPKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":                   "203.0.113.7",
		" 203.0.113.7 ":                 "203.0.113.7",
		"::ffff:203.0.113.7":            "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":          "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:1": "2001:db8:1:2::/64",
		"fe80::1%eth0":                  "fe80::/64",
		"not-an-ip":                     "not-an-ip",
	} {
		if got := ratelimit.IPKey(in); got != want {
			t.Errorf("IPKey(%q) = %q, want %q", in, got, want)
		}
	}
}
