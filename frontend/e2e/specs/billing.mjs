// Billing (issue 12): a completed procedure becomes a charge, the desk adds
// coverage, reads the estimate and invoices it, the patient pays in the portal
// at 360×740 in test mode, the desk refunds it; and the pay screen's live
// path with Stripe.js stubbed through page.route.
// Run alone: E2E_ONLY=billing node e2e/run.mjs (after npm run build).
const PATIENT = { email: 'patient@topsmile.local', password: 'smile-patient-dev-2026' };
const PHONE = { width: 360, height: 740 };
const WIDE = { width: 1440, height: 900 };

const money = (cents) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);

/** A stand-in for Stripe.js v3 ("endive" train): records what the page asks and declines every card. */
const STRIPE_STUB = `
window.Stripe = function (key) {
  window.__stripeKey = key;
  return {
    elements: function (options) {
      window.__stripeElementsOptions = options;
      return {
        create: function (type) {
          return {
            mount: function (el) {
              var node = typeof el === 'string' ? document.querySelector(el) : el;
              node.innerHTML = '<p>Stub card form (' + type + ')</p>';
            },
            on: function (event, cb) { if (event === 'ready') setTimeout(cb, 0); },
          };
        },
      };
    },
    confirmPayment: function () { return Promise.resolve({ error: { message: 'Stub: card declined' } }); },
  };
};
window.Stripe.version = 'endive';
`;

