package documents

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
)

// Routes registers the document routes. (scaffold: replace)
func Routes(r *authz.Router, d core.Deps) {}
