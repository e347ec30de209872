package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/topsmile/topsmile/shared/authz"
	"github.com/topsmile/topsmile/shared/billing/core"
	"github.com/topsmile/topsmile/shared/ids"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Balance and aging are derived from the entries: FIFO allocation of
// credits to the oldest debits, days counted between dates in the clinic's
// zone.
func TestSummarize(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tokyo := mustZone(t, "Asia/Tokyo")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc).UTC()
	}
	charge := func(id string, cents int64, when time.Time) entry {
		return entry{ID: id, Kind: core.KindCharge, AmountCents: cents, EffectCents: cents, At: when}
	}
	pay := func(id string, cents int64, when time.Time) entry {
		return entry{ID: id, Kind: core.KindPatientPayment, AmountCents: cents, EffectCents: -cents, At: when}
	}
	cases := []struct {
		name    string
		loc     *time.Location
		now     time.Time
		entries []entry
		balance int64
		credit  int64
		aging   Aging
	}{
		{
			// 23:30 on Jan 1 in New York is Jan 2 in UTC: on Feb 1 it is 31
			// local days old (31-60), though only 30 by UTC dates.
			name: "charge at 23:30 local on the 30-day boundary, west of UTC", loc: ny,
			now:     at(ny, 2026, 2, 1, 10, 0),
			entries: []entry{charge("a", 10000, at(ny, 2026, 1, 1, 23, 30))},
			balance: 10000, aging: Aging{Days31: 10000},
		},
		{
			name: "same charge a day earlier is still current", loc: ny,
			now:     at(ny, 2026, 1, 31, 10, 0),
			entries: []entry{charge("a", 10000, at(ny, 2026, 1, 1, 23, 30))},
			balance: 10000, aging: Aging{Current: 10000},
		},
		{
			// 00:30 on Jan 2 in Tokyo is Jan 1 in UTC: on Jan 31 (Tokyo) it
			// is 29 local days old.
			name: "charge just after midnight local, east of UTC", loc: tokyo,
			now:     at(tokyo, 2026, 2, 1, 9, 0),
			entries: []entry{charge("a", 5000, at(tokyo, 2026, 1, 2, 0, 30))},
			balance: 5000, aging: Aging{Current: 5000},
		},
		{
			name: "a partial payment pays the oldest charge first", loc: time.UTC,
			now: at(time.UTC, 2026, 6, 1, 12, 0),
			entries: []entry{
				charge("old", 20000, at(time.UTC, 2026, 1, 15, 9, 0)), // 137 days
				charge("mid", 10000, at(time.UTC, 2026, 3, 20, 9, 0)), // 73 days
				charge("new", 5000, at(time.UTC, 2026, 5, 20, 9, 0)),  // 12 days
				pay("p", 25000, at(time.UTC, 2026, 5, 25, 9, 0)),      // pays old, half of mid
			},
			balance: 10000, aging: Aging{Current: 5000, Days61: 5000},
		},
		{
			name: "overpayment is a credit with nothing aged", loc: time.UTC,
			now: at(time.UTC, 2026, 6, 1, 12, 0),
			entries: []entry{
				charge("c", 10000, at(time.UTC, 2026, 1, 15, 9, 0)),
				pay("p", 14000, at(time.UTC, 2026, 1, 16, 9, 0)),
			},
			balance: -4000, credit: 4000,
		},
		{
			name: "a refund is a debit that ages from its own date", loc: time.UTC,
			now: at(time.UTC, 2026, 6, 1, 12, 0),
			entries: []entry{
				charge("c", 10000, at(time.UTC, 2026, 1, 15, 9, 0)),
				pay("p", 10000, at(time.UTC, 2026, 1, 16, 9, 0)),
				{ID: "r", Kind: core.KindRefund, AmountCents: 3000, EffectCents: 3000, PaymentID: "p", At: at(time.UTC, 2026, 5, 30, 9, 0)},
			},
			balance: 3000, aging: Aging{Current: 3000},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := summarize(c.entries, c.loc, c.now)
			if a.Balance != c.balance || a.Credit != c.credit || a.Aging != c.aging {
				t.Fatalf("balance %d credit %d aging %+v, want %d %d %+v", a.Balance, a.Credit, a.Aging, c.balance, c.credit, c.aging)
			}
			if a.Balance > 0 && a.Aging.Total() != a.Balance {
				t.Fatalf("aging %d does not add up to the balance %d", a.Aging.Total(), a.Balance)
			}
			if n := len(a.Items); n > 0 && a.Items[n-1].BalanceCents != c.balance {
				t.Fatalf("running balance ends at %d, want %d", a.Items[n-1].BalanceCents, c.balance)
			}
		})
	}
}

