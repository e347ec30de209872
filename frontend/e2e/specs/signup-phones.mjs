// Issue 16 items 7 and 9: phones in E.164 shown nationally, language and
// country chosen from lists, and sign-up by the clinic's slug or its name.
// Run alone: E2E_ONLY='signup-phones:' node e2e/run.mjs
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 360, height: 740 };

export default function register(t) {
  const { assert } = t;

  t.scenario('signup-phones: a patient signs up through /sign-up?clinic=<slug>, the practice shown by name', async () => {
    const desk = await t.newContext({ viewport: DESKTOP });
    const staff = await t.newPage(desk);
    await t.signIn(staff, t.STAFF);
    await staff.waitForURL('**/schedule**');
    const me = await t.pageApi(staff, 'GET', '/api/auth/me');
    const { slug, name } = me.json.clinic;
    assert.match(slug ?? '', /^[a-z0-9]+(-[a-z0-9]+)*$/, `the demo clinic's slug: ${slug}`);
    assert.equal(slug, 'riverside-family-dental', 'the demo clinic has a readable slug');
    await desk.close();

    const context = await t.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await t.newPage(context);
    const email = `e2e.slug.${Date.now()}@example.com`;
    await page.goto(`/sign-up?clinic=${slug}`);
    await page.getByText(`Signing up with ${name}.`).waitFor();
    assert.equal(await page.getByText(/Practice code/).count(), 0, 'no "Practice code" field');
    assert.equal(await page.getByRole('combobox', { name: 'Your dental practice' }).count(), 0, 'the linked practice is not asked for');
    await page.getByLabel('First name').fill('Sasha');
    await page.getByLabel('Last name').fill('Slug');
    await page.getByLabel('Date of birth').fill('1988-03-09');
    await page.getByLabel('Mobile phone').fill('212.555.0163');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a sunny day at the dentist');
    await t.scan(page, 'sign-up-by-slug');
    await t.shot(page, 'sign-up-by-slug-360');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const link = new URL(await t.emailedLink(email, 'verify-email', 'verifyUrl'));
    await page.goto(link.pathname + link.search);
    await page.waitForURL('**/portal');
    const mine = await t.pageApi(page, 'GET', '/api/patients');
    assert.equal(mine.status, 200);
    assert.equal(mine.json.items[0]?.phone, '+12125550163', 'the sign-up phone is stored in E.164');
    await context.close();
  });

  t.scenario('signup-phones: without a link the form finds the practice by name and says what is missing', async () => {
    const context = await t.newContext({ viewport: DESKTOP });
    const page = await t.newPage(context);
    await page.goto('/sign-up');
    const practice = page.getByRole('combobox', { name: 'Your dental practice' });
    await page.getByLabel('First name').fill('Noah');
    await page.getByLabel('Last name').fill('Nolink');
    await page.getByLabel('Date of birth').fill('1979-11-30');
    await page.getByLabel('Mobile phone').fill('(212) 555-0164');
    await page.getByLabel('Email').fill(`e2e.nolink.${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('a sunny day at the dentist');
    await practice.fill('Riverside');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Choose your practice from the list.').first().waitFor();
    await practice.fill('');
    await practice.pressSequentially('river');
    await page.getByRole('option', { name: 'Riverside Family Dental' }).waitFor();
    await t.scan(page, 'sign-up-practice-search');
    await t.shot(page, 'sign-up-practice-search-1440');
    await practice.press('ArrowDown');
    await practice.press('Enter');
    await page.getByText('You are signing up with Riverside Family Dental.').waitFor();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await context.close();
  });

  t.scenario('signup-phones: a phone typed 212.555.0147 shows as (212) 555-0147; language and country by name', async () => {
    const context = await t.newContext({ viewport: DESKTOP });
    const page = await t.newPage(context);
    await t.signIn(page, t.STAFF);
    await page.waitForURL('**/schedule**');
    await page.goto('/patients/new');
    const form = page.getByRole('form', { name: 'New patient' });
    await form.waitFor();
    await form.getByLabel('First name').fill('Paloma');
    await form.getByLabel('Last name').fill('Fonseca');
    await form.getByLabel('Date of birth').fill('1975-06-21');
    await form.getByLabel('Phone', { exact: true }).fill('212.555.0147');
    await form.getByLabel('Emergency contact name').fill('Rui Fonseca');
    await form.getByLabel('Emergency contact phone').fill('+44 20 7946 0958');
    await form.getByLabel('Country').selectOption({ label: 'Portugal' });
    await form.getByLabel('Language').selectOption({ label: 'Spanish' });
    await t.scan(page, 'patient-new-lists');
    await form.getByRole('button', { name: 'Add patient' }).click();
    await page.waitForURL(/\/patients\/[0-9a-f]{24}$/);
    const id = page.url().split('/').pop();
    const details = page.locator('dl.details').first();
    await details.waitFor();
    const row = (label) => details.locator('div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
    assert.equal((await row('Phone').textContent()).trim(), '(212) 555-0147');
    assert.equal((await row('Language').textContent()).trim(), 'Spanish');
    assert.match(await row('Emergency').textContent(), /\+44 20 7946 0958/);
    assert.match(await row('Address').textContent(), /Portugal/);
    const stored = await t.pageApi(page, 'GET', `/api/patients/${id}`);
    assert.equal(stored.json.phone, '+12125550147');
    assert.equal(stored.json.emergencyContact.phone, '+442079460958');
    assert.equal(stored.json.language, 'es');
    assert.equal(stored.json.address.country, 'PT');
    await t.scan(page, 'patient-profile-phones');
    await t.shot(page, 'patient-profile-phones-1440');

    // A number without its area code is refused with what to do.
    await page.goto(`/patients/${id}/edit`);
    const edit = page.getByRole('form').filter({ has: page.getByLabel('Phone', { exact: true }) }).first();
    await edit.getByLabel('Phone', { exact: true }).fill('555-0147');
    await edit.getByRole('button', { name: /Save/ }).click();
    await page.getByText(/enter a number with its area code, e\.g\. \(212\) 555-0147/).first().waitFor();
    await context.close();
  });
}
