// The schedule view in the browser: time to interactive and long tasks.
//
// "Interactive" is concrete: from navigation start (performance.timeOrigin
// of a new tab) until every expected appointment tile of the day grid is in
// the DOM (exactly as many: not the day before's kept on screen while the
// next loads) with its patient's name (not the "Patient 1a2b3c" placeholder),
// and a click on the first tile, queued as a task as a user's click would
// be, has opened its "Appointment" panel. Everything is timed inside the
// page, so the driver's own latency is not in the figures.

/** Installed before the app's scripts run (page.addInitScript). */
function probe({ expect, click }) {
  const b = (window.__bench = { longtasks: [], expect, click, tilesAt: null, clickAt: null, openAt: null, observer: 'longtask' });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    b.observer = null;
  }
  const placeholder = /^Patient \S{6}$/;
  const ready = () => {
    const tiles = document.querySelectorAll('.appt');
    if (tiles.length !== b.expect) return false;
    for (const t of tiles) if (placeholder.test(t.querySelector('.appt__name')?.textContent?.trim() ?? '')) return false;
    return true;
  };
  const panelOpen = () =>
    [...document.querySelectorAll('[role="dialog"]')].some((d) => {
      const title = document.getElementById(d.getAttribute('aria-labelledby') ?? '');
      return title?.textContent?.trim() === 'Appointment';
    });
  const onChange = () => {
    if (b.tilesAt === null) {
      if (!ready()) return;
      b.tilesAt = performance.now();
      if (b.click) {
        setTimeout(() => {
          b.clickAt = performance.now();
          document.querySelector('.appt')?.click();
        }, 0);
      }
    } else if (b.clickAt !== null && b.openAt === null && panelOpen()) {
      b.openAt = performance.now();
    }
  };
  new MutationObserver(onChange).observe(document, { childList: true, subtree: true, characterData: true });
}

/** Long tasks in [from, to): count, total and longest ms, and total blocking time (each past 50 ms). */
export function taskStats(tasks, from = 0, to = Infinity) {
  const inWindow = tasks.filter((t) => t.start >= from && t.start < to);
  return {
    count: inWindow.length,
    total: inWindow.reduce((s, t) => s + t.duration, 0),
    max: inWindow.reduce((m, t) => Math.max(m, t.duration), 0),
    blocking: inWindow.reduce((s, t) => s + Math.max(0, t.duration - 50), 0),
  };
}

const readProbe = (page) =>
  page.evaluate(() => ({
    ...JSON.parse(JSON.stringify(window.__bench)),
    // What the page fetched, for the waterfall printed beside the figures.
    fetched: performance.getEntriesByType('resource').map((e) => ({
      what: new URL(e.name).pathname + new URL(e.name).search.replace(/cursor=[^&]+/, 'cursor=…'),
      start: e.startTime,
      end: e.responseEnd,
    })),
  }));

/** The requests that started before `until`, one per line, "start–end ms what". */
export function waterfall(run, until = run.tti) {
  return run.fetched
    .filter((f) => f.start < until)
    .map((f) => `${String(Math.round(f.start)).padStart(5)}–${String(Math.round(f.end)).padEnd(5)} ms ${f.what.slice(0, 110)}`)
    .join('\n');
}

/**
 * Opens url in a new tab of context and waits until it is interactive;
 * then settleMs more for the tasks that follow. Returns { tti, tilesAt,
 * tasks: taskStats of the whole load, page } (the page stays open).
 */
export async function loadSchedule(context, url, { expect, settleMs = 1000, timeoutMs = 60_000 }) {
  const page = await context.newPage();
  await page.addInitScript(probe, { expect, click: true });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__bench?.openAt != null, null, { timeout: timeoutMs, polling: 50 });
  await page.waitForTimeout(settleMs);
  const b = await readProbe(page);
  if (!b.observer) throw new Error('this Chromium has no longtask PerformanceObserver');
  return { tti: b.openAt, tilesAt: b.tilesAt, tasks: taskStats(b.longtasks, 0, b.openAt + settleMs), fetched: b.fetched, page };
}

/**
 * On an interactive schedule page: closes the panel if open, clicks "Next
 * day" and waits until the next day's `expect` tiles are in the DOM with
 * names. Returns { ms: click → tiles, tasks: taskStats from the click for
 * settleMs past the tiles }.
 */
export async function switchDay(page, { expect, settleMs = 1000, timeoutMs = 60_000 }) {
  const panel = page.getByRole('dialog', { name: 'Appointment' });
  if (await panel.count()) {
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  }
  const next = page.getByRole('button', { name: 'Next day' });
  await next.waitFor();
  const handle = await next.elementHandle();
  await page.evaluate(
    ({ button, expect }) => {
      const b = window.__bench;
      Object.assign(b, { expect, click: false, tilesAt: null, clickAt: null, openAt: null });
      b.switchAt = performance.now();
      button.click();
    },
    { button: handle, expect },
  );
  await page.waitForFunction(() => window.__bench.tilesAt != null, null, { timeout: timeoutMs, polling: 50 });
  await page.waitForTimeout(settleMs);
  const b = await readProbe(page);
  return { ms: b.tilesAt - b.switchAt, tasks: taskStats(b.longtasks, b.switchAt, b.tilesAt + settleMs) };
}

/**
 * Where a load's time went, from its requests: boot (navigation → the
 * session's /api/auth/me answered), the day's appointments and the patient
 * directory (first request → last page answered, pages), render (last list
 * answered → tiles) and the click (tiles → panel open).
 */
export function phases(run) {
  const span = (re) => {
    const hits = run.fetched.filter((f) => re.test(f.what) && f.start < run.tti);
    return hits.length
      ? { start: Math.min(...hits.map((f) => f.start)), end: Math.max(...hits.map((f) => f.end)), pages: hits.length }
      : { start: 0, end: 0, pages: 0 };
  };
  const me = span(/^\/api\/auth\/me$/);
  const appointments = span(/^\/api\/appointments\?/);
  const directory = span(/^\/api\/patients\?/);
  const dataEnd = Math.max(appointments.end, directory.end);
  return { boot: me.end, appointments, directory, render: run.tilesAt - dataEnd, click: run.tti - run.tilesAt };
}
