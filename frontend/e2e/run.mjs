#!/usr/bin/env node
// End-to-end scenarios against the real local stack in Debian's Chromium.
//
//   npm run build && npm run e2e
//
// Starts `go run ./infra/local` from the repo root on a free port with a fresh
// data directory and the built SPA, plays every spec's scenarios (e2e/specs/
// *.mjs: one file per feature or persona, each in order, E2E_CONCURRENCY files
// side by side, default 2), writes screenshots to e2e/screenshots/, stops the
// stack, and exits non-zero if any scenario failed. Env: E2E_ONLY=<substring>
// runs the matching scenarios (after the first, which signs in and gathers
// what the others need); E2E_VERBOSE=1 echoes the stack's log; CHROMIUM_PATH
// overrides /usr/bin/chromium. The harness is e2e/harness.mjs.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { __dirname, assert, registerSpec, run, scenario, axeScans } from './harness.mjs';

// The core spec first (its first scenario signs the desks in), then the rest.
const specsDir = path.join(__dirname, 'specs');
const files = (existsSync(specsDir) ? readdirSync(specsDir) : []).filter((f) => f.endsWith('.mjs')).sort();
for (const file of ['core.mjs', ...files.filter((f) => f !== 'core.mjs')]) await registerSpec(path.join(specsDir, file));

scenario('axe: zero serious or critical violations on every screen', async () => {
  assert.ok(axeScans.length >= 10, `expected a scan of every screen, got ${axeScans.length}`);
  const failing = axeScans.filter((s) => s.blocking.length > 0);
  const detail = failing
    .map(
      (s) =>
        `${s.screen}: ` +
        s.blocking.map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`).join('; '),
    )
    .join('\n      ');
  assert.equal(failing.length, 0, `serious/critical axe violations:\n      ${detail}`);
  console.log(`    ${axeScans.length} screens scanned: ${axeScans.map((s) => s.screen).join(', ')}`);
});

await run();
