// Command health is the HealthFunction Lambda: GET /api/health.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/health"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
)

type Config struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	Mongo    store.MongoConfig
	Redis    store.RedisConfig
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		return err
	}
	log := httpapi.NewLogger(os.Stdout, httpapi.ParseLevel(cfg.LogLevel))
	log.Info("cold start", "config", config.Redacted(cfg))

	mongo := store.NewMongo(cfg.Mongo)
	rdb, err := store.NewRedis(cfg.Redis)
	if err != nil {
		return err
	}
	rt := httpapi.NewRouter(log)
	health.Routes(rt, health.Deps{Checks: health.Standard(mongo, rdb)})

	httpapi.StartLambda(httpapi.Stack(log, rt), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_ = mongo.Close(ctx)
		_ = rdb.Close()
		log.Info("shutdown")
	})
	return nil
}
