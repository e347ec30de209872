package app

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/seal"
	"github.com/topsmile/topsmile/shared/webhooks"
	"github.com/topsmile/topsmile/shared/webhooks/webhookroutes"
)

// webhookRoutes mounts the clinic's webhook endpoints and their
// deliveries; secrets sealed under the PHI keys. guard is the options'
// (the local stack's may accept http://; tests resolve names themselves),
// the zero Guard deployed.
func webhookRoutes(r *authz.Router, g *authz.Guarded, keys *seal.Keys, guard webhooks.Guard) {
	webhookroutes.Routes(r, webhookroutes.Deps{Store: webhooks.NewStore(g.Mongo, keys, g.Clock), Guard: &guard, Audit: g.Audit})
}
