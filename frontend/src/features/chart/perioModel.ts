import type { PerioSiteName, PerioToothInput } from '../../api/chart';
import { toothInfo } from '../../lib/teeth';

/**
 * Chairside perio entry: the order the hygienist probes in, and what one
 * keystroke does.
 *
 * ORDER (one pass for depths, then a second pass for gingival margins, in
 * the same order): the facial of the upper arch from tooth 1 to 16, its
 * lingual back from 16 to 1, then the facial of the lower arch from 17 to 32
 * and its lingual back from 32 to 17. Within a tooth the three sites are
 * taken in the direction of travel, as the probe walks along the arch:
 * on the way towards the midline the distal site comes first (tooth 1 facial:
 * DB → B → MB), past the midline the mesial one does (tooth 9 facial:
 * MB → B → DB, then tooth 10 MB). The grid draws each tooth's sites where
 * they are in the mouth (distal away from the midline), so the focus always
 * moves to the neighbouring cell on screen: left to right along the upper
 * facial row, right to left back along its lingual row, and so on.
 * Teeth the chart says are missing are skipped.
 *
 * KEYS in a site: a digit 0–9 stores that many mm and moves on; "+" then a
 * digit stores 10–15 (e.g. "+2" = 12 mm: a prefix rather than a timed
 * "1 then 2", so a quick "1", "2" on two sites is never read as 12); in the
 * margin pass "-" then a digit stores a negative margin (overgrowth; "-+0" = −10).
 * b toggles bleeding and s suppuration on the site; Backspace goes back to
 * the previous site; Delete clears the site; Enter or Space skips to the
 * next; the arrow keys move around the grid; Tab leaves it.
 */

export type PerioPass = 'depth' | 'margin';

export interface PerioCell {
  tooth: string;
  site: PerioSiteName;
}

const UPPER = Array.from({ length: 16 }, (_, i) => String(i + 1)); // 1…16
const LOWER = Array.from({ length: 16 }, (_, i) => String(i + 17)); // 17…32

/** The patient's right side (teeth 1–8 and 25–32): its distal sites are on the viewer's left. */
function onRight(tooth: string) {
  return toothInfo(tooth)?.side === 'right';
}

/** Facial or lingual sites of a tooth, left to right as drawn (facing the patient). */
export function sitesAsDrawn(tooth: string, side: 'facial' | 'lingual'): PerioSiteName[] {
  const [m, mid, d]: PerioSiteName[] = side === 'facial' ? ['MB', 'B', 'DB'] : ['ML', 'L', 'DL'];
  return onRight(tooth) ? [d!, mid!, m!] : [m!, mid!, d!];
}

/** The probing order over the teeth that are there (see ORDER above). */
export function perioSequence(missing: ReadonlySet<string> = new Set()): PerioCell[] {
  const out: PerioCell[] = [];
  const walk = (teeth: string[], side: 'facial' | 'lingual', screenLeftToRight: boolean) => {
    for (const tooth of teeth) {
      if (missing.has(tooth)) continue;
      const drawn = sitesAsDrawn(tooth, side);
      for (const site of screenLeftToRight ? drawn : [...drawn].reverse()) out.push({ tooth, site });
    }
  };
  walk(UPPER, 'facial', true); // 1 → 16, left to right
  walk([...UPPER].reverse(), 'lingual', false); // 16 → 1, right to left
  walk(LOWER, 'facial', false); // 17 → 32: the lower arch is drawn 32…17, so right to left
  walk([...LOWER].reverse(), 'lingual', true); // 32 → 17, left to right
  return out;
}

export const cellKey = (pass: PerioPass, c: PerioCell) => `${pass}:${c.tooth}:${c.site}`;

export interface SiteDraft {
  depth?: number;
  margin?: number;
  bleeding?: boolean;
  suppuration?: boolean;
}

export interface ToothDraft {
  mobility?: number;
  furcation?: number;
  sites: Partial<Record<PerioSiteName, SiteDraft>>;
}

export type PerioDraft = Record<string, ToothDraft>;

/** A pending "+" (ten more) or "-" (negative) typed before the digit. */
export interface Prefix {
  tens: boolean;
  negative: boolean;
}

export type KeyResult =
  | { kind: 'store'; value: number }
  | { kind: 'prefix'; prefix: Prefix }
  | { kind: 'reject'; message: string }
  | { kind: 'ignore' };

export const DEPTH_RANGE = [0, 15] as const;
export const MARGIN_RANGE = [-10, 15] as const;

/** What a digit, "+" or "-" does in a site of a pass, given the prefix typed so far. */
export function readKey(key: string, pass: PerioPass, prefix: Prefix | null): KeyResult {
  const p = prefix ?? { tens: false, negative: false };
  if (key === '+') return { kind: 'prefix', prefix: { ...p, tens: true } };
  if (key === '-') {
    if (pass === 'depth') return { kind: 'reject', message: 'A probing depth cannot be negative.' };
    return { kind: 'prefix', prefix: { ...p, negative: true } };
  }
  if (!/^[0-9]$/.test(key)) return { kind: 'ignore' };
  const magnitude = (p.tens ? 10 : 0) + Number(key);
  const value = p.negative ? -magnitude : magnitude;
  const [min, max] = pass === 'depth' ? DEPTH_RANGE : MARGIN_RANGE;
  if (value < min || value > max) {
    return { kind: 'reject', message: `${pass === 'depth' ? 'Depths' : 'Margins'} run from ${min} to ${max} mm.` };
  }
  return { kind: 'store', value: value === 0 ? 0 : value };
}

/** Sites probed 5 mm or deeper are flagged. */
export const DEEP_MM = 5;

/** The body of POST perio-exams from the draft: only what was measured (margins not measured are 0 at the server). */
export function examInput(draft: PerioDraft, missing: ReadonlySet<string>): { teeth: PerioToothInput[] } {
  const teeth: PerioToothInput[] = [];
  for (const tooth of [...UPPER, ...LOWER]) {
    const t = draft[tooth];
    if (!t || missing.has(tooth)) continue;
    const sites = (['MB', 'B', 'DB', 'ML', 'L', 'DL'] as const)
      .filter((s) => t.sites[s]?.depth !== undefined)
      .map((s) => {
        const d = t.sites[s]!;
        const site: PerioToothInput['sites'][number] = {
          site: s,
          depth: d.depth!,
          margin: d.margin ?? 0,
          bleeding: !!d.bleeding,
          suppuration: !!d.suppuration,
        };
        return site;
      });
    if (sites.length === 0 && t.mobility === undefined && t.furcation === undefined) continue;
    const out = { tooth, sites } as PerioToothInput;
    if (t.mobility !== undefined) out.mobility = t.mobility;
    if (t.furcation !== undefined) out.furcation = t.furcation;
    teeth.push(out);
  }
  return { teeth };
}
