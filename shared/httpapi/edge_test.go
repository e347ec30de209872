package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/topsmile/topsmile/shared/httpapi"
)

// Behind CloudFront the caller is the viewer of CloudFront-Viewer-Address,
// but only on a request that carries the origin secret CloudFront adds:
// anyone reaching the API another way can write the header too.
func TestViewerAddressOnlyWithTheOriginSecret(t *testing.T) {
	const edge = "130.176.96.72" // a CloudFront edge server, API Gateway's sourceIp
	const secret = "origin-secret-for-tests"
	tests := []struct {
		name       string
		configured string
		headers    map[string][]string
		want       string
	}{
		{"no secret: the header is ignored", secret,
			map[string][]string{"Cloudfront-Viewer-Address": {"198.51.100.10:46532"}}, edge},
		{"a wrong secret: ignored", secret,
			map[string][]string{"X-Origin-Secret": {"guess"}, "Cloudfront-Viewer-Address": {"198.51.100.10:46532"}}, edge},
		{"the secret as a prefix: ignored", secret,
			map[string][]string{"X-Origin-Secret": {secret + "x"}, "Cloudfront-Viewer-Address": {"198.51.100.10:46532"}}, edge},
		{"the secret twice: ignored", secret,
			map[string][]string{"X-Origin-Secret": {secret, secret}, "Cloudfront-Viewer-Address": {"198.51.100.10:46532"}}, edge},
		{"no secret configured: never trusted", "",
			map[string][]string{"X-Origin-Secret": {""}, "Cloudfront-Viewer-Address": {"198.51.100.10:46532"}}, edge},
		{"the secret and IPv4", secret,
			map[string][]string{"X-Origin-Secret": {secret}, "Cloudfront-Viewer-Address": {"198.51.100.10:46532"}}, "198.51.100.10"},
		{"the secret and IPv6 as CloudFront writes it", secret,
			map[string][]string{"X-Origin-Secret": {secret}, "Cloudfront-Viewer-Address": {"2001:db8:85a3::8a2e:370:7334:46532"}}, "2001:db8:85a3::8a2e:370:7334"},
		{"the secret and bracketed IPv6", secret,
			map[string][]string{"X-Origin-Secret": {secret}, "Cloudfront-Viewer-Address": {"[2001:db8::7]:443"}}, "2001:db8::7"},
		{"the secret and IPv4-mapped IPv6", secret,
			map[string][]string{"X-Origin-Secret": {secret}, "Cloudfront-Viewer-Address": {"::ffff:198.51.100.10:46532"}}, "198.51.100.10"},
		{"the secret and no viewer address", secret,
			map[string][]string{"X-Origin-Secret": {secret}}, edge},
		{"the secret and a malformed address", secret,
			map[string][]string{"X-Origin-Secret": {secret}, "Cloudfront-Viewer-Address": {"198.51.100.10"}}, edge},
		{"the secret and an address without its port", secret,
			map[string][]string{"X-Origin-Secret": {secret}, "Cloudfront-Viewer-Address": {"2001:db8::7"}}, edge},
		{"the secret and two addresses", secret,
			map[string][]string{"X-Origin-Secret": {secret}, "Cloudfront-Viewer-Address": {"198.51.100.10:1", "203.0.113.5:2"}}, edge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got, leaked string
			h := httpapi.Viewer(httpapi.EdgeConfig{OriginSecret: tc.configured}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, leaked = httpapi.ClientIP(r), r.Header.Get(httpapi.HeaderOriginSecret)
			}))
			req := httptest.NewRequest("POST", "/api/auth/login", nil)
			req.RemoteAddr = edge // the Lambda adapter's sourceIp has no port
			for k, vs := range tc.headers {
				req.Header[k] = vs
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
			if leaked != "" {
				t.Errorf("the handler saw the origin secret header %q", leaked)
			}
		})
	}
}
