package identity_test

import (
	"maps"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
)

// Recovery codes carry at least 112 random bits (ASVS 6.5.2; they were 10
// base64 characters, ~52 bits after lower-casing) and are forgiving to type:
// any case, hyphens or spaces.
func TestRecoveryCodesAreLongAndTypeable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, u := e.signedIn(t, e.clinic.ID, identity.RoleDentist)
	var setup struct{ Secret string }
	c.MustJSON(t, "POST", "/api/auth/mfa/setup", map[string]string{"currentPassword": staffPassword}, 200, &setup)
	var rec struct{ RecoveryCodes []string }
	c.MustJSON(t, "POST", "/api/auth/mfa/verify", map[string]string{"code": totpCode(t, setup.Secret, e.clock.Now())}, 200, &rec)
	// Four groups of six base32 characters: 24 × 5 = 120 bits.
	shape := regexp.MustCompile(`^[a-z2-7]{6}(-[a-z2-7]{6}){3}$`)
	seen := map[string]bool{}
	for _, code := range rec.RecoveryCodes {
		if !shape.MatchString(code) || seen[code] {
			t.Fatalf("recovery code %q: want four distinct groups of six base32 characters (120 bits)", code)
		}
		seen[code] = true
	}
	if len(seen) != 10 {
		t.Fatalf("%d recovery codes, want 10", len(seen))
	}
	withCode := func(code string, status int) apitest.Case {
		return apitest.Case{Method: "POST", Path: "/api/auth/login", Body: map[string]string{"email": u.Email, "password": staffPassword, "totp": code}, Status: status}
	}
	typed := strings.ToUpper(strings.ReplaceAll(rec.RecoveryCodes[1], "-", " "))
	e.Do(t, withCode(typed, 200))
	e.Do(t, withCode(rec.RecoveryCodes[1], 401)) // spent, however it is written
	e.clock.Advance(time.Second)
	e.Do(t, withCode(strings.ReplaceAll(rec.RecoveryCodes[2], "-", ""), 200))
}

// Over HTTPS the cookies carry the prefixes browsers enforce (__Host- for
// the CSRF cookie on Path=/, __Secure- for the access and refresh cookies,
// which keep their narrower paths); a COOKIE_SECURE=false deployment (plain
// http, where browsers refuse prefixed cookies) sets the bare names, and a
// session works there end to end.
func TestCookiePrefixes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.mustUser(t, e.clinic.ID, identity.RoleAdmin)
	type attrs struct {
		Path             string
		Secure, HTTPOnly bool
	}
	set := func(r apitest.Response) map[string]attrs {
		out := map[string]attrs{}
		for _, line := range r.Header.Values("Set-Cookie") {
			ck, err := http.ParseSetCookie(line)
			if err != nil {
				t.Fatal(err)
			}
			if ck.Domain != "" {
				t.Errorf("%s has Domain %q: cookies must stay host-only", ck.Name, ck.Domain)
			}
			out[ck.Name] = attrs{ck.Path, ck.Secure, ck.HttpOnly}
		}
		return out
	}
	t.Run("secure", func(t *testing.T) {
		got := set(e.Client().Login(t, u.Email, staffPassword))
		want := map[string]attrs{
			"__Secure-ts_access":  {"/api", true, true},
			"__Secure-ts_refresh": {"/api/auth", true, true},
			"__Host-csrf_token":   {"/", true, false},
		}
		if !maps.Equal(got, want) {
			t.Fatalf("cookies %v, want %v", got, want)
		}
	})
	t.Run("plain http", func(t *testing.T) {
		fe := maps.Clone(e.fe)
		fe["COOKIE_SECURE"] = "false"
		plain := e.serve(t, fe)
		c := plain.Client()
		got := set(c.Login(t, u.Email, staffPassword))
		want := map[string]attrs{
			"ts_access":  {"/api", false, true},
			"ts_refresh": {"/api/auth", false, true},
			"csrf_token": {"/", false, false},
		}
		if !maps.Equal(got, want) {
			t.Fatalf("cookies %v, want %v", got, want)
		}
		with(me, user(u)).Send(t, c)
		apitest.Case{Method: "PATCH", Path: "/api/clinic", Body: map[string]any{"name": "Plain"}, Status: 200, Want: map[string]any{"name": "Plain"}}.Send(t, c)
		with(refreshOK, user(u)).Send(t, c)
		c.MustDo(t, "POST", "/api/auth/logout", nil, 204)
		meRefused.Send(t, c)
	})
}
