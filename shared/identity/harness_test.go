package identity_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/token"
)

// testKey is a fixed 32-byte key for the test key set.
var testKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

// capture records published notifications.
type capture struct {
	mu  sync.Mutex
	msg []notify.Message
}

func (c *capture) Publish(_ context.Context, m notify.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msg = append(c.msg, m)
	return nil
}

func (c *capture) last() notify.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msg) == 0 {
		return notify.Message{}
	}
	return c.msg[len(c.msg)-1]
}

type env struct {
	t       *testing.T
	svc     *identity.Service
	handler http.Handler
	clock   *clock.Fake
	mongo   *store.Mongo
	redis   *redis.Client
	outbox  *capture
	clinic  identity.Clinic
	other   identity.Clinic
}

const staffPassword = "long-enough-pass-2026"

func newEnv(t *testing.T) *env {
	return newEnvWith(t, storetest.NewRedis(t))
}

func newEnvWith(t *testing.T, rdb *redis.Client) *env {
	t.Helper()
	c := clock.NewFake(time.Now())
	m := storetest.NewMongo(t)
	log := httpapi.NewLogger(io.Discard, nil)
	e := &env{t: t, clock: c, mongo: m, redis: rdb, outbox: &capture{}}
	svc, err := identity.New(
		identity.Config{DataKey: testKey, AppURL: "https://clinic.example", SessionTTL: 12 * time.Hour, CookieSecure: true},
		token.Config{Keys: "k1:" + testKey, ActiveKID: "k1", AccessTTL: 10 * time.Minute},
		m, rdb, e.outbox, c, log)
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	rt := httpapi.NewRouter(log)
	identity.MountAuth(svc, rt)
	identity.MountAdmin(svc, rt)
	e.handler = httpapi.Stack(log, rt)
	ctx := context.Background()
	if e.clinic, err = svc.Store.CreateClinic(ctx, "Clinic A"); err != nil {
		t.Fatal(err)
	}
	if e.other, err = svc.Store.CreateClinic(ctx, "Clinic B"); err != nil {
		t.Fatal(err)
	}
	return e
}

// mustUser creates a user with role in clinic.
func (e *env) mustUser(clinicID string, role identity.Role) identity.User {
	e.t.Helper()
	u, err := e.svc.Store.CreateUser(context.Background(), clinicID, identity.NewUser{
		Email: ids.New() + "@staff.example", Password: staffPassword, Role: role, FirstName: "Test", LastName: string(role),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// client is a browser-like caller: it keeps cookies (Secure ones too, as a
// browser does on 127.0.0.1), sends Sec-Fetch-Site: same-origin and echoes
// the CSRF cookie in X-CSRF-Token on state-changing requests.
type client struct {
	e       *env
	cookies map[string]string
	ip      string
	noCSRF  bool
}

func (e *env) client() *client {
	// A fresh address per client: the per-IP login limit is real.
	return &client{e: e, cookies: map[string]string{}, ip: fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), rand.IntN(254)+1)}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var e httpapi.ErrorBody
	r.json(t, &e)
	return e.Error.Code
}

func (c *client) do(method, path string, body any, headers ...string) response {
	c.e.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = strings.NewReader(string(b))
		}
	}
	req := httptest.NewRequest(method, "http://clinic.example"+path, rd)
	req.RemoteAddr = c.ip + ":40000"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for name, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	if method != http.MethodGet && !c.noCSRF {
		req.Header.Set(authz.CSRFHeader, c.cookies[authz.CSRFCookie])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	c.e.handler.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// login signs in and fails the test unless it works.
func (c *client) login(email, password string, extra ...string) response {
	c.e.t.Helper()
	body := map[string]string{"email": email, "password": password}
	if len(extra) == 1 {
		body["totp"] = extra[0]
	}
	r := c.do("POST", "/api/auth/login", body)
	if r.status != http.StatusOK {
		c.e.t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	return r
}

// signedIn returns a client signed in as a new user of role in clinicID.
func (e *env) signedIn(clinicID string, role identity.Role) (*client, identity.User) {
	e.t.Helper()
	u := e.mustUser(clinicID, role)
	c := e.client()
	c.login(u.Email, staffPassword)
	return c, u
}

func expectStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}
