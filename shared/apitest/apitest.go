// Package apitest drives the functions' real HTTP handlers the way the SPA
// does: one Env serves every function a suite needs on its routes (as API
// Gateway does), a Client keeps cookies like a browser, sends the SPA's
// Origin and echoes the CSRF cookie, and table Cases compare the decoded
// JSON with go-cmp.
//
// It knows no resource group: a suite builds the apps from their
// composition roots (functions/<name>/app) and says, through Accounts, how
// a named caller's account is made.
package apitest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/topsmile/topsmile/shared/boot"
)

// Origin is the SPA's origin: requests go to it and say they come from it.
const Origin = "https://clinic.test"

// Accounts creates the account of the caller called name and returns its
// credentials. Env.Caller calls it once per name.
type Accounts func(tb testing.TB, name string) (email, password string)

// Env is the API of one or more functions, served in-process.
type Env struct {
	Handler http.Handler

	accounts Accounts
	mu       sync.Mutex
	callers  map[string]*Client
}

// New mounts apps on their routes (Mount) and closes them when the test
// ends. accounts, if not nil, makes the callers Case.As names.
func New(tb testing.TB, accounts Accounts, apps ...*boot.App) *Env {
	tb.Helper()
	for _, a := range apps {
		tb.Cleanup(a.Close)
	}
	return &Env{Handler: Mount(tb, apps...), accounts: accounts, callers: map[string]*Client{}}
}

// Mount is one handler for several functions: each route goes to the
// handler (under its middleware) of the app that registered it. A request
// no route matches goes to the app that serves its path with another method
// (for its 405), else to the first app (for its 404), both in the
// contract's shape.
func Mount(tb testing.TB, apps ...*boot.App) http.Handler {
	tb.Helper()
	if len(apps) == 0 {
		tb.Fatal("apitest: no app to mount")
	}
	mux := http.NewServeMux()
	paths := make([]*http.ServeMux, len(apps))
	for i, a := range apps {
		paths[i] = http.NewServeMux()
		seen := map[string]bool{}
		for _, pattern := range a.Router.Routes() {
			if err := handle(mux, pattern, a.Handler); err != nil {
				tb.Fatalf("apitest: app %d: %v", i, err)
			}
			_, path, _ := strings.Cut(pattern, " ")
			if !seen[path] {
				seen[path] = true
				_ = handle(paths[i], path, http.NotFoundHandler())
			}
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		for i, p := range paths {
			if _, pattern := p.Handler(r); pattern != "" {
				apps[i].Handler.ServeHTTP(w, r)
				return
			}
		}
		apps[0].Handler.ServeHTTP(w, r)
	})
}

// handle registers h, turning the mux's panic on a clash into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("route %q: %v", pattern, v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// Caller is the signed-in client called name, made (through Accounts) and
// signed in through POST /api/auth/login the first time it is asked for.
// Callers are shared by every case of the Env: a test that ends a session
// makes its own client.
func (e *Env) Caller(tb testing.TB, name string) *Client {
	tb.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.callers[name]; ok {
		return c
	}
	if e.accounts == nil {
		tb.Fatalf("apitest: no caller %q and no Accounts to make one", name)
	}
	email, password := e.accounts(tb, name)
	c := e.Login(tb, email, password)
	e.callers[name] = c
	return c
}

// SetCaller names c, for cases that act as it.
func (e *Env) SetCaller(name string, c *Client) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.callers[name] = c
}

// Login signs a new client in through POST /api/auth/login and fails the
// test unless it answers 200.
func (e *Env) Login(tb testing.TB, email, password string, totp ...string) *Client {
	tb.Helper()
	c := e.Client()
	c.Login(tb, email, password, totp...)
	return c
}