// The ledger route ages in the clinic's zone too, end to end.
func TestLedgerAgesInClinicZone(t *testing.T) {
	e := newTestEnv(t)
	e.zone = mustZone(t, "America/Los_Angeles")
	pt := e.mustPatient("")
	e.clock.Set(time.Date(2026, 1, 1, 23, 30, 0, 0, e.zone))
	e.charge(t, pt.ID, "CLN-AD", 0)
	e.clock.Set(time.Date(2026, 1, 31, 20, 0, 0, 0, e.zone)) // Feb 1 in UTC
	if l := e.ledger(t, pt.ID); l.Aging != (Aging{Current: 12000}) || l.BalanceCents != 12000 || l.Currency != "USD" {
		t.Fatalf("day 30: %+v", l)
	}
	e.clock.Set(time.Date(2026, 2, 1, 0, 30, 0, 0, e.zone))
	if l := e.ledger(t, pt.ID); l.Aging != (Aging{Days31: 12000}) {
		t.Fatalf("day 31: %+v", l.Aging)
	}
}

// A charge event is posted once however often it is taken: a take whose
// Taken call failed posts nothing twice when it is retried.
func TestChargeEventTakenOnce(t *testing.T) {
	e := newTestEnv(t)
	pt := e.mustPatient("")
	ev := core.ChargeEvent{ID: ids.New(), PatientID: pt.ID, PlanID: ids.New(), ItemID: ids.New(), Code: "FIL-1",
		Description: "Composite filling", Tooth: "3", AmountCents: 18500, At: e.clock.Now()}
	e.feed.add(ev)
	e.feed.failTaken = 1
	if code, raw := e.do(t, staff(e), "GET", "/api/patients/"+pt.ID+"/ledger", nil, nil); code != 503 {
		t.Fatalf("first take: %d %s", code, raw)
	}
	for range 2 {
		l := e.ledger(t, pt.ID)
		if len(l.Items) != 1 || l.BalanceCents != 18500 || l.Items[0].ItemID != ev.ItemID || l.Items[0].Code != "FIL-1" {
			t.Fatalf("ledger after take: %+v", l)
		}
	}
	hist, err := e.book.History(context.Background(), e.clinic, pt.ID)
	if err != nil || len(hist) != 1 || hist[0].Category != "basic" {
		t.Fatalf("history %+v %v", hist, err)
	}
}

