package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/topsmile/topsmile/shared/errs"
)

// HeaderRequestID is accepted from clients and returned on every response.
const HeaderRequestID = "X-Request-Id"

// Stack wraps h with the middleware every function serves behind, outermost
// first: request id, access log, panic recovery, security headers, and
// cross-origin protection (a cross-site state-changing request is 403).
func Stack(log *slog.Logger, h http.Handler) http.Handler {
	return RequestIDMiddleware(AccessLog(log, Recover(log, SecurityHeaders(CrossOrigin(log, h)))))
}

// Webhooks are the routes a third party's servers call (signed by them,
// never by a browser): the only ones exempt from the cross-origin check.
var Webhooks = []string{"POST /api/webhooks/stripe", "POST /api/webhooks/twilio/status", "POST /api/webhooks/twilio/inbound"}

// CrossOrigin refuses non-safe cross-origin browser requests with
// net/http.CrossOriginProtection (Sec-Fetch-Site, else Origin vs Host),
// answering in the contract's shape. Every state-changing route passes it,
// login, register and refresh included.
func CrossOrigin(log *slog.Logger, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	for _, p := range Webhooks {
		cop.AddInsecureBypassPattern(p)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, log, errs.E(errs.Forbidden, "cross-origin request refused"))
	}))
	return cop.Handler(next)
}

// RequestIDMiddleware accepts a well-formed X-Request-Id from the client (or,
// under Lambda, API Gateway's request id), else makes one; returns it on the
// response and puts it in the request context for logs and error bodies.
func RequestIDMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(HeaderRequestID)
		if !validRequestID(id) {
			id = ""
			if lc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok {
				id = lc.RequestID
			}
			if !validRequestID(id) {
				id = newRequestID()
			}
		}
		w.Header().Set(HeaderRequestID, id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// validRequestID keeps client-supplied ids short and free of characters that
// could forge log lines.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c)
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Recover turns a panic into a logged 500 in the contract's shape; the client
// sees only "internal error" and the request id.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec, ok := w.(*statusRecorder); ok && rec.wrote {
				return // too late for a clean answer; the access log shows the status sent
			}
			WriteJSON(w, http.StatusInternalServerError, ErrorBody{Error: ErrorDetail{
				Code: string(errs.Internal), Message: "internal error", RequestID: RequestID(r.Context()),
			}})
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders are helmet's defaults, minus upgrade-insecure-requests
// (HSTS does that job in production and it breaks plain-http local dev).
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; base-uri 'self'; font-src 'self' data:; form-action 'self'; " +
		"frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; " +
		"script-src-attr 'none'; style-src 'self' 'unsafe-inline'; connect-src 'self'",
	"Cross-Origin-Opener-Policy":        "same-origin",
	"Cross-Origin-Resource-Policy":      "same-origin",
	"Origin-Agent-Cluster":              "?1",
	"Referrer-Policy":                   "no-referrer",
	"Strict-Transport-Security":         "max-age=31536000; includeSubDomains",
	"X-Content-Type-Options":            "nosniff",
	"X-Dns-Prefetch-Control":            "off",
	"X-Download-Options":                "noopen",
	"X-Frame-Options":                   "DENY",
	"X-Permitted-Cross-Domain-Policies": "none",
	"X-Xss-Protection":                  "0",
	"Permissions-Policy":                "camera=(), microphone=(), geolocation=(), payment=()",
}

// SecurityHeaders sets the security headers on every response, and
// Cache-Control: no-store on the API so no cache keeps patient data.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		if r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
			h.Set("Pragma", "no-cache")
		}
		next.ServeHTTP(w, r)
	})
}

// AccessLog writes one JSON line per request: method, route pattern, status,
// duration and (through the context) the request id. Never bodies, cookies,
// query strings or tokens.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern // set by the ServeMux on this same request
		if route == "" {
			route = "unmatched"
		}
		log.InfoContext(r.Context(), "request",
			"method", r.Method,
			"route", route,
			"status", rec.status,
			"durationMs", float64(time.Since(start).Microseconds())/1000,
			"bytes", rec.bytes,
		)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
