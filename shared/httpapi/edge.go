package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// Headers between CloudFront and the API origin.
const (
	// HeaderOriginSecret carries ORIGIN_SECRET: CloudFront adds it to every
	// request it sends the API origin (an origin custom header, which
	// replaces one of that name a viewer sent).
	HeaderOriginSecret = "X-Origin-Secret"
	// HeaderViewerAddress is the viewer's "ip:port" as CloudFront saw the
	// connection (IPv6 without brackets).
	HeaderViewerAddress = "CloudFront-Viewer-Address"
)

// EdgeConfig is how a function behind CloudFront tells who is calling.
type EdgeConfig struct {
	// OriginSecret proves a request came through the distribution: only
	// then is its CloudFront-Viewer-Address CloudFront's word, not a
	// client's. template.yaml sets it and the origin's custom header from
	// the same Secrets Manager secret.
	OriginSecret string `env:"ORIGIN_SECRET,required,secret"`
}

type clientIPKey struct{}

// Viewer takes the caller's address from CloudFront-Viewer-Address when the
// request carries the origin secret, for ClientIP (per-IP limits, sessions,
// the audit trail): behind CloudFront, API Gateway's source IP is an edge
// server shared by every viewer it serves. Without the secret (or with a
// wrong one, or none configured) the header is ignored. The secret header
// is removed before the request goes on, so nothing downstream can echo or
// log it.
func Viewer(cfg EdgeConfig, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(cfg.OriginSecret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, ok := r.Header[http.CanonicalHeaderKey(HeaderOriginSecret)]
		r.Header.Del(HeaderOriginSecret)
		if ok && len(sent) == 1 && cfg.OriginSecret != "" {
			got := sha256.Sum256([]byte(sent[0]))
			if subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
				if ip, ok := viewerAddress(r.Header.Values(HeaderViewerAddress)); ok {
					r = r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip.String()))
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// viewerAddress parses CloudFront-Viewer-Address: "198.51.100.10:46532",
// "2001:db8::1:46532" (CloudFront's IPv6 form, no brackets) or
// "[2001:db8::1]:46532". Exactly one well-formed value, or nothing.
func viewerAddress(values []string) (netip.Addr, bool) {
	if len(values) != 1 {
		return netip.Addr{}, false
	}
	s := strings.TrimSpace(values[0])
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), ap.Addr().Zone() == ""
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 || strings.HasPrefix(s, "[") {
		return netip.Addr{}, false
	}
	if _, err := strconv.ParseUint(s[i+1:], 10, 16); err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s[:i])
	if err != nil || !a.Is6() || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// ClientIP is the caller's address: the viewer's behind CloudFront (see
// Viewer), else what the platform saw: API Gateway's sourceIp under Lambda
// (the adapter puts it in RemoteAddr), the TCP peer locally.
// X-Forwarded-For is never trusted: any client can write it.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
