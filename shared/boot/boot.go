// Package boot is what every function's composition root (functions/<name>/app)
// stands on: the configuration every function with data reads, the clients
// one cold start builds (lazily connecting: no I/O here), and the App that a
// Lambda main, the local stack and the tests all run the same way.
package boot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/store"
)

// Config is the part of a function's configuration that reaches its data.
type Config struct {
	LogLevel string `env:"LOG_LEVEL" default:"info"`
	Mongo    store.MongoConfig
	Redis    store.RedisConfig
}

// Options are what runs a function differently from a Lambda: the local
// stack and the tests pass a logger and a clock of their own. The zero value
// is the Lambda's: JSON logs on stdout, the real clock.
type Options struct {
	Log   *slog.Logger
	Clock clock.Clock
	// LogOutput is where a logger built from LOG_LEVEL writes (default stdout).
	LogOutput io.Writer
	// RedisHooks are added to the Redis client (tests inject failures).
	RedisHooks []redis.Hook
}

// Logger is o.Log, or a JSON logger at level on o.LogOutput.
func (o Options) Logger(level string) *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	out := o.LogOutput
	if out == nil {
		out = os.Stdout
	}
	return httpapi.NewLogger(out, httpapi.ParseLevel(level))
}

// Now is o.Clock, or the real clock.
func (o Options) Now() clock.Clock {
	if o.Clock != nil {
		return o.Clock
	}
	return clock.Real{}
}

// Clients are one cold start's clients.
type Clients struct {
	Log   *slog.Logger
	Clock clock.Clock
	Mongo *store.Mongo
	Redis *redis.Client
}

// Open builds the clients for cfg and logs the whole configuration of the
// function (whole), secrets masked. It does no network I/O.
func Open(cfg Config, whole any, o Options) (*Clients, error) {
	log := o.Logger(cfg.LogLevel)
	log.Info("cold start", "config", config.Redacted(whole))
	rdb, err := store.NewRedis(cfg.Redis)
	if err != nil {
		return nil, err
	}
	for _, h := range o.RedisHooks {
		rdb.AddHook(h)
	}
	return &Clients{Log: log, Clock: o.Now(), Mongo: store.NewMongo(cfg.Mongo), Redis: rdb}, nil
}

// Close closes the clients' connections, waiting at most half a second.
func (c *Clients) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if c.Mongo != nil {
		_ = c.Mongo.Close(ctx)
	}
	if c.Redis != nil {
		_ = c.Redis.Close()
	}
}

// SQSHandler is a queue consumer's Lambda handler (partial batch responses).
type SQSHandler func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// ScheduleHandler is a scheduled function's Lambda handler: EventBridge
// Scheduler hands the schedule's Input as the event, verbatim; what it
// returns is the invocation's result.
type ScheduleHandler func(ctx context.Context, input json.RawMessage) (any, error)

// App is one assembled function: an HTTP API (Router, and Handler = Router
// under the common middleware), a queue consumer (SQS) or a scheduled job
// (Schedule).
type App struct {
	Router   *httpapi.Router
	Handler  http.Handler
	SQS      SQSHandler
	Schedule ScheduleHandler
	// Raw takes any other event as is and tells its kinds apart itself
	// (the realtime function: API Gateway's WebSocket routes and the live
	// queue).
	Raw     ScheduleHandler
	closers []func()
}

// NewHTTP is an App serving rt under the common middleware.
func NewHTTP(log *slog.Logger, rt *httpapi.Router) *App {
	return &App{Router: rt, Handler: httpapi.Stack(log, rt)}
}

// OnClose adds f to what Close runs.
func (a *App) OnClose(f func()) { a.closers = append(a.closers, f) }

// Close releases the App's clients.
func (a *App) Close() {
	for _, f := range a.closers {
		f()
	}
}

// Serve hands the App to the Lambda runtime and closes it on SIGTERM. It does
// not return.
func (a *App) Serve() {
	if a.SQS != nil {
		lambda.StartWithOptions(a.SQS, lambda.WithEnableSIGTERM(a.Close))
		return
	}
	if a.Schedule != nil {
		lambda.StartWithOptions(a.Schedule, lambda.WithEnableSIGTERM(a.Close))
		return
	}
	if a.Raw != nil {
		lambda.StartWithOptions(a.Raw, lambda.WithEnableSIGTERM(a.Close))
		return
	}
	httpapi.StartLambda(a.Handler, a.Close)
}
