package embedded

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// StripeMockBin finds the stripe-mock binary: STRIPE_MOCK_BIN (the Makefile
// exports .bin/stripe-mock), else $GOPATH/bin or ~/go/bin, else PATH.
// "" when there is none.
func StripeMockBin() string {
	if b := os.Getenv("STRIPE_MOCK_BIN"); b != "" {
		if _, err := os.Stat(b); err == nil {
			return b
		}
	}
	var dirs []string
	if gp := os.Getenv("GOPATH"); gp != "" {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		if b := filepath.Join(d, "stripe-mock"); fileExists(b) {
			return b
		}
	}
	if b, err := exec.LookPath("stripe-mock"); err == nil {
		return b
	}
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// ErrNoStripeMock says stripe-mock is not installed.
var ErrNoStripeMock = errors.New("stripe-mock not found: make test and make dev install it (.bin/stripe-mock), or go install github.com/stripe/stripe-mock@v0.203.0")

// StartStripeMock runs stripe-mock (Stripe's own API stand-in: real
// request parsing and fixture answers, no webhooks) on a free loopback port
// and waits until it answers. stop ends it.
func StartStripeMock() (baseURL string, stop func(), err error) {
	bin := StripeMockBin()
	if bin == "" {
		return "", nil, ErrNoStripeMock
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	// HTTPS too, or stripe-mock opens it on every interface.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:"+strconv.Itoa(port), "-https-addr", "127.0.0.1:0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("stripe-mock: %w", err)
	}
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	baseURL = "http://127.0.0.1:" + strconv.Itoa(port)
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodGet, baseURL+"/v1/balance", nil)
		req.Header.Set("Authorization", "Bearer sk_test_local")
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return baseURL, stop, nil
		}
	}
	stop()
	return "", nil, errors.New("stripe-mock did not answer within 20 s")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
