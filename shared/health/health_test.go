package health_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/topsmile/topsmile/shared/health"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/store/storetest"
)

func serve(t *testing.T, checks []health.Check) (*httptest.ResponseRecorder, health.Report) {
	t.Helper()
	log := httpapi.NewLogger(io.Discard, nil)
	rt := httpapi.NewRouter(log)
	health.Routes(rt, health.Deps{Checks: checks})
	rec := httptest.NewRecorder()
	httpapi.Stack(log, rt).ServeHTTP(rec, httptest.NewRequest("GET", "/api/health", nil))
	var rep health.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("body: %v: %s", err, rec.Body)
	}
	return rec, rep
}

func TestHealth(t *testing.T) {
	mongo, deadMongo := storetest.NewMongo(t), storetest.DeadMongo(t)
	redis, deadRedis := storetest.NewRedis(t), storetest.DeadRedis(t)
	tests := []struct {
		name     string
		m        *store.Mongo
		r        any
		status   int
		mongoUp  bool
		redisUp  bool
		downText string
	}{
		{"all up", mongo, redis, 200, true, true, ""},
		{"mongo down", deadMongo, redis, 503, false, true, "mongodb"},
		{"redis down", mongo, deadRedis, 503, true, false, "redis"},
		{"both down", deadMongo, deadRedis, 503, false, false, "mongodb, redis"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rdb := redis
			if tc.r == deadRedis {
				rdb = deadRedis
			}
			rec, rep := serve(t, health.Standard(tc.m, rdb))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if (rep.Checks["mongodb"].Status == "up") != tc.mongoUp || (rep.Checks["redis"].Status == "up") != tc.redisUp {
				t.Fatalf("checks %+v", rep.Checks)
			}
			if tc.status == 503 && (rep.Status != "unavailable" || rep.Error == nil || rep.Error.Code != "unavailable" || !strings.HasSuffix(rep.Error.Message, tc.downText)) {
				t.Fatalf("503 body: %+v %+v", rep, rep.Error)
			}
			if tc.status == 200 && (rep.Status != "ok" || rep.Error != nil) {
				t.Fatalf("200 body: %s", rec.Body)
			}
			if strings.Contains(rec.Body.String(), "127.0.0.1") || strings.Contains(rec.Body.String(), "mongodb://") {
				t.Fatalf("health leaks addresses: %s", rec.Body)
			}
		})
	}
}

func TestHealthCheckTimeoutIsBounded(t *testing.T) {
	slow := health.Check{Name: "slow", Ping: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
	rep := health.Run(context.Background(), health.Deps{Checks: []health.Check{slow}, Timeout: 50_000_000})
	if rep.Status != "unavailable" || rep.Checks["slow"].Status != "down" {
		t.Fatalf("%+v", rep)
	}
}
