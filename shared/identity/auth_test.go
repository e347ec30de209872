package identity_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pquerna/otp/totp"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/token"
)

func TestLoginSetsHardenedCookiesAndNoTokensInBody(t *testing.T) {
	e := newEnv(t)
	u := e.mustUser(e.clinic.ID, identity.RoleReceptionist)
	c := e.client()
	r := c.do("POST", "/api/auth/login", map[string]string{"email": strings.ToUpper(u.Email), "password": staffPassword})
	expectStatus(t, r, 200)
	cookies := map[string]*http.Cookie{}
	for _, line := range r.header.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatal(err)
		}
		cookies[ck.Name] = ck
	}
	for name, want := range map[string]struct {
		path     string
		httpOnly bool
	}{authz.AccessCookie: {"/api", true}, authz.RefreshCookie: {"/api/auth", true}, authz.CSRFCookie: {"/", false}} {
		ck := cookies[name]
		if ck == nil {
			t.Fatalf("no %s cookie", name)
		}
		if ck.Path != want.path || ck.HttpOnly != want.httpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode {
			t.Errorf("%s: path %q httpOnly %v secure %v samesite %v", name, ck.Path, ck.HttpOnly, ck.Secure, ck.SameSite)
		}
		if strings.Contains(string(r.body), ck.Value) {
			t.Errorf("%s value appears in the body", name)
		}
	}
	if strings.Contains(string(r.body), "passwordHash") || strings.Contains(string(r.body), "$argon2id") {
		t.Fatalf("hash leaked: %s", r.body)
	}
	var me struct {
		User identity.User `json:"user"`
	}
	resp := c.do("GET", "/api/auth/me", nil)
	expectStatus(t, resp, 200)
	resp.json(t, &me)
	if me.User.ID != u.ID || me.User.Role != identity.RoleReceptionist || me.User.ClinicID != e.clinic.ID {
		t.Fatalf("me = %+v", me.User)
	}
}

func TestUnknownUserAndWrongPasswordLookTheSame(t *testing.T) {
	e := newEnv(t)
	u := e.mustUser(e.clinic.ID, identity.RoleDentist)
	a := e.client().do("POST", "/api/auth/login", map[string]string{"email": "nobody@nowhere.example", "password": staffPassword})
	b := e.client().do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "wrong-password-123"})
	expectStatus(t, a, 401)
	expectStatus(t, b, 401)
	var ea, eb struct {
		Error struct{ Code, Message string }
	}
	a.json(t, &ea)
	b.json(t, &eb)
	if ea.Error != eb.Error {
		t.Fatalf("answers differ: %+v vs %+v", ea.Error, eb.Error)
	}
	// A disabled account answers the same too.
	disabled := true
	if _, err := e.svc.Store.UpdateUser(context.Background(), e.clinic.ID, u.ID, identity.UserPatch{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	d := e.client().do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword})
	var ed struct {
		Error struct{ Code, Message string }
	}
	d.json(t, &ed)
	if d.status != 401 || ed.Error != ea.Error {
		t.Fatalf("disabled: %d %+v", d.status, ed.Error)
	}
}

