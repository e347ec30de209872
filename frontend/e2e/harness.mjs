// The browser suite's shared harness: the local stack, Chromium, sign-in,
// the API from a page, the dev outbox, axe scans, screenshots and the runner
// that plays each spec file's scenarios in order and the spec files side by
// side (E2E_CONCURRENCY, default 2) in their own browser contexts.
import AxeBuilder from '@axe-core/playwright';
import assert from 'node:assert/strict';
export { assert };
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { startStack } from './stack.mjs';

export const __dirname = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(__dirname, '../..');
// E2E_DIST_DIR: serve another build (parallel builds must not share dist/).
const distDir = process.env.E2E_DIST_DIR ? path.resolve(process.env.E2E_DIST_DIR) : path.resolve(__dirname, '../dist');
const shotsDir = path.join(__dirname, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const HYGIENIST = { email: 'hygienist@topsmile.local', password: 'smile-staff-dev-2026' };
const STAFF = { email: 'frontdesk@topsmile.local', password: 'smile-staff-dev-2026' };
const ADMIN = { email: 'admin@topsmile.local', password: 'smile-admin-dev-2026' };
const SLOT_TAKEN = 'That slot was just taken — pick another';
const STEP_TIMEOUT = 15_000;

mkdirSync(shotsDir, { recursive: true });
for (const file of readdirSync(shotsDir)) {
  if (file.endsWith('.png')) rmSync(path.join(shotsDir, file));
}

// ---------- tiny runner ----------
// Scenarios belong to a group (their spec file); a group's scenarios run in
// order, and groups run side by side in their own browser contexts.
const scenarios = [];
let registering = 'core';
/**
 * Registers a scenario of the spec being registered. `exclusive` ones change
 * what every other scenario relies on (the clinic's time zone): they run
 * alone, after the parallel groups and before the summary.
 */
export const scenario = (name, fn, { exclusive = false } = {}) => scenarios.push({ name, fn, group: registering, exclusive });
const results = [];
const running = new AsyncLocalStorage(); // the running group: its contexts
let shotCount = 0;

async function shot(page, name) {
  shotCount += 1;
  const file = path.join(shotsDir, `${String(shotCount).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

// ---------- accessibility ----------
export const axeScans = [];
// No sideways scrolling at a phone's width; a failure names the elements
// reaching past the screen's right edge, so the culprit is found at once.
async function assertNoSideScroll(page, max = 360) {
  const { width, culprits } = await page.evaluate((limit) => {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > limit + 0.5 && r.width > 0) {
        const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
        wide.push(`${el.tagName.toLowerCase()}${cls} (right ${Math.round(r.right)}, width ${Math.round(r.width)})`);
      }
    }
    return { width: document.documentElement.scrollWidth, culprits: wide.slice(0, 8) };
  }, max);
  assert.ok(width <= max, `no horizontal scrolling at ${max} px (scrollWidth ${width}; past the edge: ${culprits.join(', ')})`);
}

async function scan(page, screen) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const blocking = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const other = result.violations.filter((v) => !blocking.includes(v));
  axeScans.push({ screen, blocking, other });
  const summary = (list) => list.map((v) => `${v.id}(${v.impact}, ${v.nodes.length})`).join(', ');
  console.log(
    `    axe ${screen}: ${blocking.length} serious/critical${blocking.length ? ` [${summary(blocking)}]` : ''}` +
      (other.length ? `; minor/moderate: ${summary(other)}` : ''),
  );
  return blocking;
}

// ---------- helpers ----------
let stack;
let browser;
const state = {};

// Each browser context is its own viewer (a desk, a phone), told to the API
// the way CloudFront tells it: CloudFront-Viewer-Address, believed only with
// the origin secret. Without this every context is 127.0.0.1, and spec files
// signing in side by side meet the per-address sign-in limit (30 per 15 min).
let viewers = 0;
function viewerHeaders() {
  viewers += 1;
  return {
    'X-Origin-Secret': process.env.ORIGIN_SECRET ?? '',
    'CloudFront-Viewer-Address': `198.51.${100 + Math.floor(viewers / 250)}.${(viewers % 250) + 1}:443`,
  };
}

async function newContext(options = {}) {
  const { extraHTTPHeaders, ...rest } = options;
  const context = await browser.newContext({
    baseURL: stack.baseURL,
    viewport: { width: 1366, height: 900 },
    ...rest,
    extraHTTPHeaders: { ...viewerHeaders(), ...extraHTTPHeaders },
  });
  context.setDefaultTimeout(STEP_TIMEOUT);
  running.getStore()?.contexts.add(context);
  context.once('close', () => running.getStore()?.contexts.delete(context));
  return context;
}

async function newPage(context) {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`    [pageerror] ${error.message}`));
  return page;
}

async function signIn(page, { email, password }) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * The link of the newest message of template sent to `to`, from the local
 * stack's dev outbox (the notifications it would have sent), waiting for it
 * to arrive.
 */
async function emailedLink(to, template, field) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const res = await fetch(`${stack.baseURL}/_dev/outbox`, { headers: { 'X-Dev-Token': process.env.TOPSMILE_DEV_TOKEN ?? '' } });
    assert.equal(res.status, 200, `GET /_dev/outbox answered ${res.status}`);
    const { items } = await res.json();
    const m = items.filter((i) => i.to === to && i.template === template).pop();
    if (m) return m.data[field];
    if (Date.now() > deadline) throw new Error(`no ${template} message to ${to} in the dev outbox`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls fn (every 250 ms) until it returns something truthy, which it returns; throws after ms. */
async function until(what, fn, ms = STEP_TIMEOUT) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every message in the local stack's dev outbox (an empty one may answer "items": null). */
async function devOutbox() {
  const res = await fetch(`${stack.baseURL}/_dev/outbox`, { headers: { 'X-Dev-Token': process.env.TOPSMILE_DEV_TOKEN ?? '' } });
  assert.equal(res.status, 200, `GET /_dev/outbox answered ${res.status}`);
  return (await res.json()).items ?? [];
}

/** Shoots the page at 1440 px and at 360 px (there: no sideways scroll, and an axe scan). */
async function bothWidths(page, name) {
  await page.setViewportSize({ width: 1440, height: 900 });
  await shot(page, `${name}-1440`);
  await page.setViewportSize({ width: 360, height: 740 });
  await assertNoSideScroll(page);
  await scan(page, `${name}-360`);
  await shot(page, `${name}-360`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** The access cookie: __Secure-ts_access, or ts_access from a COOKIE_SECURE=false API. */
const ACCESS_COOKIE = /^(__Secure-)?ts_access$/;

/** Same-origin API call from inside the page (its cookies, its CSRF token). */
async function pageApi(page, method, url, body) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const csrf = document.cookie
        .split(';')
        .map((c) => c.trim().split('='))
        .filter(([k]) => k === '__Host-csrf_token' || k === 'csrf_token')
        .sort(([a]) => (a === '__Host-csrf_token' ? -1 : 1))[0]?.[1];
      const res = await fetch(url, {
        method,
        credentials: 'same-origin',
        headers: {
          'Content-Type': 'application/json',
          ...(csrf && method !== 'GET' ? { 'X-CSRF-Token': decodeURIComponent(csrf) } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      let json = null;
      try {
        json = await res.json();
      } catch {
        json = null;
      }
      return { status: res.status, json };
    },
    { method, url, body },
  );
}

/** The next working day (Mon–Fri) after today in the clinic's zone, as YYYY-MM-DD. */
function nextWorkingDay(timeZone) {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const today = fmt.format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  for (let i = 1; i <= 7; i += 1) {
    const dt = new Date(Date.UTC(y, m - 1, d + i));
    const wd = dt.getUTCDay();
    if (wd >= 1 && wd <= 5) return dt.toISOString().slice(0, 10);
  }
  throw new Error('no working day found');
}

/** Chooses a patient in the Book dialog, by search or, without a patients API, by id. */
async function pickPatient(page, dialog) {
  const manual = dialog.getByLabel('Patient ID');
  const search = dialog.getByRole('combobox', { name: 'Patient' });
  await manual.or(search).first().waitFor();
  // The search box turns into the id field once the app learns the API is missing.
  await page.waitForTimeout(300);
  if (await manual.isVisible()) {
    await manual.fill(state.patientId);
    await manual.press('Enter');
    return `Patient ${state.patientId}`;
  }
  await search.fill(state.patientSearch ?? 'an');
  const option = dialog.getByRole('option').first();
  await option.waitFor();
  await search.press('ArrowDown');
  const name = (await option.locator('.combobox__name').textContent())?.trim();
  await search.press('Enter');
  await dialog.getByRole('button', { name: 'Change patient' }).waitFor();
  return name;
}

/** Opens the Book dialog and chooses patient, type, provider and day; returns the dialog. */
async function openBooking(page, { typeLabel, providerLabel, date }) {
  await page.getByRole('button', { name: 'Book appointment' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Book appointment' });
  await dialog.waitFor();
  const patient = await pickPatient(page, dialog);
  await dialog.getByLabel('Type of visit').selectOption({ label: typeLabel });
  await dialog.getByLabel('Provider').selectOption({ label: providerLabel });
  await dialog.getByLabel('Day', { exact: true }).fill(date);
  await dialog.getByRole('radio').first().waitFor();
  return { dialog, patient };
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for a base32 secret, `stepOffset` steps from now. */
function totp(secret, stepOffset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + stepOffset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}


// ---------- runner ----------
/** What a spec's register(t) receives. */
export const t = {
  scenario, shot, scan, assertNoSideScroll, newContext, newPage, signIn, pageApi, emailedLink, nextWorkingDay, until, devOutbox, bothWidths,
  pickPatient, openBooking, totp, state, assert,
  stack: () => stack, STAFF, ADMIN, HYGIENIST, SLOT_TAKEN, STEP_TIMEOUT, ACCESS_COOKIE,
};

/** Registers the scenarios of one spec file under its group. */
export async function registerSpec(file) {
  registering = path.basename(file, '.mjs');
  const spec = await import(pathToFileURL(file).href);
  spec.default(t);
  registering = 'summary';
}

async function play(s) {
  const t0 = Date.now();
  try {
    await s.fn();
    results.push({ name: s.name, ok: true, ms: Date.now() - t0 });
    console.log(`✔ ${s.name} (${Date.now() - t0} ms)`);
  } catch (error) {
    results.push({ name: s.name, ok: false, ms: Date.now() - t0, error });
    console.log(`✖ ${s.name} (${Date.now() - t0} ms)\n    ${String(error?.stack ?? error).split('\n').slice(0, 6).join('\n    ')}`);
    // The failing group's own pages (and the desks' shared one for the core group).
    const mine = running.getStore()?.contexts ?? new Set(browser.contexts());
    for (const ctx of mine) {
      for (const p of ctx.pages()) {
        await shot(p, `failure-${s.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => {});
      }
    }
  }
}