func TestPostingValidation(t *testing.T) {
	e := newTestEnv(t)
	pt := e.mustPatient("")
	base := "/api/patients/" + pt.ID
	cases := []struct {
		name  string
		path  string
		body  map[string]any
		field string
	}{
		{"adjustment without a reason", "/adjustments", map[string]any{"amountCents": 500, "adjustmentType": "courtesy", "reason": " "}, "reason"},
		{"adjustment of an unknown type", "/adjustments", map[string]any{"amountCents": 500, "adjustmentType": "gift", "reason": "x"}, "adjustmentType"},
		{"adjustment of nothing", "/adjustments", map[string]any{"amountCents": 0, "adjustmentType": "courtesy", "reason": "x"}, "amountCents"},
		{"charge of an unknown code", "/charges", map[string]any{"code": "NOPE"}, "code"},
		{"payment by card at the desk", "/payments", map[string]any{"amountCents": 100, "method": "card"}, "method"},
		{"insurance payment without coverage", "/payments", map[string]any{"amountCents": 100, "method": "insurance"}, "coverageId"},
		{"EOB line of no charge", "/payments", map[string]any{"amountCents": 100, "method": "insurance", "coverageId": ids.New(),
			"lines": []map[string]any{{"entryId": ids.New(), "paidCents": 100, "deductibleCents": 0}}}, "lines[0].entryId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := e.must(t, 400, staff(e), "POST", base+c.path, c.body, nil)
			if !bytes.Contains(raw, []byte(`"field":"`+c.field+`"`)) {
				t.Fatalf("400 without field %s: %s", c.field, raw)
			}
		})
	}
	if l := e.ledger(t, pt.ID); len(l.Items) != 0 {
		t.Fatalf("refused posts left entries: %+v", l.Items)
	}
	var adj Entry
	e.must(t, 201, staff(e), "POST", base+"/adjustments", map[string]any{"amountCents": 500, "adjustmentType": "correction_debit", "reason": "missed lab fee"}, &adj)
	if adj.EffectCents != 500 || adj.BalanceCents != 500 || adj.Reason != "missed lab fee" {
		t.Fatalf("debit adjustment %+v", adj)
	}
}

// Two payments racing for one invoice never overpay it: it is paid once,
// the excess is a credit on the account, and the balance is exact.
func TestConcurrentPaymentsOnOneInvoice(t *testing.T) {
	e := newTestEnv(t)
	pt := e.mustPatient("")
	e.charge(t, pt.ID, "CLN-AD", 0) // 120.00
	inv := e.invoiceOf(t, pt.ID)
	const n = 3
	answers := make([]PaymentAnswer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			e.must(t, 201, staff(e), "POST", "/api/patients/"+pt.ID+"/payments",
				map[string]any{"amountCents": 7000, "method": "cash", "invoiceId": inv.ID}, &answers[i])
		})
	}
	wg.Wait()
	var applied, credit int64
	for _, a := range answers {
		applied += a.AppliedCents
		credit += a.CreditCents
	}
	if applied != 12000 || credit != 3*7000-12000 {
		t.Fatalf("applied %d credit %d: %+v", applied, credit, answers)
	}
	var got Invoice
	e.must(t, 200, staff(e), "GET", "/api/invoices/"+inv.ID, nil, &got)
	if got.Status != core.InvoicePaid || got.PaidCents != 12000 || got.BalanceCents != 0 {
		t.Fatalf("invoice %+v", got)
	}
	l := e.ledger(t, pt.ID)
	if l.BalanceCents != 12000-21000 || l.CreditCents != 9000 || len(l.Items) != 4 {
		t.Fatalf("ledger balance %d credit %d items %d", l.BalanceCents, l.CreditCents, len(l.Items))
	}
}

// Two racing invoice POSTs put each charge on one invoice.
func TestConcurrentInvoices(t *testing.T) {
	e := newTestEnv(t)
	pt := e.mustPatient("")
	for _, c := range []string{"CLN-AD", "FIL-1", "CRN"} {
		e.charge(t, pt.ID, c, 0)
	}
	const n = 4
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			codes[i], _ = e.do(t, staff(e), "POST", "/api/invoices", map[string]any{"patientId": pt.ID}, nil)
		})
	}
	wg.Wait()
	var list struct{ Items []Invoice }
	e.must(t, 200, staff(e), "GET", "/api/invoices?patientId="+pt.ID, nil, &list)
	seen := map[string]string{}
	numbers := map[string]bool{}
	var total int64
	for _, inv := range list.Items {
		if numbers[inv.Number] {
			t.Fatalf("number %s twice", inv.Number)
		}
		numbers[inv.Number] = true
		for _, l := range inv.Lines {
			if other, ok := seen[l.EntryID]; ok {
				t.Fatalf("charge %s on %s and %s", l.EntryID, other, inv.ID)
			}
			seen[l.EntryID] = inv.ID
		}
		total += inv.AmountCents
	}
	if len(seen) != 3 || total != 12000+18500+110000 {
		t.Fatalf("invoiced %d charges, %d cents (answers %v)", len(seen), total, codes)
	}
	for _, c := range codes {
		if c != 201 && c != 422 {
			t.Fatalf("answers %v", codes)
		}
	}
	e.must(t, 422, staff(e), "POST", "/api/invoices", map[string]any{"patientId": pt.ID}, nil)
}

