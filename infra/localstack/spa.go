package localstack

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// PayCSP is the pay screen's Content-Security-Policy (template.yaml's
// PayHeadersPolicy says the same to CloudFront): the SPA's own, plus
// Stripe.js, its card frames and its API. Every other page keeps the policy
// that loads no third-party script.
const PayCSP = "default-src 'self'; base-uri 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; " +
	"img-src 'self' data: https://*.stripe.com; object-src 'none'; script-src 'self' https://js.stripe.com; script-src-attr 'none'; " +
	"style-src 'self' 'unsafe-inline'; frame-src https://js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com"

// PayPage serves next (the SPA) under the pay screen's policy. It goes
// inside httpapi.SecurityHeaders, whose policy it replaces.
func PayPage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", PayCSP)
		next.ServeHTTP(w, r)
	})
}

// SPA serves the built front end from dir: real files as they are (hashed
// assets cached for a year), and index.html for every other path so client
// routes survive a reload. Without a build it says how to make one. head
// (if any) goes into index.html's head, e.g. DevOutboxMeta.
func SPA(dir string, head ...string) http.Handler {
	extra := strings.Join(head, "")
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		index := filepath.Join(dir, "index.html")
		if _, err := os.Stat(index); err != nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("<!doctype html><title>TopSmile</title><h1>TopSmile</h1><p>The front end is not built. Run <code>make dev</code> (or <code>cd frontend &amp;&amp; npm run build</code>).</p>"))
			return
		}
		clean := path.Clean("/" + r.URL.Path)
		if clean != "/" {
			if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(clean))); err == nil && !st.IsDir() {
				if strings.HasPrefix(clean, "/assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
			if path.Ext(clean) != "" { // a missing file, not a client route
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		if extra == "" {
			http.ServeFile(w, r, index)
			return
		}
		page, err := os.ReadFile(index)
		if err != nil {
			http.Error(w, "front end unreadable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodGet {
			_, _ = w.Write(withHead(page, extra))
		}
	})
}
