// The core day: the desks sign in (the first scenario, which every other
// spec relies on for the clinic's zone), book, move, check in, drag; tokens
// refresh; a patient signs up, books, updates their details and accepts an
// offer; idle sign-out, two-step sign-in, the account page, not-found.
export default function register(t) {
  const { scenario, shot, scan, assertNoSideScroll, newContext, newPage, signIn, pageApi, emailedLink, nextWorkingDay, pickPatient, openBooking, totp, state, assert, STAFF, ADMIN, HYGIENIST, SLOT_TAKEN, STEP_TIMEOUT, ACCESS_COOKIE } = t;

  scenario('front desk signs in and sees the schedule', async () => {
    const context = await newContext();
    const page = await newPage(context);
    state.deskA = { context, page };

    await page.goto('/');
    await scan(page, 'sign-in');
    await shot(page, 'sign-in');

    await signIn(page, STAFF);
    await page.waitForURL('**/schedule');
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();

    const me = await pageApi(page, 'GET', '/api/auth/me');
    assert.equal(me.status, 200);
    state.timeZone = me.json.clinic.settings.timeZone;
    state.clinicId = me.json.clinic.id;
    state.date = nextWorkingDay(state.timeZone);

    const appts = await pageApi(page, 'GET', '/api/appointments?limit=200');
    assert.equal(appts.status, 200);
    state.patientId = appts.json.items[0]?.patientId;
    assert.ok(state.patientId, 'the seed has appointments with patients');
    const patients = await pageApi(page, 'GET', '/api/patients?limit=1');
    state.patientsApi = patients.status === 200;
    if (state.patientsApi) state.patientSearch = patients.json.items[0]?.lastName?.slice(0, 3);
    console.log(`    patients API: ${state.patientsApi ? 'available' : `missing (HTTP ${patients.status}) — booking by patient id`}`);

    await page.goto(`/schedule?date=${state.date}`);
    await page.locator('.day-grid__col-head').first().waitFor();
    const providers = await page.locator('.day-grid__col-head').allTextContents();
    assert.ok(providers.length >= 1, 'one column per provider');
    await page.locator('.appt').first().waitFor();
    const count = await page.locator('.appt').count();
    console.log(`    ${state.date}: ${providers.length} provider columns (${providers.join(', ')}), ${count} appointments`);
    assert.ok(count > 0, 'seeded appointments are on the grid');
    await shot(page, 'schedule');
    await scan(page, 'schedule');

    // Columns by chair, and one provider's week; live events keep both fresh like the day view.
    const operatories = (await pageApi(page, 'GET', '/api/operatories')).json.items.filter((o) => o.active);
    await page.getByRole('button', { name: 'By chair' }).click();
    await page.waitForURL(/view=chair/);
    await page.locator('.day-grid__col-head', { hasText: operatories[0].name }).waitFor();
    assert.ok((await page.locator('.day-grid__col-head').count()) >= operatories.length, 'one column per chair');
    assert.equal(await page.getByRole('button', { name: 'By chair' }).getAttribute('aria-pressed'), 'true');
    await scan(page, 'schedule-by-chair');
    await shot(page, 'schedule-by-chair');
    await page.getByRole('button', { name: 'Week' }).click();
    await page.waitForURL(/view=week/);
    await page.getByLabel('Provider').waitFor();
    await page.getByRole('button', { name: 'Next week' }).waitFor();
    assert.equal(await page.locator('.day-grid__col-head').count(), 7, 'seven day columns');
    await scan(page, 'schedule-week');
    await shot(page, 'schedule-week');
    await page.getByRole('button', { name: 'By provider' }).click();
    await page.waitForURL(`**/schedule?date=${state.date}`);
    await page.locator('.day-grid__col-head').nth(providers.length - 1).waitFor();

    // Day navigation by keyboard-operable buttons.
    await page.getByRole('button', { name: 'Next day' }).click();
    await page.waitForURL(/date=/);
    await page.getByRole('button', { name: 'Previous day' }).click();
    await page.waitForURL(`**/schedule?date=${state.date}`);

    // Details of an appointment open with Enter.
    await page.locator('.appt').first().focus();
    await page.keyboard.press('Enter');
    const details = page.getByRole('dialog', { name: 'Appointment' });
    await details.waitFor();
    await details.getByRole('heading', { name: 'History' }).waitFor();
    await shot(page, 'appointment-details');
    await scan(page, 'appointment-details');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
  });

  scenario('front desk books a slot; a second desk books the same slot and sees the 409 message', async () => {
    const { page } = state.deskA;
    const contextB = await newContext();
    const pageB = await newPage(contextB);
    state.deskB = { context: contextB, page: pageB };
    await signIn(pageB, STAFF);
    await pageB.waitForURL('**/schedule');
    await pageB.goto(`/schedule?date=${state.date}`);

    const choice = { typeLabel: 'Emergency visit (30 min)', providerLabel: 'Dr. Samuel Reyes', date: state.date };
    const a = await openBooking(page, choice);
    const b = await openBooking(pageB, choice);
    await scan(page, 'book-dialog');

    // Both desks pick the first free time (the same one).
    const firstA = a.dialog.getByRole('radio').first();
    const firstB = b.dialog.getByRole('radio').first();
    const timeA = (await a.dialog.locator('.slot').first().locator('.slot__time').textContent()).trim();
    const timeB = (await b.dialog.locator('.slot').first().locator('.slot__time').textContent()).trim();
    assert.equal(timeA, timeB, 'both desks see the same first free time');
    await firstA.check();
    await firstB.check();
    await shot(page, 'book-dialog');

    await a.dialog.getByRole('button', { name: /^Book / }).click();
    await a.dialog.waitFor({ state: 'detached' });
    await page.getByText(/^Booked /).first().waitFor();
    state.booked = { patient: a.patient, time: timeA };
    console.log(`    desk A booked ${a.patient} at ${timeA} with Dr. Samuel Reyes`);

    await b.dialog.getByRole('button', { name: /^Book / }).click();
    const alert = b.dialog.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), new RegExp(SLOT_TAKEN));
    // The slot list was refreshed: the taken time is gone for that provider.
    await pageB.waitForTimeout(500);
    const timesB = await b.dialog.locator('.slot__time').allTextContents();
    assert.ok(!timesB.map((t) => t.trim()).includes(timeA), 'the taken time is no longer offered');
    await shot(pageB, 'book-409');
    await scan(pageB, 'book-409');
    await pageB.keyboard.press('Escape');

    // The first desk's booking shows up on the second desk's grid through its live event.
    const tile = pageB.locator('.appt', { hasText: timeA }).filter({ hasText: 'Emergency visit' });
    await tile.first().waitFor({ timeout: 12_000 });
  });

  scenario('front desk moves an appointment by keyboard', async () => {
    const { page } = state.deskA;
    const tile = page
      .locator('.day-grid__col', { has: page.locator('h2', { hasText: 'Dr. Samuel Reyes' }) })
      .locator('.appt', { hasText: state.booked.time })
      .filter({ hasText: 'Emergency visit' })
      .first();
    await tile.waitFor();
    state.movedId = await tile.getAttribute('data-appointment-id');
    await tile.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Appointment' });
    await dialog.waitFor();

    // Reach "Move" with Tab only.
    const move = dialog.getByRole('button', { name: 'Move' });
    for (let i = 0; i < 15 && !(await move.evaluate((el) => el === document.activeElement)); i += 1) {
      await page.keyboard.press('Tab');
    }
    assert.ok(await move.evaluate((el) => el === document.activeElement), 'Move is reachable with Tab');
    await page.keyboard.press('Enter');

    const spin = dialog.getByRole('spinbutton', { name: 'New start time' });
    await spin.waitFor();
    assert.ok(await spin.evaluate((el) => el === document.activeElement), 'focus moves to the start time');
    const before = await spin.getAttribute('aria-valuenow');
    await page.keyboard.press('ArrowUp');
    assert.equal(Number(await spin.getAttribute('aria-valuenow')), Number(before) + 15, 'ArrowUp moves 15 minutes later');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(Number(await spin.getAttribute('aria-valuenow')), Number(before) - 15, 'ArrowDown moves 15 minutes earlier');
    await page.keyboard.press('ArrowUp');
    await scan(page, 'move-panel');

    // Pick a free time from availability with the keyboard: Tab into the radio group, arrows, Space.
    await dialog.getByRole('radio').first().waitFor();
    await page.keyboard.press('Tab'); // "+15 min"
    await page.keyboard.press('Tab'); // first radio
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    const checked = dialog.getByRole('radio', { checked: true });
    await checked.waitFor();
    const newValue = await spin.getAttribute('aria-valuetext');
    await shot(page, 'move-panel');
    const moveButton = dialog.getByRole('button', { name: /^Move to / });
    for (let i = 0; i < 10 && !(await moveButton.evaluate((el) => el === document.activeElement)); i += 1) {
      await page.keyboard.press('Tab');
    }
    assert.ok(await moveButton.evaluate((el) => el === document.activeElement), 'the Move button is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.getByText(/^Moved to /).first().waitFor();
    await dialog.getByRole('heading', { name: 'History' }).waitFor();
    const when = await dialog.locator('dt:text("When") + dd').textContent();
    const startText = newValue.split(' to ')[0];
    assert.ok(when.includes(startText), `the appointment now starts at ${startText} (dialog says "${when}")`);
    const history = await dialog.locator('.history__list').textContent();
    assert.match(history, /move/i);
    console.log(`    moved from ${state.booked.time} to ${startText}`);

    // The server has the last word: a move onto a taken time answers 409 inline.
    const taken = await pageApi(page, 'GET', `/api/appointments?from=${state.date}T00:00:00Z&to=${state.date}T23:59:59Z&providerId=${await providerId(page, 'Dr. Samuel Reyes')}&limit=200`);
    const other = taken.json.items.find((x) => x.id !== state.movedId && ['scheduled', 'confirmed'].includes(x.status));
    if (other) {
      const res = await pageApi(page, 'PATCH', `/api/appointments/${state.movedId}`, { start: other.start });
      assert.equal(res.status, 409, 'moving onto a taken time is a conflict');
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  async function providerId(page, name) {
    const res = await pageApi(page, 'GET', '/api/providers');
    return res.json.items.find((p) => p.name === name).id;
  }

  scenario('front desk checks a patient in', async () => {
    const { page } = state.deskA;
    // Check-in is for the appointment's own day: next week's visit is refused.
    const early = await pageApi(page, 'POST', `/api/appointments/${state.movedId}/check-in`, {});
    assert.equal(early.status, 422, `check-in on another day answered ${early.status}`);
    // Today always has a visit under way in the seed (checked in): undo it,
    // then check it in again from its tile.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: state.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const from = new Date(Date.now() - 24 * 3600_000).toISOString();
    const to = new Date(Date.now() + 24 * 3600_000).toISOString();
    const list = await pageApi(page, 'GET', `/api/appointments?from=${from}&to=${to}&status=checked_in&limit=200`);
    assert.equal(list.status, 200);
    const dayOf = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: state.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
    const visit = list.json.items.find((a) => dayOf(a.start) === today);
    if (!visit) {
      // The demo providers work Monday to Friday: a weekend has no visits today.
      const weekday = new Intl.DateTimeFormat('en-US', { timeZone: state.timeZone, weekday: 'long' }).format(new Date());
      assert.ok(['Saturday', 'Sunday'].includes(weekday), 'the seed has a checked-in visit today on a working day');
      console.log(`    ${weekday}: no visits today in the seed; check-in on the day not exercised`);
      return;
    }
    const undone = await pageApi(page, 'POST', `/api/appointments/${visit.id}/undo`, {});
    assert.equal(undone.status, 200, `undo answered ${undone.status}`);
    assert.notEqual(undone.json.status, 'checked_in');
    const again = await pageApi(page, 'POST', `/api/appointments/${visit.id}/undo`, {});
    assert.equal(again.status, 409, `a second undo answered ${again.status}`);

    await page.goto(`/schedule?date=${today}`);
    const tile = page.locator(`.appt[data-appointment-id="${visit.id}"]`);
    await tile.waitFor();
    await tile.click();
    const dialog = page.getByRole('dialog', { name: 'Appointment' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Check in' }).click();
    await dialog.locator('.status', { hasText: 'Checked in' }).waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Complete' }).count(), 1, 'Complete is offered after check-in');
    assert.equal(await dialog.getByRole('button', { name: 'Check in' }).count(), 0, 'Check in is no longer offered');
    await shot(page, 'checked-in');
    await page.keyboard.press('Escape');
    await page.locator(`.appt[data-appointment-id="${visit.id}"].appt--checked_in`).waitFor();
    // The other desk sees it (its live event refetches the grid).
    await state.deskB.page.goto(`/schedule?date=${today}`);
    await state.deskB.page.locator(`.appt[data-appointment-id="${visit.id}"].appt--checked_in`).waitFor({ timeout: 12_000 });
  });

  scenario('front desk drags an appointment to a free time; a drop on a taken time is put back', async () => {
    const { page } = state.deskA;
    await page.goto(`/schedule?date=${state.date}`);
    await page.locator('.appt').first().waitFor();
    const pid = await providerId(page, 'Dr. Samuel Reyes');
    const list = await pageApi(page, 'GET', `/api/appointments?from=${state.date}T00:00:00Z&to=${state.date}T23:59:59Z&providerId=${pid}&limit=200`);
    const movable = list.json.items.filter((a) => ['scheduled', 'confirmed'].includes(a.status)).sort((a, b) => a.start.localeCompare(b.start));
    assert.ok(movable.length >= 2, 'two movable appointments with Dr. Samuel Reyes');
    const appt = movable[0];
    const other = movable.find((a) => a.start !== appt.start);
    assert.ok(other, 'a second appointment at another time');
    const minutes = (a, b) => (new Date(b).getTime() - new Date(a).getTime()) / 60_000;
    const duration = minutes(appt.start, appt.end);
    const slots = await pageApi(page, 'GET', `/api/availability?from=${state.date}T00:00:00Z&to=${state.date}T23:59:59Z&duration=${duration}&providerId=${pid}`);
    const free = slots.json.items.find((s) => s.operatoryId === appt.operatoryId && s.start !== appt.start);
    assert.ok(free, 'a free time in the same chair');
    const PX = 1.6; // PX_PER_MINUTE in grid.ts

    async function dragBy(id, dy) {
      const tile = page.locator(`.appt[data-appointment-id="${id}"]`);
      await tile.scrollIntoViewIfNeeded();
      const box = await tile.boundingBox();
      const x = box.x + box.width / 2;
      const y = box.y + Math.min(10, box.height / 2);
      await page.mouse.move(x, y);
      await page.mouse.down();
      for (let i = 1; i <= 5; i += 1) await page.mouse.move(x, y + (dy * i) / 5);
      await page.mouse.up();
      return box;
    }

    // A drop on the taken time: the server says 409, the message shows, the tile goes back.
    const tile = page.locator(`.appt[data-appointment-id="${appt.id}"]`);
    // Measured from the column's top: the error notice above the grid moves the whole grid down.
    const offsetInColumn = () =>
      tile.evaluate((el) => el.getBoundingClientRect().top - el.closest('.day-grid__col').getBoundingClientRect().top);
    const before = await offsetInColumn();
    await dragBy(appt.id, minutes(appt.start, other.start) * PX);
    const alert = page.getByRole('alert').filter({ hasText: 'Could not move' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /that time is taken|outside working hours/);
    await page.waitForTimeout(300);
    const back = await offsetInColumn();
    assert.ok(Math.abs(back - before) < 2, `the tile is back where it was (${before} → ${back})`);
    await shot(page, 'drag-409');
    await scan(page, 'schedule-drag-error');
    await page.getByRole('button', { name: 'Dismiss' }).click();

    // A drop on a free time moves it.
    await dragBy(appt.id, minutes(appt.start, free.start) * PX);
    await page.getByText(/^Moved to /).first().waitFor();
    const after = await pageApi(page, 'GET', `/api/appointments/${appt.id}`);
    assert.equal(new Date(after.json.start).getTime(), new Date(free.start).getTime(), 'the appointment starts at the free time');
    assert.ok(after.json.history.some((h) => /move/i.test(h.action)), 'the move is in the history');
    console.log(`    dragged ${appt.start} → ${free.start}; a drop on ${other.start} was refused`);
  });

  scenario('an expired access token is refreshed once and the schedule keeps working', async () => {
    const { context, page } = state.deskB;
    const refreshes = [];
    page.on('request', (req) => {
      if (req.url().endsWith('/api/auth/refresh')) refreshes.push(req);
    });
    // The access cookie lapsing is what a 10-minute-old session looks like.
    await context.clearCookies({ name: ACCESS_COOKIE });
    // Nothing polls while the live connection is up: the next day's read meets the 401.
    const unauthorized = page.waitForResponse((res) => res.url().includes('/api/') && res.status() === 401, { timeout: 15_000 });
    const refreshed = page.waitForResponse((res) => res.url().endsWith('/api/auth/refresh'));
    const read = page.waitForResponse((res) => res.url().includes('/api/appointments?') && res.status() === 200);
    await page.getByRole('button', { name: 'Next day' }).click();
    await unauthorized;
    assert.equal((await refreshed).status(), 200, 'the refresh succeeded');
    await read;
    // Another read with the new cookie needs no refresh.
    const again = page.waitForResponse((res) => res.url().includes('/api/appointments?') && res.status() === 200);
    await page.getByRole('button', { name: 'Previous day' }).click();
    await again;
    assert.equal(refreshes.length, 1, `one refresh for the 401s (saw ${refreshes.length})`);
    const cookies = await context.cookies();
    assert.ok(cookies.some((c) => ACCESS_COOKIE.test(c.name)), 'a new access cookie was issued');
    assert.match(page.url(), /\/schedule/, 'still on the schedule, not sent to sign-in');
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();
  });

  scenario('a patient signs up and books in the portal at 360×740', async () => {
    const context = await newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await newPage(context);
    state.patient = { context, page };
    const email = `e2e.patient.${Date.now()}@example.com`;

    await page.goto(`/sign-up?clinic=${state.clinicId}`);
    await scan(page, 'sign-up');
    await page.getByLabel('First name').fill('Erin');
    await page.getByLabel('Last name').fill('Tester');
    await page.getByLabel('Date of birth').fill('1991-05-17');
    await page.getByLabel('Mobile phone').fill('+1 212 555 7788');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a sunny day at the dentist');
    await shot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The account works once the emailed link is opened.
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await scan(page, 'sign-up-sent');
    await shot(page, 'sign-up-sent');
    // The link's path on this stack (its origin is the stack's APP_URL).
    const link = new URL(await emailedLink(email, 'verify-email', 'verifyUrl'));
    await page.goto(link.pathname + link.search);
    await page.waitForURL('**/portal');
    await page.getByRole('heading', { level: 1, name: 'My appointments' }).waitFor();
    await page.getByText('You have no upcoming visits.').waitFor();
    await scan(page, 'portal-empty');
    await shot(page, 'portal-empty');

    await page.getByRole('link', { name: 'Book a visit' }).last().click();
    await page.waitForURL('**/portal/book');
    await page.getByRole('radio', { name: /New patient exam/ }).check();
    await page.getByRole('button', { name: /time/ }).first().waitFor();
    const firstTime = page.locator('.slot').first();
    await firstTime.waitFor();
    await scan(page, 'portal-book');
    await firstTime.click();
    await shot(page, 'portal-book');
    await page.getByRole('button', { name: /^Continue with/ }).click();
    await page.getByRole('heading', { name: 'Confirm your visit' }).waitFor();
    await scan(page, 'portal-hold');
    await shot(page, 'portal-hold');
    await page.getByRole('button', { name: 'Confirm booking' }).click();
    await page.waitForURL(/\/portal$/);
    const card = page.locator('.visit-card').first();
    await card.waitFor();
    assert.match(await card.textContent(), /New patient exam/);
    assert.match(await card.textContent(), /Scheduled/);

    await assertNoSideScroll(page);
    await shot(page, 'portal-booked');
    await scan(page, 'portal-booked');

    // Cancelling: allowed outside the notice window, else "call the practice".
    await card.getByRole('button', { name: /Cancel visit/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel this visit?' });
    await confirm.waitFor();
    await scan(page, 'portal-cancel');
    await confirm.getByRole('button', { name: 'Cancel visit' }).click();
    const outcome = await Promise.race([
      confirm.getByRole('alert').waitFor().then(() => 'refused'),
      page.getByText('Your visit is cancelled.').waitFor().then(() => 'cancelled'),
    ]);
    if (outcome === 'refused') {
      assert.match(await confirm.getByRole('alert').textContent(), /notice window.*call the practice/);
      await shot(page, 'portal-cancel-422');
      await confirm.getByRole('button', { name: 'OK, keep visit' }).click();
      await confirm.waitFor({ state: 'detached' });
    }
    console.log(`    portal cancel: ${outcome === 'refused' ? '422 inside the notice window, message shown' : 'cancelled'}`);
  });

  scenario('the idle warning appears, Escape keeps the session, and expiry signs out', async () => {
    const adminContext = await newContext();
    const admin = await newPage(adminContext);
    await signIn(admin, ADMIN);
    await admin.waitForURL('**/schedule');
    const patch = await pageApi(admin, 'PATCH', '/api/clinic', { idleLogoffMinutes: 5 });
    assert.equal(patch.status, 200, `PATCH /api/clinic answered ${patch.status}`);

    const context = await newContext();
    const page = await newPage(context);
    await page.clock.install();
    await signIn(page, STAFF);
    await page.waitForURL('**/schedule');
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();

    await page.clock.fastForward('02:59');
    assert.equal(await page.getByRole('alertdialog').count(), 0, 'no warning before 3 minutes');
    await page.clock.fastForward('00:02');
    const warning = page.getByRole('alertdialog', { name: 'Are you still there?' });
    await warning.waitFor();
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    assert.equal(focused, 'Stay signed in', 'focus moves into the warning');
    await shot(page, 'idle-warning');
    await scan(page, 'idle-warning');

    await page.keyboard.press('Escape');
    await warning.waitFor({ state: 'detached' });
    await page.clock.fastForward('02:00');
    assert.equal(await page.getByRole('alertdialog').count(), 0, 'the clock restarted after "stay signed in"');

    await page.clock.fastForward('01:01');
    await warning.waitFor();
    await page.clock.fastForward('02:01');
    await page.waitForURL(/\/sign-in\?.*reason=idle/);
    await page.getByText(/signed out because nobody used TopSmile/).waitFor();
    await shot(page, 'idle-signed-out');
    const me = await pageApi(page, 'GET', '/api/auth/me');
    assert.equal(me.status, 401, 'the server session is gone after idle logoff');

    await pageApi(admin, 'PATCH', '/api/clinic', { idleLogoffMinutes: 15 });
    await adminContext.close();
    await context.close();
  });

  scenario('two-step sign-in: enrol, then sign-in asks for the code', async () => {
    const context = await newContext();
    const page = await newPage(context);
    await signIn(page, HYGIENIST);
    await page.waitForURL('**/schedule');
    await page.getByRole('link', { name: 'Account' }).click();
    await page.waitForURL('**/account');
    await page.getByRole('link', { name: 'Set up two-step sign-in' }).click();
    await page.waitForURL('**/account/two-step');
    await scan(page, 'two-step-password');
    await page.getByLabel('Current password').fill(HYGIENIST.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    const secret = (await page.locator('.secret').textContent()).replace(/\s/g, '');
    await scan(page, 'two-step-key');
    await page.getByLabel('6-digit code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    assert.ok((await page.locator('.recovery-codes li').count()) >= 5, 'recovery codes are shown');
    await scan(page, 'two-step-recovery-codes');
    await shot(page, 'two-step-recovery-codes');
    await page.getByRole('button', { name: 'I have saved my codes' }).click();
    await page.waitForURL('**/schedule');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByLabel('Email').fill(HYGIENIST.email);
    await page.getByLabel('Password').fill(HYGIENIST.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    assert.ok(await code.evaluate((el) => el === document.activeElement), 'focus moves to the code field');
    await scan(page, 'sign-in-totp');
    await shot(page, 'sign-in-totp');
    // The enrolment spent this step's code; the next step's is accepted (one step of drift).
    await code.fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/schedule');
    await context.close();
  });

  scenario('front desk searches a patient and opens the profile (allergy banner)', async () => {
    const { page } = state.deskA;
    // Setup: a patient with a life-threatening allergy on file.
    const list = await pageApi(page, 'GET', '/api/patients?limit=50');
    assert.equal(list.status, 200);
    const target = list.json.items.find((p) => !p.allergyAlert) ?? list.json.items[0];
    const patch = await pageApi(page, 'PATCH', `/api/patients/${target.id}`, {
      allergies: [{ substance: 'Latex', severity: 'life-threatening' }],
    });
    assert.equal(patch.status, 200, `PATCH allergies answered ${patch.status}`);
    state.allergyPatient = target;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
    await page.waitForURL('**/patients');
    await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
    const search = page.getByRole('searchbox', { name: 'Search patients' });
    await search.fill(`${target.firstName} ${target.lastName}`);
    const row = page.getByRole('list', { name: 'Patients found' }).getByRole('link', { name: new RegExp(`${target.firstName}.*${target.lastName}`) });
    await row.first().waitFor();
    await page.getByRole('status').filter({ hasText: /match/ }).waitFor();
    await scan(page, 'patients-search');
    await shot(page, 'patients-search');
    // Keyboard: down arrow into the results, Enter opens the first.
    await search.press('ArrowDown');
    assert.ok(await row.first().evaluate((el) => el === document.activeElement), 'ArrowDown moves to the first result');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/patients/${target.id}`);
    const banner = page.getByRole('alert').filter({ hasText: 'Allergy alert' });
    await banner.waitFor();
    assert.match(await banner.textContent(), /Latex.*LIFE-THREATENING/);
    await page.getByRole('heading', { name: 'Medical history' }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByRole('heading', { name: 'Family' }).waitFor();
    await scan(page, 'patient-profile');
    await shot(page, 'patient-profile');
    await page.getByRole('button', { name: 'Edit medical history' }).click();
    const editor = page.getByRole('form', { name: 'Edit medical history' });
    await editor.getByLabel('Substance (allergy 1)').waitFor();
    await scan(page, 'medical-history-editor');
    await editor.getByRole('button', { name: 'Cancel' }).click();
    await editor.waitFor({ state: 'detached' });

    // The schedule's appointment details link the patient's name to the profile.
    await page.goto(`/schedule?date=${state.date}`);
    await page.locator('.appt').first().click();
    const details = page.getByRole('dialog', { name: 'Appointment' });
    await details.waitFor();
    const patientLink = details.locator('dt:text("Patient") + dd').getByRole('link');
    const href = await patientLink.getAttribute('href');
    assert.match(href, /^\/patients\/[0-9a-f]+$/, `the patient's name links to the profile (${href})`);
    await patientLink.click();
    await page.waitForURL(`**${href}`);
    await page.getByRole('heading', { name: 'Medical history' }).waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0, 'the details dialog is gone');
  });

  scenario('front desk creates a patient: a validation error, then success; edit and archive', async () => {
    const { page } = state.deskA;
    await page.goto('/patients');
    await page.getByRole('link', { name: 'Add patient' }).first().click();
    await page.waitForURL('**/patients/new');
    const form = page.getByRole('form', { name: 'New patient' });
    await form.getByLabel('First name').fill('Wendy');
    await form.getByLabel('Last name').fill('Nguyen-E2E');
    await form.getByRole('button', { name: 'Add patient' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /check the highlighted details/);
    const dob = form.getByLabel('Date of birth');
    assert.equal(await dob.getAttribute('aria-invalid'), 'true', 'date of birth is flagged');
    assert.match(await form.locator('.field__error').first().textContent(), /Date of birth/);
    await scan(page, 'patient-new-errors');
    await shot(page, 'patient-new-errors');

    await dob.fill('1988-03-14');
    await form.getByLabel('Phone', { exact: true }).fill('+1 212 555 4242');
    await form.getByRole('button', { name: 'Add patient' }).click();
    await page.waitForURL(/\/patients\/[0-9a-f]+$/);
    await page.getByRole('heading', { level: 1, name: 'Wendy Nguyen-E2E' }).waitFor();
    await page.getByRole('region', { name: 'Allergies' }).getByText('No known allergies on file.').waitFor();
    const createdId = page.url().split('/').pop();

    await page.getByRole('link', { name: 'Edit details' }).click();
    await page.waitForURL('**/edit');
    const edit = page.getByRole('form', { name: /^Edit / });
    await edit.getByLabel('Date of birth').fill('');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.getByRole('alert').waitFor();
    await scan(page, 'patient-edit-errors');
    await edit.getByLabel('Date of birth').fill('1988-03-15');
    await edit.getByLabel('City').fill('Springfield');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`**/patients/${createdId}`);
    await page.getByText('Springfield').waitFor();

    await page.getByRole('button', { name: 'Archive…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Archive this patient?' });
    await confirm.waitFor();
    await scan(page, 'patient-archive');
    await confirm.getByRole('button', { name: 'Archive patient' }).click();
    await page.waitForURL('**/patients');
    const after = await pageApi(page, 'GET', `/api/patients/${createdId}`);
    assert.equal(after.json?.status, 'archived', 'the record is archived');
  });

  scenario('the waitlist page shows the seeded entries', async () => {
    const { page } = state.deskA;
    const api = await pageApi(page, 'GET', '/api/waitlist');
    assert.equal(api.status, 200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Waitlist' }).click();
    await page.waitForURL('**/waitlist');
    const entries = page.locator('.waitlist-entry');
    await entries.first().waitFor();
    const count = await entries.count();
    assert.equal(count, api.json.items.length, `one card per entry (${count} of ${api.json.items.length})`);
    assert.ok(count >= 1, 'the seed has waitlist entries');
    const urgencies = await page.locator('.waitlist-entry .urgency').allTextContents();
    const numbers = urgencies.map((u) => Number(/\((\d) of 5\)/.exec(u)[1]));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a), 'most urgent first');
    await page.locator('.waitlist-entry__name a', { hasNotText: /^Patient$/ }).first().waitFor();
    console.log(`    ${count} waitlist entries, urgencies ${numbers.join(', ')}`);
    await scan(page, 'waitlist');
    await shot(page, 'waitlist');
    await page.getByRole('button', { name: 'Add to waitlist' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add to waitlist' });
    await dialog.waitFor();
    await scan(page, 'waitlist-add');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  scenario('the account page lists sessions; password reset pages', async () => {
    const { page } = state.deskA;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.waitForURL('**/account');
    await page.getByRole('heading', { level: 1, name: 'Account and security' }).waitFor();
    const rows = page.locator('.session');
    await rows.first().waitFor();
    const count = await rows.count();
    assert.ok(count >= 1, 'at least this session is listed');
    assert.equal(await page.locator('.session', { hasText: 'This device' }).count(), 1, 'exactly one row is this device');
    console.log(`    ${count} active session(s) listed for the front desk`);
    await scan(page, 'account');
    await shot(page, 'account');

    const context = await newContext();
    const anon = await newPage(context);
    await anon.goto('/sign-in');
    await anon.getByRole('link', { name: 'Forgot your password?' }).click();
    await anon.waitForURL('**/forgot-password');
    // The field can be re-rendered while the session check settles: fill until the value sticks.
    const forgotEmail = anon.getByLabel('Email');
    for (let i = 0; i < 5; i += 1) {
      await forgotEmail.fill(STAFF.email);
      await anon.waitForTimeout(200);
      if ((await forgotEmail.inputValue()) === STAFF.email) break;
    }
    await scan(anon, 'forgot-password');
    await anon.getByRole('button', { name: 'Send reset link' }).click();
    await anon.getByRole('heading', { name: 'Check your email' }).waitFor();
    await anon.goto('/reset-password?token=not-a-real-token');
    await anon.getByLabel('New password', { exact: true }).fill('a brand new sunny sentence');
    await anon.getByLabel('Repeat new password').fill('a brand new sunny sentence');
    await scan(anon, 'reset-password');
    await anon.getByRole('button', { name: 'Set new password' }).click();
    await anon.getByText('This link does not work any more').waitFor();
    await context.close();
  });

  scenario('a patient updates their details in the portal', async () => {
    const { page } = state.patient;
    await page.goto('/portal/details');
    await page.getByRole('heading', { level: 1, name: 'My details' }).waitFor();
    const form = page.getByRole('form', { name: 'My details' });
    await form.getByLabel('Phone', { exact: true }).fill('+1 212 555 9999');
    await form.getByLabel('Preferred contact method').selectOption('email');
    await form.getByLabel('Send news and offers from the practice').check();
    await scan(page, 'portal-details');
    await form.getByRole('button', { name: 'Save my details' }).click();
    await page.getByText('Your details are saved.').waitFor();
    const me = await pageApi(page, 'GET', '/api/auth/me');
    const record = await pageApi(page, 'GET', `/api/patients/${me.json.user.patientId}`);
    assert.equal(record.json.phone, '+12125559999');
    assert.equal(record.json.preferredContactMethod, 'email');
    assert.equal(record.json.communication?.marketing, true);
    await assertNoSideScroll(page);
    await shot(page, 'portal-details');
  });

  scenario('a patient accepts a waitlist offer from the link', async () => {
    const { page: desk } = state.deskA;
    const { page } = state.patient;
    const me = await pageApi(page, 'GET', '/api/auth/me');
    const patientId = me.json.user.patientId;
    assert.ok(patientId, 'the portal patient has a patient record');

    // A free afternoon slot on a Monday, Wednesday or Friday: the seeded entries
    // want mornings, Tuesday/Thursday afternoons, or are less urgent than ours.
    const providers = (await pageApi(desk, 'GET', '/api/providers')).json.items.filter((p) => p.active);
    const type = (await pageApi(desk, 'GET', '/api/appointment-types')).json.items.find((t) => t.durationMinutes <= 30);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: state.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: state.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    const [y, m, d] = dayFmt.format(new Date()).split('-').map(Number);
    let pick = null;
    for (let i = 1; i <= 14 && !pick; i += 1) {
      const dt = new Date(Date.UTC(y, m - 1, d + i));
      if (![1, 3, 5].includes(dt.getUTCDay())) continue;
      const date = dt.toISOString().slice(0, 10);
      for (const provider of providers) {
        const slots = await pageApi(desk, 'GET', `/api/availability?from=${date}T00:00:00Z&to=${date}T23:59:59Z&typeId=${type.id}&providerId=${provider.id}`);
        const slot = slots.json?.items?.find((s) => local.format(new Date(s.start)) >= '13:00' && local.format(new Date(s.end)) <= '17:00');
        if (slot) {
          pick = { date, weekday: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][dt.getUTCDay()], provider, slot };
          break;
        }
      }
    }
    assert.ok(pick, 'a free afternoon slot on a Monday, Wednesday or Friday');
    const booked = await pageApi(desk, 'POST', '/api/appointments', {
      patientId: state.patientId,
      providerId: pick.provider.id,
      operatoryId: pick.slot.operatoryId,
      typeId: type.id,
      start: pick.slot.start,
    });
    assert.equal(booked.status, 201, `booking answered ${booked.status}`);
    const added = await pageApi(desk, 'POST', '/api/waitlist', {
      patientId,
      typeId: type.id,
      urgency: 5,
      from: '13:00',
      to: '17:00',
      days: [pick.weekday],
      providerIds: [pick.provider.id],
      expiresOn: pick.date,
    });
    assert.equal(added.status, 201, `adding to the waitlist answered ${added.status}`);
    const entryId = added.json.id;
    const cancelled = await pageApi(desk, 'POST', `/api/appointments/${booked.json.id}/cancel`, { reason: 'other', reasonText: 'e2e: frees the slot' });
    assert.equal(cancelled.status, 200, `cancel answered ${cancelled.status}`);
    const list = await pageApi(desk, 'GET', '/api/waitlist');
    const entry = list.json.items.find((e) => e.id === entryId);
    assert.equal(entry?.status, 'offered', 'the freed slot was offered to the patient');
    const time = local.format(new Date(pick.slot.start));
    console.log(`    offered ${pick.date} ${time} with ${pick.provider.name} to the portal patient`);

    // The portal home lists the open offer.
    await page.goto('/portal');
    const review = page.getByRole('link', { name: /^Review offer/ });
    await review.first().waitFor();
    await scan(page, 'portal-offers-home');

    // The link from the message: the answer is pre-selected but needs a click.
    await page.goto(`/portal/offers/${entryId}?answer=accept`);
    await page.getByRole('heading', { level: 1, name: 'An earlier visit is available' }).waitFor();
    const accept = page.getByRole('button', { name: 'Accept this time' });
    await accept.waitFor();
    await page.getByText(/You chose “Accept”/).waitFor();
    await scan(page, 'portal-offer');
    await shot(page, 'portal-offer');
    await assertNoSideScroll(page);
    await accept.click();
    await page.getByText('You are booked').waitFor();
    await scan(page, 'portal-offer-booked');
    await page.getByRole('link', { name: 'Go to My appointments' }).click();
    await page.waitForURL(/\/portal$/);
    await page.getByRole('heading', { level: 1, name: 'My appointments' }).waitFor();
    const longDate = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })
      .format(new Date(`${pick.date}T12:00:00Z`));
    const card = page
      .locator('.visit-card', { hasText: pick.provider.name })
      .filter({ hasText: longDate })
      .filter({ hasText: /Confirmed|Scheduled/ });
    await card.first().waitFor();
    const after = await pageApi(page, 'GET', `/api/appointments/${entry.offer.appointmentId}`);
    assert.equal(after.status, 200);
    assert.ok(['confirmed', 'scheduled'].includes(after.json.status), `the offered appointment is booked (${after.json.status})`);
    await shot(page, 'portal-offer-in-my-appointments');
  });

  scenario('not-found page', async () => {
    const context = await newContext();
    const page = await newPage(context);
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await scan(page, 'not-found');
    await context.close();
  });

  // Feature specs: e2e/specs/*.mjs each default-export register(t) and add their
  // scenarios with t.scenario, after the ones above (which sign the desks in)
}
