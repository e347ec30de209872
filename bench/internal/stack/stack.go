// Package stack starts the real local stack in this process for the
// benchmarks: every function of template.yaml mounted by infra/localstack,
// on a loopback port, over a MongoDB-wire server and a real redis-server,
// and signs staff in the way the SPA does.
package stack

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/topsmile/topsmile/infra/embedded"
	"github.com/topsmile/topsmile/infra/localstack"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/ids"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store"
)

// Options say where the stack's services are.
type Options struct {
	Dir      string // scratch: dev keys, S3 objects
	MongoURI string
	Database string
	RedisURL string
}

// Stack is a running local stack.
type Stack struct {
	URL  string
	Deps localstack.Deps
	// Env is what every function's Config was loaded from.
	Env    map[string]string
	closer []func()
}

// Lookup reads the stack's environment (config.Lookup).
func (s *Stack) Lookup(key string) (string, bool) { v, ok := s.Env[key]; return v, ok }

// Close stops serving and closes every client.
func (s *Stack) Close() {
	for i := len(s.closer) - 1; i >= 0; i-- {
		s.closer[i]()
	}
}

// Start builds and serves the stack (no seed: callers seed what they
// measure).
func Start(ctx context.Context, o Options) (*Stack, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Stack{URL: "http://" + l.Addr().String()}
	s.closer = append(s.closer, func() { l.Close() })
	fail := func(err error) (*Stack, error) { s.Close(); return nil, err }
	dev, err := localstack.LoadDevSecrets(o.Dir)
	if err != nil {
		return fail(err)
	}
	s.Env = map[string]string{
		"MONGODB_URI": o.MongoURI, "MONGODB_DATABASE": o.Database, "REDIS_URL": o.RedisURL,
		"JWT_KEYS": dev.JWTKeys, "JWT_ACTIVE_KID": dev.JWTActiveKID, "DATA_KEY": dev.DataKey,
		"AUDIT_KEYS": dev.AuditKeys, "AUDIT_ACTIVE_KID": dev.AuditActiveKID, "PHI_KEYS": dev.PHIKeys, "PHI_ACTIVE_KID": dev.PHIActiveKID,
		"ORIGIN_SECRET": ids.Token(32), "APP_URL": s.URL, "PUBLIC_URL": s.URL, "COOKIE_SECURE": "false",
		"S3_BUCKET": "topsmile-documents", "S3_ENDPOINT": s.URL + "/_s3", "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local-secret",
		"STRIPE_WEBHOOK_SECRET": "whsec_" + ids.Token(24), "TWILIO_AUTH_TOKEN": ids.Token(24),
		"NOTIFICATIONS_QUEUE_URL": "local:in-process", "LOG_LEVEL": "error",
	}
	// Errors only: the load run provokes 503s on purpose.
	log := httpapi.NewLogger(io.Discard, nil)
	if os.Getenv("BENCH_LOG") != "" {
		log = httpapi.NewLogger(os.Stderr, httpapi.ParseLevel("error"))
	}
	queue := localstack.NewQueue(log)
	s.Deps = localstack.Deps{Env: s.Lookup, Log: log, Clock: clock.Real{}, Outbox: notify.NewOutbox(200),
		Publisher: queue, AppURL: s.URL, DevToken: ids.Token(24)}
	if s.Deps.S3, err = embedded.StartS3(filepath.Join(o.Dir, "s3"), s.Env["S3_BUCKET"]); err != nil {
		return fail(err)
	}
	var own boot.Config
	if err := config.LoadFrom(s.Lookup, &own); err != nil {
		return fail(err)
	}
	s.Deps.Mongo = store.NewMongo(own.Mongo)
	s.closer = append(s.closer, func() { _ = s.Deps.Mongo.Close(context.Background()) })
	if s.Deps.Redis, err = store.NewRedis(own.Redis); err != nil {
		return fail(err)
	}
	s.closer = append(s.closer, func() { _ = s.Deps.Redis.Close() })
	root, err := repoRoot()
	if err != nil {
		return fail(err)
	}
	tpl, err := localstack.LoadTemplate(filepath.Join(root, "template.yaml"))
	if err != nil {
		return fail(err)
	}
	built, err := localstack.Build(tpl, s.Deps, filepath.Join(o.Dir, "dist"))
	if err != nil {
		return fail(err)
	}
	s.closer = append(s.closer, built.Close)
	run, stop := context.WithCancel(ctx)
	s.closer = append(s.closer, stop)
	for _, h := range built.Consumers {
		go queue.Run(run, h)
	}
	go func() { _ = localstack.Serve(run, l, built.Handler, nil) }()
	return s, nil
}

func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	p, err := localstack.FindTemplate(wd)
	return filepath.Dir(p), err
}

// Viewer is the edge headers for a caller at viewer address n: each
// simulated desk is its own address, as CloudFront tells the API, so
// per-address sign-in limits apply per desk.
func (s *Stack) Viewer(n int) http.Header {
	h := http.Header{}
	h.Set(httpapi.HeaderOriginSecret, s.Env["ORIGIN_SECRET"])
	h.Set(httpapi.HeaderViewerAddress, fmt.Sprintf("198.51.%d.%d:443", 100+n/250, n%250+1))
	h.Set("Origin", s.URL)
	h.Set("Sec-Fetch-Site", "same-origin")
	return h
}
