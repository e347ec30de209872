// The live schedule (issue 17 item 4): two desks on the same day see each
// other's bookings and cancellations through GET /api/live without a reload
// or a poll; with the live endpoint stopped for one tab, it says so politely
// and falls back to polling every 30 s.
// Run alone: E2E_ONLY='live:' node e2e/run.mjs
const DESKTOP = { width: 1440, height: 900 };
const OFFLINE = 'Offline — refreshing every 30 s';
const PROVIDER = 'Dr. Samuel Reyes';

export default function register(t) {
  const { assert } = t;

  /** Two weeks after the next working day: clear of the other scenarios' bookings. */
  function quietDay(timeZone) {
    const [y, m, d] = t.nextWorkingDay(timeZone).split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + 14)).toISOString().slice(0, 10);
  }

  /** A signed-in desk whose live frames and appointment reads are recorded. */
  async function desk(who) {
    const context = await t.newContext({ viewport: DESKTOP });
    const page = await t.newPage(context);
    const frames = [];
    const reads = [];
    page.on('websocket', (ws) => {
      if (!ws.url().endsWith('/api/live')) return;
      ws.on('framereceived', (f) => frames.push({ at: Date.now(), payload: String(f.payload) }));
    });
    page.on('request', (req) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname === '/api/appointments') reads.push(Date.now());
    });
    await t.signIn(page, who);
    await page.waitForURL('**/schedule');
    return { context, page, frames, reads };
  }

  const liveStatus = (page) => page.locator('[data-live-status]').first();

  async function onDay(page, date) {
    await page.goto(`/schedule?date=${date}`);
    await page.locator('.day-grid__col-head').first().waitFor();
    await page.locator('[data-live-status="live"]').waitFor({ state: 'attached' });
  }

  t.scenario('live: a booking at one desk appears at the other at once; offline notice and 30 s polling without the live endpoint', async () => {
    const a = await desk(t.STAFF);
    const b = await desk(t.ADMIN);
    const me = await t.pageApi(a.page, 'GET', '/api/auth/me');
    const timeZone = me.json.clinic.settings.timeZone;
    const date = quietDay(timeZone);
    const patients = (await t.pageApi(a.page, 'GET', '/api/patients?limit=20')).json.items;
    const patient = patients.find((p) => p.lastName && p.lastName.length >= 3);
    assert.ok(patient, 'the seed has patients');
    const name = `${patient.preferredName || patient.firstName} ${patient.lastName}`;

    await onDay(a.page, date);
    await onDay(b.page, date);

    // While live nothing polls: in 6 s desk B reads appointments only right
    // after a live event (other spec files change the clinic meanwhile); it
    // polled every 5 s before.
    const readsBefore = b.reads.length;
    await b.page.waitForTimeout(6_000);
    const unprompted = b.reads.slice(readsBefore).filter((at) => !b.frames.some((f) => f.at <= at && at - f.at < 2_000));
    assert.equal(unprompted.length, 0, `no polling while the live connection is up (${unprompted.length} reads with no live event before them)`);

    // Desk A books from an empty slot in the UI.
    await a.page.getByRole('group', { name: `Empty slots: ${PROVIDER}` }).getByRole('button').nth(6).click();
    const dialog = a.page.getByRole('dialog', { name: 'Book appointment' });
    await dialog.waitFor();
    const search = dialog.getByRole('combobox', { name: 'Patient' });
    await search.fill(patient.lastName.slice(0, 4));
    await dialog.getByRole('option').first().waitFor();
    await search.press('ArrowDown');
    await search.press('Enter');
    await dialog.getByRole('button', { name: 'Change patient' }).waitFor();
    const typeOptions = await dialog.getByLabel('Type of visit').locator('option').allTextContents();
    await dialog.getByLabel('Type of visit').selectOption({ label: typeOptions.find((o) => /\((15|20|30) min\)/.test(o)) ?? typeOptions[1] });
    await dialog.getByRole('radio').first().waitFor();
    if (!(await dialog.getByRole('radio', { checked: true }).count())) await dialog.getByRole('radio').first().check();
    const posted = a.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/appointments');
    const framesBefore = b.frames.length;
    const clicked = Date.now();
    await dialog.getByRole('button', { name: /^Book .+ with / }).click();
    const res = await posted;
    assert.equal(res.status(), 201, `booking answered ${res.status()}`);
    const booked = await res.json();
    const tileB = b.page.locator(`.appt[data-appointment-id="${booked.id}"]`);
    await tileB.waitFor({ timeout: 5_000 });
    const shown = Date.now();
    const frame = b.frames.slice(framesBefore).find((f) => f.payload.includes(booked.id));
    assert.ok(frame, 'desk B received the booking’s live event');
    const event = JSON.parse(frame.payload);
    assert.equal(event.type, 'appointment.created');
    assert.deepEqual(Object.keys(event).sort(), ['at', 'id', 'type', 'version'], 'ids and versions only');
    const bookMs = shown - clicked;
    console.log(
      `    live: booked at desk A → on desk B's grid in ${bookMs} ms from the click (the event reached desk B after ${frame.at - clicked} ms)`,
    );
    await tileB.filter({ hasText: patient.lastName }).waitFor();
    await t.shot(a.page, 'live-desk-a-booked');
    await t.shot(b.page, 'live-desk-b-sees-booking');
    await t.scan(b.page, 'live-schedule');

    // A cancellation at desk A takes the tile off desk B's grid.
    const cancelAt = Date.now();
    const cancelled = await t.pageApi(a.page, 'POST', `/api/appointments/${booked.id}/cancel`, { reason: 'other', reasonText: 'e2e: live' });
    assert.equal(cancelled.status, 200, `cancel answered ${cancelled.status}`);
    await tileB.waitFor({ state: 'detached', timeout: 5_000 });
    console.log(`    live: cancelled at desk A → gone from desk B's grid in ${Date.now() - cancelAt} ms`);
    assert.equal(await liveStatus(b.page).getAttribute('data-live-status'), 'live');
    assert.equal(await b.page.getByText(OFFLINE).count(), 0, 'no offline notice while live');

    // The live endpoint stops for desk B (the browser side of a stopped
    // endpoint: every new socket is closed before it opens). Its tab opens afresh.
    await b.context.routeWebSocket('**/api/live', (ws) => ws.close({ code: 1011, reason: 'live endpoint stopped (e2e)' }));
    const reloadAt = Date.now();
    await b.page.reload();
    await b.page.locator('.day-grid__col-head').first().waitFor();
    const notice = b.page.getByRole('status').filter({ hasText: OFFLINE });
    await notice.waitFor({ timeout: 10_000 });
    assert.equal(await notice.getAttribute('aria-live'), 'polite');
    assert.equal(await b.page.getByRole('alert').filter({ hasText: /offline/i }).count(), 0, 'a status, not an alert');
    await t.scan(b.page, 'live-offline-schedule');
    await t.shot(b.page, 'live-offline-notice');

    // Disconnected, desk B polls every 30 s: a booking made at desk A reaches it without a reload.
    const slots = await t.pageApi(a.page, 'GET', `/api/availability?from=${date}T00:00:00Z&to=${date}T23:59:59Z&duration=30`);
    const slot = slots.json.items.find((s) => s.providerId === booked.providerId) ?? slots.json.items[0];
    assert.ok(slot, 'a free slot for the second booking');
    const polledAt = Date.now();
    const second = await t.pageApi(a.page, 'POST', '/api/appointments', {
      patientId: patient.id,
      providerId: slot.providerId,
      operatoryId: slot.operatoryId,
      start: slot.start,
      end: new Date(new Date(slot.start).getTime() + 30 * 60_000).toISOString(),
    });
    assert.equal(second.status, 201, `the second booking answered ${second.status}: ${JSON.stringify(second.json)}`);
    await b.page.locator(`.appt[data-appointment-id="${second.json.id}"]`).waitFor({ timeout: 40_000 });
    const readsSince = b.reads.filter((x) => x >= reloadAt).map((x) => `+${Math.round((x - reloadAt) / 1000)} s`);
    console.log(`    offline: desk B saw desk A's booking ${Math.round((Date.now() - polledAt) / 1000)} s after it was made, by polling (appointment reads since the reload: ${readsSince.join(', ')})`);
    assert.equal(await b.page.getByText(OFFLINE).count(), 1, 'the notice stays while offline, once');

    // The waitlist says the same while offline.
    await b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Waitlist' }).click();
    await b.page.waitForURL('**/waitlist');
    await b.page.getByRole('status').filter({ hasText: OFFLINE }).waitFor({ timeout: 10_000 });
    await t.scan(b.page, 'live-offline-waitlist');
    await t.shot(b.page, 'live-offline-waitlist');

    // Desk A, still live, never showed the notice.
    assert.equal(await a.page.getByText(OFFLINE).count(), 0);
    await t.pageApi(a.page, 'POST', `/api/appointments/${second.json.id}/cancel`, { reason: 'other', reasonText: 'e2e: live' });
    await a.context.close();
    await b.context.close();
  });
}
