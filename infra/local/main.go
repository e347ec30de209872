// Command local runs the whole clinic on one port with no cloud account and
// no Docker: the SPA (frontend/dist) and every function of template.yaml on
// its routes, backed by MONGODB_URI / REDIS_URL / SQS_QUEUE_URL when set and
// by embedded stand-ins otherwise (FerretDB on SQLite under
// TOPSMILE_DATA_DIR, an in-process Redis, an in-process queue).
//
// Each function is built by its own composition root from its own Config,
// loaded from this process's environment exactly as its Lambda loads it; the
// local stack only fills in what it provides itself when unset (the
// embedded databases' URLs, dev keys kept in TOPSMILE_DATA_DIR, its own URL
// and queue).
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/topsmile/topsmile/infra/embedded"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/live/hub"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/notify/sqsqueue"
	"github.com/topsmile/topsmile/shared/store"
)

// Config holds the local stack's own knobs (fixed: scripts rely on them).
// Everything the functions read (JWT_KEYS, AUDIT_KEYS, SESSION_TTL,
// ACCESS_TOKEN_TTL, MONGODB_*, REDIS_*, COOKIE_SECURE, ...) is read by the
// functions' own Config structs from the same environment.
type Config struct {
	Port          int    `env:"PORT" default:"3000"`
	DataDir       string `env:"TOPSMILE_DATA_DIR" default:".data"`
	Seed          bool   `env:"TOPSMILE_SEED" default:"true"`
	AdminEmail    string `env:"TOPSMILE_ADMIN_EMAIL"`
	AdminPassword string `env:"TOPSMILE_ADMIN_PASSWORD,secret"`
	SQSQueueURL   string `env:"SQS_QUEUE_URL"`
	DistDir       string `env:"TOPSMILE_DIST_DIR"`
	LogLevel      string `env:"LOG_LEVEL" default:"info"`
	// DevToken opens the dev endpoints (/_dev/*) as X-Dev-Token; unset, one
	// is made at start and printed with the logins.
	DevToken string `env:"TOPSMILE_DEV_TOKEN,secret"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

// env is the process environment over the local stack's defaults.
type env map[string]string

func (e env) lookup(key string) (string, bool) {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v, true
	}
	v, ok := e[key]
	return v, ok
}

func (e env) unset(key string) bool { _, ok := e.lookup(key); return !ok }

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

	// Listen before anything builds a link: with PORT=0 the port is known
	// only now.
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", cfg.Port))
	if err != nil {
		return err
	}
	defer l.Close()
	defaults := env{"APP_URL": "http://" + l.Addr().String()}
	if defaults.unset("MONGODB_URI") {
		m, err := embedded.StartMongo(ctx, cfg.DataDir)
		if err != nil {
			return err
		}
		defer m.Stop()
		defaults["MONGODB_URI"] = m.URI
		fmt.Printf("MongoDB: embedded FerretDB (SQLite under %s)\n", cfg.DataDir)
	}
	if defaults.unset("REDIS_URL") {
		url, stopRedis, err := embedded.StartRedis()
		if err != nil {
			return err
		}
		defer stopRedis()
		defaults["REDIS_URL"] = url
		fmt.Println("Redis: embedded (in-process)")
	}
	if defaults.unset("JWT_KEYS") || defaults.unset("JWT_ACTIVE_KID") || defaults.unset("DATA_KEY") ||
		defaults.unset("AUDIT_KEYS") || defaults.unset("AUDIT_ACTIVE_KID") || defaults.unset("PHI_KEYS") || defaults.unset("PHI_ACTIVE_KID") {
		dev, err := localstack.LoadDevSecrets(cfg.DataDir)
		if err != nil {
			return err
		}
		defaults["JWT_KEYS"], defaults["JWT_ACTIVE_KID"], defaults["DATA_KEY"] = dev.JWTKeys, dev.JWTActiveKID, dev.DataKey
		defaults["AUDIT_KEYS"], defaults["AUDIT_ACTIVE_KID"] = dev.AuditKeys, dev.AuditActiveKID
		defaults["PHI_KEYS"], defaults["PHI_ACTIVE_KID"] = dev.PHIKeys, dev.PHIActiveKID
	}
	// No CloudFront in front of the local stack: a secret no request
	// carries, so the caller is always the TCP peer.
	if defaults.unset("ORIGIN_SECRET") {
		defaults["ORIGIN_SECRET"] = ids.Token(32)
	}

	madeToken := cfg.DevToken == ""
	if madeToken {
		cfg.DevToken = ids.Token(24)
	}
	deps := localstack.Deps{Env: defaults.lookup, Log: log, Clock: clock.Real{}, Outbox: notify.NewOutbox(200), DevToken: cfg.DevToken}
	// S3 (documents): S3_ENDPOINT if set, else the embedded server on disk,
	// mounted at /_s3/ on this listener so presigned URLs share the SPA's
	// origin.
	if defaults.unset("S3_BUCKET") {
		defaults["S3_BUCKET"] = "topsmile-documents"
	}
	bucket, _ := defaults.lookup("S3_BUCKET")
	if defaults.unset("S3_ENDPOINT") {
		s3dir := filepath.Join(cfg.DataDir, "s3")
		if deps.S3, err = embedded.StartS3(s3dir, bucket); err != nil {
			return err
		}
		appURL, _ := defaults.lookup("APP_URL")
		defaults["S3_ENDPOINT"] = strings.TrimRight(appURL, "/") + "/_s3"
		// The embedded server checks no signatures; the SDK still signs.
		if defaults.unset("AWS_ACCESS_KEY_ID") {
			defaults["AWS_ACCESS_KEY_ID"], defaults["AWS_SECRET_ACCESS_KEY"] = "local", "local-secret"
		}
		fmt.Printf("S3: embedded (bucket %s on disk under %s, at %s)\n", bucket, s3dir, defaults["S3_ENDPOINT"])
	} else {
		endpoint, _ := defaults.lookup("S3_ENDPOINT")
		fmt.Printf("S3: %s (bucket %s)\n", endpoint, bucket)
	}
	// Stripe: STRIPE_SECRET_KEY if set (the real API, or STRIPE_API_BASE),
	// else stripe-mock on loopback with test keys, so the same card code runs;
	// stripe-mock sends no webhooks, so /_dev/stripe/pay plays Stripe's part
	// and signs its events with this start's webhook secret.
	if defaults.unset("STRIPE_SECRET_KEY") {
		url, stopStripe, err := embedded.StartStripeMock()
		switch {
		case err == nil:
			defer stopStripe()
			defaults["STRIPE_SECRET_KEY"], defaults["STRIPE_API_BASE"] = "sk_test_local", url
			defaults["STRIPE_PUBLISHABLE_KEY"] = "pk_test_local"
			fmt.Printf("Stripe: stripe-mock at %s (test mode; /_dev/stripe/pay plays Stripe's webhooks)\n", url)
		case errors.Is(err, embedded.ErrNoStripeMock):
			fmt.Println("Stripe: off (no STRIPE_SECRET_KEY and", err.Error()+")")
		default:
			return err
		}
	} else {
		fmt.Println("Stripe: STRIPE_SECRET_KEY from the environment")
	}
	if defaults.unset("STRIPE_WEBHOOK_SECRET") {
		// Cards off: the webhook still starts, and refuses every event.
		defaults["STRIPE_WEBHOOK_SECRET"] = "whsec_" + ids.Token(24)
	}
	// Twilio's webhooks are signed with the auth token over the public
	// origin: without a real account, a token of this start's, which
	// /_dev/twilio/inbound signs its texts with; texts still go to the
	// dev outbox unless SID, token and FROM are all set.
	if defaults.unset("TWILIO_AUTH_TOKEN") {
		defaults["TWILIO_AUTH_TOKEN"] = ids.Token(24)
	}
	if defaults.unset("PUBLIC_URL") {
		defaults["PUBLIC_URL"], _ = defaults.lookup("APP_URL")
	}
	var queue *localstack.Queue
	if cfg.SQSQueueURL != "" {
		// Every function publishes through the client built below.
		defaults["NOTIFICATIONS_QUEUE_URL"] = cfg.SQSQueueURL
		fmt.Println("SQS:", cfg.SQSQueueURL, "(consumed by the deployed notifications function)")
	} else {
		queue = localstack.NewQueue(log)
		deps.Publisher = queue
		defaults["NOTIFICATIONS_QUEUE_URL"] = "local:in-process"
		fmt.Println("SQS: in-process queue -> notifications handler; sent messages at /_dev/outbox")
	}

	// The local stack's own clients (bootstrap, seed, sweeps), configured
	// like a function's.
	var own boot.Config
	if err := config.LoadFrom(deps.Env, &own); err != nil {
		return err
	}
	deps.Mongo = store.NewMongo(own.Mongo)
	defer deps.Mongo.Close(context.Background())
	if deps.Redis, err = store.NewRedis(own.Redis); err != nil {
		return err
	}
	defer deps.Redis.Close()
	deps.AppURL, _ = deps.Env("APP_URL")
	// The live schedule on this port: GET /api/live upgrades into the hub,
	// and every schedule change fans out to it in process.
	deps.Hub = hub.NewHub(log)
	deps.Live = live.Direct{Log: log, Fanout: &live.Fanout{Registry: &live.Registry{Redis: deps.Redis}, Poster: deps.Hub, Log: log, Now: time.Now}}
	if deps.Publisher == nil {
		// A developer's SQS may need a profile: the SDK's full loader here
		// (the Lambdas read credentials from their environment).
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return err
		}
		deps.Publisher = &sqsqueue.Publisher{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.SQSQueueURL}
	}

	stack, err := localstack.Build(tpl, deps, cfg.DistDir)
	if err != nil {
		return err
	}
	defer stack.Close()
	if queue != nil {
		for _, h := range stack.Consumers {
			go queue.Run(ctx, h)
		}
	}
	// The schedules EventBridge runs deployed (the reminders, which also
	// pass lapsed waitlist offers on, and the outbox sweep), in-process;
	// they stop before the functions' clients close.
	schedules, stopSchedules := context.WithCancel(ctx)
	waitSchedules := stack.RunSchedules(schedules, log)
	defer func() { stopSchedules(); waitSchedules() }()
	if err := localstack.Bootstrap(ctx, deps, localstack.BootstrapOptions{
		AdminEmail: cfg.AdminEmail, AdminPassword: cfg.AdminPassword, Seed: cfg.Seed, Out: os.Stdout,
	}); err != nil {
		return err
	}
	if madeToken {
		fmt.Printf("dev token: %s (X-Dev-Token for /_dev/outbox; set TOPSMILE_DEV_TOKEN to choose)\n", cfg.DevToken)
	} else {
		fmt.Println("dev token: from TOPSMILE_DEV_TOKEN (X-Dev-Token for /_dev/outbox)")
	}

	return localstack.Serve(ctx, l, stack.Handler, func(a net.Addr) {
		// The viewer reads the token from the link's #fragment (never sent
		// to a server); a token from the environment is not echoed.
		view := fmt.Sprintf("http://%s%s", a, localstack.DevOutboxViewPath)
		if madeToken {
			view += "#token=" + cfg.DevToken
		}
		fmt.Printf("dev outbox: %s\n", view)
		fmt.Printf("listening on http://%s\n", a)
	})
}
