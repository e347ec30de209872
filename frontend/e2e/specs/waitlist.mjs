// The waitlist worked from an entry (issue 16 item 6): "Book…" opens the
// booking dialog prefilled and the entry leaves the list; "Offer a time…"
// holds a chosen time for the patient and sends the offer now.
// Run alone: E2E_ONLY='waitlist:' node e2e/run.mjs
const DESKTOP = { width: 1440, height: 900 };
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export default function register(t) {
  const { assert } = t;

  t.scenario('waitlist: the desk books one entry into a chosen time and offers another a time now', async () => {
    const context = await t.newContext({ viewport: DESKTOP });
    const page = await t.newPage(context);
    await t.signIn(page, t.STAFF);
    await page.waitForURL('**/schedule');
    const me = await t.pageApi(page, 'GET', '/api/auth/me');
    const timeZone = me.json.clinic.settings.timeZone;

    // A working day three weeks on (clear of the other scenarios), and a
    // visit type with two free times there for one provider.
    const [y, m, d] = t.nextWorkingDay(timeZone).split('-').map(Number);
    const day = new Date(Date.UTC(y, m - 1, d + 21));
    const date = day.toISOString().slice(0, 10);
    const expiresOn = new Date(Date.UTC(y, m - 1, d + 40)).toISOString().slice(0, 10);
    const types = (await t.pageApi(page, 'GET', '/api/appointment-types?limit=200')).json.items;
    let pick = null;
    for (const type of types) {
      const slots = (await t.pageApi(page, 'GET', `/api/availability?from=${date}T00:00:00Z&to=${date}T23:59:59Z&typeId=${type.id}`)).json?.items ?? [];
      const providerId = slots[0]?.providerId;
      if (providerId && new Set(slots.filter((s) => s.providerId === providerId).map((s) => s.start)).size >= 2) {
        pick = { type, providerId };
        break;
      }
    }
    assert.ok(pick, `a visit type with two free times for one provider on ${date}`);
    const provider = (await t.pageApi(page, 'GET', '/api/providers?limit=200')).json.items.find((p) => p.id === pick.providerId);

    // Two new patients wait for that visit, with that provider, on that weekday only.
    const tag = Math.random().toString(36).slice(2, 7);
    const entries = [];
    for (const first of ['Wren', 'Ines']) {
      const email = `${first.toLowerCase()}.${tag}@patients.example`;
      const created = await t.pageApi(page, 'POST', '/api/patients', { firstName: first, lastName: `Waitlist${tag}`, dateOfBirth: '1985-04-12', email });
      assert.equal(created.status, 201, `creating ${first} answered ${created.status}: ${JSON.stringify(created.json)}`);
      const added = await t.pageApi(page, 'POST', '/api/waitlist', {
        patientId: created.json.id, typeId: pick.type.id, urgency: 1, from: '07:00', to: '20:00',
        days: [WEEKDAYS[day.getUTCDay()]], providerIds: [provider.id], expiresOn,
      });
      assert.equal(added.status, 201, `adding ${first} to the waitlist answered ${added.status}`);
      entries.push({ id: added.json.id, name: `${first} Waitlist${tag}`, email });
    }
    const [wren, ines] = entries;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Waitlist' }).click();
    await page.waitForURL('**/waitlist');
    const card = (who) => page.locator('.waitlist-entry', { has: page.getByRole('link', { name: who.name }) });
    await card(wren).waitFor();

    // Book…: the dialog comes with the entry's patient, visit and provider.
    await page.getByRole('button', { name: `Book… ${wren.name}` }).click();
    const booking = page.getByRole('dialog', { name: 'Book appointment' });
    await booking.waitFor();
    await booking.getByText(`From the waitlist: booking takes ${wren.name} off the list.`).waitFor();
    assert.equal(await booking.getByLabel('Type of visit').inputValue(), pick.type.id, 'the entry’s visit is chosen');
    assert.equal(await booking.getByLabel('Provider').inputValue(), provider.id, 'the provider the entry asked for is chosen');
    await booking.getByLabel('Day', { exact: true }).fill(date);
    const firstTime = booking.getByRole('radio').first();
    await firstTime.waitFor();
    await t.scan(page, 'waitlist-book');
    await firstTime.check();
    await booking.getByRole('button', { name: new RegExp(`^Book .* with ${provider.name}$`) }).click();
    await booking.waitFor({ state: 'detached' });
    await card(wren).waitFor({ state: 'detached' });
    const afterBook = (await t.pageApi(page, 'GET', '/api/waitlist?limit=200')).json.items;
    assert.ok(!afterBook.some((e) => e.id === wren.id), 'the booked entry left the list');
    const booked = (await t.pageApi(page, 'GET', `/api/appointments?from=${date}T00:00:00Z&to=${date}T23:59:59Z&limit=200`)).json.items
      .filter((a) => a.typeId === pick.type.id && a.providerId === provider.id && a.status === 'scheduled');
    assert.ok(booked.length >= 1, 'the visit is on the schedule');

    // Offer a time…: held for Ines and sent now; her card shows the offer.
    await page.getByRole('button', { name: `Offer a time… to ${ines.name}` }).click();
    const offering = page.getByRole('dialog', { name: `Offer a time to ${ines.name}` });
    await offering.waitFor();
    assert.equal(await offering.getByLabel('Provider').inputValue(), provider.id, 'only the provider the entry asked for');
    await offering.getByLabel('Day', { exact: true }).fill(date);
    const offerTime = offering.getByRole('radio').first();
    await offerTime.waitFor();
    await t.scan(page, 'waitlist-offer');
    await t.shot(page, 'waitlist-offer-dialog');
    await offerTime.check();
    await offering.getByRole('button', { name: /^Offer \d/ }).click();
    await offering.waitFor({ state: 'detached' });
    await page.getByText(new RegExp(`^Offered .* to ${ines.name}; they have until`)).waitFor();
    await card(ines).getByText('Offered', { exact: true }).waitFor();
    await card(ines).getByText(/expires in/).waitFor();
    assert.equal(await page.getByRole('button', { name: `Offer a time… to ${ines.name}` }).count(), 0, 'no second offer while one is out');
    const entry = (await t.pageApi(page, 'GET', '/api/waitlist?limit=200')).json.items.find((e) => e.id === ines.id);
    assert.equal(entry?.status, 'offered', 'the entry is offered');
    const held = await t.pageApi(page, 'GET', `/api/appointments/${entry.offer.appointmentId}`);
    assert.equal(held.json?.status, 'held', 'the time is held for her');
    // Told as a freed slot's offer is: the message with the portal's links.
    const accept = await t.emailedLink(ines.email, 'waitlist-offer', 'acceptUrl');
    assert.ok(accept.endsWith(`/portal/offers/${ines.id}?answer=accept`), `the offer links to the portal (${accept})`);
    await t.scan(page, 'waitlist-offered');
    await t.shot(page, 'waitlist-offered');
    await context.close();
  });
}
