// Messages (issue 13): the admin's reminder rules; booking Jordan Avery puts
// the confirmation in the dev outbox (and its viewer); a signed "C" reply
// from his phone confirms his next appointment on the schedule; a free-text
// reply lands in the front desk's Inbox and is handled; an opted-out
// patient's message fails and the admin retries it from Messages (a retry
// of one that is no longer failed shows the server's 409); axe on each
// screen, screenshots at 1440 and 360.
// Run alone: E2E_ONLY=messages node e2e/run.mjs (after npm run build).
const PATIENT = { email: 'patient@topsmile.local', password: 'smile-patient-dev-2026' };
const PHONE = { width: 360, height: 740 };
const WIDE = { width: 1440, height: 900 };
const UNCONFIRMED = ['scheduled', 'held'];

export default function register(t) {
  const { assert } = t;
  const my = {};
  const devToken = () => process.env.TOPSMILE_DEV_TOKEN ?? '';
  const base = () => t.stack().baseURL;

  const { until, devOutbox } = t;

  /** A text from `from` as Twilio would deliver it, signed, through the local stack's dev endpoint. */
  async function textIn(from, body) {
    const res = await fetch(`${base()}/_dev/twilio/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Dev-Token': devToken() },
      body: JSON.stringify({ from, body }),
    });
    assert.equal(res.status, 200, `POST /_dev/twilio/inbound answered ${res.status}: ${await res.text()}`);
  }

  async function noSidewaysScroll(page, where) {
    const { scroll, width, wide } = await page.evaluate(() => {
      const w = window.innerWidth;
      // What sticks out, outermost first, to say where to look.
      const out = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > w + 1)
        .slice(0, 4)
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (${Math.round(el.getBoundingClientRect().right)}px)`);
      return { scroll: document.documentElement.scrollWidth, width: w, wide: out };
    });
    assert.ok(scroll <= width, `${where}: no sideways scroll at ${width}px (content is ${scroll}px wide: ${wide.join(', ')})`);
  }

  /** Shoots (and scans) the page at 1440 and at 360 px wide. */
  async function bothWidths(page, name) {
    await page.setViewportSize(WIDE);
    await t.shot(page, `${name}-1440`);
    await page.setViewportSize(PHONE);
    await noSidewaysScroll(page, name);
    await t.scan(page, `${name}-360`);
    await t.shot(page, `${name}-360`);
    await page.setViewportSize(WIDE);
  }

  async function signedIn(key, who) {
    if (my[key]) return my[key];
    const context = await t.newContext({ viewport: WIDE });
    const page = await t.newPage(context);
    await t.signIn(page, who);
    await page.waitForURL(who === PATIENT ? '**/portal' : '**/schedule');
    my[key] = { context, page };
    return my[key];
  }

  /** A weekday `days` or more after today in the clinic's zone (past the seeded week). */
  function workingDayAfter(days) {
    const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: t.state.timeZone }).format(new Date()).split('-').map(Number);
    for (let i = days; i < days + 7; i += 1) {
      const dt = new Date(Date.UTC(y, m - 1, d + i));
      if (dt.getUTCDay() >= 1 && dt.getUTCDay() <= 5) return dt.toISOString().slice(0, 10);
    }
    throw new Error('no working day');
  }

  const dateInZone = (instant) => new Intl.DateTimeFormat('en-CA', { timeZone: t.state.timeZone }).format(new Date(instant));

  t.scenario('messages: the admin sets the texting number, quiet hours and reminder rules (400 field errors at their fields)', async () => {
    const { page } = await signedIn('admin', t.ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
    await page.waitForURL('**/messages');
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    await page.getByRole('link', { name: 'Reminder settings' }).click();
    await page.waitForURL('**/settings/messaging');
    const form = page.getByRole('form', { name: 'Messaging settings' });
    await form.waitFor();
    await t.scan(page, 'messaging-settings');

    // Second reminder further out than the first: the server's field error shows at that field.
    await form.getByLabel('First reminder (hours before)').fill('24');
    await form.getByLabel('Second reminder (hours before)').fill('30');
    await form.getByRole('button', { name: 'Save messaging settings' }).click();
    const second = form.getByLabel('Second reminder (hours before)');
    await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await second.elementHandle());
    const description = await second.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
    );
    assert.match(description, /sooner/i, `the server's words are at the field: ${description}`);
    await t.scan(page, 'messaging-settings-errors');

    // A texting number (the inbound texts need one), no quiet hours (the run must not depend on the hour), 48/24/2.
    const number = form.getByLabel('Practice’s texting number');
    if (!(await number.inputValue())) await number.fill('+15005550006');
    await form.getByLabel('From').fill('00:00');
    await form.getByLabel('Until').fill('00:00');
    await form.getByLabel('Ask for a confirmation (hours before)').fill('48');
    await second.fill('2');
    await form.getByRole('button', { name: 'Save messaging settings' }).click();
    await page.getByText('Messaging settings saved.').first().waitFor();
    const clinic = await t.pageApi(page, 'GET', '/api/clinic');
    assert.equal(clinic.status, 200);
    assert.deepEqual(clinic.json.settings.quietHours, { start: '00:00', end: '00:00' });
    assert.equal(clinic.json.settings.reminders.secondHours, 2);
    assert.match(clinic.json.settings.smsNumber, /^\+\d+$/);
    my.smsNumber = clinic.json.settings.smsNumber;
    await bothWidths(page, 'messaging-settings');
  });

  t.scenario('messages: the desk books Jordan Avery and the confirmation shows in the dev outbox and its viewer', async () => {
    const { page } = await signedIn('desk', t.STAFF);
    const found = await t.pageApi(page, 'GET', '/api/patients?q=Avery');
    my.jordan = found.json.items.find((p) => p.firstName === 'Jordan' && p.lastName === 'Avery');
    assert.ok(my.jordan, 'the demo patient Jordan Avery is seeded');
    assert.ok(my.jordan.phone, 'Jordan has a phone on file');
    const mine = (items) => items.filter((i) => i.template === 'appointment-booked' && (i.to === my.jordan.email || i.to === my.jordan.phone));
    const before = mine(await devOutbox()).length;

    const date = workingDayAfter(10);
    await page.goto(`/schedule?date=${date}&book=1&patientId=${my.jordan.id}`);
    const dialog = page.getByRole('dialog', { name: 'Book appointment' });
    await dialog.waitFor();
    await dialog.getByText('Jordan Avery').first().waitFor();
    await dialog.getByLabel('Type of visit').selectOption({ label: 'Emergency visit (30 min)' });
    await dialog.getByLabel('Provider').selectOption({ label: 'Dr. Samuel Reyes' });
    await dialog.getByLabel('Day', { exact: true }).fill(date);
    await dialog.getByRole('radio').first().waitFor();
    if (!(await dialog.getByRole('radio', { checked: true }).count())) await dialog.getByRole('radio').first().check();
    await dialog.getByRole('button', { name: /^Book .+ with / }).click();
    await dialog.waitFor({ state: 'detached' });

    const sent = await until('the booking confirmation in the dev outbox', async () => {
      const items = mine(await devOutbox());
      return items.length > before ? items.at(-1) : null;
    });
    assert.ok(sent.body, 'the outbox keeps the rendered body');
    console.log(`    appointment-booked by ${sent.channel} to Jordan: "${sent.subject || sent.body.slice(0, 40)}"`);

    // The viewer: the token from the link's fragment, kept in the tab, gone from the address bar.
    const viewer = await t.newPage(my.desk.context);
    await viewer.goto(`/_dev/outbox/view#token=${devToken()}`);
    await viewer.getByRole('heading', { level: 1, name: 'Dev outbox' }).waitFor();
    const box = viewer.getByRole('article').filter({ hasText: sent.body.split('\n')[0].slice(0, 40) }).last();
    await box.waitFor();
    await box.getByText(`to ${sent.to}`, { exact: false }).waitFor();
    assert.ok(!viewer.url().includes('token='), `the token left the address bar: ${viewer.url()}`);
    await t.scan(viewer, 'dev-outbox-viewer');
    await bothWidths(viewer, 'dev-outbox-viewer');
    await viewer.close();

    // The admin's Messages page links the viewer (the local stack's meta tag) and lists the message as sent.
    const { page: admin } = await signedIn('admin', t.ADMIN);
    await admin.goto('/messages');
    const link = admin.getByRole('link', { name: /Dev outbox/ });
    assert.equal(await link.getAttribute('href'), '/_dev/outbox/view');
    const row = admin.getByRole('region', { name: 'Messages sent' }).getByRole('row').filter({ hasText: 'Appointment booked' }).filter({ hasText: 'Sent' });
    await row.first().waitFor();
    await t.scan(admin, 'messages');
    await bothWidths(admin, 'messages');
  });

  t.scenario('messages: a signed C reply from Jordan’s phone confirms his next appointment on the schedule', async () => {
    assert.ok(my.jordan, 'the booking scenario found Jordan');
    const { page } = await signedIn('desk', t.STAFF);
    const from = new Date().toISOString();
    const to = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const list = await t.pageApi(page, 'GET', `/api/appointments?patientId=${my.jordan.id}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=200`);
    assert.equal(list.status, 200);
    const next = list.json.items.filter((a) => UNCONFIRMED.includes(a.status) && a.start > from).sort((a, b) => a.start.localeCompare(b.start))[0];
    assert.ok(next, 'Jordan has an unconfirmed appointment ahead (the one just booked at least)');

    await textIn(my.jordan.phone, 'C');
    await until('the appointment confirmed', async () => (await t.pageApi(page, 'GET', `/api/appointments/${next.id}`)).json?.status === 'confirmed');

    await page.goto(`/schedule?date=${dateInZone(next.start)}`);
    const tile = page.locator(`[data-appointment-id="${next.id}"]`);
    await tile.waitFor();
    await tile.locator('.appt__status', { hasText: 'Confirmed' }).waitFor();
    // Only that one: his other appointments are as they were.
    for (const other of list.json.items.filter((a) => a.id !== next.id)) {
      const now = await t.pageApi(page, 'GET', `/api/appointments/${other.id}`);
      assert.equal(now.json.status, other.status, `appointment ${other.id} is unchanged`);
    }
    await t.shot(page, 'messages-confirmed-on-schedule');
  });

  t.scenario('messages: a free-text reply lands in the Inbox; the desk opens the patient and marks it handled', async () => {
    assert.ok(my.jordan, 'the booking scenario found Jordan');
    const { page } = await signedIn('desk', t.STAFF);
    const stamp = `e2e ${Date.now().toString(36)}`;
    const text = `Can I bring my daughter to the visit too? (${stamp})`;
    await textIn(my.jordan.phone, text);

    await page.goto('/schedule');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await until('the unread badge', async () => {
      await page.reload();
      return (await nav.getByRole('link', { name: /^Inbox\s*,\s*\d+\+? unread$/ }).count()) > 0;
    });
    await nav.getByRole('link', { name: /^Inbox/ }).click();
    await page.waitForURL('**/inbox');
    const item = page.getByRole('listitem').filter({ hasText: stamp });
    await item.waitFor();
    assert.equal(await item.getByRole('link', { name: 'Jordan Avery' }).getAttribute('href'), `/patients/${my.jordan.id}`);
    await t.scan(page, 'inbox');
    await bothWidths(page, 'inbox');

    await item.getByRole('button', { name: /^Mark handled\s*:\s*reply from Jordan Avery$/ }).click();
    await item.waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Show handled' }).check();
    const handled = page.getByRole('listitem').filter({ hasText: stamp });
    await handled.getByText(/^Handled/).waitFor();
    await t.scan(page, 'inbox-handled');
    const api = await t.pageApi(page, 'GET', '/api/inbox?handled=true&limit=200');
    assert.ok(api.json.items.some((i) => i.body === text && i.handled), 'the reply is handled on the server');

    // The patient's name opens the record.
    await handled.getByRole('link', { name: 'Jordan Avery' }).click();
    await page.waitForURL(`**/patients/${my.jordan.id}`);
  });

  t.scenario('messages: an opted-out patient’s message fails; the admin retries it (a stale retry shows the 409)', async () => {
    const { page: desk } = await signedIn('desk', t.STAFF);
    const { page: admin } = await signedIn('admin', t.ADMIN);
    const found = await t.pageApi(desk, 'GET', '/api/patients?limit=50');
    const patient = found.json.items.find((p) => p.email && p.id !== my.jordan?.id && p.status !== 'archived');
    assert.ok(patient, 'a seeded patient with an email');

    // The desk records the unsubscribe on the profile: email preferred, no emails.
    await desk.goto(`/patients/${patient.id}`);
    const card = desk.getByRole('form', { name: 'Communication preferences' });
    await card.waitFor();
    await card.getByRole('radio', { name: /^Email/ }).check();
    await card.getByRole('checkbox', { name: 'No emails (the patient unsubscribed)' }).check();
    await t.scan(desk, 'patient-communication');
    await card.getByRole('button', { name: 'Save preferences' }).click();
    await desk.getByText('Communication preferences saved.').first().waitFor();
    const prefs = await t.pageApi(desk, 'GET', `/api/patients/${patient.id}/communication`);
    assert.equal(prefs.status, 200, `GET communication answered ${prefs.status}`);
    assert.equal(prefs.json.optOuts.email, true);
    assert.equal(prefs.json.preferredContactMethod, 'email');

    // Two bookings: each confirmation is suppressed (failed, "Opted out").
    const types = (await t.pageApi(desk, 'GET', '/api/appointment-types')).json.items;
    const type = types.find((x) => x.name === 'Emergency visit');
    const date = workingDayAfter(11);
    const slots = await t.pageApi(desk, 'GET', `/api/availability?from=${date}T00:00:00Z&to=${date}T23:59:59Z&typeId=${type.id}`);
    assert.ok(slots.json.items.length >= 2, 'two free slots');
    for (const slot of [slots.json.items[0], slots.json.items.at(-1)]) {
      const booked = await t.pageApi(desk, 'POST', '/api/appointments', { patientId: patient.id, typeId: type.id, ...slot });
      assert.equal(booked.status, 201, `booking answered ${booked.status} ${JSON.stringify(booked.json)}`);
    }
    const failed = await until('two failed confirmations', async () => {
      const res = await t.pageApi(admin, 'GET', `/api/notifications?status=failed&patientId=${patient.id}`);
      assert.equal(res.status, 200, `GET /api/notifications answered ${res.status}`);
      const items = res.json.items.filter((n) => n.template === 'appointment-booked');
      return items.length >= 2 ? items : null;
    });
    assert.ok(failed.every((n) => n.class === 'suppressed'), `failed as opted out: ${failed.map((n) => n.class)}`);

    await admin.goto('/messages');
    await admin.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Failed' }).click();
    await admin.waitForURL(/status=failed/);
    const rows = admin.getByRole('region', { name: 'Messages sent' }).getByRole('row').filter({ hasText: patient.email });
    await rows.nth(1).waitFor();
    assert.match(await rows.first().textContent(), /Opted out/);
    await t.scan(admin, 'messages-failed');
    await t.shot(admin, 'messages-failed-1440');

    // The patient asks for emails again.
    await card.getByRole('checkbox', { name: 'No emails (the patient unsubscribed)' }).uncheck();
    await card.getByRole('button', { name: 'Save preferences' }).click();
    await until('the opt-out cleared', async () => (await t.pageApi(desk, 'GET', `/api/patients/${patient.id}/communication`)).json?.optOuts?.email === false);

    // Someone else retries the second first: this page still shows it failed, and its retry is a 409 in the server's words.
    const stale = await t.pageApi(admin, 'POST', `/api/notifications/${failed[1].id}/retry`, {});
    assert.equal(stale.status, 202, `retry answered ${stale.status}`);
    const conflict = await t.pageApi(admin, 'POST', `/api/notifications/${failed[1].id}/retry`, {});
    assert.equal(conflict.status, 409, `a second retry answered ${conflict.status}`);
    await rows.nth(1).getByRole('button', { name: /^Retry/ }).click();
    const dialog = admin.getByRole('dialog', { name: 'Send this message again?' });
    await t.scan(admin, 'messages-retry-dialog');
    await dialog.getByRole('button', { name: 'Send again' }).click();
    const said = dialog.getByRole('alert');
    await said.waitFor();
    const words = await said.textContent();
    assert.ok(conflict.json?.error?.message, 'the 409 carries a message');
    assert.ok(!words.includes('Someone else changed this'), `the server's words, not the fallback: ${words}`);
    console.log(`    stale retry: "${words}"`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The first one, retried from the page, goes out.
    await admin.reload();
    const row = admin.getByRole('region', { name: 'Messages sent' }).getByRole('row').filter({ hasText: patient.email });
    await row.first().getByRole('button', { name: /^Retry/ }).click();
    await dialog.getByRole('button', { name: 'Send again' }).click();
    await dialog.waitFor({ state: 'detached' });
    await admin.getByText(/is queued again\.$/).first().waitFor();
    for (const n of failed.slice(0, 2)) {
      await until(`message ${n.id} sent`, async () => {
        const res = await t.pageApi(admin, 'GET', `/api/notifications?patientId=${patient.id}`);
        return res.json.items.find((x) => x.id === n.id)?.status === 'sent';
      });
    }
    const out = (await devOutbox()).filter((i) => i.to === patient.email && i.template === 'appointment-booked');
    assert.ok(out.length >= 2, `both confirmations reached the dev outbox (${out.length})`);
    await admin.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'All' }).click();
    await admin.getByRole('region', { name: 'Messages sent' }).getByRole('row').filter({ hasText: patient.email }).filter({ hasText: 'Sent' }).first().waitFor();
    await t.shot(admin, 'messages-retried-1440');
  });

  t.scenario('messages: the patient keeps their message preferences in the portal at 360 px', async () => {
    const context = await t.newContext({ viewport: PHONE });
    const page = await t.newPage(context);
    await t.signIn(page, PATIENT);
    await page.waitForURL('**/portal');
    await page.goto('/portal/details');
    const form = page.getByRole('form', { name: 'Messages from the practice' });
    await form.waitFor();
    const noTexts = form.getByRole('checkbox', { name: 'Do not text me' });
    const was = await noTexts.isChecked();
    await t.scan(page, 'portal-communication');
    await form.scrollIntoViewIfNeeded();
    await t.shot(page, 'portal-communication-360');
    await noSidewaysScroll(page, 'portal communication');
    // Saving as it is changes nothing (Jordan's texts keep working for the other scenarios).
    await form.getByRole('button', { name: 'Save message preferences' }).click();
    await page.getByText('Your message preferences are saved.').first().waitFor();
    assert.equal(await noTexts.isChecked(), was);
    await context.close();
    await my.desk?.context.close();
    await my.admin?.context.close();
  });
}
