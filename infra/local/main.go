// Command local runs the whole clinic on one port with no cloud account and
// no Docker: the SPA (frontend/dist) and every function of template.yaml on
// its routes, backed by MONGODB_URI / REDIS_URL / SQS_QUEUE_URL when set and
// by embedded stand-ins otherwise (FerretDB on SQLite under
// TOPSMILE_DATA_DIR, an in-process Redis, an in-process queue).
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/topsmile/topsmile/infra/embedded"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// Config holds the local stack's knobs (fixed: scripts rely on them).
type Config struct {
	Port          int    `env:"PORT" default:"3000"`
	DataDir       string `env:"TOPSMILE_DATA_DIR" default:".data"`
	Seed          bool   `env:"TOPSMILE_SEED" default:"true"`
	AdminEmail    string `env:"TOPSMILE_ADMIN_EMAIL"`
	AdminPassword string `env:"TOPSMILE_ADMIN_PASSWORD,secret"`
	MongoURI      string `env:"MONGODB_URI,secret"`
	RedisURL      string `env:"REDIS_URL,secret"`
	SQSQueueURL   string `env:"SQS_QUEUE_URL"`
	DistDir       string `env:"TOPSMILE_DIST_DIR"`
	LogLevel      string `env:"LOG_LEVEL" default:"info"`
	// Unset: keys generated once into TOPSMILE_DATA_DIR/dev-secrets.json.
	JWTKeys      string `env:"JWT_KEYS,secret"`
	JWTActiveKID string `env:"JWT_ACTIVE_KID"`
	DataKey      string `env:"DATA_KEY,secret"`
	CookieSecure bool   `env:"COOKIE_SECURE" default:"true"`
	AppURL       string `env:"APP_URL"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		return err
	}
	log := httpapi.NewLogger(os.Stderr, httpapi.ParseLevel(cfg.LogLevel))

	cwd, _ := os.Getwd()
	tplPath, err := localstack.FindTemplate(cwd)
	if err != nil {
		return err
	}
	root := filepath.Dir(tplPath)
	tpl, err := localstack.LoadTemplate(tplPath)
	if err != nil {
		return err
	}
	if cfg.DistDir == "" {
		cfg.DistDir = filepath.Join(root, "frontend", "dist")
	}

	if cfg.MongoURI == "" {
		m, err := embedded.StartMongo(ctx, cfg.DataDir)
		if err != nil {
			return err
		}
		defer m.Stop()
		cfg.MongoURI = m.URI
		fmt.Printf("MongoDB: embedded FerretDB (SQLite under %s)\n", cfg.DataDir)
	}
	if cfg.RedisURL == "" {
		url, stopRedis, err := embedded.StartRedis()
		if err != nil {
			return err
		}
		defer stopRedis()
		cfg.RedisURL = url
		fmt.Println("Redis: embedded (in-process)")
	}
	mongo := store.NewMongo(store.MongoConfig{URI: cfg.MongoURI, Database: "topsmile", MaxPoolSize: 16, MaxIdleTime: time.Minute, Timeout: 5 * time.Second})
	defer mongo.Close(context.Background())
	rdb, err := store.NewRedis(store.RedisConfig{URL: cfg.RedisURL, PoolSize: 16, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer rdb.Close()

	if cfg.JWTKeys == "" || cfg.JWTActiveKID == "" || cfg.DataKey == "" {
		dev, err := localstack.LoadDevSecrets(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.JWTKeys, cfg.JWTActiveKID, cfg.DataKey = dev.JWTKeys, dev.JWTActiveKID, dev.DataKey
	}
	if cfg.AppURL == "" {
		cfg.AppURL = fmt.Sprintf("http://127.0.0.1:%d", cfg.Port)
	}
	deps := localstack.Deps{
		Log: log, Mongo: mongo, Redis: rdb, Outbox: notify.NewOutbox(200), Clock: clock.Real{},
		Token:    token.Config{Keys: cfg.JWTKeys, ActiveKID: cfg.JWTActiveKID, AccessTTL: 10 * time.Minute},
		Identity: identity.Config{DataKey: cfg.DataKey, AppURL: cfg.AppURL, SessionTTL: 12 * time.Hour, CookieSecure: cfg.CookieSecure},
	}
	var queue *localstack.Queue
	if cfg.SQSQueueURL != "" {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return err
		}
		deps.Publisher = &notify.SQSPublisher{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.SQSQueueURL}
		fmt.Println("SQS:", cfg.SQSQueueURL, "(consumed by the deployed notifications function)")
	} else {
		queue = localstack.NewQueue(log)
		deps.Publisher = queue
		fmt.Println("SQS: in-process queue -> notifications handler; sent messages at /_dev/outbox")
	}

	stack, err := localstack.Build(tpl, deps, cfg.DistDir)
	if err != nil {
		return err
	}
	if queue != nil {
		for _, h := range stack.Consumers {
			go queue.Run(ctx, h)
		}
	}
	go localstack.SweepOffers(ctx, deps, 30*time.Second)
	if err := localstack.Bootstrap(ctx, deps, localstack.BootstrapOptions{
		AdminEmail: cfg.AdminEmail, AdminPassword: cfg.AdminPassword, Seed: cfg.Seed, Out: os.Stdout,
	}); err != nil {
		return err
	}

	return localstack.Serve(ctx, fmt.Sprintf("127.0.0.1:%d", cfg.Port), stack.Handler, func(a net.Addr) {
		fmt.Printf("listening on http://%s\n", a)
	})
}