async function main() {
  const only = process.env.E2E_ONLY;
  const concurrency = Math.max(1, Number(process.env.E2E_CONCURRENCY ?? 2) || 1);
  const started = Date.now();
  console.log(`starting the local stack (go run ./infra/local) from ${repoRoot} …`);
  stack = await startStack({ repoRoot, distDir, log: (line) => process.env.E2E_VERBOSE && console.log(`  [stack] ${line}`) });
  console.log(`stack ready at ${stack.baseURL} (clinic ${stack.clinicId}) after ${Math.round((Date.now() - started) / 1000)} s`);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  // The first scenario signs the desks in and gathers what the others need;
  // the summary (axe) comes after everything else.
  const [first, ...rest] = scenarios;
  const summary = rest.filter((s) => s.group === 'summary');
  const chosen = rest.filter((s) => s.group !== 'summary' && (!only || s.name.includes(only)));
  const wanted = chosen.filter((s) => !s.exclusive);
  const alone = chosen.filter((s) => s.exclusive);
  await running.run({ contexts: new Set() }, () => play(first));
  const groups = [...new Set(wanted.map((s) => s.group))].map((g) => wanted.filter((s) => s.group === g));
  // Longest groups first, so the pool ends together.
  groups.sort((a, b) => b.length - a.length);
  const queue = [...groups];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let g = queue.shift(); g; g = queue.shift()) {
        const group = g;
        await running.run({ contexts: new Set() }, async () => {
          for (const s of group) await play(s);
        });
      }
    }),
  );
  for (const s of alone) await running.run({ contexts: new Set() }, () => play(s));
  for (const s of summary) if (!only) await play(s);
  console.log(`${results.length} scenarios in ${Math.round((Date.now() - started) / 1000)} s (${concurrency} groups at a time)`);
}

/** Starts the stack, plays every registered scenario, prints the summary and exits. */
export async function run() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the stack`);
      Promise.allSettled([browser?.close(), stack?.stop()]).then(() => process.exit(130));
    });
  }
  let exitCode = 0;
  try {
    await main();
  } catch (error) {
    console.error(`e2e setup failed: ${error?.stack ?? error}`);
    exitCode = 1;
  } finally {
    await browser?.close().catch(() => {});
    await stack?.stop().catch(() => {});
  }
  const failed = results.filter((r) => !r.ok);
  console.log(`\n${results.length - failed.length} passed, ${failed.length} failed; screenshots in ${path.relative(process.cwd(), shotsDir) || shotsDir}`);
  for (const f of failed) {
    // Repeated at the end so the tail of a CI log names what failed and why.
    console.log(`  failed: ${f.name}\n    ${String(f.error?.message ?? f.error).split('\n').slice(0, 4).join('\n    ')}`);
  }
  if (failed.length > 0 || results.length === 0) exitCode = 1;
  process.exit(exitCode);
}