// Racing refunds of one payment never exceed it; the refundable amount
// is checked against the payment's versioned record.
func TestConcurrentRefunds(t *testing.T) {
	e := newTestEnv(t)
	pt := e.mustPatient("")
	e.charge(t, pt.ID, "CRN", 0)
	var pay PaymentAnswer
	e.must(t, 201, staff(e), "POST", "/api/patients/"+pt.ID+"/payments", map[string]any{"amountCents": 10000, "method": "cheque", "reference": "chq 1042"}, &pay)
	const n = 5
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			codes[i], _ = e.do(t, staff(e), "POST", "/api/payments/"+pay.Payment.ID+"/refund", map[string]any{"amountCents": 3000, "reason": "overpaid"}, nil)
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case 201:
			ok++
		case 422, 409:
		default:
			t.Fatalf("answers %v", codes)
		}
	}
	l := e.ledger(t, pt.ID)
	var refunded int64
	for _, it := range l.Items {
		if it.Kind == core.KindRefund {
			refunded += it.AmountCents
		}
	}
	if ok != 3 || refunded != 9000 || l.BalanceCents != 110000-10000+9000 {
		t.Fatalf("%d refunds of %d cents, balance %d (answers %v)", ok, refunded, l.BalanceCents, codes)
	}
	var out struct{ Refund, Payment Entry }
	e.must(t, 201, staff(e), "POST", "/api/payments/"+pay.Payment.ID+"/refund", map[string]any{"reason": "the rest"}, &out)
	if out.Refund.AmountCents != 1000 || out.Payment.RefundedCents == nil || *out.Payment.RefundedCents != 10000 {
		t.Fatalf("refund of the rest %+v", out)
	}
	e.must(t, 422, staff(e), "POST", "/api/payments/"+pay.Payment.ID+"/refund", map[string]any{"reason": "again"}, nil)
	e.must(t, 400, staff(e), "POST", "/api/payments/"+pay.Payment.ID+"/refund", map[string]any{}, nil)
}

// A refund of an invoice payment reopens the invoice by what it takes
// back beyond the payment's credit part; a paid invoice does not void.
func TestRefundReopensInvoice(t *testing.T) {
	e := newTestEnv(t)
	pt := e.mustPatient("")
	e.charge(t, pt.ID, "CLN-AD", 0)
	inv := e.invoiceOf(t, pt.ID)
	var pay PaymentAnswer
	e.must(t, 201, staff(e), "POST", "/api/patients/"+pt.ID+"/payments", map[string]any{"amountCents": 15000, "method": "cash", "invoiceId": inv.ID}, &pay)
	if pay.AppliedCents != 12000 || pay.CreditCents != 3000 || pay.Invoice == nil || pay.Invoice.Status != core.InvoicePaid {
		t.Fatalf("payment %+v", pay)
	}
	e.must(t, 409, staff(e), "POST", "/api/invoices/"+inv.ID+"/void", nil, nil)
	steps := []struct {
		refund int64
		paid   int64
		status string
	}{
		{3000, 12000, core.InvoicePaid}, // the credit part first
		{2000, 10000, core.InvoiceOpen},
		{10000, 0, core.InvoiceOpen},
	}
	for _, s := range steps {
		e.must(t, 201, staff(e), "POST", "/api/payments/"+pay.Payment.ID+"/refund", map[string]any{"amountCents": s.refund, "reason": "r"}, nil)
		var got Invoice
		e.must(t, 200, staff(e), "GET", "/api/invoices/"+inv.ID, nil, &got)
		if got.PaidCents != s.paid || got.Status != s.status {
			t.Fatalf("after refund of %d: %+v", s.refund, got)
		}
	}
	var void Invoice
	e.must(t, 200, staff(e), "POST", "/api/invoices/"+inv.ID+"/void", nil, &void)
	if void.Status != core.InvoiceVoid {
		t.Fatalf("void %+v", void)
	}
	again := e.invoiceOf(t, pt.ID) // the voided invoice's charge is free again
	if again.AmountCents != 12000 || again.Number == inv.Number {
		t.Fatalf("reinvoiced %+v", again)
	}
}

