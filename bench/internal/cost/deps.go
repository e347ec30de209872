package cost

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/bench/internal/report"
	patientsapp "github.com/topsmile/topsmile/functions/patients/app"
	schedulingapp "github.com/topsmile/topsmile/functions/scheduling/app"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/notify"
)

// Probe is one request to count, through the function serving it.
type Probe struct {
	Name     string
	Function string // "patients" or "scheduling"
	Path     string
	// Body, when set, makes the probe a JSON POST of Body(i) for its i-th
	// request (each must be new: a booking of its own slot).
	Body func(i int) []byte
}

// PerRequest builds the patients and scheduling functions from env, as
// their Lambdas do, with the command monitor and the Redis hook on their
// clients, and counts the round trips of each probe (the mean of 20 warm
// requests, signed in with h).
func PerRequest(env config.Lookup, log *slog.Logger, pub notify.Publisher, h http.Header, probes []Probe) ([]report.Row, error) {
	var c Counter
	handlers := map[string]http.Handler{}
	opts := boot.Options{Log: log, RedisHooks: []redis.Hook{c.Hook()}}
	var pc patientsapp.Config
	if err := config.LoadFrom(env, &pc); err != nil {
		return nil, err
	}
	pc.Mongo.Monitor = c.Monitor()
	pa, err := patientsapp.New(pc, opts)
	if err != nil {
		return nil, err
	}
	defer pa.Close()
	handlers["patients"] = pa.Handler
	var sc schedulingapp.Config
	if err := config.LoadFrom(env, &sc); err != nil {
		return nil, err
	}
	sc.Mongo.Monitor = c.Monitor()
	sa, err := schedulingapp.New(sc, schedulingapp.Options{Options: opts, Publisher: pub})
	if err != nil {
		return nil, err
	}
	defer sa.Close()
	handlers["scheduling"] = sa.Handler

	var rows []report.Row
	for _, p := range probes {
		sent := 0
		serve := func() error {
			req := httptest.NewRequest(http.MethodGet, p.Path, nil)
			want := http.StatusOK
			if p.Body != nil {
				req, want = httptest.NewRequest(http.MethodPost, p.Path, bytes.NewReader(p.Body(sent))), http.StatusCreated
			}
			sent++
			req.Header = h.Clone()
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = "127.0.0.1:40000"
			rec := httptest.NewRecorder()
			handlers[p.Function].ServeHTTP(rec, req)
			if rec.Code != want {
				return fmt.Errorf("%s: %d %s", p.Name, rec.Code, rec.Body)
			}
			return nil
		}
		for range 2 { // the first learns the chain's end and fills caches
			if err := serve(); err != nil {
				return nil, err
			}
		}
		const n = 20
		var mongo, rds int
		for range n {
			c.Reset()
			if err := serve(); err != nil {
				return nil, err
			}
			m, r := c.Counts()
			mongo, rds = mongo+m, rds+r
		}
		names := c.Names()
		rm, rr := float64(mongo)/n, float64(rds)/n
		redisRow := report.Row{What: "Redis round trips per guarded request, " + p.Name, Figure: fmt.Sprintf("%.2f (mean of %d warm)", rr, n),
			Reference: "mongo: " + names, Target: "1", Met: report.Met(rr <= 1)}
		mongoRow := report.Row{What: "Mongo round trips per audited read, " + p.Name, Figure: fmt.Sprintf("%.2f (mean of %d warm)", rm, n),
			Target: "≤ 3", Met: report.Met(rm <= 3)}
		if p.Body != nil { // a write: reported, the targets are the reads'
			mongoRow.What, mongoRow.Target, mongoRow.Met = "Mongo round trips per audited write, "+p.Name, "— (reported)", ""
		}
		rows = append(rows, redisRow, mongoRow)
	}
	return rows, nil
}
