// Treatment plans, notes and prescriptions (issue 10), staff and portal.
// Run alone: E2E_ONLY='plans-notes-rx' node e2e/run.mjs
const DENTIST = { email: 'dentist@topsmile.local', password: 'smile-staff-dev-2026' };
const PATIENT = { email: 'patient@topsmile.local', password: 'smile-patient-dev-2026' };
const PHONE = { width: 360, height: 740 };

export default function register(t) {
  const { assert } = t;
  const my = {};

  async function dentistPage() {
    if (my.dentist) return my.dentist;
    const context = await t.newContext({ viewport: { width: 1440, height: 900 } });
    // window.print() opens the browser's dialog; count the calls instead.
    await context.addInitScript(() => {
      window.__printed = 0;
      window.print = () => {
        window.__printed += 1;
      };
    });
    const page = await t.newPage(context);
    await t.signIn(page, DENTIST);
    await page.waitForURL('**/schedule');
    const found = await t.pageApi(page, 'GET', '/api/patients?q=Avery');
    assert.equal(found.status, 200, `GET /api/patients?q=Avery answered ${found.status}`);
    const jordan = found.json.items.find((p) => p.firstName === 'Jordan' && p.lastName === 'Avery');
    assert.ok(jordan, 'the demo patient Jordan Avery is seeded');
    my.patientId = jordan.id;
    my.dentist = { context, page };
    return my.dentist;
  }

  async function patientPage() {
    if (my.patient) return my.patient;
    const context = await t.newContext({ viewport: PHONE });
    const page = await t.newPage(context);
    await t.signIn(page, PATIENT);
    await page.waitForURL('**/portal');
    my.patient = { context, page };
    return my.patient;
  }

  async function noSidewaysScroll(page, where) {
    const { scroll, width } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      width: window.innerWidth,
    }));
    assert.ok(scroll <= width, `${where}: no sideways scroll at ${width}px (content is ${scroll}px wide)`);
  }

  /** Picks a procedure from the fee schedule through the builder's search. */
  async function pickCode(builder, search, code) {
    const box = builder.getByRole('combobox', { name: 'Add a procedure' });
    await box.fill(search);
    const option = builder.getByRole('option', { name: new RegExp(`^${code} `) });
    await option.waitFor();
    await option.click();
  }

  t.scenario('plans-notes-rx: a dentist builds a two-option plan for Jordan Avery and presents both', async () => {
    const { page } = await dentistPage();
    await page.goto(`/patients/${my.patientId}/plans`);
    await page.getByRole('heading', { level: 1, name: /Treatment plans/ }).waitFor();

    // Option A: a crown on 19.
    await page.getByRole('button', { name: 'New treatment plan' }).click();
    let builder = page.getByRole('region', { name: 'New treatment plan' });
    await builder.getByLabel('Title').fill('Crown on #19');
    await pickCode(builder, 'crown', 'CRN-ZR');
    await builder.getByLabel(/^Tooth \(Universal\)/).selectOption('19');
    await builder.getByLabel(/^Priority/).selectOption('1');
    await builder.getByRole('region', { name: 'Totals' }).getByText('$1,250.00').first().waitFor();
    await t.scan(page, 'plan-builder');
    await t.shot(page, 'plan-builder');
    await builder.getByRole('button', { name: 'Create plan' }).click();
    await builder.waitFor({ state: 'detached' });
    await page.getByRole('article', { name: /Crown on #19/ }).waitFor();

    // Option B: an MOD filling on 19, as an alternative in the same group.
    await page.getByRole('button', { name: /^Add an alternative/ }).first().click();
    builder = page.getByRole('region', { name: /Add an alternative/ });
    await builder.getByLabel('Title').fill('Filling MOD on #19');
    await pickCode(builder, 'three', 'FIL-C3');
    await builder.getByLabel(/^Tooth/).selectOption('19');
    for (const s of ['M', 'O', 'D']) await builder.getByRole('checkbox', { name: new RegExp(`^${s} \\(`) }).check();
    await builder.getByRole('button', { name: 'Create alternative' }).click();
    await builder.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: /^2 options/ }).waitFor();

    const optionA = page.getByRole('article', { name: /Option A: Crown on #19/ });
    const optionB = page.getByRole('article', { name: /Option B: Filling MOD on #19/ });
    await optionB.getByText('Tooth #19 · Surfaces MOD').waitFor();
    // A live plan offers billing's estimate (never a $0 that reads as "insurance pays nothing").
    await optionA.locator('summary', { hasText: 'Insurance estimate' }).waitFor();
    assert.equal(await optionA.getByText('$0.00').count(), 0, 'no $0 estimate on the plan');
    await optionA.getByRole('button', { name: /^Present to patient/ }).click();
    await optionA.locator('.plan-status', { hasText: 'Presented' }).waitFor();
    await optionB.getByRole('button', { name: /^Present to patient/ }).click();
    await optionB.locator('.plan-status', { hasText: 'Presented' }).waitFor();

    const plans = await t.pageApi(page, 'GET', `/api/patients/${my.patientId}/treatment-plans`);
    const mine = plans.json.items.filter((p) => p.title === 'Crown on #19' || p.title === 'Filling MOD on #19');
    assert.equal(mine.length, 2, 'both options saved');
    assert.equal(mine[0].groupId, mine[1].groupId, 'the alternative is in the same group');
    assert.ok(mine.every((p) => p.status === 'presented'), 'both presented');
    assert.ok(mine.every((p) => p.estimate === null && p.estimateStatus === 'not_estimated'));
    my.groupId = mine[0].groupId;

    await t.scan(page, 'plans');
    await t.shot(page, 'plans-two-options');
    await page.setViewportSize(PHONE);
    await noSidewaysScroll(page, 'plans (staff)');
    await t.shot(page, 'plans-two-options-360');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  t.scenario('plans-notes-rx: the patient accepts one option at 360×740 with a typed signature; the other shows declined', async () => {
    const { page } = await patientPage();
    await page.goto('/portal/plans');
    await page.getByRole('heading', { level: 1, name: 'Treatment plans' }).waitFor();
    const optionA = page.getByRole('article', { name: /Option A: Crown on #19/ });
    const optionB = page.getByRole('article', { name: /Option B: Filling MOD on #19/ });
    await optionB.waitFor();
    await optionA.getByText('Not estimated').waitFor();
    await noSidewaysScroll(page, 'portal plans');
    await t.scan(page, 'portal-plans');
    await t.shot(page, 'portal-plans-360');

    await optionB.getByRole('button', { name: /^Accept this option/ }).click();
    const form = optionB.getByRole('form', { name: 'Accept Option B' });
    await form.getByText(/Accepting this option declines the other option: Option A/).waitFor();
    await form.getByLabel('Type your full name to sign').fill('Jordan Avery');
    await t.scan(page, 'portal-plans-accept');
    await t.shot(page, 'portal-plans-sign-360');
    await form.getByRole('button', { name: 'Accept and sign' }).click();
    await optionB.locator('.plan-status', { hasText: 'Accepted' }).waitFor();
    await optionA.locator('.plan-status', { hasText: 'Declined' }).waitFor();
    await optionB.getByText(/signed “Jordan Avery”/).waitFor();
    await noSidewaysScroll(page, 'portal plans after accepting');
    await t.shot(page, 'portal-plans-accepted-360');

    // The practice sees the same.
    const { page: staff } = await dentistPage();
    await staff.goto(`/patients/${my.patientId}/plans`);
    await staff.getByRole('article', { name: /Option B: Filling MOD/ }).locator('.plan-status', { hasText: 'Accepted' }).waitFor();
    await staff.getByRole('article', { name: /Option A: Crown/ }).locator('.plan-status', { hasText: 'Declined' }).waitFor();
    // Completing an item of the accepted plan shows it done.
    const b = staff.getByRole('article', { name: /Option B: Filling MOD/ });
    await b.getByRole('button', { name: /^Mark done/ }).click();
    await b.locator('.plan-item__done').waitFor();
    await t.shot(staff, 'plans-accepted-item-done');
  });

  t.scenario('plans-notes-rx: the dentist writes a SOAP note from a template and signs it', async () => {
    const { page } = await dentistPage();
    await page.goto(`/patients/${my.patientId}/notes`);
    await page.getByRole('heading', { level: 1, name: /Notes/ }).waitFor();
    await page.getByRole('button', { name: 'New note' }).click();
    const editor = page.getByRole('region', { name: 'New note' });
    const template = editor.getByLabel('Template');
    await template.locator('option', { hasText: 'Emergency visit' }).waitFor({ state: 'attached' });
    await template.selectOption({ label: 'Emergency visit (SOAP)' });
    const subjective = editor.getByLabel('Subjective');
    assert.match(await subjective.inputValue(), /Chief complaint/, 'the template fills Subjective');
    await subjective.fill('Chief complaint: sharp pain biting on the lower left for a week.');
    await editor.getByLabel('Objective').fill('Tooth #19: tender to percussion; MOD fracture line visible.');
    await editor.getByLabel('Assessment').fill('Cracked tooth #19, reversible pulpitis.');
    await editor.getByLabel('Plan').fill('Restore #19 (patient chose the MOD filling). Ibuprofen for pain.');
    await t.scan(page, 'note-editor');
    await t.shot(page, 'note-editor-soap');
    await editor.getByRole('button', { name: 'Sign', exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Sign this note?' });
    await confirm.getByText('Signed notes cannot be changed.').waitFor();
    await t.shot(page, 'note-sign-confirm');
    await confirm.getByRole('button', { name: 'Sign note' }).click();
    await editor.waitFor({ state: 'detached' });
    const card = page.getByRole('article', { name: /SOAP note/ }).filter({ hasText: 'Cracked tooth #19' });
    await card.locator('.note-status', { hasText: 'Signed' }).waitFor();
    assert.equal(await card.getByRole('textbox').count(), 0, 'a signed note is read-only');

    // A correction is an amendment under the original.
    await card.getByRole('button', { name: 'Amend this note' }).click();
    const amend = page.getByRole('region', { name: 'Amend this SOAP note' });
    await amend.getByLabel('Assessment').fill('Cracked tooth #19 (mesial marginal ridge), reversible pulpitis.');
    await amend.getByRole('button', { name: 'Sign amendment' }).click();
    await page.getByRole('alertdialog', { name: 'Sign this amendment?' }).getByRole('button', { name: 'Sign amendment' }).click();
    await amend.waitFor({ state: 'detached' });
    await page.getByRole('list', { name: 'Amendments' }).getByText(/mesial marginal ridge/).waitFor();
    await t.scan(page, 'notes');
    await t.shot(page, 'notes-signed-and-amended');
  });

  t.scenario('plans-notes-rx: amoxicillin shows the allergy warning first; ibuprofen is prescribed and printed', async () => {
    const { page } = await dentistPage();
    await page.goto(`/patients/${my.patientId}/prescriptions`);
    const form = page.getByRole('form', { name: 'New prescription' });
    await form.waitFor();
    await form.getByLabel('Drug').fill('Amoxicillin');
    await form.getByLabel('Strength').fill('500 mg');
    await form.getByLabel('Form').selectOption('capsule');
    await form.getByLabel('Directions (sig)').fill('Take 1 capsule by mouth 3 times a day for 7 days');
    await form.getByLabel('Quantity').fill('21');
    await form.getByLabel('Reason').fill('Infection, tooth #19');
    await form.getByRole('button', { name: 'Prescribe' }).click();
    const warning = form.getByRole('alert').filter({ hasText: 'Allergy warning' });
    await warning.waitFor();
    assert.match(await warning.textContent(), /Penicillin/i, 'the warning names the allergy');
    const before = await t.pageApi(page, 'GET', `/api/patients/${my.patientId}/prescriptions?status=all`);
    assert.ok(!before.json.items.some((r) => /amoxicillin/i.test(r.drug)), 'nothing was prescribed');
    await t.scan(page, 'prescriptions-allergy-warning');
    await t.shot(page, 'rx-allergy-warning');

    // Prescribe anyway asks for a reason; the dentist chooses another drug instead.
    await warning.getByRole('button', { name: 'Prescribe anyway' }).click();
    await form.getByLabel('Reason for prescribing despite the allergy').waitFor();
    await form.getByRole('button', { name: 'Do not override' }).click();
    await form.getByLabel('Drug').fill('Ibuprofen');
    assert.equal(await warning.count(), 0, 'changing the drug clears the warning');
    await form.getByLabel('Strength').fill('400 mg');
    await form.getByLabel('Form').selectOption('tablet');
    await form.getByLabel('Directions (sig)').fill('Take 1 tablet by mouth every 6 hours as needed for pain, with food');
    await form.getByLabel('Quantity').fill('20');
    await form.getByLabel('Reason').fill('Pain, tooth #19');
    await form.getByRole('button', { name: 'Prescribe' }).click();
    await page.getByRole('button', { name: 'Print prescription' }).waitFor();
    const active = page.getByRole('region', { name: /^Active/ });
    await active.getByRole('heading', { name: /Ibuprofen 400 mg/ }).waitFor();
    await t.scan(page, 'prescriptions');
    await t.shot(page, 'rx-prescribed');

    await page.getByRole('button', { name: 'Print prescription' }).click();
    assert.equal(await page.evaluate(() => window.__printed), 1, 'Print calls window.print()');
    await page.emulateMedia({ media: 'print' });
    const sheet = page.locator('.rx-print');
    assert.ok(await sheet.isVisible(), 'the prescription shows in print');
    assert.ok(!(await page.locator('#root').isVisible()), 'the app is hidden in print');
    const text = await sheet.textContent();
    for (const part of ['Jordan Avery', '1986-04-12', 'Ibuprofen', '400 mg', 'Tablet', 'Quantity20', 'Refills0', 'Prescriber', 'Signature']) {
      assert.ok(text.includes(part), `the printed prescription shows ${part}`);
    }
    await t.shot(page, 'rx-print-view');
    await page.emulateMedia({ media: 'screen' });

    await page.setViewportSize(PHONE);
    await noSidewaysScroll(page, 'prescriptions (staff)');
    await t.shot(page, 'rx-360');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  t.scenario('plans-notes-rx: the patient sees their active prescriptions at 360×740', async () => {
    const { page } = await patientPage();
    await page.goto('/portal/prescriptions');
    await page.getByRole('heading', { level: 1, name: 'Prescriptions' }).waitFor();
    await page.getByRole('heading', { name: /Ibuprofen 400 mg/ }).waitFor();
    await noSidewaysScroll(page, 'portal prescriptions');
    await t.scan(page, 'portal-prescriptions');
    await t.shot(page, 'portal-prescriptions-360');
    await my.patient.context.close();
    await my.dentist.context.close();
  });
}
