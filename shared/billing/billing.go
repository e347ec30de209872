// Package billing is the money resource group: insurance plans, coverages
// and estimates (packages insurance and estimate), the patient ledger with
// its invoices, payments, adjustments, refunds and statements (package
// ledger), and card payments through Stripe (package cards). Routes binds
// them; insurance reads the ledger's history, and the card part posts to
// the ledger, each through core's small interfaces.
package billing

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
)

// Routes registers the billing routes behind the guard.
func Routes(r *authz.Router, d core.Deps) {
	_ = r
	_ = d
}
