// Package app is the realtime function's composition root: API Gateway's
// WebSocket routes ($connect through the guard, $disconnect, $default) and
// the live queue's fan-out to the clinic's connections. Locally the same
// connector serves GET /api/live as a WebSocket (the hub).
package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/live/apigw"
)

// Config is everything the realtime function reads.
type Config struct {
	boot.Config
	Security authz.Config
	// AppURL is the SPA's origin: sockets from any other are refused.
	AppURL string `env:"APP_URL,required"`
	Limits live.Limits
	// Management is API Gateway's Management API (deployed only).
	Management apigw.Config
}

// Options are the boot options plus, locally, the hub that accepts and
// holds the sockets (then the Management API is not used).
type Options struct {
	boot.Options
	Hub interface {
		live.Poster
		live.Acceptor
	}
}

// Parts are what the local stack shares with the scheduling function: the
// fan-out it publishes to in process.
type Parts struct {
	App    *boot.App
	Fanout *live.Fanout
}

// New assembles the function (no I/O).
func New(cfg Config, o Options) (*boot.App, error) {
	p, err := Build(cfg, o)
	return p.App, err
}

// Build is New with the fan-out exposed.
func Build(cfg Config, o Options) (Parts, error) {
	g, err := authz.Open(cfg.Config, cfg.Security, cfg, o.Options)
	if err != nil {
		return Parts{}, err
	}
	reg := &live.Registry{Redis: g.Redis, Limits: cfg.Limits}
	var poster live.Poster
	conn := &live.Connector{Registry: reg, Origin: cfg.AppURL, Now: g.Clock.Now, Log: g.Log}
	if o.Hub != nil {
		poster, conn.Accept = o.Hub, o.Hub
	} else {
		p, err := apigw.New(cfg.Management)
		if err != nil {
			return Parts{}, err
		}
		poster = p
	}
	fan := &live.Fanout{Registry: reg, Poster: poster, Log: g.Log, Now: g.Clock.Now}
	live.Routes(g.Routes(), conn)
	a := g.App()
	ws := &sockets{handler: a.Handler, registry: reg}
	a.Raw = func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe struct {
			Records        []json.RawMessage `json:"Records"`
			RequestContext *struct {
				RouteKey string `json:"routeKey"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, err
		}
		if probe.Records != nil {
			var ev events.SQSEvent
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, err
			}
			return fan.HandleSQS(ctx, ev)
		}
		if probe.RequestContext == nil {
			return nil, errUnknownEvent
		}
		var ev events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return ws.handle(ctx, ev)
	}
	return Parts{App: a, Fanout: fan}, nil
}

var errUnknownEvent = errors.New("realtime: neither a WebSocket route nor a queue batch")

// sockets serves API Gateway's WebSocket routes.
type sockets struct {
	handler  http.Handler
	registry *live.Registry
}

func (s *sockets) handle(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	id := ev.RequestContext.ConnectionID
	switch ev.RequestContext.RouteKey {
	case "$connect":
		return s.connect(ctx, ev), nil
	case "$disconnect":
		if err := s.registry.Remove(ctx, id); err != nil {
			return events.APIGatewayProxyResponse{StatusCode: http.StatusServiceUnavailable}, nil
		}
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	default: // the SPA's keep-alive pings: nothing to answer
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	}
}

// connect runs $connect through the same stack as any API request (the
// guard checks the cookie, the deny list and the role) as GET /api/live.
func (s *sockets) connect(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) events.APIGatewayProxyResponse {
	req, err := http.NewRequestWithContext(live.WithConnectionID(ctx, ev.RequestContext.ConnectionID), http.MethodGet, live.Path, nil)
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusBadRequest}
	}
	for k, v := range ev.Headers {
		req.Header.Set(k, v)
	}
	for k, vs := range ev.MultiValueHeaders {
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	// API Gateway splits a Cookie header on its separators into several
	// values; the request reads one header.
	if cs := req.Header.Values("Cookie"); len(cs) > 1 {
		req.Header.Set("Cookie", strings.Join(cs, "; "))
	}
	req.Host = req.Header.Get("Host")
	req.RemoteAddr = ev.RequestContext.Identity.SourceIP + ":0"
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	s.handler.ServeHTTP(rec, req)
	return events.APIGatewayProxyResponse{StatusCode: rec.status, Body: rec.body.String(), Headers: map[string]string{"Content-Type": rec.header.Get("Content-Type")}}
}

// recorder keeps what the handler answered.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   strings.Builder
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
