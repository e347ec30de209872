// Command bench measures TopSmile on the real local stack, in one run, and
// prints one markdown table (also written to -out): warm API latency beside
// bare handlers, the dependency cost per request, availability over 100k
// appointments, PHI reads against a long audit chain, the audit chain's
// contention limit, the same API rows on FerretDB's PostgreSQL backend, and
// rows other steps wrote (-rows: the cold starts, the SPA, the load run).
// With -load it runs the load and fault scenarios instead.
//
//	go run ./bench/cmd/bench -out bench/results.md -rows bench/out/coldstart.md,bench/out/spa.md
//	go run ./bench/cmd/bench -load -out bench/out/load.md
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/bench/internal/api"
	"github.com/topsmile/topsmile/bench/internal/cost"
	"github.com/topsmile/topsmile/bench/internal/load"
	"github.com/topsmile/topsmile/bench/internal/report"
	"github.com/topsmile/topsmile/bench/internal/seed"
	"github.com/topsmile/topsmile/bench/internal/stack"
	"github.com/topsmile/topsmile/infra/embedded"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	redis.SetLogger(quietRedis{})
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	out, rows string
	load, api bool
	seconds   time.Duration // per attack
	loadFor   time.Duration
}

func run(ctx context.Context) error {
	var o options
	flag.StringVar(&o.out, "out", "bench/results.md", "where the table is written")
	flag.StringVar(&o.rows, "rows", "", "comma-separated files of markdown rows to append (name=file shows name when missing)")
	flag.BoolVar(&o.load, "load", false, "run the load and fault scenarios")
	flag.BoolVar(&o.api, "api", true, "measure the API rows (false: the other rows only, while working on them)")
	flag.DurationVar(&o.seconds, "attack", 1500*time.Millisecond, "length of each latency attack")
	flag.Parse()
	o.loadFor = 60 * time.Second
	if s := os.Getenv("LOAD_SECONDS"); s != "" {
		d, err := time.ParseDuration(s + "s")
		if err != nil {
			return fmt.Errorf("LOAD_SECONDS=%q: %w", s, err)
		}
		o.loadFor = d
	}
	tmp, err := os.MkdirTemp("", "topsmile-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var t report.Table
	if o.load {
		err = runLoad(ctx, tmp, o, &t)
	} else {
		err = runBench(ctx, tmp, o, &t)
	}
	if err != nil {
		return err
	}
	var b strings.Builder
	if !o.load {
		b.WriteString(report.Header)
	}
	t.Markdown(&b)
	if !o.load {
		b.WriteString(includeRows(o.rows))
	}
	fmt.Print("\n" + b.String())
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(o.out, []byte(b.String()), 0o644)
}

// includeRows reads each name=file of list; a missing file is a row saying
// the step did not run.
func includeRows(list string) string {
	var b strings.Builder
	for _, item := range strings.Split(list, ",") {
		if item == "" {
			continue
		}
		name, file, ok := strings.Cut(item, "=")
		if !ok {
			name, file = item, item
		}
		data, err := os.ReadFile(file)
		if err != nil || len(strings.TrimSpace(string(data))) == 0 {
			fmt.Fprintf(&b, "| %s: not run | %s missing | | | | ! |\n", name, file)
			continue
		}
		// Keep only table rows (a step may write its own header).
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "|") && !strings.HasPrefix(line, "|---") && !strings.HasPrefix(line, "| what ") {
				b.WriteString(line + "\n")
			}
		}
	}
	return b.String()
}

// env is one running backend: a database server, redis-server, the stack
// and the seeded clinic with its desks signed in.
type env struct {
	*stack.Stack
	redis    *stack.Redis
	clinic   *seed.Clinic
	sessions []http.Header
	close    []func()
}

func (e *env) Close() {
	for i := len(e.close) - 1; i >= 0; i-- {
		e.close[i]()
	}
}

// desks is how many staff logins the latency runs take turns with: at 50
// clients flat out, one login would meet its 600-a-minute budget in seconds.
const desks = 30

