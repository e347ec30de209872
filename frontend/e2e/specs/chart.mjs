// The odontogram and chairside perio entry (issue 10).
// Run alone: E2E_ONLY='chart:' node e2e/run.mjs
const DENTIST = { email: 'dentist@topsmile.local', password: 'smile-staff-dev-2026' };
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 360, height: 740 };

export default function register(t) {
  const { assert } = t;
  const my = {};

  async function dentistPage(viewport = DESKTOP) {
    const context = await t.newContext({ viewport });
    const page = await t.newPage(context);
    await t.signIn(page, DENTIST);
    await page.waitForURL('**/schedule');
    if (!my.patientId) {
      const found = await t.pageApi(page, 'GET', '/api/patients?q=Avery');
      assert.equal(found.status, 200, `GET /api/patients?q=Avery answered ${found.status}`);
      const jordan = found.json.items.find((p) => p.firstName === 'Jordan' && p.lastName === 'Avery');
      assert.ok(jordan, 'the demo patient Jordan Avery is seeded');
      my.patientId = jordan.id;
      const me = await t.pageApi(page, 'GET', '/api/auth/me');
      my.timeZone = me.json?.clinic?.settings?.timeZone ?? t.state.timeZone ?? 'America/New_York';
    }
    return { context, page };
  }

  /** The date before today in the clinic's zone, YYYY-MM-DD. */
  function yesterday(timeZone) {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const [y, m, d] = today.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
  }

  async function noSidewaysScroll(page, where) {
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scroll <= width, `${where}: no sideways scroll at ${width}px (content is ${scroll}px wide)`);
  }

  const tooth = (page, n) => page.locator(`[data-tooth="${n}"]`);

  t.scenario('chart: a dentist charts caries on Jordan Avery by mouse and by keyboard, then looks at yesterday', async () => {
    const { context, page } = await dentistPage();
    await page.goto(`/patients/${my.patientId}/chart`);
    await page.getByRole('heading', { level: 1, name: /Chart — Jordan Avery/ }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Penicillin' }).waitFor();
    // The seeded chart is drawn: a crown on 3, 32 missing.
    await page.getByRole('button', { name: /^Tooth 3, upper right first molar: crown \(existing\)/ }).waitFor();
    await page.getByRole('button', { name: /^Tooth 32, lower right third molar: missing/ }).waitFor();
    await t.scan(page, 'chart');
    await t.shot(page, 'chart-1440');

    // By mouse: the O surface of 5, then the kind.
    await tooth(page, '5').locator('[data-surface="O"]').click();
    let dialog = page.getByRole('dialog', { name: 'Tooth 5 — upper right first premolar' });
    await dialog.waitFor();
    assert.ok(await dialog.getByRole('checkbox', { name: /^O occlusal/ }).isChecked(), 'the clicked surface is picked');
    await dialog.getByLabel('What').selectOption('caries');
    await t.scan(page, 'chart-tooth-dialog');
    await t.shot(page, 'chart-tooth-dialog');
    await dialog.getByRole('button', { name: 'Save to chart' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Tooth 5, upper right first premolar: caries on O (condition)' }).waitFor();
    await page.getByRole('table').getByRole('row', { name: /^5\W.*\bO Caries/ }).waitFor();

    // By keyboard only: Tab into the mouth (one stop), arrows to 12, Enter, surfaces and kind, save.
    const first = page.getByRole('button', { name: /^Tooth 1, / });
    await page.getByRole('button', { name: 'Primary' }).focus();
    // The mouth is one tab stop, on the tooth last used (5); Home goes to the arch's first tooth.
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.getAttribute('data-tooth'))) break;
    }
    await page.keyboard.press('Home');
    assert.ok(await first.evaluate((el) => el === document.activeElement), 'Home puts the focus on tooth 1');
    for (let i = 0; i < 11; i += 1) await page.keyboard.press('ArrowRight');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.match(focused ?? '', /^Tooth 12, upper left first premolar/);
    await page.keyboard.press('Enter');
    dialog = page.getByRole('dialog', { name: 'Tooth 12 — upper left first premolar' });
    await dialog.waitFor();
    // Focus is on M; Tab to O, Space ticks it; Tab on through the surfaces to "What".
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    assert.ok(await dialog.getByRole('checkbox', { name: /^O occlusal/ }).isChecked(), 'O ticked by keyboard');
    await page.keyboard.press('Tab'); // D
    await page.keyboard.press('Tab'); // B
    await page.keyboard.press('Tab'); // L
    await page.keyboard.press('Tab'); // What
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SELECT');
    await page.keyboard.type('Car'); // type-ahead on the closed select: Caries
    assert.equal(await dialog.getByLabel('What').inputValue(), 'caries');
    await page.keyboard.press('Tab'); // Status: Condition, the only one for caries, is checked
    assert.ok(await dialog.getByRole('radio', { name: 'Condition' }).isChecked(), 'caries is a condition');
    await page.keyboard.press('Tab'); // Procedure code
    await page.keyboard.press('Enter'); // submits the form
    await dialog.waitFor({ state: 'detached' });
    const twelve = page.getByRole('button', { name: 'Tooth 12, upper left first premolar: caries on O (condition)' });
    await twelve.waitFor();
    assert.ok(await twelve.evaluate((el) => el === document.activeElement), 'focus is back on tooth 12');

    // History: as of yesterday neither entry is there.
    await page.getByLabel('Chart as of').fill(yesterday(my.timeZone));
    await page.getByText(/Showing the chart as it was at the end of/).waitFor();
    await page.getByRole('button', { name: /^Tooth 5, upper right first premolar: nothing charted/ }).waitFor();
    await page.getByRole('button', { name: /^Tooth 12, upper left first premolar: nothing charted/ }).waitFor();
    // The seeded chart (three months old) still is.
    await page.getByRole('button', { name: /^Tooth 3, upper right first molar: crown \(existing\)/ }).waitFor();
    assert.equal(await page.getByRole('table').getByRole('row', { name: /^(5|12)\W.*Caries/ }).count(), 0, 'not in the table either');
    await t.scan(page, 'chart-as-of-yesterday');
    await t.shot(page, 'chart-as-of-yesterday');
    await page.getByRole('button', { name: 'Back to today' }).click();
    await page.getByRole('button', { name: 'Tooth 12, upper left first premolar: caries on O (condition)' }).waitFor();

    // History of entries: replaced ones listed on request.
    await page.getByLabel('Show history (replaced entries)').check();
    await page.getByRole('table').waitFor();
    await context.close();
  });

  t.scenario('chart: the odontogram at 360×740', async () => {
    const { context, page } = await dentistPage(PHONE);
    await page.goto(`/patients/${my.patientId}/chart`);
    await page.getByRole('heading', { level: 1, name: /Chart/ }).waitFor();
    await page.getByRole('button', { name: /^Tooth 3, upper right first molar/ }).waitFor();
    await noSidewaysScroll(page, 'chart');
    const box = await tooth(page, '14').boundingBox();
    assert.ok(box && box.width >= 24, `a tooth is big enough to tap (${box?.width}px)`);
    await t.scan(page, 'chart-360');
    await tooth(page, '14').scrollIntoViewIfNeeded();
    await t.shot(page, 'chart-360');
    await tooth(page, '14').click();
    await page.getByRole('dialog', { name: /Tooth 14/ }).waitFor();
    await noSidewaysScroll(page, 'chart tooth dialog');
    await t.shot(page, 'chart-360-dialog');
    await context.close();
  });

  t.scenario('chart: a perio exam typed in the grid with a 6 mm pocket, saved and compared', async () => {
    const { context, page } = await dentistPage();
    await page.goto(`/patients/${my.patientId}/perio`);
    await page.getByRole('heading', { level: 1, name: /Perio — Jordan Avery/ }).waitFor();
    // 32 is missing on the chart: skipped.
    await page.getByLabel(/^Tooth 1 DB depth/).waitFor();
    assert.equal(await page.getByLabel(/^Tooth 32 .* depth/).count(), 0, 'no sites for the missing tooth 32');

    await page.getByLabel(/^Tooth 1 DB depth/).click();
    // Tooth 1: DB 3, B 2, MB 3; tooth 2: DB bleeding and 6 mm, B 2, MB 4 (one keystroke a site).
    await page.keyboard.type('323');
    await page.keyboard.type('b6');
    await page.keyboard.type('24');
    const deep = page.getByLabel('Tooth 2 DB depth, deep, bleeding');
    assert.equal(await deep.inputValue(), '6');
    assert.match(await deep.evaluate((el) => el.closest('td').className), /perio-site--deep/);
    assert.ok(
      await page.getByLabel(/^Tooth 3 DB depth/).evaluate((el) => el === document.activeElement),
      'after six sites the focus is on tooth 3 DB',
    );
    await page.getByRole('combobox', { name: 'Tooth 2 mobility' }).selectOption('1');
    await t.scan(page, 'perio');
    await t.shot(page, 'perio-1440');

    await page.getByRole('button', { name: 'Save exam' }).click();
    const saved = page.locator('.perio-summary');
    await saved.waitFor();
    assert.match(await saved.innerText(), /2 teeth, 6 sites, 1 bleeding, 1 at 5 mm or deeper/);
    await page.getByRole('button', { name: 'Compare with previous exam' }).click();
    const compare = page.getByRole('region', { name: /Worse by 2 mm or more since/ });
    await compare.waitFor();
    // The seed probed 2 DB at 2–3 mm three months ago; 6 mm now.
    await compare.getByRole('row', { name: /^2 DB / }).waitFor();
    await t.scan(page, 'perio-compare');
    await compare.scrollIntoViewIfNeeded();
    await t.shot(page, 'perio-compare');
    await context.close();
  });
}
