#!/usr/bin/env node
// The SPA's rows of `make bench`:
//
//   npm run build && node frontend/bench/spa.mjs --out <file> [--dist <dir>] [--loads N] [--size-only]
//
// Writes markdown rows (| what | figure | reference | ratio | target | met |)
// to <file> as they are measured and prints them; exits non-zero when a
// measurement fails (a target not met is a row that says so, not a failure).
//   - initial JS: dist/index.html's entry script, its modulepreloads and their
//     static imports, gzip -9 (target ≤ 200 KB); the lazy chunks' total apart;
//   - the schedule's time to interactive on the clinic's largest day (12
//     providers, 300 appointments, seeded through the API on the real local
//     stack), median of N new tabs (default 7, at least 5), beside the same
//     page on a quiet day (the day before, 1 appointment), loads interleaved;
//   - long tasks (PerformanceObserver 'longtask') during those loads, and
//     during a switch onto the largest day from the day before (Next day)
//     beside the switch off it onto the day after (1 appointment).
// The stack, Chromium (CHROMIUM_PATH, else `command -v chromium`) and the
// sign-in are the e2e harness's (../e2e/harness.mjs). Rows written so far
// stay in <file> when a later measurement fails.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kb, median, ms, ratio, rowWriter } from './rows.mjs';
import { measureBundle } from './size.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    dist: { type: 'string', default: path.resolve(here, '../dist') },
    loads: { type: 'string', default: '7' },
    'size-only': { type: 'boolean', default: false },
  },
});
const loads = Math.max(5, Number(args.loads) || 7);
const distDir = path.resolve(args.dist);
const emit = rowWriter(args.out && path.resolve(args.out));

const INITIAL_TARGET = 200 * 1024;
const TTI_TARGET = 1000;
// Jank, concretely: in the median load of the largest day and the median
// switch onto it no single task blocks input for more than 200 ms (a click
// then waits at most twice RAIL's 100 ms budget), and the load's total
// blocking time (each long task's time past 50 ms) stays ≤ 300 ms. The
// worst of the runs is printed beside it: on a shared 2-core machine one
// run's longest task is mostly the neighbours' doing.
const LONGEST_TARGET = 200;
const BLOCKING_TARGET = 300;

// ---------- size ----------
let size;
try {
  size = measureBundle(distDir);
} catch (error) {
  console.error(`spa bench: ${error.message}`);
  process.exit(1);
}
emit({
  what: `SPA initial JS, gzip -9 (${size.initial.files} files: entry, modulepreloads, static imports)`,
  figure: kb(size.initial.gzip),
  reference: `all JS ${kb(size.all.gzip)} (${size.all.files} files)`,
  ratio: ratio(size.initial.gzip, size.all.gzip),
  target: '≤ 200 KB',
  met: size.initial.gzip <= INITIAL_TARGET,
});
emit({
  what: `SPA lazy chunks, gzip -9 (${size.lazy.files} files, loaded on first use)`,
  figure: kb(size.lazy.gzip),
  reference: `initial ${kb(size.initial.gzip)}`,
  ratio: ratio(size.lazy.gzip, size.initial.gzip),
});
if (args['size-only']) process.exit(0);

// ---------- browser ----------
if (!process.env.CHROMIUM_PATH) {
  try {
    process.env.CHROMIUM_PATH = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    console.error('spa bench: no chromium on PATH (apt-get install chromium, or set CHROMIUM_PATH)');
    process.exit(1);
  }
}
process.env.E2E_DIST_DIR = distDir;
const { t, scenario, run } = await import('../e2e/harness.mjs');
const { seedBusyDay } = await import('./busyday.mjs');
const { loadSchedule, phases, switchDay, waterfall } = await import('./schedule.mjs');
const { assert, state } = t;

const signedIn = async (who) => {
  const context = await t.newContext();
  const page = await t.newPage(context);
  await t.signIn(page, who);
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  return { context, page };
};
const summary = (list, pick) => median(list.map(pick));
const listText = (name, l) => `${name} ${ms(l.end - l.start)} (${l.pages} page${l.pages === 1 ? '' : 's'})`;
const phasesText = (p) =>
  `boot to /api/auth/me ${ms(p.boot)} · ${listText('appointments', p.appointments)} · ` +
  `${listText('patient names (ids=)', p.directory)} · render ${ms(p.render)} · click → panel ${ms(p.click)}`;
const blockingRatio = (a, b) => (b > 0 ? `${ratio(a, b)} blocking` : `— (reference: none blocking)`);
const tasksText = (list) =>
  `${summary(list, (r) => r.tasks.count)} long task(s), ${ms(summary(list, (r) => r.tasks.total))} in all, ` +
  `longest ${ms(summary(list, (r) => r.tasks.max))} (worst ${ms(Math.max(...list.map((r) => r.tasks.max)))}), ` +
  `blocking ${ms(summary(list, (r) => r.tasks.blocking))}`;

