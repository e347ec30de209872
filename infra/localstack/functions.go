package localstack

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/health"
	"github.com/topsmile/topsmile/shared/httpapi"
	"github.com/topsmile/topsmile/shared/identity"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/platform"
	"github.com/topsmile/topsmile/shared/scheduling"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/token"
)

// Deps are the clients the local stack builds once and shares between the
// functions it mounts (each Lambda builds its own in production).
type Deps struct {
	Log       *slog.Logger
	Mongo     *store.Mongo
	Redis     *redis.Client
	Publisher notify.Publisher
	Outbox    *notify.Outbox
	Clock     clock.Clock
	Token     token.Config
	Identity  identity.Config
}

// identityRouter builds the identity service and mounts one of its route sets.
func identityRouter(d Deps, mount func(*identity.Service, *httpapi.Router)) (*httpapi.Router, error) {
	svc, err := identity.New(d.Identity, d.Token, d.Mongo, d.Redis, d.Publisher, d.Clock, d.Log)
	if err != nil {
		return nil, err
	}
	rt := httpapi.NewRouter(d.Log)
	mount(svc, rt)
	return rt, nil
}

// SQSHandler is a queue consumer's Lambda handler.
type SQSHandler func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// Function is how the local stack builds one template function's handler;
// the wiring mirrors functions/<group>/main.go.
type Function struct {
	HTTP func(d Deps) (*httpapi.Router, error)
	SQS  func(d Deps) SQSHandler
}

// Functions maps template logical ids to their handlers. A test fails when a
// function of template.yaml is missing here, or a route differs.
var Functions = map[string]Function{
	"HealthFunction": {HTTP: func(d Deps) (*httpapi.Router, error) {
		rt := httpapi.NewRouter(d.Log)
		health.Routes(rt, health.Deps{Checks: health.Standard(d.Mongo, d.Redis), Clock: d.Clock})
		return rt, nil
	}},
	"AuthFunction": {HTTP: func(d Deps) (*httpapi.Router, error) {
		return identityRouter(d, identity.MountAuth)
	}},
	"AdminFunction": {HTTP: func(d Deps) (*httpapi.Router, error) {
		return identityRouter(d, identity.MountAdmin)
	}},
	"PatientsFunction": {HTTP: func(d Deps) (*httpapi.Router, error) {
		p, err := authz.NewPlatform(d.Token, d.Mongo, d.Redis, d.Clock, d.Log)
		if err != nil {
			return nil, err
		}
		rt := httpapi.NewRouter(d.Log)
		appointments := platform.Scheduling(d.Mongo, d.Redis, d.Clock, nil, "")
		patients.Routes(p.Guard.Router(rt), patients.Deps{Store: patients.NewStore(d.Mongo, d.Clock), Audit: p.Audit, Clock: d.Clock, Log: d.Log,
			Timeline: []patients.TimelineSource{platform.AppointmentsTimeline(appointments)}})
		return rt, nil
	}},
	"SchedulingFunction": {HTTP: func(d Deps) (*httpapi.Router, error) {
		p, err := authz.NewPlatform(d.Token, d.Mongo, d.Redis, d.Clock, d.Log)
		if err != nil {
			return nil, err
		}
		rt := httpapi.NewRouter(d.Log)
		st := platform.Scheduling(d.Mongo, d.Redis, d.Clock, d.Publisher, d.Identity.AppURL)
		scheduling.Routes(p.Guard.Router(rt), scheduling.Deps{Store: st, Audit: p.Audit, Log: d.Log})
		return rt, nil
	}},
	"NotificationsFunction": {SQS: func(d Deps) SQSHandler {
		// Locally every channel goes to the outbox unless real senders are set.
		c := &notify.Consumer{
			Senders: map[notify.Channel]notify.Sender{notify.Email: d.Outbox, notify.SMS: d.Outbox},
			Redis:   d.Redis,
			Log:     d.Log,
		}
		return c.Handle
	}},
}
