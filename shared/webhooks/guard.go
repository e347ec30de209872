package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Resolver looks a host name up. The default is the system's; tests make
// a name resolve where they need it to.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// Guard refuses URLs and connections that reach the deployment's own
// network (SSRF).
type Guard struct {
	// Resolve looks names up (nil: net.DefaultResolver).
	Resolve Resolver
	// AllowHTTP accepts http:// URLs; only the local stack sets it.
	AllowHTTP bool
	// allow admits addresses the guard would refuse. Only this package's
	// tests set it (export_test.go: their receivers listen on 127.0.0.1);
	// no configuration reaches it.
	allow func(netip.Addr) bool
}

// ErrRefused is an address the guard will not reach.
var ErrRefused = errors.New("webhooks: address refused")

var (
	// Blocked ranges that netip's predicates do not name.
	blockedPrefixes = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
		netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
		netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
		netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
		netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
		netip.MustParsePrefix("fd00:ec2::/32"),  // AWS metadata (inside fc00::/7 too)
		netip.MustParsePrefix("100::/64"),       // discard-only
		netip.MustParsePrefix("2001:db8::/32"),  // documentation (never routed)
		netip.MustParsePrefix("::/128"),         // unspecified
		netip.MustParsePrefix("169.254.0.0/16"), // link-local incl. 169.254.169.254
		netip.MustParsePrefix("fe80::/10"),      // link-local
		netip.MustParsePrefix("fc00::/7"),       // unique local
		netip.MustParsePrefix("127.0.0.0/8"),    // loopback
		netip.MustParsePrefix("::1/128"),        // loopback
		netip.MustParsePrefix("10.0.0.0/8"),     // private
		netip.MustParsePrefix("172.16.0.0/12"),  // private
		netip.MustParsePrefix("192.168.0.0/16"), // private
		netip.MustParsePrefix("192.0.2.0/24"),   // documentation (TEST-NET-1..3)
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
	}
	// Prefixes that embed an IPv4 address in their last 32 bits.
	nat64 = []netip.Prefix{netip.MustParsePrefix("64:ff9b::/96"), netip.MustParsePrefix("64:ff9b:1::/48")}
)

// Blocked reports whether a is an address no webhook may reach: loopback,
// private, link-local, CGNAT, unspecified, multicast, metadata, reserved,
// or an IPv6 form (mapped, NAT64) of one of those.
func Blocked(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.Unmap()
	if a.Is6() {
		for _, p := range nat64 {
			if p.Contains(a) {
				b := a.As16()
				if Blocked(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})) {
					return true
				}
			}
		}
		if a.Zone() != "" {
			return true
		}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (g *Guard) refused(a netip.Addr) bool {
	if g.allow != nil && g.allow(a.Unmap()) {
		return false
	}
	return Blocked(a)
}

func (g *Guard) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if g.Resolve != nil {
		return g.Resolve(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// URLProblem is what is wrong with raw as an endpoint's URL, "" when
// nothing: it must be absolute https (http when AllowHTTP), without
// credentials or a fragment, and its host must resolve to public
// addresses only.
func (g *Guard) URLProblem(ctx context.Context, raw string) string {
	if len(raw) > 2048 {
		return "must be at most 2048 characters"
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "must be an absolute URL"
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && g.AllowHTTP:
	default:
		return "must start with https://"
	}
	if u.User != nil {
		return "must not carry a user name or password"
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "must not have a fragment"
	}
	host := u.Hostname()
	if host == "" {
		return "must name a host"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := g.lookup(ctx, strings.TrimSuffix(host, "."))
	if err != nil || len(addrs) == 0 {
		return "host " + host + " does not resolve"
	}
	for _, a := range addrs {
		if g.refused(a) {
			return fmt.Sprintf("host %s resolves to %s, a loopback, private, link-local or metadata address; webhooks only go to public addresses", host, a.Unmap())
		}
	}
	return ""
}

// control refuses a connection to a blocked address: it runs on the
// address being dialled, after every lookup, so no rebinding escapes it.
func (g *Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrRefused, address)
	}
	if g.refused(ap.Addr()) {
		return fmt.Errorf("%w: %s is not a public address", ErrRefused, ap.Addr().Unmap())
	}
	return nil
}

// DialContext resolves with the guard's resolver, refuses any blocked
// address among the answers, and dials the first public one through a
// dialer whose Control checks the address again.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	addrs, err := g.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 5 * time.Second, Control: g.control}
	var last error = fmt.Errorf("%w: %s resolves to nothing", ErrRefused, host)
	for _, a := range addrs {
		if g.refused(a) {
			last = fmt.Errorf("%w: %s resolves to %s, not a public address", ErrRefused, host, a.Unmap())
			continue
		}
		c, err := d.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, last
}
