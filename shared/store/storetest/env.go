package storetest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/topsmile/topsmile/shared/store"
)

// TestKey is the base64 of a 32-byte key, for JWT_KEYS and DATA_KEY.
var TestKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

// AuditKey is the base64 of another 32-byte key, for AUDIT_KEYS: a trail
// made with the token keys by mistake does not verify.
var AuditKey = base64.StdEncoding.EncodeToString([]byte("audit-key-for-tests-0123456789ab"))

// PHIKey is the base64 of a third 32-byte key, for PHI_KEYS.
var PHIKey = base64.StdEncoding.EncodeToString([]byte("phi-key-for-tests-0123456789abcd"))

// OriginSecret is ORIGIN_SECRET: a request carrying it in X-Origin-Secret
// came through CloudFront.
const OriginSecret = "origin-secret-for-tests"

// StripeWebhookSecret is STRIPE_WEBHOOK_SECRET: what the tests sign Stripe
// events with. No STRIPE_SECRET_KEY by default (card payments off); tests
// of the card path add stripe-mock's.
const StripeWebhookSecret = "whsec_topsmile_tests_0123456789"

// TwilioAuthToken is TWILIO_AUTH_TOKEN: what the tests sign Twilio's
// webhooks with (PUBLIC_URL is https://clinic.test). No account SID, so no
// function sends a real text.
const TwilioAuthToken = "twilio_topsmile_tests_0123456789"

// FunctionEnv is a function environment as a deployed stack gives it, on a
// fresh database of the test server (dropped at cleanup) and the run's
// Redis: every variable a function requires, with test keys. Tests load a
// function's Config from it (config.LoadFrom(env.Lookup, &cfg)) and may set
// more variables first.
type FunctionEnv map[string]string

// NewFunctionEnv returns the environment; all functions built from one share
// its database.
func NewFunctionEnv(tb testing.TB) FunctionEnv {
	tb.Helper()
	mc := MongoConfig(tb)
	tb.Cleanup(func() {
		m := store.NewMongo(mc)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if db, err := m.Database(); err == nil {
			_ = db.Drop(ctx)
		}
		_ = m.Close(ctx)
	})
	rc := RedisConfig(tb)
	return FunctionEnv{
		"MONGODB_URI": mc.URI, "MONGODB_DATABASE": mc.Database,
		"MONGODB_MAX_POOL_SIZE": strconv.FormatUint(mc.MaxPoolSize, 10), "MONGODB_TIMEOUT": mc.Timeout.String(),
		"REDIS_URL": rc.URL, "REDIS_POOL_SIZE": strconv.Itoa(rc.PoolSize), "REDIS_TIMEOUT": rc.Timeout.String(),
		"JWT_KEYS": "k1:" + TestKey, "JWT_ACTIVE_KID": "k1", "DATA_KEY": TestKey, "ORIGIN_SECRET": OriginSecret,
		"AUDIT_KEYS": "a1:" + AuditKey, "AUDIT_ACTIVE_KID": "a1", "PHI_KEYS": "p1:" + PHIKey, "PHI_ACTIVE_KID": "p1",
		"STRIPE_WEBHOOK_SECRET":   StripeWebhookSecret,
		"TWILIO_AUTH_TOKEN":       TwilioAuthToken,
		"PUBLIC_URL":              "https://clinic.test",
		"APP_URL":                 "https://clinic.test",
		"NOTIFICATIONS_QUEUE_URL": "test:in-process",
		"S3_BUCKET":               S3Bucket(tb), "S3_ENDPOINT": s3Server(tb).URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIDTESTTOPSMILE", "AWS_SECRET_ACCESS_KEY": "test-secret-access-key",
	}
}

// The test S3 server: an S3-protocol server in memory (gofakes3) on a
// loopback listener, one per test process, started on first use. It does
// not check signatures; what a test can see through it is what a browser
// sends and what the function asks for.
var s3srv struct {
	once    sync.Once
	backend *s3mem.Backend
	server  *httptest.Server
}

func s3Server(tb testing.TB) *httptest.Server {
	tb.Helper()
	s3srv.once.Do(func() {
		s3srv.backend = s3mem.New()
		s3srv.server = httptest.NewServer(gofakes3.New(s3srv.backend, gofakes3.WithAutoBucket(false)).Server())
	})
	return s3srv.server
}

// S3Bucket is a fresh bucket of the test S3 server.
func S3Bucket(tb testing.TB) string {
	tb.Helper()
	s3Server(tb)
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "test-" + hex.EncodeToString(b[:])
	if err := s3srv.backend.CreateBucket(name); err != nil {
		tb.Fatal(err)
	}
	return name
}

// Lookup is the environment as a config.Lookup.
func (e FunctionEnv) Lookup(key string) (string, bool) {
	v, ok := e[key]
	return v, ok
}

// Mongo is a client of the environment's database.
func (e FunctionEnv) Mongo(tb testing.TB) *store.Mongo {
	tb.Helper()
	m := store.NewMongo(store.MongoConfig{URI: e["MONGODB_URI"], Database: e["MONGODB_DATABASE"], MaxPoolSize: 8, MaxIdleTime: time.Minute, Timeout: 10 * time.Second})
	m.SignCursorsWith(CursorKeys)
	tb.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}
