package localstack_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/httpapi"
)

const stripeJS = "https://js.stripe.com"

// Only the pay screen's policy lets Stripe.js load, at the edge and
// locally; every other page's forbids it.
func TestOnlyThePayScreenLoadsStripeJS(t *testing.T) {
	t.Run("CloudFront", func(t *testing.T) {
		raw := rawTemplate(t)
		csp := func(policy string) string {
			v, _ := dig(raw, "Resources", policy, "Properties", "ResponseHeadersPolicyConfig", "SecurityHeadersConfig",
				"ContentSecurityPolicy", "ContentSecurityPolicy").(string)
			return v
		}
		if got := csp("SecurityHeadersPolicy"); got == "" || strings.Contains(got, "stripe") {
			t.Errorf("the site's policy %q must exist and name no Stripe origin", got)
		}
		if got := csp("PayHeadersPolicy"); !strings.Contains(got, "script-src 'self' "+stripeJS) {
			t.Errorf("the pay policy %q must let %s load", got, stripeJS)
		}
		behaviours, _ := dig(raw, "Resources", "Distribution", "Properties", "DistributionConfig", "CacheBehaviors").([]any)
		uses := map[string]any{}
		for _, b := range behaviours {
			uses[dig(b, "PathPattern").(string)] = dig(b, "ResponseHeadersPolicyId")
		}
		if uses["/pay/*"] != "PayHeadersPolicy" {
			t.Errorf("/pay/* uses %v, want PayHeadersPolicy", uses["/pay/*"])
		}
		if got := dig(raw, "Resources", "Distribution", "Properties", "DistributionConfig", "DefaultCacheBehavior", "ResponseHeadersPolicyId"); got != "SecurityHeadersPolicy" {
			t.Errorf("the default behaviour uses %v", got)
		}
	})
	t.Run("local stack", func(t *testing.T) {
		dist := t.TempDir()
		if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("<html>INDEX</html>"), 0o644); err != nil {
			t.Fatal(err)
		}
		spa := localstack.SPA(dist)
		for _, tc := range []struct {
			name   string
			served string
			stripe bool
		}{
			{"site", httpCSP(t, httpapi.SecurityHeaders(spa), "/portal/bills"), false},
			{"pay", httpCSP(t, httpapi.SecurityHeaders(localstack.PayPage(spa)), "/pay/abc"), true},
		} {
			if got := strings.Contains(tc.served, stripeJS); got != tc.stripe {
				t.Errorf("%s: policy %q names Stripe.js: %v, want %v", tc.name, tc.served, got, tc.stripe)
			}
		}
	})
}

// httpCSP is the policy h serves path under.
func httpCSP(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != 200 {
		t.Fatalf("%s: %d", path, rec.Code)
	}
	return rec.Header().Get("Content-Security-Policy")
}