// The card part's posts are idempotent by the processor's ids and net
// right out of order.
func TestCardPosts(t *testing.T) {
	ctx := context.Background()
	t.Run("paid twice posts one entry", func(t *testing.T) {
		e := newTestEnv(t)
		pt := e.mustPatient("")
		e.charge(t, pt.ID, "CLN-AD", 0)
		inv := e.invoiceOf(t, pt.ID)
		cp := core.CardPayment{EventID: "evt_1", InvoiceID: inv.ID, PaymentIntentID: "pi_1", ChargeID: "ch_1", AmountCents: 12000, Currency: "usd", At: e.clock.Now()}
		for range 2 {
			if err := e.book.CardPaid(ctx, e.clinic, cp); err != nil {
				t.Fatal(err)
			}
		}
		l := e.ledger(t, pt.ID)
		f, err := e.book.InvoiceFacts(ctx, e.clinic, inv.ID)
		if err != nil || len(l.Items) != 2 || l.BalanceCents != 0 || f.Status != core.InvoicePaid || f.BalanceCents != 0 {
			t.Fatalf("ledger %+v facts %+v %v", l, f, err)
		}
	})
	t.Run("refund before its payment nets right", func(t *testing.T) {
		e := newTestEnv(t)
		pt := e.mustPatient("")
		e.charge(t, pt.ID, "CLN-AD", 0)
		inv := e.invoiceOf(t, pt.ID)
		ref := core.CardRefund{EventID: "evt_r", PaymentIntentID: "pi_2", ChargeID: "ch_2", RefundID: "re_2", AmountCents: 5000, At: e.clock.Now()}
		if err := e.book.CardRefunded(ctx, e.clinic, ref); err != nil {
			t.Fatal(err)
		}
		if l := e.ledger(t, pt.ID); l.BalanceCents != 12000 || len(l.Items) != 1 {
			t.Fatalf("before the success: %+v", l)
		}
		cp := core.CardPayment{EventID: "evt_p", InvoiceID: inv.ID, PaymentIntentID: "pi_2", ChargeID: "ch_2", AmountCents: 12000, At: e.clock.Now()}
		for range 2 {
			if err := e.book.CardPaid(ctx, e.clinic, cp); err != nil {
				t.Fatal(err)
			}
			if err := e.book.CardRefunded(ctx, e.clinic, ref); err != nil {
				t.Fatal(err)
			}
		}
		l := e.ledger(t, pt.ID)
		f, _ := e.book.InvoiceFacts(ctx, e.clinic, inv.ID)
		if l.BalanceCents != 5000 || len(l.Items) != 3 || f.BalanceCents != 5000 || f.Status != core.InvoiceOpen {
			t.Fatalf("after the success: balance %d items %d facts %+v", l.BalanceCents, len(l.Items), f)
		}
	})
	t.Run("a desk refund of a card payment goes through the processor once", func(t *testing.T) {
		e := newTestEnv(t)
		pt := e.mustPatient("")
		e.charge(t, pt.ID, "CLN-AD", 0)
		inv := e.invoiceOf(t, pt.ID)
		if err := e.book.CardPaid(ctx, e.clinic, core.CardPayment{InvoiceID: inv.ID, PaymentIntentID: "pi_3", AmountCents: 12000}); err != nil {
			t.Fatal(err)
		}
		payID := cardPaymentID(e.clinic, "pi_3")
		var out struct{ Refund, Payment Entry }
		e.must(t, 201, staff(e), "POST", "/api/payments/"+payID+"/refund", map[string]any{"amountCents": 2000, "reason": "goodwill"}, &out)
		refundID := e.cards.refunds["refund-"+payID+"-0"]
		if out.Refund.ID != cardRefundID(e.clinic, refundID) || out.Refund.PaymentID != payID {
			t.Fatalf("refund %+v (processor %s)", out.Refund, refundID)
		}
		// The charge.refunded event that follows posts nothing again.
		if err := e.book.CardRefunded(ctx, e.clinic, core.CardRefund{PaymentIntentID: "pi_3", RefundID: refundID, AmountCents: 2000}); err != nil {
			t.Fatal(err)
		}
		if l := e.ledger(t, pt.ID); l.BalanceCents != 2000 || len(l.Items) != 3 {
			t.Fatalf("ledger %+v", l)
		}
		e.clock.Advance(time.Hour)
		if err := e.book.CardDisputed(ctx, e.clinic, core.CardDispute{DisputeID: "dp_1", PaymentIntentID: "pi_3", AmountCents: 10000}); err != nil {
			t.Fatal(err)
		}
		e.must(t, 422, staff(e), "POST", "/api/payments/"+payID+"/refund", map[string]any{"reason": "the rest"}, nil)
		l := e.ledger(t, pt.ID)
		if last := l.Items[len(l.Items)-1]; l.BalanceCents != 12000 || last.Kind != core.KindRefund || last.Reason != "dispute" {
			t.Fatalf("after the dispute %+v", l)
		}
		noCards := e.deps
		noCards.Cards = nil
		e.handler = e.routes(noCards)
		e.must(t, 503, staff(e), "POST", "/api/payments/"+payID+"/refund", map[string]any{"reason": "x"}, nil)
	})
}

