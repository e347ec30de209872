package identity_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
)

// mailTo is the last message of template sent to email.
func (e *env) mailTo(t *testing.T, email, template string) (notify.Message, bool) {
	t.Helper()
	msgs := e.outbox.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == email && msgs[i].Template == template {
			return msgs[i], true
		}
	}
	return notify.Message{}, false
}

// verifyToken is the token of the last verification link sent to email.
func (e *env) verifyToken(t *testing.T, email string) string {
	t.Helper()
	m, ok := e.mailTo(t, email, "verify-email")
	if !ok {
		t.Fatalf("no verify-email message to %s in %+v", email, e.outbox.Messages())
	}
	prefix := apitest.Origin + "/verify-email?token="
	if !strings.HasPrefix(m.Data["verifyUrl"], prefix) || m.Channel != notify.Email {
		t.Fatalf("verification message %+v", m)
	}
	return strings.TrimPrefix(m.Data["verifyUrl"], prefix)
}

func register(body map[string]any) apitest.Case {
	return apitest.Case{Method: "POST", Path: "/api/auth/register", Body: body, Status: 202}
}

func verify(tok string, status int, want any) apitest.Case {
	return apitest.Case{Method: "POST", Path: "/api/auth/verify-email", Body: map[string]string{"token": tok}, Status: status, Want: want}
}

var (
	badToken        = apitest.Error("invalid", "token")
	emailUnverified = map[string]any{"error": map[string]any{"code": "unauthorized", "message": "confirm your email first: open the link we sent you when you signed up"}}
)

// Sign-up answers 202 {} alike for a new email and for one that names any
// account (a patient here, staff of another clinic): only the mailbox
// learns which. Before, a known email answered 400 "email: is already
// registered", whatever clinic or role it belonged to.
func TestSignUpAnswersAlikeForKnownAndNewEmails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	patient := registration(e.clinic.ID)
	e.Do(t, register(patient))
	e.Do(t, verify(e.verifyToken(t, patient["email"].(string)), 200, nil))
	staff := e.mustUser(t, e.other.ID, identity.RoleDentist)

	var bodies [][]byte
	for _, tc := range []struct {
		name, email, template string
	}{
		{"new email", ids.New() + "@portal.example", "verify-email"},
		{"a patient's email, same clinic", patient["email"].(string), "account-exists"},
		{"staff of another clinic", strings.ToUpper(staff.Email), "account-exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := registration(e.clinic.ID)
			body["email"] = tc.email
			before := len(e.outbox.Messages())
			r := e.Do(t, register(body))
			bodies = append(bodies, r.Body)
			if got := len(e.outbox.Messages()) - before; got != 1 {
				t.Fatalf("%d messages sent, want 1", got)
			}
			m, ok := e.mailTo(t, strings.ToLower(tc.email), tc.template)
			if !ok {
				t.Fatalf("no %s message to %s: %+v", tc.template, tc.email, e.outbox.Last())
			}
			if tc.template == "account-exists" && (m.Data["signInUrl"] != apitest.Origin+"/sign-in" || m.Data["resetUrl"] != apitest.Origin+"/forgot-password") {
				t.Errorf("account-exists links %v", m.Data)
			}
		})
	}
	for _, b := range bodies {
		if !bytes.Equal(bytes.TrimSpace(b), []byte("{}")) {
			t.Errorf("sign-up answered %s, want {} every time", b)
		}
	}
	// The known accounts are untouched: their passwords still work.
	e.Do(t, login(staff.Email, staffPassword, 200, user(staff)))
	e.Do(t, login(patient["email"].(string), patient["password"].(string), 200, nil))
}

