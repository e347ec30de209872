package identity_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pquerna/otp/totp"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store/storetest"
	"github.com/topsmile/topsmile/shared/token"
)

// The one answer for every kind of failed password sign-in.
var badCredentials = map[string]any{"error": map[string]any{"code": "unauthorized", "message": "email or password is incorrect"}}

// user is the Want of an answer carrying u as "user".
func user(u identity.User) map[string]any {
	out := map[string]any{"id": u.ID, "email": u.Email, "role": string(u.Role), "clinicId": u.ClinicID}
	if u.PatientID != "" {
		out["patientId"] = u.PatientID
	}
	return map[string]any{"user": out}
}

func login(email, password string, status int, want any) apitest.Case {
	return apitest.Case{Method: "POST", Path: "/api/auth/login", Body: map[string]string{"email": email, "password": password}, Status: status, Want: want}
}

var (
	me          = apitest.Case{Method: "GET", Path: "/api/auth/me", Status: 200}
	meRefused   = apitest.Case{Method: "GET", Path: "/api/auth/me", Status: 401, Want: apitest.Error("unauthorized")}
	refreshOK   = apitest.Case{Method: "POST", Path: "/api/auth/refresh", Status: 200}
	refreshGone = apitest.Case{Method: "POST", Path: "/api/auth/refresh", Status: 401, Want: apitest.Error("unauthorized")}
)

func TestLoginSetsHardenedCookiesAndNoTokensInBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.mustUser(t, e.clinic.ID, identity.RoleReceptionist)
	c := e.Client()
	r := login(strings.ToUpper(u.Email), staffPassword, 200, map[string]any{"user": user(u)["user"], "mfaEnrollmentRequired": false}).Send(t, c)
	cookies := map[string]*http.Cookie{}
	for _, line := range r.Header.Values("Set-Cookie") {
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
		if strings.Contains(string(r.Body), ck.Value) {
			t.Errorf("%s value appears in the body", name)
		}
	}
	if strings.Contains(string(r.Body), "passwordHash") || strings.Contains(string(r.Body), "$argon2id") {
		t.Fatalf("hash leaked: %s", r.Body)
	}
	with(me, user(u)).Send(t, c)
}

// with is c wanting want.
func with(c apitest.Case, want any) apitest.Case {
	c.Want = want
	return c
}

// named is c called name.
func named(name string, c apitest.Case) apitest.Case {
	c.Name = name
	return c
}

