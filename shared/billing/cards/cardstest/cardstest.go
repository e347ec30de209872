// Package cardstest is test tooling for the card part: a stripe-mock server
// per test. No Lambda links it.
package cardstest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SecretKey is a key stripe-mock takes (any sk_test_ key of letters and
// digits).
const SecretKey = "sk_test_123"

// startTimeout is how long stripe-mock may take to answer (it loads its
// OpenAPI spec first: about a second).
const startTimeout = 20 * time.Second

// StripeMock starts stripe-mock on loopback ports of the system's choosing
// and answers its base URL (for STRIPE_API_BASE); it is stopped when tb
// ends. The binary is $STRIPE_MOCK_BIN, else $GOPATH/bin/stripe-mock, else
// stripe-mock on PATH. Both of its listeners are given a port: left to
// itself it would also take 12112 for HTTPS, and two test packages running
// at once would collide there.
func StripeMock(tb testing.TB) string {
	tb.Helper()
	bin := binary()
	if bin == "" {
		tb.Fatal("stripe-mock not found: run make test (it installs stripe-mock) or go install github.com/stripe/stripe-mock@v0.203.0")
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start stripe-mock: %v", err)
	}
	addr := make(chan string, 1)
	go func() {
		// It says where it listens once its spec is loaded; the rest of
		// what it prints (a line a request) is drained so it never blocks.
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), listeningHTTP); ok {
				select {
				case addr <- strings.TrimSpace(a):
				default:
				}
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		tb.Fatalf("stripe-mock exited before listening: %v", err)
	case <-time.After(startTimeout):
		tb.Fatalf("stripe-mock did not listen within %s", startTimeout)
	}
	if err := waitReady(base, done); err != nil {
		tb.Fatalf("stripe-mock at %s: %v", base, err)
	}
	return base
}

// listeningHTTP starts the line stripe-mock prints with its HTTP address.
const listeningHTTP = "Listening for HTTP at address:"

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
