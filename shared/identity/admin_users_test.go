package identity_test

import (
	"strings"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
)

// mustEnrol signs u in on a new client and turns on their TOTP; it
// returns the client and the authenticator's secret.
func (e *env) mustEnrol(t *testing.T, u identity.User) (*apitest.Client, string) {
	t.Helper()
	c := e.Login(t, u.Email, staffPassword)
	var setup struct{ Secret string }
	c.MustJSON(t, "POST", "/api/auth/mfa/setup", map[string]string{"currentPassword": staffPassword}, 200, &setup)
	c.MustDo(t, "POST", "/api/auth/mfa/verify", map[string]string{"code": totpCode(t, setup.Secret, e.clock.Now())}, 200)
	return c, setup.Secret
}

// An admin resets the two-step sign-in of a user who lost their phone: the
// enrolment goes, every session of theirs ends at once (its refresh too),
// the next sign-in asks for no code (or, where the clinic requires MFA, for
// a new enrolment), and the trail has it.
func TestAdminResetsAUsersMFA(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, au := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	u := e.mustUser(t, e.clinic.ID, identity.RoleDentist)
	old, _ := e.mustEnrol(t, u)
	e.Do(t, login(u.Email, staffPassword, 401, apitest.Error("unauthorized", "totp")))
	apitest.Case{Method: "GET", Path: "/api/users/" + u.ID, Status: 200, Want: map[string]any{"mfaEnabled": true}}.Send(t, admin)

	apitest.Case{Method: "DELETE", Path: "/api/users/" + u.ID + "/mfa", Status: 200,
		Want: map[string]any{"id": u.ID, "email": u.Email, "role": "dentist", "mfaEnabled": false}}.Send(t, admin)
	meRefused.Send(t, old)
	refreshGone.Send(t, old)
	e.Do(t, login(u.Email, staffPassword, 200, map[string]any{"user": user(u)["user"], "mfaEnrollmentRequired": false}))
	reset := trailOf(t, admin, au.ID, "user.mfa_reset")
	if len(reset) != 1 || reset[0].Outcome != "success" || reset[0].Detail != "mfa enabled true→false" {
		t.Fatalf("user.mfa_reset records %+v", reset)
	}

	// Where the clinic requires MFA, the user must enrol anew.
	admin.MustDo(t, "PATCH", "/api/clinic", map[string]any{"mfaRequired": true}, 200)
	again, _ := e.mustEnrol(t, u)
	admin.MustDo(t, "DELETE", "/api/users/"+u.ID+"/mfa", nil, 200)
	meRefused.Send(t, again)
	e.Do(t, login(u.Email, staffPassword, 200, map[string]any{"mfaEnrollmentRequired": true}))
}

func TestResetMFARefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, au := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	desk, _ := e.signedIn(t, e.clinic.ID, identity.RoleReceptionist)
	dentist := e.mustUser(t, e.clinic.ID, identity.RoleDentist)
	stranger := e.mustUser(t, e.other.ID, identity.RoleDentist)
	_, secret := e.mustEnrol(t, stranger)
	for _, tc := range []struct {
		name   string
		caller *apitest.Client
		id     string
		status int
		want   any
	}{
		{"their own (the account page does it)", admin, au.ID, 400, apitest.Error("invalid", "id")},
		{"another clinic's user", admin, stranger.ID, 404, apitest.Error("not_found")},
		{"an unknown user", admin, ids.New(), 404, apitest.Error("not_found")},
		{"not an admin", desk, dentist.ID, 403, apitest.Error("forbidden")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apitest.Case{Method: "DELETE", Path: "/api/users/" + tc.id + "/mfa", Status: tc.status, Want: tc.want}.Send(t, tc.caller)
		})
	}
	// The other clinic's user still needs their code.
	e.clock.Advance(31 * time.Second)
	e.Do(t, login(stranger.Email, staffPassword, 401, apitest.Error("unauthorized", "totp")))
	e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/login", Status: 200,
		Body: map[string]string{"email": stranger.Email, "password": staffPassword, "totp": totpCode(t, secret, e.clock.Now())}})
}

// Without a password, POST users invites: the account has a password
// nobody knows, and the new user gets a set-password link that works for
// 72 hours, once, through the reset route.
func TestInvitingAUserMailsASetPasswordLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, au := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	invite := func(email string) map[string]any {
		return map[string]any{"email": email, "role": "hygienist", "firstName": " Ana ", "lastName": "Lima"}
	}
	email := strings.ToLower(ids.New()) + "@staff.example"
	var u identity.User
	admin.MustJSON(t, "POST", "/api/users", invite(email), 201, &u)
	if u.FirstName != "Ana" || u.Role != identity.RoleHygienist || u.Disabled {
		t.Fatalf("invited user %+v", u)
	}
	m, ok := e.mailTo(t, email, "staff-invite")
	prefix := apitest.Origin + "/reset-password?invite=1&token="
	if !ok || m.Channel != "email" || m.ClinicID != e.clinic.ID || !strings.HasPrefix(m.Data["resetUrl"], prefix) ||
		m.Data["expiresInHours"] != "72" || m.Data["clinicName"] != "Clinic A" || m.Data["firstName"] != "Ana" {
		t.Fatalf("invite %+v (found %v)", m, ok)
	}
	tok := strings.TrimPrefix(m.Data["resetUrl"], prefix)
	created := trailOf(t, admin, au.ID, "user.create")
	if len(created) != 1 || created[0].Detail != "role hygienist, invited" {
		t.Fatalf("user.create records %+v", created)
	}

	// A day later (past a reset link's 30 minutes) the link still works, once.
	e.clock.Advance(24 * time.Hour)
	setPassword := func(tok string, status int) apitest.Case {
		return apitest.Case{Method: "POST", Path: "/api/auth/password/reset", Body: map[string]string{"token": tok, "password": "my-own-passphrase-2026"}, Status: status}
	}
	e.Do(t, setPassword(tok, 204))
	e.Do(t, setPassword(tok, 400))
	e.Do(t, login(email, "my-own-passphrase-2026", 200, map[string]any{"user": map[string]any{"id": u.ID, "role": "hygienist"}}))

	// An invite not taken up within 72 hours is dead.
	admin.Relogin(t) // the admin's own sign-in ended with the day
	late := strings.ToLower(ids.New()) + "@staff.example"
	admin.MustDo(t, "POST", "/api/users", invite(late), 201)
	lm, _ := e.mailTo(t, late, "staff-invite")
	e.clock.Advance(73 * time.Hour)
	e.Do(t, setPassword(strings.TrimPrefix(lm.Data["resetUrl"], prefix), 400))

	// A typed temporary password still creates the account, with no mail.
	admin.Relogin(t)
	typed := strings.ToLower(ids.New()) + "@staff.example"
	body := invite(typed)
	body["password"] = "temporary-pass-2026"
	admin.MustDo(t, "POST", "/api/users", body, 201)
	if _, sent := e.mailTo(t, typed, "staff-invite"); sent {
		t.Fatal("an invite was mailed for an account given a password")
	}
	e.Do(t, login(typed, "temporary-pass-2026", 200, nil))
	// A taken address is refused before any mail goes out.
	n := len(e.outbox.Messages())
	admin.MustDo(t, "POST", "/api/users", invite(email), 400)
	if len(e.outbox.Messages()) != n {
		t.Fatal("a mail went out for a refused invite")
	}
}
