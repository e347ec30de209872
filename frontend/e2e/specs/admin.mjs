// Running the practice (issue 14): the admin opens Administration, invites a
// staff user (the set-password mail in the dev outbox) and changes their
// role; changes the clinic's time zone and sees the schedule follow (then
// puts it back); browses the audit trail, verifies the chain and downloads
// CSV; opens the dashboard (charts drawn, their data tables behind them);
// and downloads a patient's FHIR bundle, which HL7's official R4 JSON schema
// accepts. axe on each screen, screenshots at 1440 and 360.
// Run alone: E2E_ONLY=admin: node e2e/run.mjs (after npm run build).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WIDE = { width: 1440, height: 900 };
const FHIR_VALIDATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../infra/testtools/fhir-validate.js');

export default function register(t) {
  const { assert } = t;
  const my = {};
  const { until, bothWidths } = t;

  async function admin() {
    if (my.admin) return my.admin;
    const context = await t.newContext({ viewport: WIDE, acceptDownloads: true });
    const page = await t.newPage(context);
    await t.signIn(page, t.ADMIN);
    await page.waitForURL('**/schedule');
    my.admin = page;
    return page;
  }

  t.scenario('admin: invites a hygienist from Users and roles; the invitee sets a password from the mail and signs in; the admin changes the role', async () => {
    const page = await admin();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL('**/admin');
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
    await t.scan(page, 'admin-hub');
    await bothWidths(page, 'admin-hub');
    await page.getByRole('link', { name: 'Users and roles' }).click();
    await page.waitForURL('**/admin/users');
    await page.getByRole('heading', { level: 1, name: /Users/ }).waitFor();

    const invite = page.getByRole('region', { name: 'Invite a colleague' });
    // Nothing typed: the server's field errors show at the fields.
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    const email = invite.getByLabel('Email');
    await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await email.elementHandle());
    await t.scan(page, 'users-invite-errors');

    my.invitee = `priya.${Date.now()}@staff.example`;
    await invite.getByLabel('First name').fill('Priya');
    await invite.getByLabel('Last name').fill('Shah');
    await email.fill(my.invitee);
    await invite.getByLabel('Role').selectOption({ label: 'Hygienist' });
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${my.invitee}`).first().waitFor();
    const staff = page.getByRole('region', { name: 'Staff accounts' });
    const row = staff.getByRole('row').filter({ hasText: my.invitee });
    await row.waitFor();
    await t.scan(page, 'users');
    await bothWidths(page, 'users');

    // The invitee: the set-password link from the mail, then a sign-in with it.
    const link = new URL(await t.emailedLink(my.invitee, 'staff-invite', 'resetUrl'));
    const context = await t.newContext({ viewport: WIDE });
    const invitee = await t.newPage(context);
    await invitee.goto(link.pathname + link.search + link.hash);
    await invitee.getByRole('heading', { level: 1, name: 'Choose your password' }).waitFor();
    const form = invitee.getByRole('form', { name: 'Choose your password' });
    await form.getByLabel('New password', { exact: true }).fill('priya-first-password-2026');
    await form.getByLabel('Repeat new password').fill('priya-first-password-2026');
    await form.getByRole('button', { name: 'Set new password' }).click();
    await invitee.getByRole('heading', { name: 'Your password is set' }).waitFor();
    await t.scan(invitee, 'invite-password-set');
    await t.signIn(invitee, { email: my.invitee, password: 'priya-first-password-2026' });
    await invitee.waitForURL('**/schedule');
    const me = await t.pageApi(invitee, 'GET', '/api/auth/me');
    assert.equal(me.json.user.role, 'hygienist');

    // A role change signs them out: their next call is refused.
    await row.getByLabel(/^Role of /).selectOption({ label: 'Receptionist' });
    await row.getByRole('button', { name: /^Save role of / }).click();
    await page.getByText(/is now receptionist; they were signed out/).first().waitFor();
    await until('the invitee signed out', async () => (await t.pageApi(invitee, 'GET', '/api/auth/me')).status === 401);
    await context.close();
  });

  t.scenario('admin: the audit log lists who did what, verifies the chain and downloads CSV', async () => {
    const page = await admin();
    await page.goto('/admin');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL('**/admin/audit');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const records = page.getByRole('region', { name: 'Audit records' });
    await records.getByRole('row').nth(1).waitFor();
    await page.getByLabel('Action').fill('user.create');
    await page.getByLabel('Action').press('Enter');
    await until('only user.create records', async () => {
      const rows = await records.getByRole('row').allTextContents();
      return rows.length > 1 && rows.slice(1).every((r) => /user\.create|created|invite/i.test(r));
    });
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const status = page.getByRole('status').filter({ hasText: /chain/ });
    await status.getByText(/The chain is intact: \d+ records checked\./).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Download CSV/ }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.match(csv.split('\r\n')[0], /^seq,at,actorId,actorRole,action,/, `the CSV's header: ${csv.slice(0, 80)}`);
    assert.ok(csv.includes('user.create'), 'the CSV holds the filtered records');
    await t.scan(page, 'audit');
    await bothWidths(page, 'audit');
  });

  t.scenario(
    'admin: changes the clinic’s time zone and the schedule follows (then puts it back)',
    async () => {
      const page = await admin();
      const zone = t.state.timeZone;
      const other = zone === 'Europe/London' ? 'America/New_York' : 'Europe/London';
      const date = t.state.date;
      const day = await t.pageApi(page, 'GET', `/api/appointments?from=${date}T00:00:00Z&to=${date}T23:59:59Z&limit=200`);
      const appt = day.json.items.find((a) => a.status !== 'cancelled');
      assert.ok(appt, `an appointment on ${date}`);
      const clock = (tz) =>
        new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', minute: '2-digit', hour12: true })
          .format(new Date(appt.start))
          .replace(/\s?[AP]M$/, '');
      const localDate = (tz) => new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(new Date(appt.start));
      const tile = page.locator(`[data-appointment-id="${appt.id}"] .appt__time`);
      await page.goto(`/schedule?date=${localDate(zone)}`);
      await tile.waitFor();
      assert.ok((await tile.textContent()).includes(clock(zone)), `the tile shows ${clock(zone)} in ${zone}: ${await tile.textContent()}`);

      const save = async (tz) => {
        await page.goto('/admin/clinic');
        const form = page.getByRole('form', { name: 'Clinic settings' });
        await form.getByLabel('Time zone').selectOption(tz);
        await form.getByRole('button', { name: 'Save clinic settings' }).click();
        await page.getByText(/saved/i).first().waitFor();
      };
      try {
        await save(other);
        await t.scan(page, 'clinic-settings');
        await bothWidths(page, 'clinic-settings');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedule' }).click();
        await page.goto(`/schedule?date=${localDate(other)}`);
        await tile.waitFor();
        await until(`the tile at ${clock(other)} (${other})`, async () => (await tile.textContent()).includes(clock(other)));
        console.log(`    ${appt.id}: ${clock(zone)} in ${zone} → ${clock(other)} in ${other}`);
      } finally {
        await save(zone);
      }
      const clinic = await t.pageApi(page, 'GET', '/api/clinic');
      assert.equal(clinic.json.settings.timeZone, zone, 'the time zone is put back');
    },
    { exclusive: true },
  );

  t.scenario('admin: adds a chair and an appointment type; a deactivated type is no longer offered in the Book dialog', async () => {
    const page = await admin();
    await page.goto('/admin');
    await page.getByRole('link', { name: 'Providers, chairs and appointment types' }).click();
    await page.waitForURL('**/admin/catalog');
    await page.getByRole('heading', { level: 1, name: /Providers, chairs/ }).waitFor();

    const stamp = String(Date.now()).slice(-5);
    const chair = `Chair E2E ${stamp}`;
    await page.getByText('Add a chair').click();
    await page.getByLabel('Chair name').fill(chair);
    await page.getByRole('button', { name: 'Add chair' }).click();
    await page.getByRole('list', { name: 'Chairs' }).getByText(chair).waitFor();

    const type = `Whitening consult ${stamp}`;
    await page.getByText('Add an appointment type').click();
    const add = page.locator('details.catalog-add[open]').filter({ has: page.getByRole('button', { name: 'Add appointment type' }) });
    await add.getByLabel('Name').fill(type);
    await add.getByLabel('Length (minutes)').fill('30');
    await add.getByRole('button', { name: 'Add appointment type' }).click();
    const types = page.getByRole('list', { name: 'Appointment types' });
    const item = types.getByRole('listitem').filter({ hasText: type });
    await item.waitFor();
    await t.scan(page, 'catalog');
    await bothWidths(page, 'catalog');

    // Offered in the Book dialog while active …
    const offered = async () => {
      await page.goto(`/schedule?date=${t.state.date}&book=1`);
      const dialog = page.getByRole('dialog', { name: 'Book appointment' });
      await dialog.waitFor();
      const select = dialog.getByLabel('Type of visit');
      // The types load after the dialog opens: read them once a seeded one is listed.
      await select.locator('option', { hasText: 'New patient exam' }).waitFor({ state: 'attached' });
      const labels = await select.locator('option').allTextContents();
      await page.keyboard.press('Escape');
      return labels.some((l) => l.startsWith(type));
    };
    assert.ok(await offered(), `the Book dialog offers ${type}`);
    // … not once deactivated (after a confirmation), though the catalog keeps it as inactive.
    await page.goto('/admin/catalog');
    await item.getByRole('button', { name: `Deactivate ${type}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Deactivate ${type}?` });
    await confirm.getByRole('button', { name: /^Deactivate/ }).click();
    await item.getByText('Inactive').waitFor();
    assert.ok(!(await offered()), `the Book dialog no longer offers ${type}`);
  });

  t.scenario('admin: the dashboard draws today’s figures and the 30-day trends, each with its data table', async () => {
    const page = await admin();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL('**/dashboard');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const today = page.getByRole('region', { name: 'Today' });
    await today.getByText('Appointments today').waitFor();
    const booked = Number((await today.locator('dd').first().textContent())?.replace(/[^\d]/g, '') || 'NaN');
    assert.ok(Number.isFinite(booked), 'the appointments tile holds a number');
    const trends = page.getByRole('region', { name: 'Last 30 days' });
    const charts = trends.getByRole('img');
    await until('four charts drawn', async () => (await charts.count()) === 4);
    // Drawn on the canvas (Chart.js, loaded on first draw): some pixel is not blank.
    const inked = await trends.locator('canvas').first().evaluate((c) => {
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      return data.some((v, i) => i % 4 === 3 && v > 0);
    });
    assert.ok(inked, 'the first chart has ink on its canvas');
    const figure = trends.getByRole('figure').first();
    await figure.getByText('Show data').click();
    const table = figure.getByRole('table');
    await table.waitFor();
    assert.ok((await table.getByRole('row').count()) >= 30, 'the data table has a row per day');
    await t.scan(page, 'dashboard');
    await bothWidths(page, 'dashboard');
  });

  t.scenario('admin: downloads a patient’s FHIR bundle, valid against the official R4 schema', async () => {
    const page = await admin();
    // The patient of the seeded day's first appointment (the core scenario found it).
    const patient = { id: t.state.patientId };
    assert.ok(patient.id, 'the seeded schedule has a patient');
    await page.goto(`/patients/${patient.id}`);
    const button = page.getByRole('button', { name: 'Download FHIR record' });
    const [response, download] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/api/fhir/Patient/${patient.id}/$everything`)),
      page.waitForEvent('download'),
      button.click(),
    ]);
    assert.equal(response.status(), 200, `the export answered ${response.status()}`);
    assert.match(response.headers()['content-type'] ?? '', /^application\/fhir\+json/);
    assert.equal(download.suggestedFilename(), `patient-${patient.id}.fhir.json`);
    const file = await download.path();
    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(bundle.resourceType, 'Bundle');
    assert.equal(bundle.type, 'searchset');
    const types = new Set(bundle.entry.map((e) => e.resource.resourceType));
    for (const want of ['Patient', 'Appointment']) assert.ok(types.has(want), `the bundle holds a ${want} (has ${[...types].join(', ')})`);
    assert.equal(bundle.entry[0].resource.id, patient.id);
    try {
      execFileSync(process.execPath, [FHIR_VALIDATE, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      assert.fail(`the official FHIR R4 schema refused the bundle: ${err.stderr?.toString().slice(0, 2000)}`);
    }
    console.log(`    FHIR bundle of ${bundle.entry.length} resources (${[...types].join(', ')}) validated`);
  });
}
