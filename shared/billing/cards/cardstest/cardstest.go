// Package cardstest is test tooling for the card part: a stripe-mock server
// per test and signed webhook deliveries. No Lambda links it.
package cardstest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// SecretKey is a key stripe-mock takes (it takes any sk_test_ key).
const SecretKey = "sk_test_topsmile_stripe_mock"

// startTimeout is how long stripe-mock may take to answer (it loads its
// OpenAPI spec first: about a second).
const startTimeout = 20 * time.Second

// StripeMock starts stripe-mock on a free loopback port and answers its
// base URL (for STRIPE_API_BASE); it is stopped when tb ends. The binary is
// $STRIPE_MOCK_BIN, else $GOPATH/bin/stripe-mock, else stripe-mock on PATH.
func StripeMock(tb testing.TB) string {
	tb.Helper()
	bin := binary()
	if bin == "" {
		tb.Fatal("stripe-mock not found: run make test (it installs stripe-mock) or go install github.com/stripe/stripe-mock@v0.203.0")
	}
	port, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:"+strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start stripe-mock: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitReady(base, done); err != nil {
		tb.Fatalf("stripe-mock at %s: %v", base, err)
	}
	return base
}

func binary() string {
	if b := os.Getenv("STRIPE_MOCK_BIN"); b != "" {
		return b
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	if gopath != "" {
		if b := filepath.Join(filepath.SplitList(gopath)[0], "bin", "stripe-mock"); isFile(b) {
			return b
		}
	}
	if b, err := exec.LookPath("stripe-mock"); err == nil {
		return b
	}
	return ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// freePort is a loopback port nobody listens on now. Another process could
// take it before stripe-mock does; then stripe-mock exits and waitReady
// says so.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls base until stripe-mock answers an API call, it exits, or
// startTimeout passes.
func waitReady(base string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/balance", nil)
		req.Header.Set("Authorization", "Bearer "+SecretKey)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited before answering: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("no answer within %s", startTimeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Signature is the Stripe-Signature header that signs body with secret at
// t, as Stripe would send it.
func Signature(secret string, body []byte, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: t}).Header
}