// forge signs claims with key and kid using method.
func forge(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestForgedAndBrokenAccessTokensAreRefused(t *testing.T) {
	e := newEnv(t)
	c, u := e.signedIn(e.clinic.ID, identity.RoleAdmin)
	good := c.cookies[authz.AccessCookie]
	key, _ := base64.StdEncoding.DecodeString(testKey)
	claims := func(mod func(*token.Claims)) token.Claims {
		now := e.clock.Now()
		cl := token.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Issuer: token.Issuer, Audience: jwt.ClaimStrings{token.Audience}, Subject: u.ID,
				ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)), IssuedAt: jwt.NewNumericDate(now), ID: ids.Token(8)},
			Type: "access", Role: "admin", ClinicID: e.clinic.ID, SessionID: ids.New(),
		}
		mod(&cl)
		return cl
	}
	// The control: a correctly signed token is accepted, so the cases below
	// fail for the reason they name.
	valid := forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(*token.Claims) {}))
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"role":"admin"`, `"role":"dentist"`, 1))) + "." + parts[2]
	if tampered == good {
		t.Fatal("tampering did not change the token")
	}
	cases := map[string]string{
		"alg none":          forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", claims(func(*token.Claims) {})),
		"wrong key":         forge(t, jwt.SigningMethodHS256, []byte("another-key-another-key-another!!"), "k1", claims(func(*token.Claims) {})),
		"unknown kid":       forge(t, jwt.SigningMethodHS256, key, "k9", claims(func(*token.Claims) {})),
		"no kid":            forge(t, jwt.SigningMethodHS256, key, "", claims(func(*token.Claims) {})),
		"HS512 not pinned":  forge(t, jwt.SigningMethodHS512, key, "k1", claims(func(*token.Claims) {})),
		"expired":           forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.ExpiresAt = jwt.NewNumericDate(e.clock.Now().Add(-time.Minute)) })),
		"no exp":            forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.ExpiresAt = nil })),
		"wrong iss":         forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.Issuer = "evil" })),
		"wrong aud":         forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.Audience = jwt.ClaimStrings{"other-api"} })),
		"wrong type":        forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.Type = "refresh" })),
		"tampered payload":  tampered,
		"refresh as access": c.cookies[authz.RefreshCookie],
		"garbage":           "not.a.jwt",
		"empty":             "",
	}
	check := func(name, tok string, want int) {
		cl := e.client()
		cl.cookies[authz.AccessCookie] = tok
		if r := cl.do("GET", "/api/auth/me", nil); r.status != want {
			t.Errorf("%s: status %d, want %d", name, r.status, want)
		}
	}
	check("valid control", valid, 200)
	for name, tok := range cases {
		check(name, tok, 401)
	}
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(e.clinic.ID, identity.RoleHygienist)
	first := c.cookies[authz.RefreshCookie]
	oldAccess := c.cookies[authz.AccessCookie]
	e.clock.Advance(time.Second)
	expectStatus(t, c.do("POST", "/api/auth/refresh", nil), 200)
	second := c.cookies[authz.RefreshCookie]
	if second == first || c.cookies[authz.AccessCookie] == oldAccess {
		t.Fatal("refresh did not rotate the tokens")
	}
	// The thief replays the first (now retired) refresh token.
	thief := e.client()
	thief.cookies[authz.RefreshCookie] = first
	expectStatus(t, thief.do("POST", "/api/auth/refresh", nil), 401)
	// The whole family is dead: the current refresh token and access token too.
	expectStatus(t, c.do("GET", "/api/auth/me", nil), 401)
	c2 := e.client()
	c2.cookies[authz.RefreshCookie] = second
	expectStatus(t, c2.do("POST", "/api/auth/refresh", nil), 401)
}

func TestConcurrentRefreshesWithOneTokenHaveOneWinner(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(e.clinic.ID, identity.RoleAssistant)
	refresh := c.cookies[authz.RefreshCookie]
	const n = 12
	var wg sync.WaitGroup
	codes := make(chan int, n)
	for range n {
		wg.Go(func() {
			cl := e.client()
			cl.cookies[authz.RefreshCookie] = refresh
			codes <- cl.do("POST", "/api/auth/refresh", nil).status
		})
	}
	wg.Wait()
	close(codes)
	ok := 0
	for code := range codes {
		switch code {
		case 200:
			ok++
		case 401:
		default:
			t.Errorf("unexpected status %d", code)
		}
	}
	if ok != 1 {
		t.Fatalf("%d refreshes succeeded, want exactly 1", ok)
	}
}

func TestLogoutRevokesAtOnce(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(e.clinic.ID, identity.RoleDentist)
	stolen := *c
	stolen.cookies = map[string]string{}
	for k, v := range c.cookies {
		stolen.cookies[k] = v
	}
	expectStatus(t, c.do("POST", "/api/auth/logout", nil), 204)
	if _, ok := c.cookies[authz.AccessCookie]; ok {
		t.Fatal("logout did not clear the access cookie")
	}
	// The old cookies are refused on the very next request.
	expectStatus(t, stolen.do("GET", "/api/auth/me", nil), 401)
	expectStatus(t, stolen.do("POST", "/api/auth/refresh", nil), 401)
}

func TestRedisDownFailsClosed(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(e.clinic.ID, identity.RoleAdmin)
	down := newEnvWith(t, storetest.DeadRedis(t))
	// Same keys, so the token verifies; only the deny-list is unreachable.
	down.clinic = e.clinic
	cl := down.client()
	cl.cookies = c.cookies
	r := cl.do("GET", "/api/auth/me", nil)
	if r.status != 503 || r.errorCode(t) != "unavailable" {
		t.Fatalf("status %d %s, want 503", r.status, r.body)
	}
	r = down.client().do("POST", "/api/auth/login", map[string]string{"email": "a@b.example", "password": staffPassword})
	if r.status != 503 {
		t.Fatalf("login with Redis down: %d, want 503", r.status)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(e.clinic.ID, identity.RoleAdmin)
	body := map[string]any{"name": "Renamed"}
	c.noCSRF = true
	r := c.do("PATCH", "/api/clinic", body)
	if r.status != 403 {
		t.Fatalf("missing CSRF header: %d", r.status)
	}
	r = c.do("PATCH", "/api/clinic", body, authz.CSRFHeader, "forged.value.k1")
	if r.status != 403 {
		t.Fatalf("mismatched CSRF header: %d", r.status)
	}
	// A CSRF token of another session (header and cookie agree) is refused:
	// the token is bound to its session.
	other, _ := e.signedIn(e.clinic.ID, identity.RoleAdmin)
	foreign := other.cookies[authz.CSRFCookie]
	c.cookies[authz.CSRFCookie] = foreign
	r = c.do("PATCH", "/api/clinic", body, authz.CSRFHeader, foreign)
	if r.status != 403 {
		t.Fatalf("another session's CSRF token: %d", r.status)
	}
	// The control: a session's own token passes.
	expectStatus(t, other.do("PATCH", "/api/clinic", body), 200)
	// Cross-site requests are refused before anything else, login included.
	for _, path := range []string{"/api/auth/login", "/api/auth/register", "/api/auth/refresh", "/api/auth/password/forgot"} {
		r := e.client().do("POST", path, map[string]string{"email": "x@y.example"}, "Sec-Fetch-Site", "cross-site")
		if r.status != 403 {
			t.Errorf("%s cross-site: %d", path, r.status)
		}
	}
}

func TestBruteForceIsRateLimited(t *testing.T) {
	e := newEnv(t)
	u := e.mustUser(e.clinic.ID, identity.RoleDentist)
	c := e.client()
	var last response
	for i := 0; i < 8; i++ {
		last = c.do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "wrong-password-" + ids.New()})
		if last.status == 429 {
			break
		}
	}
	if last.status != 429 || last.header.Get("Retry-After") == "" {
		t.Fatalf("status %d Retry-After %q, want 429 with Retry-After", last.status, last.header.Get("Retry-After"))
	}
	// Even the right password waits now (per account, from another IP).
	r := e.client().do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword})
	if r.status != 429 {
		t.Fatalf("right password during lockout: %d", r.status)
	}
}

// Sign-up reads the phone as the patients group does: a valid number, stored
// in E.164; the old 7-digit rule let "+1 555 0100" through.
func TestRegisterRefusesAnInvalidPhone(t *testing.T) {
	e := newEnv(t)
	for _, phone := range []string{"+1 555 0100", "12-345", "call me", "", "212 555 0100 ext. 7"} {
		r := e.client().do("POST", "/api/auth/register", map[string]any{"clinicId": e.clinic.ID, "email": ids.New() + "@portal.example",
			"password": "a-good-passphrase", "firstName": "Pat", "lastName": "Lee", "dateOfBirth": "1990-04-01", "phone": phone})
		var out struct {
			Error struct {
				Fields []struct{ Field string } `json:"fields"`
			} `json:"error"`
		}
		r.json(t, &out)
		if r.status != 400 || len(out.Error.Fields) != 1 || out.Error.Fields[0].Field != "phone" {
			t.Errorf("phone %q: %d %s", phone, r.status, r.body)
		}
	}
}

func TestMassAssignmentHasNoEffect(t *testing.T) {
	e := newEnv(t)
	admin, _ := e.signedIn(e.clinic.ID, identity.RoleAdmin)
	reg := map[string]any{"clinicId": e.clinic.ID, "email": "pat@portal.example", "password": "a-good-passphrase", "firstName": "Pat", "lastName": "Lee",
		"dateOfBirth": "1990-04-01", "phone": "(212) 555-0100"}
	for _, field := range []string{"role", "id", "patientId"} {
		body := map[string]any{}
		for k, v := range reg {
			body[k] = v
		}
		body[field] = "admin"
		if r := e.client().do("POST", "/api/auth/register", body); r.status != 400 {
			t.Errorf("register with %s: %d %s", field, r.status, r.body)
		}
	}
	for _, field := range []string{"clinicId", "id"} {
		r := admin.do("POST", "/api/users", map[string]any{"email": ids.New() + "@x.example", "password": staffPassword, "role": "dentist", "firstName": "A", "lastName": "B", field: e.other.ID})
		if r.status != 400 {
			t.Errorf("create user with %s: %d", field, r.status)
		}
	}
	victim := e.mustUser(e.clinic.ID, identity.RoleReceptionist)
	for _, field := range []string{"clinicId", "email", "passwordHash", "id"} {
		if r := admin.do("PATCH", "/api/users/"+victim.ID, map[string]any{field: "x"}); r.status != 400 {
			t.Errorf("patch user with %s: %d", field, r.status)
		}
	}
	// The sign-up itself yields a patient of that clinic, whatever was tried.
	r := e.client().do("POST", "/api/auth/register", reg)
	expectStatus(t, r, 201)
	var out struct {
		User identity.User `json:"user"`
	}
	r.json(t, &out)
	if out.User.Role != identity.RolePatient || out.User.ClinicID != e.clinic.ID || out.User.PatientID == "" {
		t.Fatalf("registered %+v", out.User)
	}
}

func TestDisablingAUserEndsEverySessionAtOnce(t *testing.T) {
	e := newEnv(t)
	admin, _ := e.signedIn(e.clinic.ID, identity.RoleAdmin)
	u := e.mustUser(e.clinic.ID, identity.RoleDentist)
	laptop, phone := e.client(), e.client()
	laptop.login(u.Email, staffPassword)
	phone.login(u.Email, staffPassword)
	expectStatus(t, admin.do("DELETE", "/api/users/"+u.ID, nil), 200)
	for _, c := range []*client{laptop, phone} {
		expectStatus(t, c.do("GET", "/api/auth/me", nil), 401)
		expectStatus(t, c.do("POST", "/api/auth/refresh", nil), 401)
	}
	r := e.client().do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword})
	expectStatus(t, r, 401)
}

func TestMFAEnrolmentLoginAndReplay(t *testing.T) {
	e := newEnv(t)
	c, u := e.signedIn(e.clinic.ID, identity.RoleDentist)
	expectStatus(t, c.do("POST", "/api/auth/mfa/setup", map[string]string{"currentPassword": "not-my-password"}), 400)
	r := c.do("POST", "/api/auth/mfa/setup", map[string]string{"currentPassword": staffPassword})
	expectStatus(t, r, 200)
	var setup struct{ Secret, OtpauthUrl string }
	r.json(t, &setup)
	if setup.Secret == "" || !strings.HasPrefix(setup.OtpauthUrl, "otpauth://totp/TopSmile") {
		t.Fatalf("setup %+v", setup)
	}
	code := func(at time.Time) string {
		s, err := totp.GenerateCode(setup.Secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	expectStatus(t, c.do("POST", "/api/auth/mfa/verify", map[string]string{"code": "000000"}), 400)
	r = c.do("POST", "/api/auth/mfa/verify", map[string]string{"code": code(e.clock.Now())})
	expectStatus(t, r, 200)
	var rec struct{ RecoveryCodes []string }
	r.json(t, &rec)
	if len(rec.RecoveryCodes) != 10 {
		t.Fatalf("recovery codes %v", rec.RecoveryCodes)
	}
	// Password alone is no longer enough.
	r = e.client().do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword})
	if r.status != 401 || !strings.Contains(string(r.body), "totp") {
		t.Fatalf("login without code: %d %s", r.status, r.body)
	}
	e.clock.Advance(31 * time.Second)
	now := code(e.clock.Now())
	e.client().login(u.Email, staffPassword, now)
	// The same code cannot be used twice.
	r = e.client().do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword, "totp": now})
	expectStatus(t, r, 401)
	// A recovery code works once.
	e.client().login(u.Email, staffPassword, rec.RecoveryCodes[0])
	r = e.client().do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword, "totp": rec.RecoveryCodes[0]})
	expectStatus(t, r, 401)
}

func TestClinicRequiringMFALimitsUnenrolledAdmins(t *testing.T) {
	e := newEnv(t)
	admin, u := e.signedIn(e.clinic.ID, identity.RoleAdmin)
	expectStatus(t, admin.do("PATCH", "/api/clinic", map[string]any{"mfaRequired": true}), 200)
	c := e.client()
	r := c.login(u.Email, staffPassword)
	var out struct{ MfaEnrollmentRequired bool }
	r.json(t, &out)
	if !out.MfaEnrollmentRequired {
		t.Fatal("login did not flag MFA enrolment")
	}
	expectStatus(t, c.do("GET", "/api/users", nil), 403)
	expectStatus(t, c.do("GET", "/api/auth/me", nil), 200)
	r = c.do("POST", "/api/auth/mfa/setup", map[string]string{"currentPassword": staffPassword})
	expectStatus(t, r, 200)
	var setup struct{ Secret string }
	r.json(t, &setup)
	code, _ := totp.GenerateCode(setup.Secret, e.clock.Now())
	expectStatus(t, c.do("POST", "/api/auth/mfa/verify", map[string]string{"code": code}), 200)
	expectStatus(t, c.do("GET", "/api/users", nil), 200)
	// A receptionist is not required to enrol.
	rc, _ := e.signedIn(e.clinic.ID, identity.RoleReceptionist)
	expectStatus(t, rc.do("GET", "/api/auth/me", nil), 200)
}

func TestPasswordResetFlow(t *testing.T) {
	e := newEnv(t)
	u := e.mustUser(e.clinic.ID, identity.RoleReceptionist)
	old := e.client()
	old.login(u.Email, staffPassword)
	// Unknown and known emails get the same answer.
	expectStatus(t, e.client().do("POST", "/api/auth/password/forgot", map[string]string{"email": "ghost@nowhere.example"}), 202)
	if e.outbox.last().To != "" {
		t.Fatal("a message was sent for an unknown account")
	}
	expectStatus(t, e.client().do("POST", "/api/auth/password/forgot", map[string]string{"email": u.Email}), 202)
	m := e.outbox.last()
	if m.To != u.Email || m.Template != "password-reset" || m.Channel != "email" {
		t.Fatalf("message %+v", m)
	}
	tok := strings.TrimPrefix(m.Data["resetUrl"], "https://clinic.example/reset-password?token=")
	expectStatus(t, e.client().do("POST", "/api/auth/password/reset", map[string]string{"token": tok, "password": "short"}), 400)
	expectStatus(t, e.client().do("POST", "/api/auth/password/reset", map[string]string{"token": tok, "password": "a-brand-new-passphrase"}), 204)
	// Single use; old sessions are gone; the new password works.
	expectStatus(t, e.client().do("POST", "/api/auth/password/reset", map[string]string{"token": tok, "password": "another-new-passphrase"}), 400)
	expectStatus(t, old.do("GET", "/api/auth/me", nil), 401)
	e.client().login(u.Email, "a-brand-new-passphrase")

	// A link older than 30 minutes is refused.
	expectStatus(t, e.client().do("POST", "/api/auth/password/forgot", map[string]string{"email": u.Email}), 202)
	late := strings.TrimPrefix(e.outbox.last().Data["resetUrl"], "https://clinic.example/reset-password?token=")
	e.clock.Advance(31 * time.Minute)
	expectStatus(t, e.client().do("POST", "/api/auth/password/reset", map[string]string{"token": late, "password": "yet-another-passphrase"}), 400)
}

func TestIdleSessionCannotRefresh(t *testing.T) {
	e := newEnv(t)
	c, _ := e.signedIn(e.clinic.ID, identity.RoleReceptionist)
	e.clock.Advance(time.Duration(e.clinic.Settings.IdleLogoffMinutes+1) * time.Minute)
	expectStatus(t, c.do("POST", "/api/auth/refresh", nil), 401)
}

func TestSessionsListAndRevoke(t *testing.T) {
	e := newEnv(t)
	u := e.mustUser(e.clinic.ID, identity.RoleDentist)
	a, b := e.client(), e.client()
	a.login(u.Email, staffPassword)
	b.login(u.Email, staffPassword)
	r := a.do("GET", "/api/auth/sessions", nil)
	expectStatus(t, r, 200)
	var list struct {
		Items []struct {
			ID      string
			Current bool
			IP      string
		}
	}
	r.json(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("sessions %+v", list.Items)
	}
	var other string
	for _, s := range list.Items {
		if !s.Current {
			other = s.ID
		}
	}
	// Someone else cannot end these sessions: 404.
	stranger, _ := e.signedIn(e.clinic.ID, identity.RoleDentist)
	expectStatus(t, stranger.do("DELETE", "/api/auth/sessions/"+other, nil), 404)
	expectStatus(t, a.do("DELETE", "/api/auth/sessions/"+other, nil), 204)
	expectStatus(t, b.do("GET", "/api/auth/me", nil), 401)
	expectStatus(t, a.do("GET", "/api/auth/me", nil), 200)
}

func TestAuditTrailRecordsAuthAndVerifies(t *testing.T) {
	e := newEnv(t)
	admin, au := e.signedIn(e.clinic.ID, identity.RoleAdmin)
	u := e.mustUser(e.clinic.ID, identity.RoleReceptionist)
	e.client().do("POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "wrong-password-1"})
	rc := e.client()
	rc.login(u.Email, staffPassword)
	expectStatus(t, rc.do("GET", "/api/users", nil), 403) // a denial
	expectStatus(t, rc.do("POST", "/api/auth/logout", nil), 204)

	r := admin.do("GET", "/api/audit-logs?userId="+u.ID, nil)
	expectStatus(t, r, 200)
	var page struct {
		Items []struct{ Action, Outcome, ActorID, RequestID, IP string }
	}
	r.json(t, &page)
	seen := map[string]bool{}
	for _, it := range page.Items {
		seen[it.Action+"/"+it.Outcome] = true
		if it.ActorID != u.ID || it.RequestID == "" || it.IP == "" {
			t.Errorf("record %+v", it)
		}
	}
	for _, want := range []string{"auth.login/failure", "auth.login/success", "authz.denied/denied", "auth.logout/success"} {
		if !seen[want] {
			t.Errorf("no %s record in %v", want, seen)
		}
	}
	r = admin.do("GET", "/api/audit-logs?verify=true", nil)
	expectStatus(t, r, 200)
	var v struct {
		OK      bool
		Checked int
	}
	r.json(t, &v)
	if !v.OK || v.Checked < 5 {
		t.Fatalf("verify %+v", v)
	}
	// The admin's own reads of the trail are not PHI, but their login is there.
	r = admin.do("GET", "/api/audit-logs?userId="+au.ID+"&action=auth.login", nil)
	r.json(t, &page)
	if len(page.Items) != 1 || page.Items[0].Outcome != "success" {
		t.Fatalf("admin login records %+v", page.Items)
	}
}