// A patient sees their own account, and a guarantor their family's;
// anyone else's is 404. Both PDFs are PDFs.
func TestPortalAndPDFs(t *testing.T) {
	e := newTestEnv(t)
	parent := e.mustPatient("")
	child := e.mustPatient(parent.ID)
	stranger := e.mustPatient("")
	e.charge(t, child.ID, "CLN-AD", 0)
	e.charge(t, stranger.ID, "FIL-1", 0)
	inv := e.invoiceOf(t, child.ID)
	other := e.invoiceOf(t, stranger.ID)
	cases := []struct {
		name   string
		caller string
		path   string
		status int
	}{
		{"own ledger", child.ID, "/api/patients/" + child.ID + "/ledger", 200},
		{"guarantor reads the family ledger", parent.ID, "/api/patients/" + child.ID + "/ledger", 200},
		{"family member cannot read the guarantor's", child.ID, "/api/patients/" + parent.ID + "/ledger", 404},
		{"another patient's ledger", stranger.ID, "/api/patients/" + child.ID + "/ledger", 404},
		{"own invoice", child.ID, "/api/invoices/" + inv.ID, 200},
		{"guarantor's family invoice", parent.ID, "/api/invoices/" + inv.ID, 200},
		{"another's invoice", child.ID, "/api/invoices/" + other.ID, 404},
		{"another's invoice pdf", stranger.ID, "/api/invoices/" + inv.ID + "/pdf", 404},
		{"another's statement", stranger.ID, "/api/patients/" + child.ID + "/statement", 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.must(t, c.status, portal(e, c.caller), "GET", c.path, nil, nil)
		})
	}
	var list struct{ Items []Invoice }
	e.must(t, 200, portal(e, parent.ID), "GET", "/api/invoices", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != inv.ID {
		t.Fatalf("guarantor's list %+v", list.Items)
	}
	e.must(t, 200, portal(e, stranger.ID), "GET", "/api/invoices?patientId="+child.ID, nil, &list)
	if len(list.Items) != 0 {
		t.Fatalf("stranger listed %+v", list.Items)
	}
	e.must(t, 200, staff(e), "GET", "/api/invoices?patientId="+parent.ID, nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != inv.ID {
		t.Fatalf("staff family list %+v", list.Items)
	}
	for _, path := range []string{"/api/invoices/" + inv.ID + "/pdf", "/api/patients/" + child.ID + "/statement"} {
		for _, p := range []string{parent.ID, child.ID} {
			r := httptestGet(t, e, p, path)
			if r.Code != 200 || r.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body.Bytes(), []byte("%PDF-")) {
				t.Fatalf("%s as %s: %d %q", path, p, r.Code, r.Body.Bytes()[:min(20, r.Body.Len())])
			}
		}
	}
}

