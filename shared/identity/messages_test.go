package identity_test

import (
	"context"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/outbox"
	"github.com/topsmile/topsmile/shared/notify/prefs"
	"github.com/topsmile/topsmile/shared/notify/unsub"
)

// The admin's Messages: every notification a function publishes is in the
// outbox list; a dead-lettered one can be retried (and is queued again), a
// sent one cannot; only admins see the list, and only their clinic's.
func TestAdminListsAndRetriesMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.mustUser(t, e.clinic.ID, identity.RoleReceptionist)
	e.Do(t, apitest.Case{Method: "POST", Path: "/api/auth/password/forgot", Body: map[string]string{"email": u.Email}, Status: 202})
	m := e.outbox.Last()
	if m.To != u.Email {
		t.Fatalf("no reset message published: %+v", m)
	}
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	type item struct {
		ID, Channel, To, Template, Status, Class string
		Attempts                                 int
	}
	var page struct{ Items []item }
	admin.MustJSON(t, "GET", "/api/notifications", nil, 200, &page)
	if len(page.Items) != 1 || page.Items[0].ID != m.ID || page.Items[0].Status != outbox.Queued || page.Items[0].Template != "password-reset" {
		t.Fatalf("list %+v", page.Items)
	}
	admin.MustDo(t, "GET", "/api/notifications?status=bogus", nil, 400)
	// Sent: not retryable.
	st := outbox.New(e.fe.Mongo(t), nil, clock.Real{})
	if err := st.Settle(context.Background(), e.clinic.ID, m.ID, outbox.Sent, "", ""); err != nil {
		t.Fatal(err)
	}
	admin.MustDo(t, "POST", "/api/notifications/"+m.ID+"/retry", nil, 409)
	// Dead: retried, published again, queued.
	if err := st.Settle(context.Background(), e.clinic.ID, m.ID, outbox.Dead, "retries-exhausted", ""); err != nil {
		t.Fatal(err)
	}
	admin.MustJSON(t, "GET", "/api/notifications?status=dead", nil, 200, &page)
	if len(page.Items) != 1 || page.Items[0].Class != "retries-exhausted" {
		t.Fatalf("dead list %+v", page.Items)
	}
	before := len(e.outbox.Messages())
	var got item
	admin.MustJSON(t, "POST", "/api/notifications/"+m.ID+"/retry", nil, 202, &got)
	if got.Status != outbox.Queued || got.Attempts != 2 || len(e.outbox.Messages()) != before+1 {
		t.Fatalf("after retry %+v, %d published", got, len(e.outbox.Messages())-before)
	}
	if again := e.outbox.Last(); again.ID != m.ID || again.Data["resetUrl"] != m.Data["resetUrl"] {
		t.Fatal("the retry did not publish the same message")
	}
	// Other roles and other clinics.
	desk, _ := e.signedIn(t, e.clinic.ID, identity.RoleReceptionist)
	desk.MustDo(t, "GET", "/api/notifications", nil, 403)
	desk.MustDo(t, "POST", "/api/notifications/"+m.ID+"/retry", nil, 403)
	otherAdmin, _ := e.signedIn(t, e.other.ID, identity.RoleAdmin)
	otherAdmin.MustJSON(t, "GET", "/api/notifications", nil, 200, &page)
	if len(page.Items) != 0 {
		t.Fatalf("another clinic's admin sees %d messages", len(page.Items))
	}
	otherAdmin.MustDo(t, "POST", "/api/notifications/"+m.ID+"/retry", nil, 404)
}

// An email's unsubscribe link: GET shows a page with a button and changes
// nothing (mail scanners follow links); POST (the button, or RFC 8058's
// one-click from the mail provider) records the opt-out; a forged token is
// refused.
func TestUnsubscribeLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	keys, err := unsub.New(e.fe["DATA_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	tok := keys.Token(e.clinic.ID, "jordan@example.com")
	ledger := prefs.NewLedger(e.fe.Mongo(t))
	ctx := context.Background()
	c := e.Client()
	page := c.Do(t, "GET", "/api/unsubscribe?t="+tok, nil)
	if page.Status != 200 || !strings.Contains(string(page.Body), `<form method="post"`) || !strings.Contains(string(page.Body), "Clinic A") {
		t.Fatalf("page %d %s", page.Status, string(page.Body))
	}
	if out, _ := ledger.OptedOut(ctx, e.clinic.ID, notify.Email, "jordan@example.com"); out {
		t.Fatal("a GET unsubscribed")
	}
	// The one-click POST a mail provider's server sends.
	c.MustDo(t, "POST", "/api/unsubscribe?t="+tok, nil, 204)
	if out, _ := ledger.OptedOut(ctx, e.clinic.ID, notify.Email, "jordan@example.com"); !out {
		t.Fatal("not opted out after the POST")
	}
	if out, _ := ledger.OptedOut(ctx, e.other.ID, notify.Email, "jordan@example.com"); out {
		t.Fatal("opted out at another clinic")
	}
	c.MustDo(t, "POST", "/api/unsubscribe?t="+tok[:len(tok)-3]+"abc", nil, 400)
	if bad := c.Do(t, "GET", "/api/unsubscribe?t=forged", nil); bad.Status != 400 {
		t.Fatalf("forged page %d", bad.Status)
	}
}
