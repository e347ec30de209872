package cost

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/topsmile/topsmile/bench/internal/report"
	"github.com/topsmile/topsmile/bench/internal/seed"
	"github.com/topsmile/topsmile/functions/wire"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/scheduling/avail"
	"github.com/topsmile/topsmile/shared/store"
)

// Availability seeds a clinic of its own with 10 providers working 08–18
// every day and 100k appointments around today (28 of each provider's 40
// quarter hours a day, for a year), then asks the scheduling service itself
// (no HTTP) for 30 days of 30-minute slots across all ten, counting each
// search's round trips; the reference is one bare find of the same range.
func Availability(ctx context.Context, d localstack.Deps, mc store.MongoConfig, rc store.RedisConfig) ([]report.Row, error) {
	clinic, err := identity.NewStore(d.Mongo, d.Clock).CreateClinic(ctx, "Bench availability")
	if err != nil {
		return nil, err
	}
	hours := avail.WeeklyHours{}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		hours[avail.Day(wd)] = []avail.Window{{Start: "08:00", End: "18:00"}}
	}
	providers, err := seed.Providers(ctx, wire.Scheduling(d.Mongo, d.Redis, d.Clock, nil, ""), clinic.ID, 10, hours)
	if err != nil {
		return nil, err
	}
	// The clinic's zone is its default; its days start at local midnight.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	var appts []scheduling.Appointment
	const days, perDay = 357, 28
	for day := -days / 2; day < days-days/2; day++ {
		for _, p := range providers {
			for _, q := range rand.Perm(40)[:perDay] {
				start := today.AddDate(0, 0, day).Add(8*time.Hour + time.Duration(q)*15*time.Minute)
				appts = append(appts, seed.Appointment(clinic.ID, ids.New(), p, start, 15*time.Minute))
			}
		}
	}
	t0 := time.Now()
	if err := seed.Insert(ctx, d.Mongo, appts); err != nil {
		return nil, err
	}
	seeded := time.Since(t0)

	var c Counter
	// FerretDB on SQLite filters ranges in its own process after reading
	// the collection: give the search room to be measured, not cut off.
	mc.Monitor, mc.Timeout = c.Monitor(), time.Minute
	m := store.NewMongo(mc)
	defer m.Close(context.Background())
	rdb, err := store.NewRedis(rc)
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	rdb.AddHook(c.Hook())
	st := wire.Scheduling(m, rdb, d.Clock, nil, "")
	q := scheduling.AvailabilityQuery{From: today.AddDate(0, 0, 1), To: today.AddDate(0, 0, 31), Duration: 30 * time.Minute}
	search := func() (time.Duration, error) {
		t := time.Now()
		_, err := st.Availability(ctx, clinic.ID, q)
		return time.Since(t), err
	}
	busy := func() (time.Duration, error) {
		t := time.Now()
		db, err := m.Database()
		if err != nil {
			return 0, err
		}
		cur, err := db.Collection("appointments").Find(ctx, map[string]any{"clinicId": clinic.ID,
			"start": map[string]any{"$lt": q.To}, "end": map[string]any{"$gt": q.From}})
		if err == nil {
			var docs []scheduling.Appointment
			err = cur.All(ctx, &docs)
		}
		return time.Since(t), err
	}
	n := searches
	var took, ref []time.Duration
	var trips, redisTrips int
	var last string // the last search's round trips
	for i := range n + 1 {
		c.Reset()
		d, err := search()
		if err != nil {
			return nil, err
		}
		m, r := c.Counts()
		names := c.Names()
		if i >= 1 { // the first fills the catalog cache
			took, trips, redisTrips, last = append(took, d), trips+m, redisTrips+r, names
		}
		b, err := busy()
		if err != nil {
			return nil, err
		}
		ref = append(ref, b)
	}
	p99, refP99 := percentile(took, 99), percentile(ref, 99)
	ratio, _ := report.Ratio(float64(p99), float64(refP99))
	what := fmt.Sprintf("availability, 10 providers × 30 days over %dk appointments (in-process; seeded in %s)", len(appts)/1000, seeded.Round(time.Millisecond))
	return []report.Row{
		{What: what + ": Mongo round trips per search", Figure: fmt.Sprintf("%.2f (mean of %d; Redis %.2f)", float64(trips)/float64(n), n, float64(redisTrips)/float64(n)),
			Reference: "last search's: " + last, Target: "≤ 2", Met: report.Met(float64(trips)/float64(n) <= 2)},
		{What: what + ": latency", Figure: fmt.Sprintf("p50 %s · p99 %s · max %s", report.Ms(percentile(took, 50)), report.Ms(p99), report.Ms(slices.Max(took))),
			Reference: fmt.Sprintf("one bare find of the range: p50 %s · p99 %s", report.Ms(percentile(ref, 50)), report.Ms(refP99)),
			Ratio:     ratio, Target: "p99 ≤ 50 ms", Met: report.Met(p99 <= 50*time.Millisecond)},
	}, nil
}

// searches is how many availability searches are timed: few, as on the
// embedded backends each reads the whole collection (seconds).
const searches = 3

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}
