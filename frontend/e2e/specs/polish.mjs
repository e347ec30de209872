// Issue 16 items 12 and 13: polish and quiet consoles.
// Run alone: E2E_ONLY='polish:' node e2e/run.mjs
const DESKTOP = { width: 1440, height: 900 };

export default function register(t) {
  const { assert } = t;
  const my = {};

  /** Red console lines and 4xx/5xx API answers on page, from now on. */
  function watchErrors(page) {
    const errors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('response', (res) => {
      if (res.url().includes('/api/') && res.status() >= 400) errors.push(`${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
    });
    return errors;
  }

  async function staffPage() {
    const context = await t.newContext({ viewport: DESKTOP });
    const page = await t.newPage(context);
    await t.signIn(page, t.STAFF);
    await page.waitForURL('**/schedule**');
    if (!my.patientId) {
      const found = await t.pageApi(page, 'GET', '/api/patients?q=Avery');
      assert.equal(found.status, 200, `GET /api/patients?q=Avery answered ${found.status}`);
      const jordan = found.json.items.find((p) => p.firstName === 'Jordan' && p.lastName === 'Avery');
      assert.ok(jordan, 'the demo patient Jordan Avery is seeded');
      my.patientId = jordan.id;
    }
    return { context, page };
  }

  t.scenario('polish: a signed-out visit to / logs no console error and no 401 (no auth/me, no refresh)', async () => {
    const context = await t.newContext({ viewport: DESKTOP });
    const page = await t.newPage(context);
    const errors = watchErrors(page);
    const authCalls = [];
    page.on('request', (req) => {
      if (req.url().includes('/api/auth/')) authCalls.push(`${req.method()} ${new URL(req.url()).pathname}`);
    });
    await page.goto('/');
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await page.getByText(/System status/).waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(errors, [], `a signed-out page load logged: ${errors.join('; ')}`);
    assert.deepEqual(authCalls, [], `a first visit asked: ${authCalls.join(', ')}`);

    // Signing in and out leaves a browser that again asks nothing on load.
    await t.signIn(page, t.STAFF);
    await page.waitForURL('**/schedule**');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    errors.length = 0;
    authCalls.length = 0;
    await page.goto('/');
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(errors, [], `a load after sign-out logged: ${errors.join('; ')}`);
    assert.deepEqual(authCalls, [], `a load after sign-out asked: ${authCalls.join(', ')}`);
    await context.close();
  });

  t.scenario('polish: a signed-in reload still finds the session (the hint is kept)', async () => {
    const { context, page } = await staffPage();
    const errors = watchErrors(page);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /Schedule/ }).waitFor();
    assert.deepEqual(errors.filter((e) => !e.startsWith('console')), [], `a signed-in reload answered: ${errors.join('; ')}`);
    await context.close();
  });

  t.scenario('polish: no staff footer; Account shows the portal sign-up link with Copy', async () => {
    const { context, page } = await staffPage();
    assert.equal(await page.locator('footer.shell__footer').count(), 0, 'no developer footer on the schedule');
    assert.equal(await page.getByText(/sign-up\?clinic=/).count(), 0, 'no raw sign-up URL on staff pages');
    await page.getByRole('link', { name: 'Account' }).click();
    const section = page.getByRole('region', { name: 'Patient portal sign-up link' });
    await section.waitFor();
    const field = section.getByRole('textbox', { name: 'Patient portal sign-up link' });
    const link = await field.inputValue();
    assert.match(link, /\/sign-up\?clinic=[\w-]+$/, `the link: ${link}`);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await section.getByRole('button', { name: 'Copy' }).focus();
    await page.keyboard.press('Enter');
    await section.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
    if (copied !== null) assert.equal(copied, link, 'the clipboard has the link');
    await t.scan(page, 'polish-account');
    await t.shot(page, 'polish-account-signup-link');
    await context.close();
  });

  t.scenario('polish: the profile books, the edit form and medical-history editor line up at 1440', async () => {
    const { context, page } = await staffPage();
    await page.goto(`/patients/${my.patientId}`);
    await page.getByRole('heading', { level: 1, name: /Jordan Avery/ }).waitFor();
    const book = page.getByRole('link', { name: 'Book appointment' });
    const href = await book.getAttribute('href');
    assert.equal(href, `/schedule?book=1&patientId=${encodeURIComponent(my.patientId)}`);

    // Emails wrap only at <wbr> points.
    const email = page.locator('.pol-email').first();
    if (await email.count()) assert.ok((await email.innerHTML()).includes('<wbr>'), 'the email has break points');

    // The medical-history editor: Severity shows its whole longest option.
    await page.getByRole('button', { name: 'Edit medical history' }).click();
    const editor = page.getByRole('form', { name: 'Edit medical history' });
    await editor.waitFor();
    const severity = editor.getByLabel(/^Severity/).first();
    await severity.waitFor();
    const fits = await severity.evaluate((el) => {
      const probe = document.createElement('span');
      probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font:inherit';
      el.parentElement.appendChild(probe);
      probe.style.font = getComputedStyle(el).font;
      probe.textContent = [...el.options].reduce((a, o) => (o.text.length > a.length ? o.text : a), '');
      const need = probe.getBoundingClientRect().width;
      probe.remove();
      return { need, have: el.clientWidth };
    });
    assert.ok(fits.have >= fits.need + 20, `Severity is ${fits.have}px wide, its longest option needs ${fits.need}px`);
    const substance = editor.getByLabel(/^Substance/).first();
    const sw = await substance.evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(sw >= 180, `Substance has room (${sw}px)`);
    await editor.scrollIntoViewIfNeeded();
    await t.scan(page, 'polish-medical-history');
    await t.shot(page, 'polish-medical-history-1440');
    await editor.getByRole('button', { name: 'Cancel' }).click();

    // The edit form: inputs in a row share their top and height.
    await page.getByRole('link', { name: 'Edit details' }).click();
    // The edit form itself (the profile has other forms: communication).
    await page.locator('.pol-form .field-row').first().waitFor();
    const rows = await page.locator('.pol-form .field-row').evaluateAll((list) =>
      list.map((row) => [...row.querySelectorAll(':scope > .field > input, :scope > .field > select')].map((el) => {
        const r = el.getBoundingClientRect();
        return { top: Math.round(r.top), height: Math.round(r.height), name: el.id };
      })),
    );
    assert.ok(rows.length >= 4, `the form has rows (${rows.length})`);
    for (const row of rows) {
      if (row.length < 2) continue;
      const [first, ...rest] = row;
      for (const other of rest) {
        assert.ok(Math.abs(other.top - first.top) <= 1, `fields in a row start level: ${JSON.stringify(row)}`);
        assert.ok(Math.abs(other.height - first.height) <= 1, `fields in a row are as tall: ${JSON.stringify(row)}`);
      }
    }
    await t.scan(page, 'polish-edit-patient');
    await t.shot(page, 'polish-edit-patient-1440');
    await context.close();
  });

  t.scenario('polish: the 404 page links the user home; "1 patient matches"', async () => {
    const { context, page } = await staffPage();
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    const back = page.getByRole('link', { name: 'Back to the schedule' });
    assert.equal(await back.getAttribute('href'), '/schedule');
    await t.scan(page, 'polish-404');
    await back.click();
    await page.waitForURL('**/schedule**');

    // A search term with exactly one match, whichever the seed makes unique.
    let term = null;
    for (const q of ['Jordan Avery', 'Jordan', 'patient@topsmile.local', 'Avery']) {
      const res = await t.pageApi(page, 'GET', `/api/patients?q=${encodeURIComponent(q)}`);
      if (res.status === 200 && res.json.items.length === 1 && !res.json.nextCursor) {
        term = q;
        break;
      }
    }
    assert.ok(term, 'some search has exactly one match');
    await page.goto('/patients');
    await page.getByLabel('Search patients').fill(term);
    await page.getByRole('status').filter({ hasText: `1 patient matches “${term}”` }).waitFor();
    await context.close();

    const anon = await t.newContext({ viewport: DESKTOP });
    const p2 = await t.newPage(anon);
    await p2.goto('/no/such/page');
    await p2.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.equal(await p2.getByRole('link', { name: 'Go to sign-in' }).getAttribute('href'), '/sign-in');
    await anon.close();
  });
}
