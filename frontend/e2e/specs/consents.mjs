// Consent forms (issue 11): the templates page, the staff Consents tab, the portal's Forms to sign.
// Run alone: E2E_ONLY='consents' node e2e/run.mjs
const ADMIN = { email: 'admin@topsmile.local', password: 'smile-admin-dev-2026' };
const DESK = { email: 'frontdesk@topsmile.local', password: 'smile-staff-dev-2026' };
const PATIENT = { email: 'patient@topsmile.local', password: 'smile-patient-dev-2026' };
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1440, height: 900 };

export default function register(t) {
  const { assert } = t;
  const my = {};

  async function signedIn(key, who, viewport, home) {
    if (my[key]) return my[key];
    const context = await t.newContext({ viewport, acceptDownloads: true });
    const page = await t.newPage(context);
    await t.signIn(page, who);
    await page.waitForURL(home);
    my[key] = { context, page };
    return my[key];
  }

  async function noSidewaysScroll(page, where) {
    const { scroll, width } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      width: window.innerWidth,
    }));
    assert.ok(scroll <= width, `${where}: no sideways scroll at ${width}px (content is ${scroll}px wide)`);
  }

  async function jordanId(page) {
    if (my.patientId) return my.patientId;
    const found = await t.pageApi(page, 'GET', '/api/patients?q=Avery');
    assert.equal(found.status, 200, `GET /api/patients?q=Avery answered ${found.status}`);
    const jordan = found.json.items.find((p) => p.firstName === 'Jordan' && p.lastName === 'Avery');
    assert.ok(jordan, 'the demo patient Jordan Avery is seeded');
    my.patientId = jordan.id;
    return jordan.id;
  }

  t.scenario('consents: an admin reads the consent templates page (a treatment form is there)', async () => {
    const { page } = await signedIn('admin', ADMIN, DESKTOP, /\/(schedule|patients)/);
    await page.goto('/consent-templates');
    await page.getByRole('heading', { level: 1, name: 'Consent templates' }).waitFor();
    await page.getByRole('heading', { level: 2, name: /^Templates \(/ }).waitFor();
    const list = (await t.pageApi(page, 'GET', '/api/consent-templates')).json.items ?? [];
    my.treatment = list.find((x) => x.kind === 'treatment' && x.active);
    if (!my.treatment) {
      // The local stack had no seeded treatment form: write one through the page.
      console.log('    no seeded treatment consent template: creating one as the admin');
      await page.getByRole('button', { name: 'New template' }).click();
      const form = page.getByRole('form', { name: 'New consent template' });
      await form.getByLabel('Title').fill('Consent to dental treatment');
      await form.getByLabel('Kind').selectOption('treatment');
      await form
        .getByLabel('Text the patient reads and signs')
        .fill('I agree to the treatment my dentist has explained to me.\n\nI understand its risks, benefits and alternatives.');
      await form.getByRole('button', { name: 'Create template' }).click();
      await form.waitFor({ state: 'detached' });
      my.treatment = ((await t.pageApi(page, 'GET', '/api/consent-templates')).json.items ?? []).find((x) => x.kind === 'treatment' && x.active);
    }
    assert.ok(my.treatment, 'an active treatment consent template exists');
    const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: new RegExp(my.treatment.title) }) });
    await item.getByRole('button', { name: `Edit ${my.treatment.title}` }).click();
    const editor = page.getByRole('form', { name: `Edit “${my.treatment.title}”` });
    await editor.getByText(`Saving creates version ${my.treatment.version + 1}; forms already sent keep their text.`).waitFor();
    await t.scan(page, 'consent-templates');
    await t.shot(page, 'consent-templates-edit');
    await editor.getByRole('button', { name: 'Cancel' }).click();
    await editor.waitFor({ state: 'detached' });
  });

  t.scenario('consents: the front desk sends Jordan Avery a treatment consent', async () => {
    const { page } = await signedIn('desk', DESK, DESKTOP, /\/schedule/);
    const id = await jordanId(page);
    await page.goto(`/patients/${id}/consents`);
    await page.getByRole('heading', { level: 1, name: /Consents — Jordan Avery/ }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Consent templates' }).count(), 0, 'no templates link for the front desk');
    const form = page.getByRole('form', { name: 'Send a form to sign' });
    const select = form.getByLabel('Form');
    await select.locator('option', { hasText: 'Treatment' }).first().waitFor({ state: 'attached' });
    const templates = (await t.pageApi(page, 'GET', '/api/consent-templates')).json.items ?? [];
    const treatment = my.treatment ?? templates.find((x) => x.kind === 'treatment' && x.active);
    assert.ok(treatment, 'a treatment consent template to send');
    my.treatment = treatment;
    await select.selectOption(treatment.id);
    await form.getByText(`Preview “${treatment.title}”`).waitFor();
    const before = (await t.pageApi(page, 'GET', `/api/patients/${id}/consents`)).json.items.length;
    await form.getByRole('button', { name: 'Send to patient' }).click();
    const pending = page.getByRole('region', { name: /^Pending \(/ });
    await pending.getByText('Waiting for Jordan Avery to sign it in the patient portal.').first().waitFor();
    const after = (await t.pageApi(page, 'GET', `/api/patients/${id}/consents`)).json.items;
    assert.equal(after.length, before + 1, 'one form sent');
    const sent = after.find((c) => c.status === 'pending' && c.templateId === treatment.id);
    assert.ok(sent, 'the sent form is pending');
    my.consentId = sent.id;
    await t.scan(page, 'consents-tab');
    await t.shot(page, 'consents-tab-sent');
  });

  t.scenario('consents: Jordan reads and signs the form at 360x740', async () => {
    assert.ok(my.consentId, 'a form was sent');
    const { page } = await signedIn('patient', PATIENT, PHONE, /\/portal/);
    await page.goto('/portal');
    await page.getByRole('link', { name: 'Forms to sign' }).first().click().catch(async () => {
      // The nav may be collapsed on a phone: go straight there.
      await page.goto('/portal/forms');
    });
    await page.waitForURL('**/portal/forms');
    const pending = page.getByRole('region', { name: /^Waiting for your signature/ });
    await pending.waitFor();
    await t.scan(page, 'portal-forms');
    await noSidewaysScroll(page, 'portal forms list');
    await t.shot(page, 'portal-forms-list');

    await page.goto(`/portal/forms?form=${encodeURIComponent(my.consentId)}`);
    await page.getByRole('heading', { level: 1, name: my.treatment.title }).waitFor();
    await page.getByText('For you').first().waitFor();
    await noSidewaysScroll(page, 'portal form reading view');
    // The reading view keeps a comfortable line length and size.
    const text = await page.locator('.consent-text--reading p').first().evaluate((p) => {
      const s = getComputedStyle(p);
      return { size: parseFloat(s.fontSize), width: p.getBoundingClientRect().width };
    });
    assert.ok(text.size >= 16, `reading text is at least 16px (${text.size})`);
    await t.shot(page, 'portal-form-reading');

    const form = page.getByRole('form', { name: 'Sign this form' });
    await form.getByRole('button', { name: 'Sign form' }).click();
    await form.getByText('Type your full name to sign.').waitFor();
    await form.getByLabel('Type your full name to sign').fill('Jordan Avery');
    await t.scan(page, 'portal-form-sign');
    await t.shot(page, 'portal-form-sign');
    await form.getByRole('button', { name: 'Sign form' }).click();
    const done = page.getByRole('status').filter({ hasText: 'Signed. Thank you.' });
    await done.waitFor();
    await noSidewaysScroll(page, 'portal form signed');
    await t.scan(page, 'portal-form-signed');
    await t.shot(page, 'portal-form-signed');
    await done.getByRole('button', { name: 'Back to your forms' }).click();
    await page.getByRole('region', { name: /^Signed \(/ }).waitFor();
    await t.shot(page, 'portal-forms-after');
  });

  t.scenario('consents: the front desk sees it Signed and downloads the PDF', async () => {
    assert.ok(my.consentId, 'a form was sent and signed');
    const { page } = await signedIn('desk', DESK, DESKTOP, /\/schedule/);
    await page.goto(`/patients/${my.patientId}/consents`);
    const signed = page.getByRole('region', { name: /^Signed \(/ });
    await signed.waitFor();
    const row = signed.getByRole('listitem').filter({ hasText: 'Signed “Jordan Avery”' }).first();
    await row.waitFor();
    await row.locator('.consent-status--signed', { hasText: 'Signed' }).waitFor();
    const [response, download] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/api/consents/${my.consentId}/pdf`)),
      page.waitForEvent('download'),
      row.getByRole('button', { name: /^Download signed PDF/ }).click(),
    ]);
    assert.equal(response.status(), 200, `the PDF answered ${response.status()}`);
    assert.match(response.headers()['content-type'] ?? '', /^application\/pdf/, 'the PDF is application/pdf');
    // The bytes, read again in the page with the session cookie (Chromium does not
    // always keep the body of a response the page turned into a blob download).
    const pdf = await page.evaluate(async (url) => {
      const r = await fetch(url, { credentials: 'same-origin' });
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
    }, `/api/consents/${my.consentId}/pdf`);
    assert.equal(pdf.status, 200);
    assert.match(pdf.type ?? '', /^application\/pdf/, 'the PDF is application/pdf');
    assert.equal(pdf.head, '%PDF-', `the PDF starts with %PDF- (${pdf.size} bytes)`);
    const saved = await download.path();
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(saved).subarray(0, 5).toString('latin1'), '%PDF-', 'the downloaded file starts with %PDF-');
    assert.match(download.suggestedFilename(), /\.pdf$/, 'the download is named .pdf');

    await row.getByRole('button', { name: /^Read/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/The text Jordan Avery signed/).waitFor();
    await t.scan(page, 'consents-read-dialog');
    await t.shot(page, 'consents-read-dialog');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await t.scan(page, 'consents-tab-signed');
    await t.shot(page, 'consents-tab-signed');

    // The tab at phone width too.
    await page.setViewportSize(PHONE);
    await page.reload();
    await page.getByRole('region', { name: /^Signed \(/ }).waitFor();
    await noSidewaysScroll(page, 'consents tab');
    await t.shot(page, 'consents-tab-phone');
    await page.setViewportSize(DESKTOP);
  });
}
