package app

import (
	"context"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/notify/inbound"
	"github.com/topsmile/topsmile/shared/patients"
	"github.com/topsmile/topsmile/shared/seal"
)

// inboxRoutes mounts the front desk's inbox of patients' replies (stored
// by the twilio-webhook function, bodies sealed under keys), naming each
// reply's patient from the patients group.
func inboxRoutes(r *authz.Router, g *authz.Guarded, keys *seal.Keys) {
	inbound.InboxRoutes(r, inbound.InboxDeps{
		Store: inbound.NewStore(g.Mongo, keys, g.Clock),
		Audit: g.Audit,
		Names: patientNames{patients.NewStore(g.Mongo, g.Clock)},
		Log:   g.Log,
	})
}

// patientNames names a reply's patient as the desk calls them.
type patientNames struct{ st *patients.Store }

var _ inbound.PatientNames = patientNames{}

func (n patientNames) PatientName(ctx context.Context, clinicID, patientID string) (string, error) {
	p, err := n.st.Get(ctx, clinicID, patientID)
	if err != nil {
		return "", err
	}
	return displayName(p), nil
}