// A new account signs in only once its email link is spent: before, a
// wrong password is the usual 401 and the right one says to confirm the
// email; the link signs in (cookies and all) once; spent, unknown or
// expired links are 400.
func TestVerifyEmailSignsInOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := registration(e.clinic.ID)
	email, password := body["email"].(string), body["password"].(string)
	e.Do(t, register(body))
	e.Do(t, login(email, "not-the-password-1", 401, badCredentials))
	e.Do(t, login(email, password, 401, emailUnverified))

	tok := e.verifyToken(t, email)
	c := e.Client()
	want := map[string]any{"user": map[string]any{"email": email, "role": "patient", "clinicId": e.clinic.ID, "patientId": apitest.Present}, "mfaEnrollmentRequired": false}
	verify(tok, 200, want).Send(t, c)
	for _, name := range []string{authz.AccessCookie, authz.RefreshCookie, authz.CSRFCookie} {
		if !c.HasCookie(name) {
			t.Errorf("verify-email set no %s cookie", name)
		}
	}
	with(me, map[string]any{"user": want["user"]}).Send(t, c)
	with(refreshOK, map[string]any{"user": want["user"]}).Send(t, c)
	e.Do(t, login(email, password, 200, map[string]any{"user": want["user"]}))

	e.Do(t, verify(tok, 400, badToken))
	e.Do(t, verify("not-a-token", 400, badToken))
	e.Do(t, verify("", 400, badToken))

	late := registration(e.clinic.ID)
	e.Do(t, register(late))
	lateTok := e.verifyToken(t, late["email"].(string))
	e.clock.Advance(25 * time.Hour)
	e.Do(t, verify(lateTok, 400, badToken))
	// Signing up again is a known email now; the reset link it offers
	// proves the mailbox and so confirms it.
	e.Do(t, register(late))
	if _, ok := e.mailTo(t, late["email"].(string), "account-exists"); !ok {
		t.Fatal("no account-exists message for the second sign-up")
	}
	e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/password/forgot", Body: map[string]string{"email": late["email"].(string)}, Status: 202})
	m, _ := e.mailTo(t, late["email"].(string), "password-reset")
	resetTok := strings.TrimPrefix(m.Data["resetUrl"], apitest.Origin+"/reset-password?token=")
	e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/password/reset", Body: map[string]string{"token": resetTok, "password": "a-reset-passphrase-9"}, Status: 204})
	e.Do(t, login(late["email"].(string), "a-reset-passphrase-9", 200, nil))
}

// Sign-ups racing with one new email: every one answers 202, one account
// is made (one verification link), the others are told it exists.
func TestConcurrentSignUpsWithOneEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := registration(e.clinic.ID)
	const n = 4
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { e.Do(t, register(body)) })
	}
	wg.Wait()
	links, exists := 0, 0
	for _, m := range e.outbox.Messages() {
		switch m.Template {
		case "verify-email":
			links++
		case "account-exists":
			exists++
		}
	}
	if links != 1 || exists != n-1 {
		t.Fatalf("%d verification links and %d account-exists messages, want 1 and %d", links, exists, n-1)
	}
}

// The paths an enumeration probe compares do the same hashing and take at
// least the same floor: sign-up hashes once for a new email and once for a
// known one; forgot-password hashes for neither (it hashed for unknown
// emails only: 44–59 ms against 10–16 ms). Not parallel: it counts every
// argon2id computation of the package.
func TestEnumerationProbesSeeTheSameWork(t *testing.T) {
	e := newEnv(t)
	known := e.mustUser(t, e.clinic.ID, identity.RoleReceptionist)
	measure := func(t *testing.T, c apitest.Case) (int64, time.Duration) {
		t.Helper()
		h, start := identity.Hashes(), time.Now()
		e.Do(t, c)
		return identity.Hashes() - h, time.Since(start)
	}
	forgot := func(email string) apitest.Case {
		return apitest.Case{Method: "POST", Path: "/api/auth/password/forgot", Body: map[string]string{"email": email}, Status: 202}
	}
	newBody, knownBody := registration(e.clinic.ID), registration(e.clinic.ID)
	knownBody["email"] = known.Email
	for _, pair := range []struct {
		name       string
		a, b       apitest.Case
		wantHashes int64
	}{
		{"sign-up", register(newBody), register(knownBody), 1},
		{"forgot password", forgot(known.Email), forgot("nobody-" + ids.New() + "@nowhere.example"), 0},
	} {
		t.Run(pair.name, func(t *testing.T) {
			ha, da := measure(t, pair.a)
			hb, db := measure(t, pair.b)
			if ha != pair.wantHashes || hb != pair.wantHashes {
				t.Errorf("argon2id computations: %d and %d, want %d on both paths", ha, hb, pair.wantHashes)
			}
			if floor := 300 * time.Millisecond; da < floor || db < floor {
				t.Errorf("answered in %v and %v, want both at least %v", da, db, floor)
			}
		})
	}
}
