package authz_test

import (
	"net/http"
	"testing"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// TestGuardedRequestIsOneRedisRoundTrip: the deny-list check and the
// per-user rate limit of a guarded request share one Redis round trip.
func TestGuardedRequestIsOneRedisRoundTrip(t *testing.T) {
	rdb := storetest.NewRedis(t)
	hook := &counter{}
	rdb.AddHook(hook)
	g := newTestGuardWith(t, storetest.NewMongo(t), rdb)
	s := newSubject(authz.Admin)
	access, c := g.mustIssue(t, s)

	for _, r := range []struct {
		name string
		req  request
	}{
		{"GET", g.browser(http.MethodGet, "/api/clinic", access, c)},
		{"PATCH", g.browser(http.MethodPatch, "/api/clinic", access, c)},
	} {
		t.Run(r.name, func(t *testing.T) {
			// The first request may dial and, on a server that has not seen
			// the script yet, answer NOSCRIPT before EVAL loads it.
			g.do(t, r.req, "warm-up")
			dials, trips, cmds := hook.take()
			t.Logf("first request: %d dial(s), %d round trip(s): %v", dials, trips, cmds)

			const n = 5
			for range n {
				g.do(t, r.req, "counted")
			}
			dials, trips, cmds = hook.take()
			if dials != 0 {
				t.Errorf("%d dials on a warm client, want 0", dials)
			}
			if trips != n {
				t.Errorf("%d guarded requests took %d Redis round trips (%v), want %d", n, trips, cmds, n)
			}
			t.Logf("%d requests: %d round trip(s): %v", n, trips, cmds)
		})
	}
}
