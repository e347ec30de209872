package localstack

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/httpapi"
)

// HeaderDevToken carries TOPSMILE_DEV_TOKEN on requests to /_dev/*.
const HeaderDevToken = "X-Dev-Token"

// loopbackHosts are the names this machine answers to itself.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// ownHosts answers only requests addressed to this machine: a Host of
// localhost, 127.0.0.1 or [::1] (any port) or APP_URL's host name, and 403
// for any other. A page of attacker.example whose name the attacker has
// rebound to 127.0.0.1 reaches the stack with its own name as Host, and
// with a matching Origin it passes the cross-origin check: without this it
// could sign in and read the dev outbox (live reset links).
func ownHosts(appURL string, log *slog.Logger, next http.Handler) http.Handler {
	own := map[string]bool{}
	for _, h := range loopbackHosts {
		own[h] = true
	}
	if u, err := url.Parse(appURL); err == nil && u.Hostname() != "" {
		own[strings.ToLower(u.Hostname())] = true
	}
	refuse := httpapi.RequestIDMiddleware(httpapi.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteError(w, r, log, errs.E(errs.Forbidden, "this development server answers only localhost"))
	})))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !own[strings.ToLower((&url.URL{Host: r.Host}).Hostname())] {
			refuse.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// devOnly lets through requests whose X-Dev-Token equals token: none is
// 401, another 403. An empty token lets nothing through.
func devOnly(token string, log *slog.Logger, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent := r.Header.Get(HeaderDevToken)
		got := sha256.Sum256([]byte(sent))
		switch {
		case sent == "":
			httpapi.WriteError(w, r, log, errs.E(errs.Unauthorized, "dev endpoints need the %s header: the dev token the local stack printed at start", HeaderDevToken))
		case token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1:
			httpapi.WriteError(w, r, log, errs.E(errs.Forbidden, "wrong %s", HeaderDevToken))
		default:
			next.ServeHTTP(w, r)
		}
	})
}
