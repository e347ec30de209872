// Command testenv runs a command (normally `go test ./...`) with one real
// MongoDB-wire-protocol server and one Redis for the whole run, exported as
// MONGODB_URI and REDIS_URL. Each test then uses its own database. This keeps
// FerretDB out of every test binary (it is large and slow to link).
//
//	go run ./infra/testenv -- go test ./...
//
// MONGODB_URI, if already set, is used as is (a real MongoDB). REDIS_URL, if
// set, is used as is; otherwise a redis-server on PATH is started (as in CI);
// only when there is none does an in-process Redis stand in.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/topsmile/topsmile/infra/embedded"
)

func main() {
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func run(args []string) (int, error) {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return 2, errors.New("usage: testenv -- command [args...]")
	}
	tmp, err := os.MkdirTemp("", "topsmile-testenv-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(tmp)

	env := os.Environ()
	if os.Getenv("MONGODB_URI") == "" {
		m, err := embedded.StartMongo(context.Background(), filepath.Join(tmp, "mongo"))
		if err != nil {
			return 1, err
		}
		defer m.Stop()
		env = append(env, "MONGODB_URI="+m.URI)
		fmt.Fprintln(os.Stderr, "testenv: FerretDB (embedded, SQLite) at", m.URI)
	}
	if os.Getenv("REDIS_URL") == "" {
		url, stop, kind, err := startRedis(tmp)
		if err != nil {
			return 1, err
		}
		defer stop()
		env = append(env, "REDIS_URL="+url, "TOPSMILE_TEST_REDIS="+kind)
		fmt.Fprintln(os.Stderr, "testenv:", kind, "at", url)
	}

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return 1, err
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}

// startRedis prefers a real redis-server; miniredis only when none is installed.
func startRedis(dir string) (url string, stop func(), kind string, err error) {
	bin, lookErr := exec.LookPath("redis-server")
	if lookErr != nil {
		url, stop, err := embedded.StartRedis()
		return url, stop, "miniredis (no redis-server on PATH)", err
	}
	port, err := freePort()
	if err != nil {
		return "", nil, "", err
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		return "", nil, "", err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "redis://" + addr, stop, "redis-server", nil
		}
	}
	stop()
	return "", nil, "", errors.New("redis-server did not start")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