scenario('bench: seed the largest day (12 providers, 300 appointments) through the API', async () => {
  const { context, page } = await signedIn(t.ADMIN);
  const started = Date.now();
  state.bench = await seedBusyDay(t.pageApi, page);
  const check = await t.pageApi(page, 'GET', `/api/appointments?limit=200&from=${encodeURIComponent(`${state.bench.busy}T00:00:00Z`)}`);
  assert.equal(check.status, 200);
  const { before, busy, after, appointments } = state.bench;
  console.log(`    seeded ${busy} (${appointments} appointments), ${before} and ${after} (1 each) in ${Math.round((Date.now() - started) / 1000)} s`);
  await context.close();
});

scenario(`bench: schedule time to interactive, median of ${loads} loads`, async () => {
  const { busy, before: quiet, appointments } = state.bench;
  const { context } = await signedIn(t.STAFF);
  const load = os.loadavg()[0].toFixed(1);
  const busyRuns = [];
  const quietRuns = [];
  // A warm-up of each (the desk's browser has the assets cached), then interleaved.
  for (let i = -1; i < loads; i += 1) {
    for (const [date, expect, runs] of [[busy, appointments, busyRuns], [quiet, 1, quietRuns]]) {
      const r = await loadSchedule(context, `/schedule?date=${date}`, { expect });
      await r.page.close();
      if (i >= 0) runs.push(r);
    }
  }
  console.log(`    busy TTI ${busyRuns.map((r) => Math.round(r.tti)).join(', ')} ms; quiet ${quietRuns.map((r) => Math.round(r.tti)).join(', ')} ms`);
  const busyTti = summary(busyRuns, (r) => r.tti);
  const typical = [...busyRuns].sort((a, b) => a.tti - b.tti)[Math.floor(busyRuns.length / 2)];
  console.log(`    the median busy load's requests before interactive (${Math.round(typical.tti)} ms; tiles ${Math.round(typical.tilesAt)} ms):`);
  console.log(waterfall(typical).replace(/^/gm, '      '));
  const quietTti = summary(quietRuns, (r) => r.tti);
  emit({
    what:
      `Schedule time to interactive, largest day (12 providers, ${appointments} appointments), headless Chromium, median of ${loads} new tabs: ` +
      'navigation start → every tile in the DOM with its patient’s name and a click on one has opened its panel ' +
      `(tiles at ${ms(summary(busyRuns, (r) => r.tilesAt))}; load average ${load} on ${os.availableParallelism()} cores; range ${ms(Math.min(...busyRuns.map((r) => r.tti)))}–${ms(Math.max(...busyRuns.map((r) => r.tti)))})`,
    figure: ms(busyTti),
    reference: `quiet day (1 appointment) ${ms(quietTti)}`,
    ratio: ratio(busyTti, quietTti),
    target: '≤ 1 s',
    met: busyTti <= TTI_TARGET,
  });
  const typicalQuiet = [...quietRuns].sort((a, b) => a.tti - b.tti)[Math.floor(quietRuns.length / 2)];
  emit({
    what: 'Schedule time to interactive on the largest day: where the median load’s time goes (from its requests)',
    figure: phasesText(phases(typical)),
    reference: `quiet day: ${phasesText(phases(typicalQuiet))}`,
  });
  const longest = summary(busyRuns, (r) => r.tasks.max);
  const blocking = summary(busyRuns, (r) => r.tasks.blocking);
  emit({
    what: `Long tasks loading the largest day (to interactive + 1 s), median of ${loads}`,
    figure: tasksText(busyRuns),
    reference: `quiet day: ${tasksText(quietRuns)}`,
    ratio: blockingRatio(blocking, summary(quietRuns, (r) => r.tasks.blocking)),
    target: `median load: longest ≤ ${LONGEST_TARGET} ms, blocking ≤ ${BLOCKING_TARGET} ms`,
    met: longest <= LONGEST_TARGET && blocking <= BLOCKING_TARGET,
  });
  await context.close();
});

scenario('bench: day switch onto the largest day', async () => {
  const { before, appointments } = state.bench;
  const { context } = await signedIn(t.STAFF);
  const onto = [];
  const off = [];
  for (let i = 0; i < 5; i += 1) {
    const r = await loadSchedule(context, `/schedule?date=${before}`, { expect: 1 });
    onto.push(await switchDay(r.page, { expect: appointments }));
    off.push(await switchDay(r.page, { expect: 1 }));
    await r.page.close();
  }
  console.log(`    onto the largest day ${onto.map((r) => Math.round(r.ms)).join(', ')} ms; off it ${off.map((r) => Math.round(r.ms)).join(', ')} ms`);
  const switchMs = summary(onto, (r) => r.ms);
  const longest = summary(onto, (r) => r.tasks.max);
  emit({
    what:
      `Day switch onto the largest day (Next day from the day before: click → ${appointments} tiles with names), ` +
      `median of ${onto.length}; long tasks from the click to tiles + 1 s`,
    figure: `${ms(switchMs)}; ${tasksText(onto)}`,
    reference: `off it onto the day after (1 appointment): ${ms(summary(off, (r) => r.ms))}; ${tasksText(off)}`,
    ratio: ratio(switchMs, summary(off, (r) => r.ms)),
    target: `median switch: longest ≤ ${LONGEST_TARGET} ms`,
    met: longest <= LONGEST_TARGET,
  });
  await context.close();
});

await run();
