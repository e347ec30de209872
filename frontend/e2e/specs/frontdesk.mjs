// The front desk's schedule screens, second pass (issue 16 items 1, 4, 5, 8).
// Run alone: E2E_ONLY='frontdesk:' node e2e/run.mjs
const DENTIST = { email: 'dentist@topsmile.local', password: 'smile-staff-dev-2026' };
const DESKTOP = { width: 1440, height: 900 };

export default function register(t) {
  const { assert } = t;

  /** A working day a week after the next one: clear of the other scenarios' bookings. */
  function quietDay(timeZone) {
    const base = t.nextWorkingDay(timeZone);
    const [y, m, d] = base.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + 7)).toISOString().slice(0, 10);
  }

  async function deskPage() {
    const context = await t.newContext({ viewport: DESKTOP });
    const page = await t.newPage(context);
    await t.signIn(page, t.STAFF);
    await page.waitForURL('**/schedule');
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();
    return { context, page };
  }

  /** Jordan Avery (severe penicillin allergy in the seed) booked on `date` through the API, unless he already is. */
  async function ensureJordanBooked(page, date, timeZone) {
    const found = await t.pageApi(page, 'GET', '/api/patients?q=Avery');
    const jordan = found.json.items.find((p) => p.firstName === 'Jordan' && p.lastName === 'Avery');
    assert.ok(jordan, 'the demo patient Jordan Avery is seeded');
    const from = `${date}T00:00:00Z`;
    const to = `${date}T23:59:59Z`;
    const existing = await t.pageApi(page, 'GET', `/api/appointments?from=${from}&to=${to}&patientId=${jordan.id}&limit=50`);
    if (existing.json.items.some((a) => !['cancelled', 'failed', 'pending'].includes(a.status))) return jordan;
    const types = await t.pageApi(page, 'GET', '/api/appointment-types?limit=200');
    for (const type of types.json.items) {
      const slots = await t.pageApi(page, 'GET', `/api/availability?from=${from}&to=${to}&typeId=${type.id}`);
      const slot = slots.json?.items?.[0];
      if (!slot) continue;
      const booked = await t.pageApi(page, 'POST', '/api/appointments', {
        patientId: jordan.id,
        providerId: slot.providerId,
        operatoryId: slot.operatoryId,
        typeId: type.id,
        start: slot.start,
      });
      assert.equal(booked.status, 201, `booking Jordan Avery answered ${booked.status}: ${JSON.stringify(booked.json)}`);
      return jordan;
    }
    throw new Error(`no free slot on ${date} (${timeZone}) to book Jordan Avery`);
  }

  t.scenario('frontdesk: books a brand-new patient from an empty slot, is offered the duplicate, sees the allergy marker and the shortcuts', async () => {
    const { context, page } = await deskPage();
    const me = await t.pageApi(page, 'GET', '/api/auth/me');
    const timeZone = me.json.clinic.settings.timeZone;
    const date = quietDay(timeZone);
    await ensureJordanBooked(page, date, timeZone);
    const providers = (await t.pageApi(page, 'GET', '/api/providers?limit=200')).json.items;
    const okafor = providers.find((p) => p.name === 'Dr. Maya Okafor');
    assert.ok(okafor, 'Dr. Maya Okafor is seeded');

    // Item 4: Jordan Avery's tile carries the severe-allergy marker.
    await page.goto(`/schedule?date=${date}`);
    const jordanTile = page.locator('[data-appointment-id]', { hasText: 'Jordan Avery' }).first();
    await jordanTile.waitFor();
    await jordanTile.locator('.fd-allergy', { hasText: 'Severe allergy' }).waitFor();
    assert.match((await jordanTile.getAttribute('class')) ?? '', /appt/);
    await t.scan(page, 'frontdesk-day');
    await t.shot(page, 'frontdesk-day-view');

    // By chair: provider names on tiles and a legend.
    await page.getByRole('button', { name: 'By chair' }).click();
    await page.getByRole('list', { name: 'Provider colours' }).getByText('Dr. Maya Okafor').waitFor();
    await jordanTile.locator('.fd-tile-provider').waitFor();
    await t.scan(page, 'frontdesk-by-chair');
    await page.getByRole('button', { name: 'By provider' }).click();

    // Item 5: ? opens the shortcuts; Escape closes.
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).click();
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await help.getByText('Book an appointment (when not typing in a field)').waitFor();
    await t.scan(page, 'frontdesk-shortcuts');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    // Item 1: an empty slot opens booking prefilled with that provider and time; focus is on the patient field.
    const slot = page.getByRole('group', { name: 'Empty slots: Dr. Maya Okafor' }).getByRole('button').nth(2);
    const slotLabel = (await slot.getAttribute('aria-label')) ?? '';
    const time = slotLabel.replace(/^Book /, '').replace(/, .*$/, '');
    await slot.click();
    const dialog = page.getByRole('dialog', { name: 'Book appointment' });
    await dialog.waitFor();
    const search = dialog.getByRole('combobox', { name: 'Patient' });
    assert.ok(await search.evaluate((el) => el === document.activeElement), 'focus is on the patient field when booking opens');
    assert.equal(await dialog.getByLabel('Provider').inputValue(), okafor.id, 'the provider of the clicked column is chosen');
    assert.equal(await dialog.getByLabel('Day', { exact: true }).inputValue(), date);
    await dialog.getByText(`Requested: ${time} with Dr. Maya Okafor`).waitFor();

    // A brand-new patient, created from "No patients match".
    const last = `Quince${Date.now().toString(26).slice(-5).replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 26)))}`;
    await page.keyboard.type(`Riley ${last}`);
    const newButton = dialog.getByRole('button', { name: 'New patient' });
    await newButton.waitFor();
    await newButton.click();
    const group = dialog.getByRole('group', { name: 'New patient' });
    assert.equal(await group.getByLabel('First name').inputValue(), 'Riley');
    assert.equal(await group.getByLabel('Last name').inputValue(), last);
    await group.getByLabel('Date of birth').fill('1991-04-12');
    await group.getByLabel('Email').fill(`riley.${last.toLowerCase()}@example.test`);
    await t.scan(page, 'frontdesk-book-new-patient');
    await t.shot(page, 'frontdesk-book-new-patient');
    await group.getByRole('button', { name: 'Create patient' }).click();
    await dialog.getByRole('button', { name: 'Change patient' }).waitFor();
    await dialog.getByText(`Riley ${last}`).waitFor();

    // Type, then the clicked time is chosen when free for it.
    const typeOptions = await dialog.getByLabel('Type of visit').locator('option').allTextContents();
    const short = typeOptions.find((o) => /\((15|20|30) min\)/.test(o)) ?? typeOptions[1];
    await dialog.getByLabel('Type of visit').selectOption({ label: short });
    await dialog.getByRole('radio').first().waitFor();
    if (!(await dialog.getByRole('radio', { checked: true }).count())) await dialog.getByRole('radio').first().check();
    await dialog.getByLabel('Notes').fill('New patient, booked from an empty slot');
    await dialog.getByRole('button', { name: /^Book .+ with / }).click();
    await dialog.waitFor({ state: 'detached' });
    const tile = page.locator('[data-appointment-id]', { hasText: `Riley ${last}` }).first();
    await tile.waitFor();
    await tile.click();
    const details = page.getByRole('dialog', { name: 'Appointment' });
    await details.getByText('New patient, booked from an empty slot').waitFor();
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });

    // Re-entering the same name and birth date: the existing record is offered first.
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).click();
    await page.keyboard.press('n');
    await dialog.waitFor();
    await page.keyboard.type('zzqx nobody');
    await dialog.getByRole('button', { name: 'New patient' }).click();
    await group.getByLabel('First name').fill('Riley');
    await group.getByLabel('Last name').fill(last);
    await group.getByLabel('Date of birth').fill('1991-04-12');
    await group.getByLabel('Phone').fill('555-0199');
    await group.getByRole('button', { name: 'Create patient' }).click();
    await group.getByRole('heading', { name: /Possible duplicate/ }).waitFor();
    await group.getByRole('button', { name: 'Create anyway' }).waitFor();
    await t.scan(page, 'frontdesk-duplicate');
    await group.getByRole('button', { name: new RegExp(`Use this patient: Riley ${last}`) }).click();
    await dialog.getByRole('button', { name: 'Change patient' }).waitFor();
    const same = await t.pageApi(page, 'GET', `/api/patients?q=${last}`);
    assert.equal(same.json.items.length, 1, 'no second record for the same person');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // The profile's link: /schedule?book=1&patientId=… opens booking with the patient chosen.
    await page.goto(`/schedule?date=${date}&book=1&patientId=${same.json.items[0].id}`);
    await dialog.waitFor();
    await dialog.getByText(`Riley ${last}`).waitFor();
    await page.keyboard.press('Escape');
    await context.close();
  });

  t.scenario('frontdesk: a dentist lands on their own column for today, and can show all providers', async () => {
    const context = await t.newContext({ viewport: DESKTOP });
    const page = await t.newPage(context);
    await t.signIn(page, DENTIST);
    await page.waitForURL('**/schedule');
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();
    await page.getByRole('checkbox', { name: 'Show all providers' }).waitFor();
    const heads = page.locator('.day-grid__col-head');
    await heads.first().waitFor();
    assert.deepEqual(await heads.allTextContents(), ['Dr. Maya Okafor'], 'only the dentist’s own column');
    const scrolled = await page.locator('.day-grid__scroll').evaluate((el) => el.scrollTop);
    const next = await page.locator('.fd-next').count();
    console.log(`    dentist day: grid scrolled to ${scrolled}px, next patient highlighted: ${next > 0}`);
    await t.scan(page, 'frontdesk-dentist-day');
    await t.shot(page, 'frontdesk-dentist-day');
    // The box reflects the URL (all=1), set a render later than the click.
    await page.getByRole('checkbox', { name: 'Show all providers' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.day-grid__col-head').length > 1);
    await context.close();
  });
}
