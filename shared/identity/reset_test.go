package identity_test

import (
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
)

// At most one reset link of a user works: requesting a new one, redeeming
// one or changing the password retires every other. Before, each link
// lived out its 30 minutes whatever happened to the others.
func TestOnlyTheNewestResetLinkWorks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	forgot := func(email string) string {
		t.Helper()
		e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/password/forgot", Body: map[string]string{"email": email}, Status: 202})
		m := e.outbox.Last()
		if m.To != email || m.Template != "password-reset" {
			t.Fatalf("message %+v", m)
		}
		return strings.TrimPrefix(m.Data["resetUrl"], apitest.Origin+"/reset-password?token=")
	}
	reset := func(name, tok string, status int) apitest.Case {
		c := apitest.Case{Name: name, Method: "POST", Path: "/api/auth/password/reset", Body: map[string]string{"token": tok, "password": "a-fresh-passphrase-" + name[:3]}, Status: status}
		if status == 400 {
			c.Want = apitest.Error("invalid", "token")
		}
		return c
	}

	t.Run("a newer request retires the older link; redeeming the newer retires the rest", func(t *testing.T) {
		u := e.mustUser(t, e.clinic.ID, identity.RoleReceptionist)
		first, second := forgot(u.Email), forgot(u.Email)
		e.Do(t, reset("first, superseded", first, 400))
		e.Do(t, reset("second", second, 204))
		e.Do(t, reset("first, after the second was used", first, 400))
	})
	t.Run("redeeming the newest retires a link requested before it", func(t *testing.T) {
		u := e.mustUser(t, e.clinic.ID, identity.RoleReceptionist)
		first, second := forgot(u.Email), forgot(u.Email)
		e.Do(t, reset("second", second, 204))
		e.Do(t, reset("first", first, 400))
	})
	t.Run("a password change retires the link", func(t *testing.T) {
		c, u := e.signedIn(t, e.clinic.ID, identity.RoleDentist)
		link := forgot(u.Email)
		c.MustDo(t, "POST", "/api/auth/password/change", map[string]string{"currentPassword": staffPassword, "newPassword": "changed-it-myself-2026"}, 204)
		e.Do(t, reset("link after change", link, 400))
	})
}
