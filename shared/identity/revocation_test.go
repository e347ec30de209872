package identity_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/identity"
)

// redisFaults is a go-redis hook that fails the deny-list writes (SET
// deny:…) it is armed for, as a connection dropping half-way would.
type redisFaults struct {
	mu   sync.Mutex
	left int
}

var _ redis.Hook = (*redisFaults)(nil)

// failDenyWrites makes the next n deny-list writes fail.
func (f *redisFaults) failDenyWrites(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.left = n
}

func (f *redisFaults) fail(cmd redis.Cmder) bool {
	args := cmd.Args()
	if !strings.EqualFold(cmd.Name(), "set") || len(args) < 2 || !strings.HasPrefix(fmt.Sprint(args[1]), "deny:") {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.left == 0 {
		return false
	}
	f.left--
	return true
}

func (f *redisFaults) DialHook(next redis.DialHook) redis.DialHook { return next }

func (f *redisFaults) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if f.fail(cmd) {
			err := errors.New("injected: connection reset by peer")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (f *redisFaults) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

var unavailable = apitest.Error("unavailable")

// A revocation whose deny-list write fails answers 503, and the client's
// retry finishes it: the access tokens are refused afterwards. Before, the
// store was written first, so the retry found the session already ended,
// wrote no deny entry, and the access token lived out its TTL.
func TestRevocationSurvivesADenyListFailure(t *testing.T) {
	t.Parallel()
	t.Run("refresh token reuse", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		c, _ := e.signedIn(t, e.clinic.ID, identity.RoleHygienist)
		first := c.Cookie(authz.RefreshCookie)
		refreshOK.Send(t, c)
		e.clock.Advance(time.Minute) // past the race grace: a replay is reuse
		thief := e.Client()
		thief.SetCookie(authz.RefreshCookie, first)
		e.faults.failDenyWrites(1)
		apitest.Case{Method: "POST", Path: "/api/auth/refresh", Status: 503, Want: unavailable}.Send(t, thief)
		thief.SetCookie(authz.RefreshCookie, first)
		refreshGone.Send(t, thief)
		meRefused.Send(t, c)
	})
	t.Run("admin ends a user's sessions", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
		laptop, u := e.signedIn(t, e.clinic.ID, identity.RoleDentist)
		end := apitest.Case{Method: "DELETE", Path: "/api/users/" + u.ID + "/sessions", Status: 204}
		e.faults.failDenyWrites(1)
		with(apitest.Case{Method: end.Method, Path: end.Path, Status: 503}, unavailable).Send(t, admin)
		end.Send(t, admin)
		meRefused.Send(t, laptop)
	})
	t.Run("password change ends the other sessions", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		laptop, u := e.signedIn(t, e.clinic.ID, identity.RoleReceptionist)
		phone := e.Login(t, u.Email, staffPassword)
		change := apitest.Case{Method: "POST", Path: "/api/auth/password/change",
			Body: map[string]string{"currentPassword": staffPassword, "newPassword": "a-brand-new-passphrase"}, Status: 204}
		e.faults.failDenyWrites(1)
		with(apitest.Case{Method: change.Method, Path: change.Path, Body: change.Body, Status: 503}, unavailable).Send(t, laptop)
		// The retry, with the password the user still believes current, works.
		change.Send(t, laptop)
		meRefused.Send(t, phone)
		with(me, user(u)).Send(t, laptop)
	})
	t.Run("logout", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		c, _ := e.signedIn(t, e.clinic.ID, identity.RoleDentist)
		stolen := c.Clone()
		e.faults.failDenyWrites(1)
		apitest.Case{Method: "POST", Path: "/api/auth/logout", Status: 503, Want: unavailable}.Send(t, c)
		c.MustDo(t, "POST", "/api/auth/logout", nil, 204)
		meRefused.Send(t, stolen)
	})
}

// setCookies are the names of the cookies r sets.
func setCookies(t *testing.T, r apitest.Response) []string {
	t.Helper()
	var names []string
	for _, line := range r.Header.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, ck.Name)
	}
	return names
}

var refreshRaced = apitest.Case{Method: "POST", Path: "/api/auth/refresh", Status: 409, Want: apitest.Error("conflict")}

// Refreshes racing on one token (two tabs, a retried request): one wins,
// the others get 409 with no cookies (so they cannot wipe the winner's),
// and the family lives on.
func TestConcurrentRefreshesWithOneTokenHaveOneWinner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, u := e.signedIn(t, e.clinic.ID, identity.RoleAssistant)
	refresh := c.Cookie(authz.RefreshCookie)
	const n = 12
	var wg sync.WaitGroup
	type result struct {
		r  apitest.Response
		cl *apitest.Client
	}
	results := make(chan result, n)
	for range n {
		wg.Go(func() {
			cl := e.Client()
			cl.SetCookie(authz.RefreshCookie, refresh)
			results <- result{cl.Do(t, "POST", "/api/auth/refresh", nil), cl}
		})
	}
	wg.Wait()
	close(results)
	var winner *apitest.Client
	for res := range results {
		switch res.r.Status {
		case 200:
			if winner != nil {
				t.Fatal("two refreshes with one token succeeded")
			}
			winner = res.cl
		case 409:
			if d := apitest.Diff(apitest.Error("conflict"), res.r.JSON(t)); d != "" {
				t.Errorf("loser's answer:\n%s", d)
			}
			if names := setCookies(t, res.r); len(names) != 0 {
				t.Errorf("a loser set cookies %v", names)
			}
		default:
			t.Errorf("unexpected status %d: %s", res.r.Status, res.r.Body)
		}
	}
	if winner == nil {
		t.Fatal("no refresh succeeded")
	}
	// Nobody was taken for a thief: the family and its access tokens live.
	with(me, user(u)).Send(t, c)
	with(refreshOK, user(u)).Send(t, winner)
}

// The rule of refreshGrace: the token a session just rotated away from is
// a lost race (409, nothing revoked) for a few seconds, and reuse after
// that (the family dies); a token retired earlier is reuse at once.
func TestRefreshRaceGraceThenReuse(t *testing.T) {
	t.Parallel()
	replay := func(e *env, tok string) *apitest.Client {
		cl := e.Client()
		cl.SetCookie(authz.RefreshCookie, tok)
		return cl
	}
	t.Run("just retired: a lost race", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		c, u := e.signedIn(t, e.clinic.ID, identity.RoleHygienist)
		first := c.Cookie(authz.RefreshCookie)
		refreshOK.Send(t, c)
		e.clock.Advance(5 * time.Second)
		late := replay(e, first)
		if names := setCookies(t, refreshRaced.Send(t, late)); len(names) != 0 {
			t.Errorf("the 409 set cookies %v", names)
		}
		with(me, user(u)).Send(t, c)
		with(refreshOK, user(u)).Send(t, c)
	})
	t.Run("just retired, after the grace: reuse", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		c, _ := e.signedIn(t, e.clinic.ID, identity.RoleHygienist)
		first := c.Cookie(authz.RefreshCookie)
		refreshOK.Send(t, c)
		e.clock.Advance(11 * time.Second)
		refreshGone.Send(t, replay(e, first))
		meRefused.Send(t, c)
		refreshGone.Send(t, c)
	})
	t.Run("retired two rotations ago: reuse at once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		c, _ := e.signedIn(t, e.clinic.ID, identity.RoleHygienist)
		first := c.Cookie(authz.RefreshCookie)
		refreshOK.Send(t, c)
		refreshOK.Send(t, c)
		refreshGone.Send(t, replay(e, first))
		meRefused.Send(t, c)
	})
}
