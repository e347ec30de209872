package localstack

import (
	"log/slog"
	"net/http"

	"github.com/redis/go-redis/v9"

	adminapp "github.com/topsmile/topsmile/functions/admin/app"
	authapp "github.com/topsmile/topsmile/functions/auth/app"
	billingapp "github.com/topsmile/topsmile/functions/billing/app"
	clinicalapp "github.com/topsmile/topsmile/functions/clinical/app"
	healthapp "github.com/topsmile/topsmile/functions/health/app"
	notificationsapp "github.com/topsmile/topsmile/functions/notifications/app"
	patientsapp "github.com/topsmile/topsmile/functions/patients/app"
	realtimeapp "github.com/topsmile/topsmile/functions/realtime/app"
	remindersapp "github.com/topsmile/topsmile/functions/reminders/app"
	schedulingapp "github.com/topsmile/topsmile/functions/scheduling/app"
	stripewebhookapp "github.com/topsmile/topsmile/functions/stripewebhook/app"
	twiliowebhookapp "github.com/topsmile/topsmile/functions/twiliowebhook/app"
	"github.com/topsmile/topsmile/shared/boot"
	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/config"
	"github.com/topsmile/topsmile/shared/live"
	"github.com/topsmile/topsmile/shared/live/hub"
	"github.com/topsmile/topsmile/shared/notify"
	"github.com/topsmile/topsmile/shared/store"
	"github.com/topsmile/topsmile/shared/webhooks"
)

// Deps are what the local stack runs every function with: the environment
// each function's own Config is loaded from (the process environment over
// the local defaults), the logger and clock, and the in-process stand-ins
// for what a deployed stack has outside (the queue, the delivery channels).
// Mongo and Redis are the local stack's own clients, for bootstrap, seed and
// sweeps; every function builds its own from the environment, as on Lambda.
type Deps struct {
	Env       config.Lookup
	Log       *slog.Logger
	Clock     clock.Clock
	Publisher notify.Publisher
	Outbox    *notify.Outbox
	Mongo     *store.Mongo
	Redis     *redis.Client
	// AppURL is where links in messages point (APP_URL); its host name is
	// the one the stack answers besides localhost.
	AppURL string
	// DevToken opens /_dev/* (TOPSMILE_DEV_TOKEN, or one made at start);
	// empty, they answer no one.
	DevToken string
	// Hub holds the live schedule's WebSockets (GET /api/live) and Live
	// fans each change out to them in process; nil, the stack makes its
	// own hub and screens hear of no changes.
	Hub  *hub.Hub
	Live live.Publisher
	// S3 is the embedded S3-protocol server documents are kept in, served
	// at /_s3/ on the stack's own origin (so the SPA's presigned uploads
	// and downloads need no CORS); nil when S3_ENDPOINT names another.
	S3 http.Handler
}

func (d Deps) boot() boot.Options { return boot.Options{Log: d.Log, Clock: d.Clock} }

// load fills a function's Config from d.Env and builds it with newApp.
func load[C, O any](d Deps, newApp func(C, O) (*boot.App, error), o O) (*boot.App, error) {
	var cfg C
	if err := config.LoadFrom(d.Env, &cfg); err != nil {
		return nil, err
	}
	return newApp(cfg, o)
}

// Function builds one template function the way its Lambda main does.
type Function func(d Deps) (*boot.App, error)

// Functions maps template logical ids to their composition roots. A test
// fails when a function of template.yaml is missing here, or a route differs.
var Functions = map[string]Function{
	"HealthFunction": func(d Deps) (*boot.App, error) { return load(d, healthapp.New, d.boot()) },
	"AdminFunction": func(d Deps) (*boot.App, error) {
		// Locally an endpoint may be http:// (a tunnel to a receiver); it
		// must still resolve to a public address.
		return load(d, adminapp.New, adminapp.Options{Options: d.boot(), Publisher: d.Publisher, Webhooks: webhooks.Guard{AllowHTTP: true}})
	},
	"PatientsFunction": func(d Deps) (*boot.App, error) { return load(d, patientsapp.New, d.boot()) },
	"ClinicalFunction": func(d Deps) (*boot.App, error) { return load(d, clinicalapp.New, d.boot()) },
	"BillingFunction":  func(d Deps) (*boot.App, error) { return load(d, billingapp.New, d.boot()) },
	"StripeWebhookFunction": func(d Deps) (*boot.App, error) {
		return load(d, stripewebhookapp.New, d.boot())
	},
	"TwilioWebhookFunction": func(d Deps) (*boot.App, error) {
		return load(d, twiliowebhookapp.New, twiliowebhookapp.Options{Options: d.boot(), Live: d.Live})
	},
	"AuthFunction": func(d Deps) (*boot.App, error) {
		return load(d, authapp.New, authapp.Options{Options: d.boot(), Publisher: d.Publisher})
	},
	"SchedulingFunction": func(d Deps) (*boot.App, error) {
		return load(d, schedulingapp.New, schedulingapp.Options{Options: d.boot(), Publisher: d.Publisher, Live: d.Live})
	},
	"RealtimeFunction": func(d Deps) (*boot.App, error) {
		h := d.Hub
		if h == nil {
			h = hub.NewHub(d.Log)
		}
		return load(d, realtimeapp.New, realtimeapp.Options{Options: d.boot(), Hub: h})
	},
	"RemindersFunction": func(d Deps) (*boot.App, error) {
		// POST /_dev/reminders/run may run it as of another instant.
		return load(d, remindersapp.New, remindersapp.Options{Options: d.boot(), Publisher: d.Publisher, Live: d.Live, AllowAt: true})
	},
	"NotificationsFunction": func(d Deps) (*boot.App, error) {
		// Locally every channel goes to the outbox.
		senders := map[notify.Channel]notify.Sender{notify.Email: d.Outbox, notify.SMS: d.Outbox}
		return load(d, notificationsapp.New, notificationsapp.Options{Options: d.boot(), Senders: senders})
	},
}
