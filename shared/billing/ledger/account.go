package ledger

import (
	"time"

	"github.com/topsmile/topsmile/shared/billing/core"
)

// Aging is the open balance by how old the charges it is made of are
// (core.Age derives it).
type Aging = core.Aging

// account is what the entries add up to. Nothing of it is stored: it is
// derived from the entries on every read.
type account struct {
	// Balance is what the patient owes; negative is a credit.
	Balance int64
	// Credit is the credit on the account (the negative balance), 0 when
	// the patient owes.
	Credit int64
	Aging  Aging
	Items  []Entry
}

// summarize adds up es (oldest first) as of now. The running balance is
// the sum of the effects so far; the aging is core.Age's (credits to the
// oldest debits first, days counted in the clinic's zone loc).
func summarize(es []entry, loc *time.Location, now time.Time) account {
	refunded := map[string]int64{}
	effects := make([]core.Effect, 0, len(es))
	for _, e := range es {
		if e.Kind == core.KindRefund && e.PaymentID != "" {
			refunded[e.PaymentID] += e.AmountCents
		}
		effects = append(effects, core.Effect{At: e.At, Cents: e.EffectCents})
	}
	var a account
	a.Items = make([]Entry, 0, len(es))
	for _, e := range es {
		a.Balance += e.EffectCents
		a.Items = append(a.Items, e.view(a.Balance, refunded[e.ID]))
	}
	a.Aging = core.Age(effects, loc, now)
	if a.Balance < 0 {
		a.Credit = -a.Balance
	}
	return a
}

// localDate is t's date in loc, as YYYY-MM-DD.
func localDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(time.DateOnly)
}
