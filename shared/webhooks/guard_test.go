package webhooks_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/webhooks"
)

func TestBlockedAddresses(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"::1", true},
		{"10.0.0.1", true}, {"172.16.0.1", true}, {"172.31.255.254", true}, {"192.168.1.1", true}, {"fc00::1", true}, {"fd12:3456::1", true},
		{"169.254.169.254", true}, {"169.254.1.1", true}, {"fe80::1", true}, {"fd00:ec2::254", true},
		{"100.64.0.1", true}, {"100.127.255.254", true},
		{"0.0.0.0", true}, {"::", true}, {"0.1.2.3", true},
		{"224.0.0.1", true}, {"239.255.255.250", true}, {"ff02::1", true}, {"255.255.255.255", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true}, {"::ffff:169.254.169.254", true},
		{"64:ff9b::a00:1", true}, // NAT64 of 10.0.0.1
		{"192.0.2.10", true}, {"203.0.113.5", true},
		// Public ones pass.
		{"93.184.215.14", false}, {"8.8.8.8", false}, {"100.128.0.1", false}, {"172.32.0.1", false}, {"2606:4700:4700::1111", false},
		{"::ffff:93.184.215.14", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			if got := webhooks.Blocked(netip.MustParseAddr(tc.addr)); got != tc.blocked {
				t.Errorf("Blocked(%s) = %v, want %v", tc.addr, got, tc.blocked)
			}
		})
	}
}

// names is a resolver over a fixed table.
func names(table map[string][]string) webhooks.Resolver {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		list, ok := table[host]
		if !ok {
			return nil, errors.New("no such host")
		}
		var out []netip.Addr
		for _, s := range list {
			out = append(out, netip.MustParseAddr(s))
		}
		return out, nil
	}
}

func TestRegistrationRefusesInternalAddresses(t *testing.T) {
	g := &webhooks.Guard{Resolve: names(map[string][]string{
		"evil.example":  {"10.0.0.5"},
		"mixed.example": {"93.184.215.14", "192.168.0.7"},
		"meta.example":  {"::ffff:169.254.169.254"},
		"good.example":  {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
	})}
	ctx := context.Background()
	for _, tc := range []struct {
		name, url, problem string
	}{
		{"loopback", "https://127.0.0.1/hook", "127.0.0.1"},
		{"private", "https://10.0.0.1/hook", "10.0.0.1"},
		{"metadata", "https://169.254.169.254/latest/meta-data/", "169.254.169.254"},
		{"v6 loopback", "https://[::1]:8443/hook", "::1"},
		{"cgnat", "https://100.64.0.1/hook", "100.64.0.1"},
		{"a name resolving private", "https://evil.example/hook", "evil.example resolves to 10.0.0.5"},
		{"one private answer among public ones", "https://mixed.example/hook", "192.168.0.7"},
		{"a mapped metadata address", "https://meta.example/", "169.254.169.254"},
		{"an unknown name", "https://nowhere.example/", "does not resolve"},
		{"plain http", "http://good.example/hook", "https://"},
		{"another scheme", "ftp://good.example/hook", "https://"},
		{"credentials", "https://user:pw@good.example/hook", "user name"},
		{"relative", "/hook", "absolute"},
		{"a fragment", "https://good.example/hook#x", "fragment"},
		{"public", "https://good.example/hooks/topsmile?x=1", ""},
		{"a public address", "https://93.184.215.14/hook", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := g.URLProblem(ctx, tc.url)
			if tc.problem == "" && got != "" || tc.problem != "" && !strings.Contains(got, tc.problem) {
				t.Errorf("URLProblem(%s) = %q, want %q", tc.url, got, tc.problem)
			}
		})
	}
	t.Run("http when the local stack allows it", func(t *testing.T) {
		local := *g
		local.AllowHTTP = true
		if p := local.URLProblem(ctx, "http://good.example/hook"); p != "" {
			t.Errorf("http allowed: %q", p)
		}
		if p := local.URLProblem(ctx, "http://evil.example/hook"); !strings.Contains(p, "10.0.0.5") {
			t.Errorf("http to a private name: %q", p)
		}
	})
}

// The dialer checks the address it connects to, whatever the name said.
func TestDialRefusesInternalAddresses(t *testing.T) {
	g := &webhooks.Guard{Resolve: names(map[string][]string{"rebound.example": {"127.0.0.1"}})}
	for _, addr := range []string{"127.0.0.1:443", "[::1]:443", "rebound.example:443", "[::ffff:127.0.0.1]:443"} {
		c, err := g.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			c.Close()
			t.Errorf("dialled %s", addr)
			continue
		}
		if !errors.Is(err, webhooks.ErrRefused) {
			t.Errorf("%s: %v, want ErrRefused", addr, err)
		}
	}
}
