package load

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/topsmile/topsmile/bench/internal/report"
	"github.com/topsmile/topsmile/bench/internal/seed"
	"github.com/topsmile/topsmile/bench/internal/stack"
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/clock"
)

// Faults are the switches the run turns: Redis and the database's port.
type Faults struct {
	StopRedis, StartRedis func() error
	CutDB, RestoreDB      func() error
}

// Allowed are the only answers the load may see.
var allowed = []string{"200", "201", "409", "429"}

// Scenario runs the load for d with clients desks (two per seeded login),
// then the Redis and database outages with a tenth of them, and checks the
// data; each check is a row, marked "!" where it failed.
func Scenario(ctx context.Context, s *stack.Stack, c *seed.Clinic, f Faults, clients int, d time.Duration) ([]report.Row, error) {
	all := newTally()
	var desks []*Desk
	for i := range clients {
		desks = append(desks, NewDesk(s, i, c.Logins[i%len(c.Logins)], all))
	}
	w := NewWork(c, c.BusyDay.AddDate(0, 0, 2))
	run, cancel := context.WithTimeout(ctx, d)
	t0 := time.Now()
	Run(run, desks, w, 5*time.Second)
	cancel()
	took := time.Since(t0)
	n := all.Count() + all.Other()
	rows := []report.Row{{What: fmt.Sprintf("load: %d desks × %s (sign-in, busy-day reads, patient reads, bookings racing for 24 overlapping slots)", clients, d),
		Figure: all.String(), Reference: fmt.Sprintf("%d answers, %.0f/s", n, float64(n)/took.Seconds()),
		Target: "only 2xx, 409, 429", Met: report.Met(all.Other(allowed...) == 0 && all.BadShape() == 0)}}

	overlaps, checked, err := Overlaps(ctx, s.Deps.Mongo, c.ID)
	if err != nil {
		return nil, err
	}
	won := all.Count("201")
	rows = append(rows, report.Row{What: "load: double booking afterwards (live appointments overlapping per provider)",
		Figure: fmt.Sprintf("%d overlapping of %d live appointments (%d bookings won the race)", overlaps, checked, won), Target: "0", Met: report.Met(overlaps == 0)})

	admin := NewDesk(s, 999, localstack.DevAdminEmail, newTally())
	admin.email = localstack.DevAdminEmail
	if admin.header, err = s.SignIn(ctx, admin.c, 999, localstack.DevAdminEmail, localstack.DevAdminPassword); err != nil {
		return nil, err
	}
	verdict, ok := VerifyChain(ctx, admin)
	rows = append(rows, report.Row{What: "load: the clinic's audit chain afterwards (GET /api/audit-logs?verify=true)", Figure: verdict, Target: "verifies", Met: report.Met(ok)})

	few := desks[:max(1, clients/10)]
	probe := NewDesk(s, 998, c.Logins[0], newTally())
	probe.header = desks[0].header
	patient := "/api/patients/" + c.PatientID
	outage := func(name string, cut, restore func() error) ([]report.Row, error) {
		since := time.Now()
		phase := func(t *Tally, d time.Duration) {
			for _, k := range few {
				k.tally = t
			}
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			Run(ctx, few, w, 0)
		}
		phase(newTally(), 3*time.Second)
		if err := cut(); err != nil {
			return nil, err
		}
		during := newTally()
		phase(during, 10*time.Second)
		if err := restore(); err != nil {
			return nil, err
		}
		back := time.Now()
		recovered := time.Duration(-1)
		for time.Since(back) < 30*time.Second {
			if probe.Do(ctx, http.MethodGet, patient, nil) == http.StatusOK {
				recovered = time.Since(back)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		after := newTally()
		phase(after, 5*time.Second)
		row := report.Row{What: "fault: " + name + " for 10 s under load (" + fmt.Sprint(len(few)) + " desks)", Figure: during.String(),
			Target: "503 in the error shape; no 500; none past the 10 s client timeout",
			Met:    report.Met(during.Count("500") == 0 && during.BadShape() == 0 && during.Count("timeout") == 0 && during.Count("503") > 0)}
		rec := report.Row{What: "fault: recovery after " + name + " ends", Figure: fmt.Sprintf("first 200 after %s; then %s", recovered.Round(time.Millisecond), after.String()),
			Target: "≤ 5 s", Met: report.Met(recovered >= 0 && recovered <= 5*time.Second && after.Other(allowed...) == 0)}
		if recovered < 0 {
			rec.Figure = "no 200 within 30 s; then " + after.String()
		}
		// Bookings the server was still making when the desks stopped
		// finish (or give up) within the database timeout.
		time.Sleep(4 * time.Second)
		pending, unclaimed, err := HalfWritten(ctx, s.Deps.Mongo, c.ID, since)
		if err != nil {
			return nil, err
		}
		// What the reminders function's minute sweep leaves of them once
		// they are past its 5 minutes (run here as of 6 minutes on).
		later := wire.Scheduling(s.Deps.Mongo, s.Deps.Redis, clock.NewFake(time.Now().Add(6*time.Minute)), nil, "")
		if _, err := later.FailAbandoned(ctx); err != nil {
			return nil, err
		}
		left, _, err := HalfWritten(ctx, s.Deps.Mongo, c.ID, since)
		if err != nil {
			return nil, err
		}
		half := report.Row{What: "fault: " + name + ": bookings left half-written",
			Figure: fmt.Sprintf("%d pending (unfinished, invisible) right after, %d once the minute sweep has run past their 5 minutes · %d live without their claims", pending, left, unclaimed),
			Target: "0 after the sweep, 0 without claims", Met: report.Met(left == 0 && unclaimed == 0)}
		return []report.Row{row, rec, half}, nil
	}
	redisRows, err := outage("Redis stopped", f.StopRedis, f.StartRedis)
	if err != nil {
		return nil, err
	}
	dbRows, err := outage("database unreachable (closed port)", f.CutDB, f.RestoreDB)
	if err != nil {
		return nil, err
	}
	rows = append(rows, redisRows...)
	rows = append(rows, dbRows...)
	overlaps, checked, err = Overlaps(ctx, s.Deps.Mongo, c.ID)
	if err != nil {
		return nil, err
	}
	rows = append(rows, report.Row{What: "faults: double booking afterwards", Figure: fmt.Sprintf("%d overlapping of %d live appointments", overlaps, checked),
		Target: "0", Met: report.Met(overlaps == 0)})
	return rows, nil
}