func httptestGet(t *testing.T, e *testEnv, patientID, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", path, nil)
	e.handler.ServeHTTP(rec, r.WithContext(authz.WithPrincipal(r.Context(), portal(e, patientID))))
	return rec
}

// History breaks an insurance payment out per charge its EOB names.
func TestHistoryBreaksOutEOBLines(t *testing.T) {
	e := newTestEnv(t)
	pt := e.mustPatient("")
	cln := e.charge(t, pt.ID, "CLN-AD", 0)
	fil := e.charge(t, pt.ID, "FIL-1", 0)
	cov := ids.New()
	body := map[string]any{"amountCents": 20000, "method": "insurance", "coverageId": cov, "reference": "EOB 77",
		"lines": []map[string]any{{"entryId": cln.ID, "paidCents": 12000}, {"entryId": fil.ID, "paidCents": 8000, "deductibleCents": 5000}}}
	var pay PaymentAnswer
	e.must(t, 201, staff(e), "POST", "/api/patients/"+pt.ID+"/payments", body, &pay)
	if pay.Payment.Kind != core.KindInsurancePayment || pay.Payment.CoverageID != cov {
		t.Fatalf("payment %+v", pay.Payment)
	}
	h, err := e.book.History(context.Background(), e.clinic, pt.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(h)
	if len(h) != 4 || h[2].Category != "preventive" || h[2].AmountCents != 12000 || h[3].Category != "basic" ||
		h[3].DeductibleCents != 5000 || h[3].CoverageID != cov {
		t.Fatalf("history %s", raw)
	}
}

// A payment whose entry posted but whose application to its invoice was
// cut off is applied, once, by the next read of the invoice.
func TestInvoiceReconcilesACutOffPayment(t *testing.T) {
	e := newTestEnv(t)
	pt := e.mustPatient("")
	e.charge(t, pt.ID, "CLN-AD", 0)
	inv := e.invoiceOf(t, pt.ID)
	pay := entry{ID: ids.New(), ClinicID: e.clinic, PatientID: pt.ID, Kind: core.KindPatientPayment, AmountCents: 5000,
		EffectCents: -5000, At: e.clock.Now(), Method: MethodCash, InvoiceID: inv.ID, PostedBy: "u"}
	if _, err := e.book.post(context.Background(), pay); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var got Invoice
		e.must(t, 200, staff(e), "GET", "/api/invoices/"+inv.ID, nil, &got)
		if got.PaidCents != 5000 || got.BalanceCents != 7000 || got.Status != core.InvoiceOpen {
			t.Fatalf("invoice %+v", got)
		}
	}
	f, err := e.book.InvoiceFacts(context.Background(), e.clinic, inv.ID)
	if err != nil || f.BalanceCents != 7000 {
		t.Fatalf("facts %+v %v", f, err)
	}
}