func TestUnknownUserAndWrongPasswordLookTheSame(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.mustUser(t, e.clinic.ID, identity.RoleDentist)
	e.Run(t, []apitest.Case{
		named("unknown user", login("nobody@nowhere.example", staffPassword, 401, badCredentials)),
		named("wrong password", login(u.Email, "wrong-password-123", 401, badCredentials)),
	})
	// A disabled account answers the same too.
	disabled := true
	if _, err := e.users.UpdateUser(context.Background(), e.clinic.ID, u.ID, identity.UserPatch{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	e.Do(t, login(u.Email, staffPassword, 401, badCredentials))
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
	t.Parallel()
	e := newEnv(t)
	c, u := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	good := c.Cookie(authz.AccessCookie)
	key, _ := base64.StdEncoding.DecodeString(storetest.TestKey)
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
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"role":"admin"`, `"role":"dentist"`, 1))) + "." + parts[2]
	if tampered == good {
		t.Fatal("tampering did not change the token")
	}
	for _, tc := range []struct {
		name, token string
		want        apitest.Case
	}{
		// The control: a correctly signed token is accepted, so the cases
		// below fail for the reason they name.
		{"valid control", forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(*token.Claims) {})), with(me, user(u))},
		{"alg none", forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", claims(func(*token.Claims) {})), meRefused},
		{"wrong key", forge(t, jwt.SigningMethodHS256, []byte("another-key-another-key-another!!"), "k1", claims(func(*token.Claims) {})), meRefused},
		{"unknown kid", forge(t, jwt.SigningMethodHS256, key, "k9", claims(func(*token.Claims) {})), meRefused},
		{"no kid", forge(t, jwt.SigningMethodHS256, key, "", claims(func(*token.Claims) {})), meRefused},
		{"HS512 not pinned", forge(t, jwt.SigningMethodHS512, key, "k1", claims(func(*token.Claims) {})), meRefused},
		{"expired", forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.ExpiresAt = jwt.NewNumericDate(e.clock.Now().Add(-time.Minute)) })), meRefused},
		{"no exp", forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.ExpiresAt = nil })), meRefused},
		{"wrong iss", forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.Issuer = "evil" })), meRefused},
		{"wrong aud", forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.Audience = jwt.ClaimStrings{"other-api"} })), meRefused},
		{"wrong type", forge(t, jwt.SigningMethodHS256, key, "k1", claims(func(c *token.Claims) { c.Type = "refresh" })), meRefused},
		{"tampered payload", tampered, meRefused},
		{"refresh as access", c.Cookie(authz.RefreshCookie), meRefused},
		{"garbage", "not.a.jwt", meRefused},
		{"empty", "", meRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := e.Client()
			cl.SetCookie(authz.AccessCookie, tc.token)
			tc.want.Send(t, cl)
		})
	}
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, u := e.signedIn(t, e.clinic.ID, identity.RoleHygienist)
	first := c.Cookie(authz.RefreshCookie)
	oldAccess := c.Cookie(authz.AccessCookie)
	e.clock.Advance(time.Second)
	with(refreshOK, user(u)).Send(t, c)
	second := c.Cookie(authz.RefreshCookie)
	if second == first || c.Cookie(authz.AccessCookie) == oldAccess {
		t.Fatal("refresh did not rotate the tokens")
	}
	// The thief replays the first (now retired) refresh token, later than
	// a racing request of the owner's could come.
	e.clock.Advance(time.Minute)
	thief := e.Client()
	thief.SetCookie(authz.RefreshCookie, first)
	refreshGone.Send(t, thief)
	// The whole family is dead: the current refresh token and access token too.
	meRefused.Send(t, c)
	c2 := e.Client()
	c2.SetCookie(authz.RefreshCookie, second)
	refreshGone.Send(t, c2)
}

func TestLogoutRevokesAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.signedIn(t, e.clinic.ID, identity.RoleDentist)
	stolen := c.Clone()
	c.MustDo(t, "POST", "/api/auth/logout", nil, 204)
	for _, name := range []string{authz.AccessCookie, authz.RefreshCookie, authz.CSRFCookie} {
		if c.HasCookie(name) {
			t.Fatalf("logout did not clear the %s cookie", name)
		}
	}
	// The old cookies are refused on the very next request.
	meRefused.Send(t, stolen)
	refreshGone.Send(t, stolen)
}

func TestRedisDownFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	// The same database and keys, so the token verifies; only the deny-list
	// is unreachable.
	down := e.withDeadRedis(t)
	apitest.Case{Method: "GET", Path: "/api/auth/me", Status: 503, Want: apitest.Error("unavailable")}.Send(t, c.CloneTo(down))
	down.Do(t, login("a@b.example", staffPassword, 503, apitest.Error("unavailable")))
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	other, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	body := map[string]any{"name": "Renamed"}
	forbidden := apitest.Error("forbidden")
	c.NoCSRF = true
	t.Run("missing header", func(t *testing.T) {
		apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: body, Status: 403, Want: forbidden}.Send(t, c)
	})
	t.Run("header not the cookie", func(t *testing.T) {
		if r := c.Do(t, "PATCH", "/api/clinic", body, authz.CSRFHeader, "forged.value.k1"); r.Status != 403 || r.Error(t).Code != "forbidden" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	// A CSRF token of another session (header and cookie agree) is refused:
	// the token is bound to its session.
	t.Run("another session's token", func(t *testing.T) {
		foreign := other.Cookie(authz.CSRFCookie)
		c.SetCookie(authz.CSRFCookie, foreign)
		if r := c.Do(t, "PATCH", "/api/clinic", body, authz.CSRFHeader, foreign); r.Status != 403 || r.Error(t).Code != "forbidden" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	// The control: a session's own token passes.
	t.Run("own token", func(t *testing.T) {
		apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: body, Status: 200, Want: map[string]any{"id": e.clinic.ID, "name": "Renamed"}}.Send(t, other)
	})
	// Cross-site requests are refused before anything else, login included:
	// by Sec-Fetch-Site, or by Origin where a browser sends no Sec-Fetch-Site.
	for _, path := range []string{"/api/auth/login", "/api/auth/register", "/api/auth/refresh", "/api/auth/password/forgot"} {
		for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Site", "", "Origin", "https://evil.example"}} {
			t.Run("cross-site "+path+" "+strings.Join(h, " "), func(t *testing.T) {
				r := e.Client().Do(t, "POST", path, map[string]string{"email": "x@y.example"}, h...)
				if r.Status != 403 || r.Error(t).Code != "forbidden" {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
			})
		}
	}
}

func TestBruteForceIsRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.mustUser(t, e.clinic.ID, identity.RoleDentist)
	c := e.Client()
	// Five wrong passwords are answered as such; the sixth waits.
	for i := range 5 {
		r := c.Do(t, "POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "wrong-password-" + ids.New()})
		if d := apitest.Diff(badCredentials, r.JSON(t)); r.Status != 401 || d != "" {
			t.Fatalf("attempt %d: %d %s", i+1, r.Status, d)
		}
	}
	r := c.Do(t, "POST", "/api/auth/login", map[string]string{"email": u.Email, "password": "wrong-password-" + ids.New()})
	if r.Status != 429 || r.Header.Get("Retry-After") == "" || r.Error(t).Code != "rate_limited" {
		t.Fatalf("attempt 6: status %d Retry-After %q %s, want 429 with Retry-After", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	// Even the right password waits now (per account, from another IP).
	e.Do(t, login(u.Email, staffPassword, 429, apitest.Error("rate_limited")))
}

// registration is a valid patient sign-up body for clinicID.
func registration(clinicID string) map[string]any {
	return map[string]any{"clinicId": clinicID, "email": ids.New() + "@portal.example", "password": "a-good-passphrase",
		"firstName": "Pat", "lastName": "Lee", "dateOfBirth": "1990-04-01", "phone": "(212) 555-0100"}
}

// Sign-up reads the phone as the patients group does: a valid number, stored
// in E.164; the old 7-digit rule let "+1 555 0100" through.
func TestRegisterRefusesAnInvalidPhone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var cases []apitest.Case
	for _, phone := range []string{"+1 555 0100", "12-345", "call me", "", "212 555 0100 ext. 7"} {
		body := registration(e.clinic.ID)
		body["phone"] = phone
		cases = append(cases, apitest.Case{Name: "phone " + phone, Method: "POST", Path: "/api/auth/register", Body: body, Status: 400, Want: apitest.Error("invalid", "phone")})
	}
	e.Run(t, cases)
}

func TestMassAssignmentHasNoEffect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	reg := registration(e.clinic.ID)
	var cases []apitest.Case
	for _, field := range []string{"role", "id", "patientId"} {
		body := registration(e.clinic.ID)
		body[field] = "admin"
		cases = append(cases, apitest.Case{Name: "register with " + field, Method: "POST", Path: "/api/auth/register", Body: body, Status: 400, Want: apitest.Error("invalid", field)})
	}
	for _, field := range []string{"clinicId", "id"} {
		cases = append(cases, apitest.Case{Name: "create user with " + field, As: "admin", Method: "POST", Path: "/api/users", Status: 400, Want: apitest.Error("invalid", field),
			Body: map[string]any{"email": ids.New() + "@x.example", "password": staffPassword, "role": "dentist", "firstName": "A", "lastName": "B", field: e.other.ID}})
	}
	victim := e.mustUser(t, e.clinic.ID, identity.RoleReceptionist)
	for _, field := range []string{"clinicId", "email", "passwordHash", "id"} {
		cases = append(cases, apitest.Case{Name: "patch user with " + field, As: "admin", Method: "PATCH", Path: "/api/users/" + victim.ID,
			Body: map[string]any{field: "x"}, Status: 400, Want: apitest.Error("invalid", field)})
	}
	// The sign-up itself yields a patient of that clinic, whatever was tried.
	cases = append(cases, apitest.Case{Name: "register", Method: "POST", Path: "/api/auth/register", Body: reg, Status: 202, Want: map[string]any{}})
	// And nothing refused changed the victim.
	cases = append(cases, apitest.Case{Name: "victim unchanged", As: "admin", Method: "GET", Path: "/api/users/" + victim.ID, Status: 200,
		Want: user(victim)["user"]})
	e.Run(t, cases)
	e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/verify-email", Body: map[string]string{"token": e.verifyToken(t, reg["email"].(string))}, Status: 200,
		Want: map[string]any{"user": map[string]any{"role": "patient", "clinicId": e.clinic.ID, "patientId": apitest.Present, "email": reg["email"]}}})
}

func TestDisablingAUserEndsEverySessionAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	u := e.mustUser(t, e.clinic.ID, identity.RoleDentist)
	laptop, phone := e.Login(t, u.Email, staffPassword), e.Login(t, u.Email, staffPassword)
	apitest.Case{Method: "DELETE", Path: "/api/users/" + u.ID, Status: 200, Want: map[string]any{"id": u.ID, "disabled": true}}.Send(t, admin)
	for _, c := range []*apitest.Client{laptop, phone} {
		meRefused.Send(t, c)
		refreshGone.Send(t, c)
	}
	e.Do(t, login(u.Email, staffPassword, 401, badCredentials))
}

// totpCode is the authenticator's code for secret at at.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	s, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMFAEnrolmentLoginAndReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, u := e.signedIn(t, e.clinic.ID, identity.RoleDentist)
	apitest.Case{Method: "POST", Path: "/api/auth/mfa/setup", Body: map[string]string{"currentPassword": "not-my-password"}, Status: 400, Want: apitest.Error("invalid")}.Send(t, c)
	var setup struct{ Secret, OtpauthUrl string }
	c.MustJSON(t, "POST", "/api/auth/mfa/setup", map[string]string{"currentPassword": staffPassword}, 200, &setup)
	if setup.Secret == "" || !strings.HasPrefix(setup.OtpauthUrl, "otpauth://totp/TopSmile") {
		t.Fatalf("setup %+v", setup)
	}
	apitest.Case{Method: "POST", Path: "/api/auth/mfa/verify", Body: map[string]string{"code": "000000"}, Status: 400, Want: apitest.Error("invalid")}.Send(t, c)
	var rec struct{ RecoveryCodes []string }
	c.MustJSON(t, "POST", "/api/auth/mfa/verify", map[string]string{"code": totpCode(t, setup.Secret, e.clock.Now())}, 200, &rec)
	if len(rec.RecoveryCodes) != 10 {
		t.Fatalf("recovery codes %v", rec.RecoveryCodes)
	}
	second := func(code string, status int, want any) apitest.Case {
		return apitest.Case{Method: "POST", Path: "/api/auth/login", Body: map[string]string{"email": u.Email, "password": staffPassword, "totp": code}, Status: status, Want: want}
	}
	// Password alone is no longer enough.
	e.Do(t, login(u.Email, staffPassword, 401, apitest.Error("unauthorized", "totp")))
	e.clock.Advance(31 * time.Second)
	now := totpCode(t, setup.Secret, e.clock.Now())
	e.Do(t, second(now, 200, user(u)))
	// The same code cannot be used twice.
	e.Do(t, second(now, 401, apitest.Error("unauthorized", "totp")))
	// A recovery code works once.
	e.Do(t, second(rec.RecoveryCodes[0], 200, user(u)))
	e.Do(t, second(rec.RecoveryCodes[0], 401, apitest.Error("unauthorized", "totp")))
}

func TestClinicRequiringMFALimitsUnenrolledAdmins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, u := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"mfaRequired": true}, Status: 200,
		Want: map[string]any{"settings": map[string]any{"mfaRequired": true}}}.Send(t, admin)
	c := e.Client()
	r := c.Login(t, u.Email, staffPassword)
	if d := apitest.Diff(map[string]any{"mfaEnrollmentRequired": true}, r.JSON(t)); d != "" {
		t.Fatalf("login did not flag MFA enrolment:\n%s", d)
	}
	apitest.Case{Method: "GET", Path: "/api/users", Status: 403, Want: apitest.Error("forbidden")}.Send(t, c)
	with(me, map[string]any{"user": user(u)["user"], "mfaEnrollmentRequired": true}).Send(t, c)
	var setup struct{ Secret string }
	c.MustJSON(t, "POST", "/api/auth/mfa/setup", map[string]string{"currentPassword": staffPassword}, 200, &setup)
	c.MustDo(t, "POST", "/api/auth/mfa/verify", map[string]string{"code": totpCode(t, setup.Secret, e.clock.Now())}, 200)
	apitest.Case{Method: "GET", Path: "/api/users", Status: 200, Want: map[string]any{"items": apitest.Present}}.Send(t, c)
	// A receptionist is not required to enrol.
	rc, ru := e.signedIn(t, e.clinic.ID, identity.RoleReceptionist)
	with(me, map[string]any{"user": user(ru)["user"], "mfaEnrollmentRequired": false}).Send(t, rc)
}

func TestPasswordResetFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.mustUser(t, e.clinic.ID, identity.RoleReceptionist)
	old := e.Login(t, u.Email, staffPassword)
	forgot := func(email string) apitest.Case {
		return apitest.Case{Method: "POST", Path: "/api/auth/password/forgot", Body: map[string]string{"email": email}, Status: 202}
	}
	reset := func(tok, password string, status int) apitest.Case {
		c := apitest.Case{Method: "POST", Path: "/api/auth/password/reset", Body: map[string]string{"token": tok, "password": password}, Status: status}
		if status == 400 {
			c.Want = apitest.Error("invalid")
		}
		return c
	}
	link := func() string {
		m := e.outbox.Last()
		if m.To != u.Email || m.Template != "password-reset" || m.Channel != "email" {
			t.Fatalf("message %+v", m)
		}
		return strings.TrimPrefix(m.Data["resetUrl"], apitest.Origin+"/reset-password?token=")
	}
	// Unknown and known emails get the same answer.
	e.Do(t, forgot("ghost@nowhere.example"))
	if n := len(e.outbox.Messages()); n != 0 {
		t.Fatalf("%d messages sent for an unknown account", n)
	}
	e.Do(t, forgot(u.Email))
	tok := link()
	e.Do(t, reset(tok, "short", 400))
	e.Do(t, reset(tok, "a-brand-new-passphrase", 204))
	// Single use; old sessions are gone; the new password works.
	e.Do(t, reset(tok, "another-new-passphrase", 400))
	meRefused.Send(t, old)
	e.Do(t, login(u.Email, "a-brand-new-passphrase", 200, user(u)))

	// A link older than 30 minutes is refused.
	e.Do(t, forgot(u.Email))
	late := link()
	e.clock.Advance(31 * time.Minute)
	e.Do(t, reset(late, "yet-another-passphrase", 400))
	if n := len(e.outbox.Messages()); n != 2 {
		t.Fatalf("%d messages, want the 2 reset links", n)
	}
}

func TestIdleSessionCannotRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, u := e.signedIn(t, e.clinic.ID, identity.RoleReceptionist)
	// The control: a refresh within the idle limit works.
	e.clock.Advance(time.Duration(e.clinic.Settings.IdleLogoffMinutes-1) * time.Minute)
	with(refreshOK, user(u)).Send(t, c)
	e.clock.Advance(time.Duration(e.clinic.Settings.IdleLogoffMinutes+1) * time.Minute)
	refreshGone.Send(t, c)
}

func TestSessionsListAndRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.mustUser(t, e.clinic.ID, identity.RoleDentist)
	a, b := e.Login(t, u.Email, staffPassword), e.Login(t, u.Email, staffPassword)
	var list struct {
		Items []struct {
			ID      string
			Current bool
			IP      string
		}
	}
	a.MustJSON(t, "GET", "/api/auth/sessions", nil, 200, &list)
	if len(list.Items) != 2 || list.Items[0].Current == list.Items[1].Current {
		t.Fatalf("sessions %+v", list.Items)
	}
	var other string
	for _, s := range list.Items {
		if !s.Current {
			other = s.ID
			if s.IP != b.IP {
				t.Errorf("other session's IP %q, want %q", s.IP, b.IP)
			}
		}
	}
	// Someone else cannot end these sessions: 404.
	stranger, _ := e.signedIn(t, e.clinic.ID, identity.RoleDentist)
	apitest.Case{Method: "DELETE", Path: "/api/auth/sessions/" + other, Status: 404, Want: apitest.Error("not_found")}.Send(t, stranger)
	a.MustDo(t, "DELETE", "/api/auth/sessions/"+other, nil, 204)
	meRefused.Send(t, b)
	with(me, user(u)).Send(t, a)
}

func TestAuditTrailRecordsAuthAndVerifies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, au := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	u := e.mustUser(t, e.clinic.ID, identity.RoleReceptionist)
	e.Do(t, login(u.Email, "wrong-password-1", 401, badCredentials))
	rc := e.Login(t, u.Email, staffPassword)
	apitest.Case{Method: "GET", Path: "/api/users", Status: 403, Want: apitest.Error("forbidden")}.Send(t, rc) // a denial
	rc.MustDo(t, "POST", "/api/auth/logout", nil, 204)

	type record struct{ Action, Outcome, ActorID, RequestID, IP string }
	var page struct{ Items []record }
	admin.MustJSON(t, "GET", "/api/audit-logs?userId="+u.ID, nil, 200, &page)
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
	var v struct {
		OK      bool
		Checked int
	}
	admin.MustJSON(t, "GET", "/api/audit-logs?verify=true", nil, 200, &v)
	if !v.OK || v.Checked < 5 {
		t.Fatalf("verify %+v", v)
	}
	// The admin's own reads of the trail are not PHI, but their login is there.
	page.Items = nil
	admin.MustJSON(t, "GET", "/api/audit-logs?userId="+au.ID+"&action=auth.login", nil, 200, &page)
	if len(page.Items) != 1 || page.Items[0].Outcome != "success" {
		t.Fatalf("admin login records %+v", page.Items)
	}
}
