// Package notes is the clinical record's notes and prescriptions: SOAP,
// procedure and progress notes drafted from templates, signed once and
// corrected only by amendments; prescriptions checked against the
// patient's recorded allergies. Free text is sealed at rest.
package notes

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/clinical/core"
)

// Routes registers the note and prescription routes.
func Routes(r *authz.Router, d core.Deps) {}
