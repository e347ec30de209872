// Starts and stops the real local stack (`go run ./infra/local`) for the e2e run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
const CLINIC = /^clinic: .* \(([0-9a-f]+)\)$/m;

/**
 * Spawns the stack in its own process group (so `go run` and the binary it
 * builds stop together), on a free port, with a fresh data directory.
 */
export async function startStack({ repoRoot, distDir, timeoutMs = 300_000, log = () => {} }) {
  if (!existsSync(path.join(distDir, 'index.html'))) {
    throw new Error(`${distDir}/index.html is missing: run "npm run build" before "npm run e2e".`);
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'topsmile-e2e-'));
  // The dev outbox (GET /_dev/outbox) answers only with this in X-Dev-Token;
  // the run reads it from process.env too.
  process.env.TOPSMILE_DEV_TOKEN ||= randomBytes(16).toString('hex');
  // The edge's secret, so the harness can say (as CloudFront does) which
  // viewer each browser context is: see harness.mjs newContext.
  process.env.ORIGIN_SECRET ||= randomBytes(24).toString('hex');
  const child = spawn('go', ['run', './infra/local'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', TOPSMILE_DATA_DIR: dataDir, TOPSMILE_DIST_DIR: distDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });

  let output = '';
  let stopped = false;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const group = -child.pid;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000));
    if ((await Promise.race([exited, timer])) === 'timeout') {
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) log(line);
      const m = LISTENING.exec(output);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the stack exited (code ${code}) before listening:\n${output}`)));
    child.once('error', reject);
    setTimeout(() => reject(new Error(`the stack did not print "listening on" within ${timeoutMs / 1000}s:\n${output}`)), timeoutMs);
  });

  try {
    const baseURL = await ready;
    const clinicId = CLINIC.exec(output)?.[1] ?? null;
    return { baseURL, clinicId, stop, output: () => output };
  } catch (error) {
    await stop();
    throw error;
  }
}