// startEnv starts redis-server and the stack over mongoURI, seeds the busy
// practice and signs its desks in.
func startEnv(ctx context.Context, dir, mongoURI string, logins int) (*env, error) {
	e := &env{}
	fail := func(err error) (*env, error) { e.Close(); return nil, err }
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	r, err := stack.StartRedis(dir)
	if err != nil {
		return fail(err)
	}
	e.redis = r
	e.close = append(e.close, func() { r.Stop() })
	s, err := stack.Start(ctx, stack.Options{Dir: dir, MongoURI: mongoURI, Database: "bench", RedisURL: r.URL})
	if err != nil {
		return fail(err)
	}
	e.Stack = s
	e.close = append(e.close, s.Close)
	t0 := time.Now()
	if e.clinic, err = seed.Practice(ctx, s.Deps, logins); err != nil {
		return fail(fmt.Errorf("seed: %w", err))
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for i, email := range e.clinic.Logins {
		h, err := s.SignIn(ctx, client, i, email, seed.Password)
		if err != nil {
			return fail(err)
		}
		e.sessions = append(e.sessions, h)
	}
	fmt.Fprintf(os.Stderr, "bench: stack at %s, clinic seeded and %d desks signed in in %s\n", s.URL, logins, time.Since(t0).Round(time.Millisecond))
	return e, nil
}

// apiRows measures the five endpoints on e beside the bare handlers.
func apiRows(e *env, label string, o options) ([]report.Row, error) {
	cfg, _, err := functionConfig(e)
	if err != nil {
		return nil, err
	}
	bare, err := api.StartBare(cfg.Mongo, e.clinic.ID)
	if err != nil {
		return nil, err
	}
	defer bare.Close()
	return api.Run(label, api.Cases(e.URL, bare.URL, e.clinic, e.sessions), api.Levels, o.seconds), nil
}

func runBench(ctx context.Context, tmp string, o options, t *report.Table) error {
	m, err := embedded.StartMongo(ctx, filepath.Join(tmp, "sqlite"))
	if err != nil {
		return err
	}
	defer m.Stop()
	e, err := startEnv(ctx, filepath.Join(tmp, "sqlite-stack"), m.URI, desks)
	if err != nil {
		return err
	}
	defer e.Close()
	// The API rows first: the cost rows add 100k appointments and audit
	// records, which the embedded backend scans on every range read.
	if !o.api {
		return costRows(ctx, e, o, t)
	}
	rows, err := apiRows(e, "[sqlite] ", o)
	if err != nil {
		return err
	}
	t.Add(rows...)
	if err := costRows(ctx, e, o, t); err != nil {
		return err
	}
	e.Close()
	return postgresRows(ctx, tmp, o, t)
}

// postgresRows are the API rows again with FerretDB on PostgreSQL, so a
// cost of the embedded SQLite backend is told apart from one of the code.
func postgresRows(ctx context.Context, tmp string, o options, t *report.Table) error {
	pg, err := stack.StartPostgres(ctx)
	if err != nil {
		t.Note("[postgresql] API rows", err.Error())
		return nil
	}
	defer pg.Stop()
	e, err := startEnv(ctx, filepath.Join(tmp, "pg-stack"), pg.URI, desks)
	if err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	defer e.Close()
	rows, err := apiRows(e, "[postgresql] ", o)
	if err != nil {
		return err
	}
	t.Add(rows...)
	return nil
}

// costRows are the round trips per request, availability over 100k
// appointments, the PHI read against a long chain and the chain's
// contention limit.
func costRows(ctx context.Context, e *env, o options, t *report.Table) error {
	cfg, keys, err := functionConfig(e)
	if err != nil {
		return err
	}
	c := e.clinic
	day := "from=" + c.BusyDay.Format(time.RFC3339) + "&to=" + c.BusyDay.AddDate(0, 0, 1).Format(time.RFC3339)
	week := "from=" + c.BusyDay.Format(time.RFC3339) + "&to=" + c.BusyDay.AddDate(0, 0, 7).Format(time.RFC3339) + "&duration=30&providerId=" + c.Providers[0].ID
	step := func(name string, f func() ([]report.Row, error)) error {
		t0 := time.Now()
		rows, err := f()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(os.Stderr, "bench: %s in %s\n", name, time.Since(t0).Round(time.Millisecond))
		t.Add(rows...)
		return nil
	}
	probes := []cost.Probe{
		{Name: "GET /api/patients/{id}", Function: "patients", Path: "/api/patients/" + c.PatientID},
		{Name: "GET /api/appointments (busy day)", Function: "scheduling", Path: "/api/appointments?" + strings.ReplaceAll(day, "+", "%2B")},
		{Name: "GET /api/availability (a week)", Function: "scheduling", Path: "/api/availability?" + strings.ReplaceAll(week, "+", "%2B")},
		{Name: "POST /api/appointments", Function: "scheduling", Path: "/api/appointments", Body: func(i int) []byte {
			// Slots of the open provider a year out, clear of the latency runs'.
			start := c.BusyDay.AddDate(1, 0, 0).Add(time.Duration(i) * 15 * time.Minute)
			b, _ := json.Marshal(map[string]any{"patientId": c.PatientID, "providerId": c.Open.ID, "operatoryId": c.OpenChair,
				"typeId": c.Visit.ID, "start": start, "end": start.Add(15 * time.Minute)})
			return b
		}},
	}
	if err := step("round trips per request", func() ([]report.Row, error) {
		return cost.PerRequest(e.Lookup, e.Deps.Log, e.Deps.Publisher, e.sessions[0], probes)
	}); err != nil {
		return err
	}
	if err := step("availability over 100k", func() ([]report.Row, error) {
		return cost.Availability(ctx, e.Deps, cfg.Mongo, cfg.Redis)
	}); err != nil {
		return err
	}
	if err := step("audit chain growth", func() ([]report.Row, error) { return cost.AuditGrowth(ctx, e.Stack, o.seconds) }); err != nil {
		return err
	}
	return step("audit chain contention", func() ([]report.Row, error) { return cost.AuditContention(ctx, cfg.Mongo, keys, o.seconds) })
}

// runLoad puts a proxy between the stack and FerretDB, so the database can
// be made unreachable (its port closed) and come back where the clients
// look, and runs the load and fault scenarios.
func runLoad(ctx context.Context, tmp string, o options, t *report.Table) error {
	m, err := embedded.StartMongo(ctx, filepath.Join(tmp, "sqlite"))
	if err != nil {
		return err
	}
	defer m.Stop()
	u, err := url.Parse(m.URI)
	if err != nil {
		return err
	}
	proxy, err := stack.NewProxy(u.Host)
	if err != nil {
		return err
	}
	defer proxy.Cut()
	u.Host = proxy.Addr
	e, err := startEnv(ctx, filepath.Join(tmp, "load-stack"), u.String(), loadClients/2)
	if err != nil {
		return err
	}
	defer e.Close()
	rows, err := load.Scenario(ctx, e.Stack, e.clinic, load.Faults{
		StopRedis: func() error { e.redis.Stop(); return nil }, StartRedis: e.redis.Start,
		CutDB: func() error { proxy.Cut(); return nil }, RestoreDB: proxy.Restore,
	}, loadClients, o.loadFor)
	if err != nil {
		return err
	}
	t.Add(rows...)
	return nil
}

// loadClients is the 200 concurrent clients (two per login).
const loadClients = 200
