package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Postgres is a throwaway PostgreSQL cluster (Debian's postgresql) on a
// loopback port with FerretDB's postgresql handler in front of it: the
// MongoDB wire protocol with equality filters, sort and limit pushed down
// to a real database with indexes.
type Postgres struct {
	URI    string
	dir    string
	pgCtl  string
	cancel context.CancelFunc
	done   chan struct{}
}

// StartPostgres runs initdb and pg_ctl as the postgres user (PostgreSQL
// refuses to run as root) with the cluster in a temporary directory, then
// FerretDB on it.
func StartPostgres(ctx context.Context) (*Postgres, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return nil, errors.New("no /usr/lib/postgresql/*/bin/initdb (make setup-bench installs postgresql)")
	}
	bin := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "topsmile-bench-pg-")
	if err != nil {
		return nil, err
	}
	p := &Postgres{dir: dir, pgCtl: filepath.Join(bin, "pg_ctl")}
	fail := func(err error) (*Postgres, error) { p.Stop(); return nil, err }
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	asPostgres := func(name string, args ...string) error {
		label := filepath.Base(name)
		if os.Geteuid() == 0 {
			args = append([]string{"-u", "postgres", "--", name}, args...)
			name = "runuser"
		}
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w: %s", label, err, out)
		}
		return nil
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			return fail(fmt.Errorf("chown: %w: %s", err, out))
		}
	}
	data := filepath.Join(dir, "data")
	if err := asPostgres(filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"); err != nil {
		return fail(err)
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off -c max_connections=200", port, dir)
	if err := asPostgres(p.pgCtl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		return fail(err)
	}
	if err := asPostgres(filepath.Join(bin, "createdb"), "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "postgres", "ferretdb"); err != nil {
		return fail(err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:       "postgresql",
		PostgreSQLURL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/ferretdb", port),
		// Its errors are the requests' own (duplicate keys are how claims
		// race): the API rows report what callers saw.
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return fail(err)
	}
	run, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go func() { defer close(p.done); f.Run(run) }()
	p.URI = f.MongoDBURI()
	return p, nil
}

// Stop stops FerretDB and the cluster and removes its files.
func (p *Postgres) Stop() {
	if p.cancel != nil {
		p.cancel()
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
	}
	args := []string{p.pgCtl, "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "stop"}
	if os.Geteuid() == 0 {
		args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
	}
	_ = exec.Command(args[0], args[1:]...).Run()
	os.RemoveAll(p.dir)
}
