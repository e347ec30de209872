// Package api measures warm API latency through the local stack with vegeta
// (as a library), each endpoint beside a bare net/http handler that does the
// same single Mongo read (or write) against the same database in the same
// run, so the ratio is what the middleware, guard and audit cost.
package api

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/topsmile/topsmile/bench/internal/report"
)

// Case is one endpoint: the stack's request and the bare handler's, for the
// i-th request of an attack.
type Case struct {
	Name  string
	Stack func(i uint64) vegeta.Target
	Bare  func(i uint64) vegeta.Target
	// Read cases have the p99 ratio target; writes are reported only.
	Read bool
}

// Target is the issue's: our middleware, guard and audit cost ≤ 30% at p99.
const Target = 1.3

// Run attacks every case at each concurrency for d, bare then stack, and
// returns a row per case and level.
func Run(label string, cases []Case, levels []int, d time.Duration) []report.Row {
	var rows []report.Row
	for _, n := range levels {
		for _, c := range cases {
			bare := Attack(Targeter(c.Bare), n, d)
			got := Attack(Targeter(c.Stack), n, d)
			ratio, r := report.Ratio(float64(got.Latencies.P99), float64(bare.Latencies.P99))
			row := report.Row{What: fmt.Sprintf("%s%s, %d client(s)", label, c.Name, n),
				Figure: Summary(got), Reference: "bare: " + Summary(bare), Ratio: ratio}
			ok := Clean(got) && Clean(bare)
			if c.Read {
				row.Target, row.Met = fmt.Sprintf("p99 ≤ %.1f× bare", Target), report.Met(ok && r <= Target)
			} else {
				row.Target, row.Met = "— (write; reported)", report.Met(ok)
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// Targeter hands f the index of each request of an attack.
func Targeter(f func(uint64) vegeta.Target) vegeta.Targeter {
	var i atomic.Uint64
	return func(t *vegeta.Target) error {
		*t = f(i.Add(1) - 1)
		return nil
	}
}

// Attack runs clients closed-loop workers for d as fast as answers come.
func Attack(tr vegeta.Targeter, clients int, d time.Duration) vegeta.Metrics {
	a := vegeta.NewAttacker(vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
		vegeta.Connections(clients), vegeta.KeepAlive(true), vegeta.Timeout(10*time.Second), vegeta.Redirects(vegeta.NoFollow))
	var m vegeta.Metrics
	for res := range a.Attack(tr, vegeta.Rate{}, d, "bench") {
		m.Add(res)
	}
	m.Close()
	return m
}

// Clean says every answer was 2xx.
func Clean(m vegeta.Metrics) bool {
	for code := range m.StatusCodes {
		if !strings.HasPrefix(code, "2") {
			return false
		}
	}
	return m.Requests > 0
}

// Summary is p50/p99/max and req/s, and the status codes when any was not 2xx.
func Summary(m vegeta.Metrics) string {
	s := fmt.Sprintf("p50 %s · p99 %s · max %s · %.0f req/s", report.Ms(m.Latencies.P50), report.Ms(m.Latencies.P99),
		report.Ms(m.Latencies.Max), m.Rate)
	if !Clean(m) {
		var codes []string
		for code, n := range m.StatusCodes {
			codes = append(codes, fmt.Sprintf("%s×%d", code, n))
		}
		sort.Strings(codes)
		s += " · answers " + strings.Join(codes, " ")
		if len(m.Errors) > 0 {
			s += " · " + m.Errors[0]
		}
	}
	return s
}

// Get is a GET of url with h.
func Get(url string, h http.Header) vegeta.Target {
	return vegeta.Target{Method: http.MethodGet, URL: url, Header: h}
}

// Post is a JSON POST.
func Post(url string, h http.Header, body []byte) vegeta.Target {
	h = h.Clone()
	h.Set("Content-Type", "application/json")
	return vegeta.Target{Method: http.MethodPost, URL: url, Header: h, Body: body}
}

// Levels are the concurrencies.
var Levels = []int{1, 10, 50}
