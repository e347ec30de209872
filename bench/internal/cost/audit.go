package cost

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/topsmile/topsmile/bench/internal/api"
	"github.com/topsmile/topsmile/bench/internal/report"
	"github.com/topsmile/topsmile/bench/internal/seed"
	"github.com/topsmile/topsmile/bench/internal/stack"
	"github.com/topsmile/topsmile/shared/audit"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/store"
)

// AuditGrowth compares a PHI read (GET /api/patients/{id} through the
// stack, one client) in a clinic whose chain holds 100 records with one
// whose chain holds 100k. The records are bulk-inserted with their chain's
// ids and seqs and the chain's head (not valid MACs: those clinics' trails
// do not verify, and nothing here verifies them).
func AuditGrowth(ctx context.Context, s *stack.Stack, d time.Duration) ([]report.Row, error) {
	users := identity.NewStore(s.Deps.Mongo, s.Deps.Clock)
	var targets [2]func(uint64) vegeta.Target
	sizes := [2]int{100, 100_000}
	for i, n := range sizes {
		clinic, err := users.CreateClinic(ctx, fmt.Sprintf("Bench audit %d", n))
		if err != nil {
			return nil, err
		}
		p, err := patients.NewStore(s.Deps.Mongo, s.Deps.Clock).Create(ctx, clinic.ID,
			patients.Patient{ID: ids.New(), FirstName: "Audit", LastName: "Bench", DateOfBirth: "1980-01-01", Phone: "+12125550100"})
		if err != nil {
			return nil, err
		}
		if err := trail(ctx, s.Deps.Mongo, clinic.ID, p.ID, n); err != nil {
			return nil, err
		}
		// Desks in turn: one login flat out would meet its 600-a-minute
		// budget within the attack.
		logins, err := seed.Dentists(ctx, users, clinic.ID, fmt.Sprintf("audit%d", n), 4)
		if err != nil {
			return nil, err
		}
		var desks []http.Header
		for k, email := range logins {
			h, err := s.SignIn(ctx, &http.Client{Timeout: time.Minute}, 900+4*i+k, email, seed.Password)
			if err != nil {
				return nil, err
			}
			desks = append(desks, h)
		}
		url := s.URL + "/api/patients/" + p.ID
		targets[i] = func(k uint64) vegeta.Target { return api.Get(url, desks[k%uint64(len(desks))]) }
		api.Attack(api.Targeter(targets[i]), 1, time.Second) // warm: learn the chain's end
	}
	short := api.Attack(api.Targeter(targets[0]), 1, d)
	long := api.Attack(api.Targeter(targets[1]), 1, d)
	ratio, r := report.Ratio(float64(long.Latencies.P50), float64(short.Latencies.P50))
	return []report.Row{{What: "PHI read (GET /api/patients/{id}, 1 client) with 100k audit records in the clinic's chain",
		Figure: api.Summary(long), Reference: "100 records: " + api.Summary(short), Ratio: ratio + " (p50)",
		Target: "≤ 1.2", Met: report.Met(api.Clean(long) && api.Clean(short) && r <= 1.2)}}, nil
}

// trail bulk-inserts n records as clinicID's chain.
func trail(ctx context.Context, m *store.Mongo, clinicID, patientID string, n int) error {
	db, err := m.Database()
	if err != nil {
		return err
	}
	coll := db.Collection("audit_logs")
	at := time.Now().Add(-time.Duration(n) * time.Second)
	prev := ""
	var batch []any
	for seq := int64(1); seq <= int64(n); seq++ {
		hash := randomHex()
		batch = append(batch, audit.Record{ID: fmt.Sprintf("%s:%019d", clinicID, seq), ClinicID: clinicID, Seq: seq,
			ActorID: "bench", ActorRole: "dentist", Action: "patient.read", Resource: "patients/" + patientID, PatientID: patientID,
			Outcome: audit.Success, At: at.Add(time.Duration(seq) * time.Second), PrevHash: prev, Hash: hash})
		prev = hash
		if len(batch) == 1000 || seq == int64(n) {
			if _, err := coll.InsertMany(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	// The head a chain's writers keep (audit/head.go): its end, so the
	// next append links to it without reading the trail.
	_, err = db.Collection("audit_heads").InsertOne(ctx, map[string]any{"_id": clinicID, "clinicId": clinicID,
		"seq": int64(n), "tip": fmt.Sprintf("%019d:%s", n, prev)})
	return err
}

func randomHex() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// AuditContention appends to one clinic's chain from 1, 4 and 16 writers
// at once, each its own audit.Log on its own client (as separate Lambda
// instances are), for d each: the chain's append rate and what a contended
// append costs. The rate is the per-clinic limit the capacity plan uses.
func AuditContention(ctx context.Context, mc store.MongoConfig, keys audit.Config, d time.Duration) ([]report.Row, error) {
	k, err := audit.NewKeys(keys)
	if err != nil {
		return nil, err
	}
	var rows []report.Row
	var base float64
	for _, writers := range []int{1, 4, 16} {
		clinicID := ids.New()
		var mu sync.Mutex
		var took []time.Duration
		busy, failed := 0, 0
		var wg sync.WaitGroup
		end := time.Now().Add(d)
		for range writers {
			m := store.NewMongo(mc)
			defer m.Close(context.Background())
			l := audit.New(m, clock.Real{}, k)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					t := time.Now()
					err := l.Record(ctx, audit.Entry{ClinicID: clinicID, ActorID: "bench", ActorRole: "dentist", Action: "patient.read",
						Resource: "patients/bench", Outcome: audit.Success})
					mu.Lock()
					switch {
					case err == nil:
						took = append(took, time.Since(t))
					case errs.Is(err, errs.Unavailable) && !errors.Is(err, context.Canceled):
						busy++
					default:
						failed++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		rate := float64(len(took)) / d.Seconds()
		if writers == 1 {
			base = rate
		}
		ratio, _ := report.Ratio(rate, base)
		rows = append(rows, report.Row{What: fmt.Sprintf("audit chain: appends to one clinic's chain from %d writer(s) at once", writers),
			Figure:    fmt.Sprintf("%.0f appends/s · p50 %s · p99 %s · busy %d · failed %d", rate, report.Ms(percentile(took, 50)), report.Ms(percentile(took, 99)), busy, failed),
			Reference: fmt.Sprintf("1 writer: %.0f appends/s", base), Ratio: ratio, Target: "— (the per-clinic limit; README Scaling)", Met: report.Met(failed == 0)})
	}
	return rows, nil
}