export default function register(t) {
  const { assert } = t;
  const my = {};

  async function noSidewaysScroll(page, where) {
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scroll <= width, `${where}: no sideways scroll at ${width}px (content is ${scroll}px wide)`);
  }

  async function ledger(page) {
    const res = await t.pageApi(page, 'GET', `/api/patients/${my.patientId}/ledger`);
    assert.equal(res.status, 200, `GET ledger answered ${res.status}`);
    return res.json;
  }

  /** The Billing tab's balance once it shows `cents` (the page refetches after each post). */
  async function balanceShows(page, cents) {
    await page.getByTestId('balance').filter({ hasText: money(cents) }).waitFor();
  }

  async function deskPage() {
    if (my.desk) return my.desk;
    const context = await t.newContext({ viewport: WIDE });
    const page = await t.newPage(context);
    await t.signIn(page, t.STAFF);
    await page.waitForURL('**/schedule');
    my.desk = { context, page };
    return my.desk;
  }

  t.scenario('billing: a completed procedure posts a charge; the desk adds coverage, reads the estimate and invoices it', async () => {
    // An admin builds, presents, records acceptance of, and completes a plan item (the charge's source).
    const context = await t.newContext({ viewport: WIDE });
    const admin = await t.newPage(context);
    await t.signIn(admin, t.ADMIN);
    await admin.waitForURL('**/schedule');
    const found = await t.pageApi(admin, 'GET', '/api/patients?q=Avery');
    assert.equal(found.status, 200, `GET /api/patients?q=Avery answered ${found.status}`);
    const jordan = found.json.items.find((p) => p.firstName === 'Jordan' && p.lastName === 'Avery');
    assert.ok(jordan, 'the demo patient Jordan Avery is seeded');
    my.patientId = jordan.id;

    const config = await t.pageApi(admin, 'GET', '/api/billing/config');
    assert.equal(config.status, 200, `GET /api/billing/config answered ${config.status}`);
    assert.equal(config.json.cards, 'test', `the local stack runs cards in test mode (stripe-mock), got ${JSON.stringify(config.json)}`);

    const created = await t.pageApi(admin, 'POST', `/api/patients/${my.patientId}/treatment-plans`, {
      title: 'Billing: filling on #30, crown on #19',
      items: [
        { code: 'FIL-C2', tooth: '30', priority: 1, phase: 1 },
        { code: 'CRN-ZR', tooth: '19', priority: 2, phase: 1 },
      ],
    });
    assert.equal(created.status, 201, `creating the plan answered ${created.status}`);
    my.planId = created.json.id;
    assert.equal((await t.pageApi(admin, 'POST', `/api/treatment-plans/${my.planId}/present`, {})).status, 200);
    const accepted = await t.pageApi(admin, 'POST', `/api/treatment-plans/${my.planId}/accept`, { signature: 'Jordan Avery' });
    assert.equal(accepted.status, 200, `accepting answered ${accepted.status} ${JSON.stringify(accepted.json)}`);

    my.balance0 = (await ledger(admin)).balanceCents;
    await admin.goto(`/patients/${my.patientId}/plans`);
    const option = admin.getByRole('article', { name: /Billing: filling on #30/ });
    await option.getByRole('button', { name: /^Mark done\s*: FIL-C2/ }).click();
    await admin.getByText(/FIL-C2 .* done and charted\./).first().waitFor();
    await context.close();

    // The front desk sees the charge on the Billing tab (the ledger takes the charge event when read).
    const { page } = await deskPage();
    await page.goto(`/patients/${my.patientId}`);
    await page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: 'Billing' }).click();
    await page.waitForURL(`**/patients/${my.patientId}/billing`);
    const ledgerTable = page.getByRole('region', { name: 'Ledger entries' });
    const chargeRow = ledgerTable.getByRole('row').filter({ hasText: 'FIL-C2' });
    await chargeRow.first().waitFor();
    assert.match(await chargeRow.first().textContent(), /\$200\.00/, 'the charge is the fee of FIL-C2');
    my.balanceCharged = my.balance0 + 20000;
    await balanceShows(page, my.balanceCharged);
    await t.scan(page, 'billing-ledger');

    // Coverage: a new insurance plan and a primary coverage, unless Jordan already has one.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: t.state.timeZone }).format(new Date());
    const cov = await t.pageApi(page, 'GET', `/api/patients/${my.patientId}/coverage`);
    assert.equal(cov.status, 200, `GET coverage answered ${cov.status}`);
    const hasPrimary = cov.json.items.some((c) => c.priority === 'primary' && !(c.terminationDate && c.terminationDate < today));
    const coverage = page.getByRole('region', { name: 'Insurance coverage' });
    if (!hasPrimary) {
      const planName = `E2E PPO ${Date.now().toString(36)}`;
      await coverage.getByRole('button', { name: 'New insurance plan' }).click();
      const planDialog = page.getByRole('dialog', { name: 'New insurance plan' });
      await planDialog.getByLabel('Carrier').fill('E2E Mutual');
      await planDialog.getByLabel('Plan name').fill(planName);
      await t.scan(page, 'billing-insurance-plan-dialog');
      await planDialog.getByRole('button', { name: 'Add plan' }).click();
      await planDialog.waitFor({ state: 'detached' });

      await coverage.getByRole('button', { name: 'Add coverage' }).click();
      const covDialog = page.getByRole('dialog', { name: 'Add insurance coverage' });
      await covDialog.getByLabel('Insurance plan').selectOption({ label: `E2E Mutual — ${planName}` });
      await covDialog.getByLabel('Member ID').fill('E2E-55501234');
      await t.scan(page, 'billing-coverage-dialog');
      await covDialog.getByRole('button', { name: 'Add coverage' }).click();
      await covDialog.waitFor({ state: 'detached' });
      const card = coverage.getByRole('listitem').filter({ hasText: planName });
      await card.waitFor();
      // The desk posts, so it reads the member id in full.
      await card.getByText('E2E-55501234').waitFor();
    }
    await t.scan(page, 'billing-coverage');

    // The estimate on the plan screen, with each line's basis.
    await page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: 'Treatment plans' }).click();
    const planCard = page.getByRole('article', { name: /Billing: filling on #30/ });
    await planCard.locator('summary', { hasText: 'Insurance estimate' }).click();
    const estimate = planCard.getByRole('region', { name: 'Estimate per procedure' });
    await estimate.getByRole('row').filter({ hasText: 'CRN-ZR' }).waitFor();
    const basis = await planCard.locator('.estimate__basis li').allTextContents();
    assert.ok(basis.length > 0, 'each estimate line carries its basis sentences');
    console.log(`    estimate basis: ${basis.slice(0, 3).join(' | ')}`);
    await planCard.locator('.estimate').scrollIntoViewIfNeeded();
    await t.scan(page, 'billing-estimate');
    await t.shot(page, 'billing-estimate');

    // Invoice the open charges; a second try has nothing to invoice (422, said plainly).
    await page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('button', { name: 'Create invoice' }).click();
    await page.getByText(/^Invoice INV-\d+ created for /).first().waitFor();
    const list = await t.pageApi(page, 'GET', `/api/invoices?patientId=${my.patientId}&status=open`);
    assert.equal(list.status, 200);
    my.invoice = list.json.items[0];
    assert.ok(my.invoice, 'the new invoice is open');
    assert.ok(my.invoice.lines.some((l) => l.code === 'FIL-C2'), 'the invoice has the filling on it');
    const invoices = page.getByRole('region', { name: 'Invoices' });
    await invoices.getByText(my.invoice.number, { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Create invoice' }).click();
    await page.getByText(/Nothing to invoice/).waitFor();
    await t.scan(page, 'billing-invoiced');
    await t.shot(page, 'billing-ledger-1440');
  });

  t.scenario('billing: the patient pays the invoice in the portal at 360×740 in test mode', async () => {
    assert.ok(my.invoice, 'the previous billing scenario invoiced a charge');
    const context = await t.newContext({ viewport: PHONE });
    const stripeRequests = [];
    context.on('request', (r) => r.url().startsWith('https://js.stripe.com') && stripeRequests.push(r.url()));
    const page = await t.newPage(context);
    await t.signIn(page, PATIENT);
    await page.waitForURL('**/portal');
    my.patient = { context, page };

    // Only /pay/* may load Stripe.js: its CSP alone names js.stripe.com.
    const base = t.stack().baseURL;
    const cspOf = async (p) => (await fetch(`${base}${p}`)).headers.get('content-security-policy') ?? '';
    assert.match(await cspOf(`/pay/${my.invoice.id}`), /script-src[^;]*https:\/\/js\.stripe\.com/, 'the pay screen allows Stripe.js');
    assert.doesNotMatch(await cspOf('/portal/bills'), /js\.stripe\.com/, 'other pages do not');

    await page.locator('.pb-records').getByRole('link', { name: 'Bills' }).click();
    await page.waitForURL('**/portal/bills');
    await page.getByRole('heading', { level: 1, name: 'Bills' }).waitFor();
    const pay = page.getByRole('link', { name: `Pay ${money(my.invoice.balanceCents)} for invoice ${my.invoice.number}` });
    await pay.waitFor();
    await t.scan(page, 'portal-bills');
    await noSidewaysScroll(page, 'portal bills');

    await pay.click();
    await page.waitForURL(`**/pay/${my.invoice.id}`);
    await page.getByText('Test mode').waitFor();
    await page.getByRole('button', { name: `Pay ${money(my.invoice.balanceCents)}` }).waitFor();
    await t.scan(page, 'pay-test-mode');
    await t.shot(page, 'pay-360');
    await noSidewaysScroll(page, 'pay screen');

    await page.getByRole('button', { name: `Pay ${money(my.invoice.balanceCents)}` }).click();
    const receipt = page.getByRole('region', { name: /Receipt/ });
    await receipt.waitFor({ timeout: 30_000 });
    await receipt.getByText(`Paid ${money(my.invoice.balanceCents)} on `).waitFor();
    await receipt.getByText(`Invoice ${my.invoice.number} is paid in full`).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Download receipt PDF' }).getAttribute('href'), `/api/invoices/${my.invoice.id}/pdf`);
    await t.scan(page, 'pay-receipt');
    await t.shot(page, 'pay-receipt-360');
    await noSidewaysScroll(page, 'receipt');
    assert.deepEqual(stripeRequests, [], 'test mode loads nothing from js.stripe.com');

    const after = await t.pageApi(page, 'GET', `/api/invoices/${my.invoice.id}`);
    assert.equal(after.json.status, 'paid', 'the webhook marked the invoice paid');
    my.paidCents = my.invoice.balanceCents;
  });

  t.scenario('billing: the desk sees the invoice paid, refunds the card payment from the ledger, and the balance goes back up', async () => {
    assert.ok(my.paidCents, 'the patient paid in the previous scenario');
    const { page } = await deskPage();
    await page.goto(`/patients/${my.patientId}/billing`);
    const invoices = page.getByRole('region', { name: 'Invoices' });
    await invoices.getByRole('listitem').filter({ hasText: my.invoice.number }).getByText('Paid').waitFor();
    const paidBalance = my.balanceCharged - my.paidCents;
    await balanceShows(page, paidBalance);
    assert.equal((await ledger(page)).balanceCents, paidBalance, 'the ledger balances to the cent after the payment');

    const cardRow = page.getByRole('region', { name: 'Ledger entries' }).getByRole('row').filter({ hasText: 'Card (online)' }).last();
    await cardRow.waitFor();
    await cardRow.getByRole('button', { name: /^Refund/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Refund a payment' });
    assert.equal(await dialog.getByLabel('Amount to refund ($)').inputValue(), (my.paidCents / 100).toFixed(2), 'the refund defaults to all of it');
    await dialog.getByLabel('Reason').fill('e2e: patient asked for the money back');
    await t.scan(page, 'billing-refund-dialog');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Refunded ${money(my.paidCents)}.`).first().waitFor();
    await balanceShows(page, my.balanceCharged);
    assert.equal((await ledger(page)).balanceCents, my.balanceCharged, 'the refund puts the balance back to the cent');
    await page.getByRole('region', { name: 'Ledger entries' }).getByRole('row').filter({ hasText: 'Refund' }).last().waitFor();
    await t.scan(page, 'billing-refunded');
    await t.shot(page, 'billing-refunded-1440');
  });

  t.scenario('billing: live card mode loads Stripe.js only on /pay (stubbed with page.route) and shows a declined card', async () => {
    // A small open invoice for the check, voided and written off afterwards.
    const { page: desk } = await deskPage();
    const charge = await t.pageApi(desk, 'POST', `/api/patients/${my.patientId}/charges`, { code: 'XR-PA' });
    assert.equal(charge.status, 201, `posting a charge answered ${charge.status}`);
    const inv = await t.pageApi(desk, 'POST', '/api/invoices', { patientId: my.patientId });
    assert.equal(inv.status, 201, `invoicing answered ${inv.status}`);

    const context = await t.newContext({ viewport: PHONE });
    const loaded = [];
    await context.route('**/api/billing/config', (route) => route.fulfill({ json: { cards: 'live', publishableKey: 'pk_live_e2e_stub' } }));
    await context.route('https://js.stripe.com/**', (route) => {
      loaded.push(route.request().url());
      return route.fulfill({ contentType: 'application/javascript', body: STRIPE_STUB });
    });
    const page = await t.newPage(context);
    await t.signIn(page, PATIENT);
    await page.waitForURL('**/portal');
    await page.goto('/portal/bills');
    await page.getByRole('heading', { level: 1, name: 'Bills' }).waitFor();
    assert.deepEqual(loaded, [], 'the bills page does not load Stripe.js');

    await page.goto(`/pay/${inv.json.id}`);
    await page.getByText('Stub card form (payment)').waitFor();
    assert.ok(loaded.length >= 1, 'the pay screen loaded Stripe.js');
    const seen = await page.evaluate(() => ({ key: window.__stripeKey, secret: window.__stripeElementsOptions?.clientSecret }));
    assert.equal(seen.key, 'pk_live_e2e_stub');
    assert.ok(seen.secret, 'the Payment Element got the intent\'s client secret');
    assert.equal(await page.getByText('Test mode').count(), 0, 'live mode has no test label');
    const pay = page.getByRole('button', { name: `Pay ${money(inv.json.balanceCents)}` });
    await pay.click();
    await page.getByRole('alert').filter({ hasText: 'Stub: card declined' }).waitFor();
    await t.scan(page, 'pay-live-declined');
    await context.close();

    const voided = await t.pageApi(desk, 'POST', `/api/invoices/${inv.json.id}/void`, {});
    assert.equal(voided.status, 200, `voiding answered ${voided.status}`);
    const adj = await t.pageApi(desk, 'POST', `/api/patients/${my.patientId}/adjustments`, {
      amountCents: charge.json.amountCents,
      adjustmentType: 'correction_credit',
      reason: 'e2e: the live-mode check charge',
    });
    assert.equal(adj.status, 201, `the correcting adjustment answered ${adj.status}`);
    assert.equal((await ledger(desk)).balanceCents, my.balanceCharged, 'the account is back where the refund left it');
    await my.patient?.context.close();
    await my.desk?.context.close();
  });
}
