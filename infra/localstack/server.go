// Package localstack runs the whole clinic on one port: every function of
// template.yaml mounted on its routes with its real handler, the SPA with
// client-side routing, and an in-process notifications queue feeding the
// notifications handler. infra/local wires it to embedded or real services.
package localstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/topsmile/topsmile/shared/billing/cards"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify/inbound"
)

// Stack is the assembled local clinic.
type Stack struct {
	Handler http.Handler
	// Routers are the mounted functions' routers by logical id.
	Routers map[string]*httpapi.Router
	// Consumers are the queue consumers' handlers by logical id.
	Consumers map[string]boot.SQSHandler
	// Schedules are the scheduled functions' handlers by logical id (run
	// by RunSchedules).
	Schedules map[string]boot.ScheduleHandler
	apps      []*boot.App
}

// Close closes every function's clients.
func (s *Stack) Close() {
	for _, a := range s.apps {
		a.Close()
	}
}

// Build mounts every function of tpl. A function in the template that the
// local stack cannot build is an error: the stack would silently miss routes.
// The stack answers only its own host names (loopback and APP_URL's), and
// /_dev/* only with deps.DevToken in X-Dev-Token.
func Build(tpl *Template, deps Deps, distDir string) (*Stack, error) {
	s := &Stack{Routers: map[string]*httpapi.Router{}, Consumers: map[string]boot.SQSHandler{}, Schedules: map[string]boot.ScheduleHandler{}}
	handlers := map[string]http.Handler{}
	for id := range tpl.Functions {
		build, ok := Functions[id]
		if !ok {
			s.Close()
			return nil, fmt.Errorf("template function %s has no local wiring in infra/localstack/functions.go", id)
		}
		a, err := build(deps)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		s.apps = append(s.apps, a)
		if a.Handler != nil {
			s.Routers[id] = a.Router
			handlers[id] = a.Handler
		}
		if a.SQS != nil {
			s.Consumers[id] = a.SQS
		}
		if a.Schedule != nil {
			s.Schedules[id] = a.Schedule
		}
	}
	mux := http.NewServeMux()
	for _, r := range tpl.Routes {
		h, ok := handlers[r.Function]
		if !ok {
			return nil, fmt.Errorf("route %s belongs to %s, which has no HTTP handler", r.Pattern(), r.Function)
		}
		mux.Handle(r.Pattern(), h)
	}
	// Anything else under /api answers like API Gateway's unmatched route,
	// in the contract's shape.
	mux.Handle("/api/", httpapi.Stack(deps.Log, httpapi.NewRouter(deps.Log)))
	// Dev only, behind X-Dev-Token: what the notifications function would
	// have sent (reset and sign-up links among it).
	dev := httpapi.NewRouter(deps.Log)
	if deps.Outbox != nil {
		dev.Handle("GET /_dev/outbox", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"items": deps.Outbox.Messages()})
		}))
	}
	if job, ok := s.Schedules[RemindersFunction]; ok {
		dev.Handle(DevRemindersRunPath, DevRemindersRun(job, deps.Log))
	}
	mux.Handle("/_dev/", httpapi.Stack(deps.Log, devOnly(deps.DevToken, deps.Log, dev)))
	var spaHead []string
	if deps.Outbox != nil {
		// The viewer page is static (it asks for the token); the SPA links it.
		view := httpapi.SecurityHeaders(DevOutboxView())
		mux.Handle("GET "+DevOutboxViewPath, view)
		mux.Handle("GET "+devOutboxJSPath, view)
		spaHead = append(spaHead, DevOutboxMeta)
	}
	// Stripe's part of a card payment (stripe-mock sends no webhooks): it
	// guards itself (the dev token, or the SPA's own same-origin pay screen).
	if hook, ok := handlers["StripeWebhookFunction"]; ok && deps.Mongo != nil {
		var sc cards.Config
		if err := config.LoadFrom(deps.Env, &sc); err != nil {
			s.Close()
			return nil, err
		}
		mux.Handle(DevStripePayPath, httpapi.Stack(deps.Log,
			DevStripePay(cards.NewStore(deps.Mongo, deps.Clock), sc.Secrets(), deps.DevToken, hook, deps.Log)))
	}
	// Twilio's part of a patient's text (no phone reaches the local stack),
	// behind the dev token.
	if hook, ok := handlers["TwilioWebhookFunction"]; ok && deps.Mongo != nil {
		var tc struct {
			Webhook    inbound.Config
			AccountSID string `env:"TWILIO_ACCOUNT_SID"`
		}
		if err := config.LoadFrom(deps.Env, &tc); err != nil {
			s.Close()
			return nil, err
		}
		mux.Handle(DevTwilioInboundPath, httpapi.Stack(deps.Log, devOnly(deps.DevToken, deps.Log,
			DevTwilioInbound(identity.NewStore(deps.Mongo, deps.Clock), tc.Webhook, tc.AccountSID, hook, deps.Log))))
	}
	// The embedded S3 server for documents: presigned URLs are their own
	// authorization (no dev token), and the host check below still holds.
	if deps.S3 != nil {
		mux.Handle("/_s3/", http.StripPrefix("/_s3", deps.S3))
	}
	spa := SPA(distDir, spaHead...)
	mux.Handle("/", httpapi.SecurityHeaders(spa))
	// The pay screen is the one page whose policy lets Stripe.js load.
	mux.Handle("/pay/", httpapi.SecurityHeaders(PayPage(spa)))
	s.Handler = ownHosts(deps.AppURL, deps.Log, mux)
	return s, nil
}

// Serve serves h on l until ctx ends, then shuts down gracefully. ready (if
// not nil) receives the bound address once serving. The caller listens first,
// so links built from the address (APP_URL with PORT=0) name the real port.
func Serve(ctx context.Context, l net.Listener, h http.Handler, ready func(net.Addr)) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if ready != nil {
		ready(l.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
