import { describe, expect, it } from 'vitest';

/**
 * The front end's one-way layers (see ../shared/STYLE.md "The front end"):
 * lib → api → components → features → app. A layer imports only those
 * before it (and itself); a feature imports no other feature; the app
 * (App.tsx, main.tsx, app/, live/) composes them all. Tests may also use
 * src/test.
 */
// Every source file's text, keyed by its path from src ("features/x/Y.tsx").
const TREE: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob<string>(['./**/*.ts', './**/*.tsx'], { query: '?raw', import: 'default', eager: true })).map(
    ([path, text]) => [path.slice(2), text],
  ),
);

/** A relative specifier resolved against the importing file (posix paths from src). */
function resolve(file: string, spec: string): string {
  const parts = file.split('/').slice(0, -1);
  for (const seg of spec.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}
const ORDER = ['lib', 'api', 'components', 'features', 'app'] as const;
type Layer = (typeof ORDER)[number] | 'test';

function layerOf(file: string): { layer: Layer; feature?: string } {
  const [top, second] = file.split('/');
  if (top === 'test') return { layer: 'test' };
  if (top === 'features') return { layer: 'features', feature: second ?? '' };
  if (top === 'lib' || top === 'api' || top === 'components') return { layer: top };
  return { layer: 'app' }; // App.tsx, main.tsx, app/, live/
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The rule's breaches in one file's text (pure, so the rule itself is tested). */
export function violationsIn(file: string, text: string): string[] {
  const out: string[] = [];
  const from = layerOf(file);
  const isTest = /\.test\.tsx?$|\.testing\.ts$/.test(file);
  if (from.layer === 'test' || from.layer === 'app') return out;
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    const to = layerOf(resolve(file, spec));
    const where = `${file} imports ${spec}`;
    if (to.layer === 'test' || (to.layer === 'app' && isTest)) {
      if (!isTest) out.push(`${where}: only tests use src/test`);
      continue;
    }
    if (from.layer === 'features' && to.layer === 'features') {
      if (from.feature !== to.feature) out.push(`${where}: features never import each other (move it to api/ or components/)`);
      continue;
    }
    if (ORDER.indexOf(to.layer) > ORDER.indexOf(from.layer)) out.push(`${where}: ${from.layer} may not import ${to.layer}`);
  }
  return out;
}

describe('the import graph', () => {
  it('runs one way and keeps features apart', () => {
    const files = Object.keys(TREE);
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((f) => violationsIn(f, TREE[f]!))).toEqual([]);
  });

  it('names a feature reaching into another, a lower layer reaching up, and src/test outside tests', () => {
    const at = (p: string) => p;
    expect(violationsIn(at('features/portal/OfferPage.tsx'), "import { Countdown } from '../waitlist/WaitlistPanel';")).toEqual([
      'features/portal/OfferPage.tsx imports ../waitlist/WaitlistPanel: features never import each other (move it to api/ or components/)',
    ]);
    expect(violationsIn(at('lib/session.ts'), "import { useWaitlist } from '../api/waitlist';")).toEqual([
      'lib/session.ts imports ../api/waitlist: lib may not import api',
    ]);
    expect(violationsIn(at('api/schedule.ts'), "export { Dialog } from '../components/Dialog';")).toEqual([
      'api/schedule.ts imports ../components/Dialog: api may not import components',
    ]);
    expect(violationsIn(at('components/Dialog.tsx'), "const P = lazy(() => import('../features/plans/PlansPage'));")).toHaveLength(1);
    expect(violationsIn(at('components/Dialog.tsx'), "import { render } from '../test/render';")).toHaveLength(1);
    // Allowed: downwards, within a feature, a test using the harness or the shell.
    expect(violationsIn(at('features/plans/PlansPage.tsx'), "import { api } from '../../lib/api';\nimport { X } from './X';\nimport { Y } from '../../components/Y';")).toEqual([]);
    expect(violationsIn(at('features/messages/InboxPage.test.tsx'), "import { AppShell } from '../../app/AppShell';\nimport { me } from '../../test/fixtures';")).toEqual([]);
  });
});
