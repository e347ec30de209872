// Package billing is the money resource group: insurance plans, coverages
// and estimates (packages insurance and estimate), the patient ledger with
// its invoices, payments, adjustments, refunds and statements (package
// ledger), and card payments through Stripe (package cards). Routes binds
// them; insurance reads the ledger's history, and the card part posts to
// the ledger, each through core's small interfaces.
package billing

import (
	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/cards"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/billing/insurance"
	"github.com/topsmile/topsmile/shared/billing/ledger"
)

// Routes registers the billing function's routes behind the guard.
func Routes(r *authz.Router, d core.Deps) {
	book := ledger.NewBook(d)
	ledger.Routes(r, d, book)
	insurance.Routes(r, d, book.History)
	cards.Routes(r, d, book, cards.NewStore(d.Mongo, d.Clock))
}
