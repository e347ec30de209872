// Package health serves GET /api/health: each dependency's status, checked
// concurrently with a short timeout. It reports names and states only,
// never addresses or secrets, and no patient data.
package health

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
)

// Check is one dependency probe.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Deps are what the health routes need.
type Deps struct {
	Checks  []Check
	Timeout time.Duration // per check; default 2s
	Clock   clock.Clock
}

// Report is the response body.
type Report struct {
	Status string                 `json:"status"` // "ok" or "unavailable"
	Checks map[string]CheckResult `json:"checks"`
	Time   time.Time              `json:"time"`
	// Error repeats a failure in the contract's error shape.
	Error *httpapi.ErrorDetail `json:"error,omitempty"`
}

// CheckResult is one dependency's state.
type CheckResult struct {
	Status    string  `json:"status"` // "up" or "down"
	LatencyMs float64 `json:"latencyMs"`
}

// Routes registers GET /api/health.
func Routes(rt *httpapi.Router, deps Deps) {
	rt.Handle("GET /api/health", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		report := Run(r.Context(), deps)
		status := http.StatusOK
		if report.Status != "ok" {
			status = http.StatusServiceUnavailable
			var down []string
			for name, res := range report.Checks {
				if res.Status != "up" {
					down = append(down, name)
				}
			}
			slices.Sort(down)
			rt.Log().WarnContext(r.Context(), "health check failed", "down", down)
			report.Error = &httpapi.ErrorDetail{
				Code:      string(errs.Unavailable),
				Message:   "unavailable: " + strings.Join(down, ", "),
				RequestID: httpapi.RequestID(r.Context()),
			}
		}
		httpapi.WriteJSON(w, status, report)
	}))
}

// Run probes every dependency concurrently.
func Run(ctx context.Context, deps Deps) Report {
	if deps.Timeout <= 0 {
		deps.Timeout = 2 * time.Second
	}
	if deps.Clock == nil {
		deps.Clock = clock.Real{}
	}
	report := Report{Status: "ok", Checks: make(map[string]CheckResult, len(deps.Checks)), Time: deps.Clock.Now()}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range deps.Checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, deps.Timeout)
			defer cancel()
			start := time.Now()
			err := c.Ping(ctx)
			res := CheckResult{Status: "up", LatencyMs: float64(time.Since(start).Microseconds()) / 1000}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Status = "down"
				report.Status = "unavailable"
			}
			report.Checks[c.Name] = res
		})
	}
	wg.Wait()
	return report
}

// Standard is the checks every deployment has: MongoDB and Redis.
func Standard(m *store.Mongo, rdb *redis.Client) []Check {
	return []Check{
		{Name: "mongodb", Ping: m.Ping},
		{Name: "redis", Ping: func(ctx context.Context) error { return store.PingRedis(ctx, rdb) }},
	}
}
