// The patient's Documents tab (issue 11): the front desk uploads an X-ray
// straight to the object store, sees it stored with its thumbnail, opens it in
// the viewer and zooms and pans; an HTML page renamed .jpg is refused.
// Run alone: E2E_ONLY='documents:' node e2e/run.mjs
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
const XRAY = path.join(__dirname, '..', 'fixtures', 'bitewing-xray.jpg');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 360, height: 740 };
const FRONT_DESK = { email: 'frontdesk@topsmile.local', password: 'smile-staff-dev-2026' };

export default function register(t) {
  const { assert } = t;
  const my = {};

  async function frontDeskOnDocuments(viewport) {
    const context = await t.newContext({ viewport });
    const page = await t.newPage(context);
    await t.signIn(page, FRONT_DESK);
    await page.waitForURL('**/schedule');
    if (!my.patientId) {
      const found = await t.pageApi(page, 'GET', '/api/patients?q=Avery');
      assert.equal(found.status, 200, `GET /api/patients?q=Avery answered ${found.status}`);
      const jordan = found.json.items.find((p) => p.firstName === 'Jordan' && p.lastName === 'Avery');
      assert.ok(jordan, 'the demo patient Jordan Avery is seeded');
      my.patientId = jordan.id;
    }
    // Through the record's tabs, as a person would.
    await page.goto(`/patients/${my.patientId}`);
    await page.getByRole('navigation', { name: 'Patient record' }).getByRole('link', { name: 'Documents' }).click();
    await page.waitForURL(`**/patients/${my.patientId}/documents`);
    await page.getByRole('heading', { level: 1, name: /Documents — Jordan Avery/ }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Penicillin' }).waitFor();
    return { context, page };
  }

  async function noSidewaysScroll(page, where) {
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scroll <= width, `${where}: no sideways scroll at ${width}px (content is ${scroll}px wide)`);
  }

  const imageLoaded = (locator) =>
    locator.evaluate((img) => (img.complete && img.naturalWidth > 0 ? true : new Promise((resolve) => {
      img.addEventListener('load', () => resolve(img.naturalWidth > 0), { once: true });
      img.addEventListener('error', () => resolve(false), { once: true });
    })));

  t.scenario('documents: the front desk uploads an X-ray of Jordan Avery, views and zooms it, and an HTML file named .jpg is refused', async () => {
    const { context, page } = await frontDeskOnDocuments(DESKTOP);
    const upload = page.getByRole('region', { name: 'Add documents' });
    await upload.getByLabel('Kind').selectOption('xray');
    await upload.getByLabel(/^Tooth/).selectOption('19');
    const takenOn = await upload.getByLabel(/^Date taken/).inputValue();
    assert.match(takenOn, /^\d{4}-\d{2}-\d{2}$/, 'the date taken starts as today');
    await upload.getByLabel(/^Description/).fill('Left bitewing');

    // The file button is a real button; the input it opens takes the file.
    await upload.getByRole('button', { name: 'Choose files…' }).waitFor();
    await page.getByLabel('Files to upload').setInputFiles(XRAY);
    const row = upload.locator('[data-upload="bitewing-xray.jpg"]');
    await row.waitFor();
    await row.filter({ hasText: 'Uploaded' }).waitFor({ timeout: t.STEP_TIMEOUT });
    const progress = row.getByRole('progressbar', { name: 'Upload of bitewing-xray.jpg' });
    assert.equal(await progress.getAttribute('value'), '100', 'the progress bar ends full');

    const name = `X-ray, tooth 19, ${takenOn}`;
    const thumb = page.getByRole('list', { name: 'Documents' }).getByRole('img', { name });
    await thumb.waitFor({ timeout: t.STEP_TIMEOUT });
    assert.equal(await thumb.getAttribute('loading'), 'lazy');
    assert.ok(await imageLoaded(thumb), 'the thumbnail loads from its preview URL');
    await page.getByText('Left bitewing').first().waitFor();
    await t.scan(page, 'documents');
    await t.shot(page, 'documents-1440');

    // The viewer: zoom by keys and buttons, pan by dragging, Escape back to the thumbnail.
    const thumbButton = page.getByRole('button', { name: new RegExp(`^View ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
    await thumbButton.click();
    const dialog = page.getByRole('dialog', { name });
    await dialog.waitFor();
    const big = dialog.getByRole('img', { name });
    assert.ok(await imageLoaded(big), 'the viewer loads the image from a fresh download URL');
    const level = dialog.locator('.doc-viewer__level');
    assert.equal(await level.textContent(), '100%');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    assert.equal(await level.textContent(), '150%', '+ zooms in');
    await dialog.getByRole('button', { name: /Zoom in/ }).click();
    assert.equal(await level.textContent(), '200%');
    await page.keyboard.press('-');
    assert.equal(await level.textContent(), '150%', '− zooms out');
    await page.keyboard.press('+');
    const stage = dialog.getByRole('group', { name: /zoom 200%/ });
    const box = await stage.boundingBox();
    const before = await big.evaluate((img) => img.style.transform);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 90, box.y + box.height / 2 - 40, { steps: 6 });
    await page.mouse.up();
    const after = await big.evaluate((img) => img.style.transform);
    assert.notEqual(after, before, `dragging pans the zoomed image (${before} → ${after})`);
    assert.match(after, /translate\(-\d/, 'it moved left with the pointer');
    await t.scan(page, 'documents-viewer');
    await t.shot(page, 'documents-viewer-zoomed');
    await page.keyboard.press('0');
    assert.equal(await level.textContent(), '100%', '0 resets');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.ok(await thumbButton.evaluate((el) => el === document.activeElement), 'focus is back on the thumbnail');

    // An HTML page renamed .jpg: the browser calls it image/jpeg; its bytes say otherwise.
    await page.getByLabel('Files to upload').setInputFiles({
      name: 'not-an-xray.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('<!doctype html><html><head><title>x</title></head><body>Not an image</body></html>'),
    });
    const refused = upload.locator('[data-upload="not-an-xray.jpg"]');
    await refused.filter({ hasText: 'Not uploaded' }).waitFor();
    assert.match(await refused.textContent(), /The file is not a JPEG/);
    const listed = await t.pageApi(page, 'GET', `/api/patients/${my.patientId}/documents?status=all`);
    assert.equal(listed.status, 200);
    assert.ok(!listed.json.items.some((d) => d.fileName === 'not-an-xray.jpg'), 'nothing was created for the refused file');
    assert.ok(listed.json.items.some((d) => d.fileName === 'bitewing-xray.jpg' && d.status === 'stored' && d.tooth === '19'));
    await refused.scrollIntoViewIfNeeded();
    await t.shot(page, 'documents-refused-html');
    await noSidewaysScroll(page, 'documents at 1440');
    await context.close();
  });

  t.scenario('documents: the tab and the viewer at 360x740, then the X-ray archived and found under Show archived', async () => {
    const { context, page } = await frontDeskOnDocuments(PHONE);
    await noSidewaysScroll(page, 'documents at 360');
    await t.shot(page, 'documents-360');
    const list = page.getByRole('list', { name: 'Documents' });
    const thumb = list.getByRole('img', { name: /^X-ray, tooth 19, / });
    await thumb.waitFor();
    await thumb.scrollIntoViewIfNeeded();
    await t.shot(page, 'documents-360-thumbnails');
    await list.getByRole('button', { name: /^View X-ray, tooth 19, / }).click();
    const dialog = page.getByRole('dialog', { name: /^X-ray, tooth 19, / });
    await dialog.waitFor();
    await dialog.getByRole('img', { name: /^X-ray, tooth 19, / }).waitFor();
    await dialog.getByRole('button', { name: /Zoom in/ }).click();
    await noSidewaysScroll(page, 'viewer at 360');
    await t.scan(page, 'documents-viewer-360');
    await t.shot(page, 'documents-viewer-360');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await list.getByRole('button', { name: /^Archive X-ray, tooth 19, / }).click();
    const confirm = page.getByRole('dialog', { name: /^Archive X-ray, tooth 19, / });
    await confirm.getByRole('button', { name: 'Archive', exact: true }).click();
    await confirm.waitFor({ state: 'detached' });
    await thumb.waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Show archived' }).check();
    const archived = page.locator('.doc-card--archived').filter({ hasText: 'bitewing-xray.jpg' });
    await archived.waitFor();
    assert.match(await archived.textContent(), /Archived/);
    await archived.scrollIntoViewIfNeeded();
    await t.shot(page, 'documents-360-archived');
    await context.close();
  });
}
