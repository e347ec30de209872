package stack

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"time"
)

// Redis is a redis-server child on a fixed loopback port, so the load run
// can stop it and start it again where the functions' clients look.
type Redis struct {
	URL  string
	addr string
	dir  string
	cmd  *exec.Cmd
}

// StartRedis starts redis-server (it must be on PATH: `make setup-go`
// installs it) with no persistence, its files under dir.
func StartRedis(dir string) (*Redis, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &Redis{addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir}
	r.URL = "redis://" + r.addr
	return r, r.Start()
}

// Start runs the server (again) and waits until it accepts connections.
func (r *Redis) Start() error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return errors.New("bench: redis-server is not on PATH (make setup-go installs it)")
	}
	_, port, _ := net.SplitHostPort(r.addr)
	r.cmd = exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.dir)
	if err := r.cmd.Start(); err != nil {
		return err
	}
	if err := waitDial(r.addr, 5*time.Second); err != nil {
		r.Stop()
		return fmt.Errorf("redis-server: %w", err)
	}
	return nil
}

// Stop kills the server and waits for it to exit.
func (r *Redis) Stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

func waitDial(addr string, within time.Duration) error {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
	}
	return fmt.Errorf("nothing listens on %s after %s", addr, within)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
