package identity_test

import (
	"testing"

	"github.com/topsmile/topsmile/shared/apitest"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

// viaCloudFront is a client whose requests reach the API from the CloudFront
// edge server edge (API Gateway's sourceIp).
func viaCloudFront(e *env, edge string) *apitest.Client {
	c := e.Client()
	c.IP = edge
	return c
}

// cloudFront are the headers CloudFront adds for viewer ("ip:port"), with
// secret as the origin secret.
func cloudFront(viewer, secret string) []string {
	return []string{"CloudFront-Viewer-Address", viewer, "X-Origin-Secret", secret}
}

// Behind CloudFront every viewer of one edge server arrives from that
// server's address. With the origin secret the per-IP limits count each
// viewer; without it (anyone reaching the API otherwise) a forged
// CloudFront-Viewer-Address splits nothing.
func TestPerIPLimitsCountViewersBehindCloudFront(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	forgot := func(c *apitest.Client, header ...string) int {
		return c.Do(t, "POST", "/api/auth/password/forgot", map[string]string{"email": ids.New() + "@people.example"}, header...).Status
	}
	// PasswordForgot allows 5 per address.
	edge := "130.176.96.72"
	for i := range 5 {
		if got := forgot(viaCloudFront(e, edge), cloudFront("198.51.100.10:46532", storetest.OriginSecret)...); got != 202 {
			t.Fatalf("viewer A, request %d: %d", i+1, got)
		}
	}
	if got := forgot(viaCloudFront(e, edge), cloudFront("198.51.100.10:50000", storetest.OriginSecret)...); got != 429 {
		t.Fatalf("viewer A, request 6: %d, want 429", got)
	}
	if got := forgot(viaCloudFront(e, edge), cloudFront("2001:db8:1:2::9:443", storetest.OriginSecret)...); got != 202 {
		t.Fatalf("viewer B through the same edge server: %d, want 202 (its own limit)", got)
	}

	other := "130.176.96.99"
	for i := range 5 {
		viewer := "203.0.113." + string(rune('1'+i)) + ":443"
		if got := forgot(viaCloudFront(e, other), cloudFront(viewer, "guess")...); got != 202 {
			t.Fatalf("forged viewer %d: %d", i+1, got)
		}
	}
	if got := forgot(viaCloudFront(e, other), "CloudFront-Viewer-Address", "203.0.113.77:443"); got != 429 {
		t.Fatalf("a sixth forged viewer from one address: %d, want 429 (the address's limit)", got)
	}
}

// A session and the trail record the viewer's address, not CloudFront's.
func TestSessionAndTrailRecordTheViewer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, _ := e.signedIn(t, e.clinic.ID, identity.RoleAdmin)
	u := e.mustUser(t, e.clinic.ID, identity.RoleDentist)
	c := viaCloudFront(e, "130.176.96.72")
	c.MustDo(t, "POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword}, 200)
	r := c.Do(t, "POST", "/api/auth/login", map[string]string{"email": u.Email, "password": staffPassword},
		cloudFront("2001:db8:85a3::8a2e:370:7334:46532", storetest.OriginSecret)...)
	if r.Status != 200 {
		t.Fatalf("login through CloudFront: %d %s", r.Status, r.Body)
	}
	var sessions struct{ Items []struct{ IP string } }
	c.MustJSON(t, "GET", "/api/auth/sessions", nil, 200, &sessions)
	ips := map[string]bool{}
	for _, s := range sessions.Items {
		ips[s.IP] = true
	}
	if len(sessions.Items) != 2 || !ips["130.176.96.72"] || !ips["2001:db8:85a3::8a2e:370:7334"] {
		t.Fatalf("session IPs %v, want the edge's (no secret) and the viewer's", ips)
	}
	var trail struct {
		Items []struct{ Action, Outcome, IP string }
	}
	admin.MustJSON(t, "GET", "/api/audit-logs?userId="+u.ID, nil, 200, &trail)
	var logins []string
	for _, it := range trail.Items {
		if it.Action == "auth.login" {
			logins = append(logins, it.IP)
		}
	}
	if len(logins) != 2 || logins[0] != "2001:db8:85a3::8a2e:370:7334" || logins[1] != "130.176.96.72" {
		t.Fatalf("login records' IPs %v, want the viewer's then the edge's (newest first)", logins)
	}
}
