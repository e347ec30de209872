// The portal on a phone (issue 16 items 10 and 11): the grouped time picker
// with First available and a sticky Continue, booking, rescheduling (exactly
// one upcoming visit afterwards), Past visits, and the forms/plans/bills links.
// Run alone: E2E_ONLY='portal:' node e2e/run.mjs
const PATIENT = { email: 'patient@topsmile.local', password: 'smile-patient-dev-2026' };
const PHONE = { width: 360, height: 740 };

export default function register(t) {
  const { assert } = t;
  const my = {};

  async function patientPage() {
    if (my.patient) return my.patient;
    const context = await t.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await t.newPage(context);
    await t.signIn(page, PATIENT);
    await page.waitForURL('**/portal');
    const me = await t.pageApi(page, 'GET', '/api/auth/me');
    my.timeZone = me.json?.clinic?.settings?.timeZone ?? 'America/New_York';
    my.patient = { context, page };
    return my.patient;
  }

  async function noSidewaysScroll(page, where) {
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scroll <= width, `${where}: no sideways scroll at ${width}px (content is ${scroll}px wide)`);
  }

  async function axeClean(page, screen) {
    const blocking = await t.scan(page, screen);
    assert.equal(blocking.length, 0, `${screen}: axe serious/critical ${blocking.map((v) => v.id).join(', ')}`);
  }

  /** The element is on screen in the current scroll position (not below the fold). */
  async function inView(locator, what) {
    const box = await locator.boundingBox();
    assert.ok(box, `${what} is rendered`);
    assert.ok(box.y >= 0 && box.y + box.height <= PHONE.height, `${what} is in view (y ${Math.round(box.y)}…${Math.round(box.y + box.height)} of ${PHONE.height})`);
  }

  async function upcomingFromApi(page) {
    const res = await t.pageApi(page, 'GET', `/api/appointments?from=${encodeURIComponent(new Date().toISOString())}&limit=200`);
    assert.equal(res.status, 200, `GET /api/appointments as the patient answered ${res.status}`);
    return res.json.items;
  }

  /** Picks the first time on the day tab at `index` (≥ 2: outside the cancellation notice window). */
  async function pickOnDay(page, index) {
    const tabs = page.getByRole('list', { name: 'Days with free times' }).getByRole('button');
    const n = await tabs.count();
    assert.ok(n > index, `at least ${index + 1} days with free times (got ${n})`);
    await tabs.nth(index).click();
    const open = page.locator('.pb-part__times .slot').first();
    await open.waitFor();
    await open.click();
    const label = await page.getByRole('button', { name: /^Continue with/ }).textContent();
    return label.replace(/^Continue with /, '').trim(); // "Thu, Dec 3, 9:00 AM"
  }

  const local = (iso) => {
    const d = new Date(iso);
    const day = new Intl.DateTimeFormat('en-US', { timeZone: my.timeZone, weekday: 'short', month: 'short', day: 'numeric' }).format(d);
    const time = new Intl.DateTimeFormat('en-US', { timeZone: my.timeZone, hour: 'numeric', minute: '2-digit' }).format(d);
    return `${day}, ${time}`;
  };

  t.scenario('portal: the phone time picker groups times, offers First available and keeps Continue in view at 360×740', async () => {
    const { page } = await patientPage();
    await page.goto('/portal/book');
    await page.getByRole('heading', { level: 1, name: 'Book a visit' }).waitFor();
    await page.getByRole('radio').first().check();
    my.typeName = (await page.locator('.type-option strong').first().textContent()).trim();

    // Grouped: Morning / Afternoon / Evening, each a disclosure with its count.
    const parts = page.locator('.pb-part__toggle');
    await parts.first().waitFor();
    assert.equal(await parts.count(), 3);
    for (const [i, label] of ['Morning', 'Afternoon', 'Evening'].entries()) {
      assert.match(await parts.nth(i).textContent(), new RegExp(`${label}.*(\\d+ times?|none free)`));
    }
    const expanded = page.locator('.pb-part__toggle[aria-expanded="true"]');
    assert.equal(await expanded.count(), 1, 'one part of the day open at a time by default');
    // Collapsing and expanding by keyboard.
    await expanded.first().focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.pb-part__toggle[aria-expanded="true"]').count(), 0, 'Enter collapses the part');
    assert.equal(await page.locator('.pb-part__times .slot').count(), 0);
    await page.keyboard.press('Enter');
    await page.locator('.pb-part__times .slot').first().waitFor();

    // "Any provider": no time shows twice.
    const times = await page.locator('.pb-part__times .slot__time').allTextContents();
    assert.equal(new Set(times).size, times.length, `any provider: one slot per time (${times.join(', ')})`);

    // The list is short and Continue is in view without scrolling to the bottom.
    const continueButton = page.getByRole('button', { name: 'Choose a time to continue' });
    await inView(continueButton, 'Continue (nothing chosen)');
    const pickerHeight = (await page.locator('.pb-parts').boundingBox()).height;
    assert.ok(pickerHeight < 1200, `the picker is ${Math.round(pickerHeight)} px tall`);
    const docHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(docHeight < 2000, `the page is ${docHeight} px tall`);
    await noSidewaysScroll(page, 'portal book');
    await axeClean(page, 'portal-time-picker');
    await t.shot(page, 'portal-time-picker-360');

    // First available: chooses the soonest time.
    const first = page.getByRole('button', { name: /^First available/ });
    const firstWhen = (await first.locator('.pb-first__when').textContent()).trim();
    await first.click();
    const chosen = page.getByRole('button', { name: `Continue with ${firstWhen}` });
    await chosen.waitFor();
    await inView(chosen, 'Continue with the first available time');
    const api = await t.pageApi(page, 'GET', `/api/availability?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 14 * 86_400_000).toISOString())}&typeId=${await page.getByRole('radio').first().getAttribute('value')}`);
    const soonest = api.json.items.map((s) => s.start).sort()[0];
    assert.equal(firstWhen, local(soonest), 'First available is the soonest time availability returns');

    // One provider chosen: only that provider's times, without the name on each.
    const select = page.getByLabel('Provider');
    const options = await select.locator('option').allTextContents();
    assert.equal(options[0], 'Any provider');
    if (options.length > 1) {
      await select.selectOption({ label: options[1] });
      await page.locator('.pb-part__times .slot').first().waitFor();
      assert.equal(await page.locator('.pb-part__times .slot__meta').count(), 0, 'one provider: no name on each time');
      await select.selectOption({ label: 'Any provider' });
    }

    // Scrolled to the bottom of the picker, Continue is still stuck in view.
    await page.locator('.pb-part').last().scrollIntoViewIfNeeded();
    await inView(page.locator('.pb-continue button').first(), 'Continue after scrolling');
  });

  t.scenario('portal: the patient books a visit at 360×740, then reschedules it; exactly one upcoming visit at the new time', async () => {
    // Earlier scenarios book Jordan Avery too, and a reschedule holds the
    // new time while the old one stands: the front desk cancels his other
    // upcoming visits first, so the clinic's per-patient limit has room.
    const deskCtx = await t.newContext();
    const desk = await t.newPage(deskCtx);
    await t.signIn(desk, t.STAFF);
    await desk.waitForURL('**/schedule');
    const found = await t.pageApi(desk, 'GET', '/api/patients?q=Avery');
    const jordan = found.json.items.find((p) => p.firstName === 'Jordan');
    const from = new Date().toISOString();
    const to = new Date(Date.now() + 60 * 24 * 3600_000).toISOString();
    const theirs = await t.pageApi(desk, 'GET', `/api/appointments?patientId=${jordan.id}&from=${from}&to=${to}&limit=200`);
    for (const a of theirs.json.items.filter((x) => !['cancelled', 'completed', 'no_show'].includes(x.status))) {
      const c = await t.pageApi(desk, 'POST', `/api/appointments/${a.id}/cancel`, { reason: 'other', reasonText: 'e2e: room to reschedule' });
      t.assert.equal(c.status, 200, `cancel ${a.id} answered ${c.status}`);
    }
    await deskCtx.close();
    const { page } = await patientPage();
    const before = new Set((await upcomingFromApi(page)).map((a) => a.id));
    await page.goto('/portal/book');
    await page.getByRole('radio').first().check();
    await page.locator('.pb-part__toggle').first().waitFor();
    const when = await pickOnDay(page, 2);
    await page.getByRole('button', { name: `Continue with ${when}` }).click();
    await page.getByRole('heading', { name: 'Confirm your visit' }).waitFor();
    await page.getByRole('button', { name: 'Confirm booking' }).click();
    await page.waitForURL(/\/portal$/);
    const booked = (await upcomingFromApi(page)).filter((a) => !before.has(a.id) && a.status !== 'cancelled');
    assert.equal(booked.length, 1, 'one new visit booked');
    my.old = booked[0];
    assert.equal(local(my.old.start), when);

    // Reschedule from its card.
    const [day, , time] = when.split(', ').length === 3 ? when.split(', ') : [when, '', ''];
    const card = page.locator('.visit-card').filter({ hasText: time }).filter({ has: page.getByRole('link', { name: /^Reschedule/ }) });
    const link = page.getByRole('link', { name: new RegExp(`^Reschedule visit on .*${time.replace(/\s/g, '\\s')}`) });
    await link.first().waitFor();
    assert.ok((await card.count()) >= 1, `a card for ${day} ${time}`);
    await link.first().click();
    await page.getByRole('heading', { level: 1, name: 'Move your visit' }).waitFor();
    await page.getByText(/stays booked until you confirm a new time/).waitFor();
    await page.locator('.pb-part__toggle').first().waitFor();
    await noSidewaysScroll(page, 'portal reschedule');
    await axeClean(page, 'portal-reschedule');
    const newWhen = await pickOnDay(page, 3);
    assert.notEqual(newWhen, when);
    await page.getByRole('button', { name: `Continue with ${newWhen}` }).click();
    await page.getByRole('heading', { name: 'Confirm your new time' }).waitFor();
    await page.getByText(/will be cancelled once the new time is confirmed/).waitFor();
    await axeClean(page, 'portal-reschedule-confirm');
    await t.shot(page, 'portal-reschedule-confirm-360');
    await page.getByRole('button', { name: 'Confirm new time' }).click();
    const moved = await Promise.race([
      page.waitForURL(/\/portal$/).then(() => 'moved'),
      page.getByRole('alert').first().waitFor().then(() => 'failed'),
    ]);
    if (moved === 'failed') assert.fail(`reschedule failed: ${await page.getByRole('alert').first().textContent()}`);

    // The server: the old one cancelled, the new one booked, nothing else new.
    const oldNow = await t.pageApi(page, 'GET', `/api/appointments/${my.old.id}`);
    assert.equal(oldNow.json.status, 'cancelled', 'the old visit is cancelled');
    const mine = (await upcomingFromApi(page)).filter((a) => !before.has(a.id) && a.status !== 'cancelled');
    assert.equal(mine.length, 1, `exactly one upcoming visit from this test (${mine.map((a) => `${a.status} ${a.start}`).join(', ')})`);
    assert.equal(local(mine[0].start), newWhen);
    assert.ok(['scheduled', 'confirmed'].includes(mine[0].status), `the new visit is booked (${mine[0].status})`);

    // The page: one card at the new time, none at the old.
    const longDay = (iso) =>
      new Intl.DateTimeFormat('en-US', { timeZone: my.timeZone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(iso));
    const timeOf = (iso) => new Intl.DateTimeFormat('en-US', { timeZone: my.timeZone, hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
    const at = (iso) => page.locator('.visit-card').filter({ hasText: longDay(iso) }).filter({ hasText: `${timeOf(iso)} –` });
    await at(mine[0].start).first().waitFor();
    assert.equal(await at(mine[0].start).count(), 1, 'one card at the new time');
    assert.equal(await at(my.old.start).count(), 0, 'no card at the old time');
    await noSidewaysScroll(page, 'portal home after reschedule');
    await t.shot(page, 'portal-rescheduled-360');
    // Leave the demo patient's diary as it was.
    await t.pageApi(page, 'POST', `/api/appointments/${mine[0].id}/cancel`, { reason: 'e2e: clean up' });
  });

  t.scenario('portal: Past visits and the places for forms, treatment plans and bills at 360×740', async () => {
    const { page } = await patientPage();
    await page.goto('/portal');
    const past = page.getByRole('region', { name: 'Past visits' });
    await past.waitFor();
    const items = past.locator('.pb-past');
    await Promise.race([items.first().waitFor(), past.getByText(/No past visits yet/).waitFor()]);
    const n = await items.count();
    const res = await t.pageApi(page, 'GET', `/api/appointments?from=${encodeURIComponent(new Date(Date.now() - 730 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date().toISOString())}&limit=200`);
    const expected = res.json.items.filter((a) => a.status !== 'held' && Date.parse(a.start) <= Date.now());
    assert.equal(n, expected.length, `Past visits lists the patient's ${expected.length} past visits`);
    if (n > 0) {
      const text = await items.first().textContent();
      assert.match(text, / with /, 'type and provider shown');
      assert.ok(await items.first().locator('.status').count(), 'status shown');
    }
    console.log(`    past visits shown: ${n}`);

    const records = page.getByRole('region', { name: 'Forms, treatment plans and bills' });
    assert.equal(await records.getByRole('link', { name: 'Forms to sign' }).getAttribute('href'), '/portal/forms');
    assert.equal(await records.getByRole('link', { name: 'Treatment plans' }).getAttribute('href'), '/portal/plans');
    assert.equal(await records.getByRole('link', { name: 'Bills' }).getAttribute('href'), '/portal/bills');
    await noSidewaysScroll(page, 'portal home');
    await axeClean(page, 'portal-home-history');
    await records.scrollIntoViewIfNeeded();
    await t.shot(page, 'portal-history-360');
    await records.getByRole('link', { name: 'Treatment plans' }).click();
    await page.waitForURL('**/portal/plans');
    await page.getByRole('heading', { level: 1, name: 'Treatment plans' }).waitFor();
  });
}
