package plans

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
)

// Charter charts a completed plan item. (scaffold: replace)
type Charter interface{}

// Routes registers the procedure code and treatment plan routes.
func Routes(r *authz.Router, d core.Deps, c Charter) {}
