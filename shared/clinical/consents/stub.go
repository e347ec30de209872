package consents

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
)

// Routes registers the consent routes. (scaffold: replace)
func Routes(r *authz.Router, d core.Deps) {}
