// node --test frontend/bench/ : the bench's own arithmetic, without a browser.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { benchDay, zonedInstant } from './busyday.mjs';
import { median, row } from './rows.mjs';
import { phases, taskStats } from './schedule.mjs';
import { entryScripts, measureBundle, staticImports } from './size.mjs';

test('static imports are followed, import() is not', () => {
  const src = 'import{a as b}from"./react-1.js";import"./side-2.js";export{c}from"./re-3.js";const l=()=>import("./Lazy-4.js");';
  assert.deepEqual(staticImports(src).sort(), ['./re-3.js', './react-1.js', './side-2.js']);
});

test('the entry script and modulepreloads of index.html, not stylesheets or other hosts', () => {
  const html = `<script type="module" crossorigin src="/assets/index-a.js"></script>
    <link rel="modulepreload" crossorigin href="/assets/api-b.js">
    <link rel="stylesheet" href="/assets/index-c.css">
    <script src="https://cdn.example/x.js"></script>`;
  assert.deepEqual(entryScripts(html), ['assets/index-a.js', 'assets/api-b.js']);
});

test('measureBundle: initial is the entry and what it imports statically; the rest is lazy', () => {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'bench-dist-'));
  try {
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<script type="module" src="/assets/index.js"></script>');
    writeFileSync(path.join(dist, 'assets/index.js'), 'import{x}from"./dep.js";import("./Page.js");' + 'a'.repeat(1000));
    writeFileSync(path.join(dist, 'assets/dep.js'), 'import"./deeper.js";');
    writeFileSync(path.join(dist, 'assets/deeper.js'), 'export const y=1;');
    writeFileSync(path.join(dist, 'assets/Page.js'), 'import{x}from"./dep.js";' + 'b'.repeat(5000));
    const m = measureBundle(dist);
    assert.deepEqual(m.initialFiles.sort(), ['assets/deeper.js', 'assets/dep.js', 'assets/index.js']);
    assert.equal(m.lazy.files, 1);
    assert.equal(m.all.files, 4);
    assert.equal(m.initial.gzip + m.lazy.gzip, m.all.gzip);
    assert.ok(m.initial.gzip < m.initial.raw, 'repetitive text gzips smaller');
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

test('taskStats counts the tasks that start in the window, and blocking past 50 ms', () => {
  const tasks = [
    { start: 10, duration: 60 },
    { start: 500, duration: 120 },
    { start: 2000, duration: 300 },
  ];
  assert.deepEqual(taskStats(tasks, 0, 1000), { count: 2, total: 180, max: 120, blocking: 80 });
  assert.deepEqual(taskStats(tasks, 1000), { count: 1, total: 300, max: 300, blocking: 250 });
});

test('phases: boot, the list pages, render and click of a load', () => {
  const run = {
    tti: 1200,
    tilesAt: 1150,
    fetched: [
      { what: '/api/auth/me', start: 200, end: 250 },
      { what: '/api/appointments?from=a&limit=200', start: 400, end: 700 },
      { what: '/api/appointments?from=a&limit=200&cursor=…', start: 710, end: 900 },
      { what: '/api/patients?limit=200', start: 400, end: 1000 },
      { what: '/api/patients/abc', start: 1190, end: 1300 },
    ],
  };
  assert.deepEqual(phases(run), {
    boot: 250,
    appointments: { start: 400, end: 900, pages: 2 },
    directory: { start: 400, end: 1000, pages: 1 },
    render: 150,
    click: 50,
  });
});

test('zonedInstant: wall-clock times in a zone, either side of a DST change', () => {
  assert.equal(zonedInstant('2026-12-15', 7 * 60 + 30, 'America/New_York').toISOString(), '2026-12-15T12:30:00.000Z');
  assert.equal(zonedInstant('2026-07-15', 7 * 60 + 30, 'America/New_York').toISOString(), '2026-07-15T11:30:00.000Z');
  assert.equal(zonedInstant('2026-11-01', 9 * 60, 'America/New_York').toISOString(), '2026-11-01T14:00:00.000Z');
  assert.equal(zonedInstant('2026-12-15', 9 * 60, 'Asia/Kolkata').toISOString(), '2026-12-15T03:30:00.000Z');
});

test('benchDay: a Tuesday–Thursday with working days either side, far enough ahead', () => {
  const { before, busy, after } = benchDay('America/New_York');
  const day = (s) => new Date(`${s}T12:00:00Z`).getUTCDay();
  assert.ok(day(busy) >= 2 && day(busy) <= 4, busy);
  assert.equal(day(before), day(busy) - 1);
  assert.equal(day(after), day(busy) + 1);
  assert.ok(new Date(`${busy}T00:00:00Z`) - Date.now() > 8 * 86_400_000, 'past the seeded week');
});

test('rows: cells escaped, verdicts, medians', () => {
  assert.equal(row({ what: 'a|b', figure: '1 ms', met: false }), '| a\\|b | 1 ms | — | — | — | **no** |');
  assert.equal(row({ what: 'x', figure: 'y', met: true }).endsWith('| yes |'), true);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});
