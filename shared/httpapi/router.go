package httpapi

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/topsmile/topsmile/shared/errs"
)

// HandlerFunc is a route handler that returns its error for the router to
// write in the contract's shape.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Router is a Go 1.22 ServeMux that remembers its patterns (so tests can
// compare them with template.yaml) and answers unmatched requests with the
// contract's JSON error instead of the mux's plain text.
type Router struct {
	mux    *http.ServeMux
	log    *slog.Logger
	routes []string
}

// NewRouter returns an empty router that logs handler errors to log.
func NewRouter(log *slog.Logger) *Router {
	return &Router{mux: http.NewServeMux(), log: log}
}

// Handle registers a plain handler for a "METHOD /path/{param}" pattern.
func (rt *Router) Handle(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, h)
	rt.routes = append(rt.routes, pattern)
}

// HandleFunc registers an error-returning handler.
func (rt *Router) HandleFunc(pattern string, h HandlerFunc) {
	rt.Handle(pattern, rt.Adapt(h))
}

// Adapt turns an error-returning handler into an http.Handler that writes the
// error with WriteError.
func (rt *Router) Adapt(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			WriteError(w, r, rt.log, err)
		}
	})
}

// Routes returns the registered patterns, sorted.
func (rt *Router) Routes() []string {
	out := slices.Clone(rt.routes)
	slices.Sort(out)
	return out
}

// Log is the logger the router writes errors with.
func (rt *Router) Log() *slog.Logger { return rt.log }

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := rt.mux.Handler(r); pattern == "" {
		rt.unmatched(w, r)
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// unmatched lets the mux decide between 404, 405 (with Allow) and a redirect,
// then rewrites 404/405 into the contract's error shape.
func (rt *Router) unmatched(w http.ResponseWriter, r *http.Request) {
	rec := &bufferWriter{header: http.Header{}, code: http.StatusOK}
	rt.mux.ServeHTTP(rec, r)
	switch rec.code {
	case http.StatusNotFound:
		WriteError(w, r, rt.log, errs.E(errs.NotFound, "no route for %s %s", r.Method, r.URL.Path))
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.Header().Get("Allow"))
		WriteError(w, r, rt.log, errs.E(errs.MethodNotAllowed, "method %s not allowed", r.Method))
	default:
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.code)
		_, _ = w.Write(rec.body)
	}
}

// bufferWriter captures what the mux would answer to an unmatched request.
type bufferWriter struct {
	header http.Header
	code   int
	body   []byte
}

func (b *bufferWriter) Header() http.Header  { return b.header }
func (b *bufferWriter) WriteHeader(code int) { b.code = code }
func (b *bufferWriter) Write(p []byte) (int, error) {
	b.body = append(b.body, p...)
	return len(p), nil
}
