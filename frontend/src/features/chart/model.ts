import { KIND_LABELS, STATUS_LABELS, type ChartEntry, type ChartStatus } from '../../api/chart';
import { formatSurfaces, toothInfo, toothTitle, type Numbering } from '../../lib/teeth';

/** "caries on O (condition)", "crown (planned)". */
export function entryPhrase(e: Pick<ChartEntry, 'kind' | 'status' | 'surfaces'>): string {
  const kind = (KIND_LABELS[e.kind] ?? e.kind).toLowerCase();
  const surfaces = e.surfaces?.length ? ` on ${formatSurfaces(e.surfaces)}` : '';
  return `${kind}${surfaces} (${(STATUS_LABELS[e.status] ?? e.status).toLowerCase()})`;
}

/** The accessible name of a tooth: "Tooth 3, upper right first molar: caries on O (condition), filling on MO (existing)". */
export function toothDescription(tooth: string, entries: readonly ChartEntry[], numbering: Numbering): string {
  const info = toothInfo(tooth);
  const head = `${toothTitle(tooth, numbering)}, ${info?.name ?? 'unknown tooth'}`;
  if (entries.length === 0) return `${head}: nothing charted`;
  return `${head}: ${entries.map(entryPhrase).join(', ')}`;
}

/** Entries grouped by Universal tooth, oldest first within a tooth. */
export function groupByTooth(entries: readonly ChartEntry[]): Map<string, ChartEntry[]> {
  const map = new Map<string, ChartEntry[]>();
  const sorted = [...entries].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  for (const e of sorted) {
    const list = map.get(e.tooth);
    if (list) list.push(e);
    else map.set(e.tooth, [e]);
  }
  return map;
}

/** What a surface shows: the most recently recorded entry that covers it. */
export function surfaceEntry(entries: readonly ChartEntry[], surface: string): ChartEntry | undefined {
  let latest: ChartEntry | undefined;
  for (const e of entries) if (e.surfaces?.includes(surface) && (!latest || e.recordedAt >= latest.recordedAt)) latest = e;
  return latest;
}

/** Entries about the whole tooth (no surfaces): crowns, missing teeth, root canals… */
export function wholeToothEntries(entries: readonly ChartEntry[]): ChartEntry[] {
  return entries.filter((e) => !e.surfaces || e.surfaces.length === 0);
}

/** Short marks drawn on the tooth for whole-tooth entries. */
export const KIND_ABBREVIATIONS: Record<string, string> = {
  caries: 'CAR',
  fracture: 'FX',
  missing: 'MIS',
  impacted: 'IMP',
  abscess: 'ABS',
  erosion: 'ERO',
  watch: 'W',
  filling: 'FIL',
  crown: 'CR',
  bridge: 'BR',
  implant: 'IMPL',
  root_canal: 'RCT',
  sealant: 'SL',
  veneer: 'VEN',
  extraction: 'EXT',
  procedure: 'PROC',
};

/** How each status is drawn: a colour AND a pattern (and a border style on whole-tooth marks). */
export const STATUS_STYLE: Record<ChartStatus, { colour: string; pattern: string; dash: string; symbol: string }> = {
  condition: { colour: '#b42318', pattern: 'cross-hatched', dash: '', symbol: '!' },
  existing: { colour: '#1e3a8a', pattern: 'solid', dash: '', symbol: '■' },
  planned: { colour: '#7e22ce', pattern: 'diagonal stripes', dash: '4 2', symbol: '○' },
  completed: { colour: '#166534', pattern: 'dotted', dash: '1 2', symbol: '✓' },
};

export type MoveKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

/**
 * The odontogram's keyboard model over the drawn rows (upper arch over lower,
 * see `mouthRows`): Left/Right move to the neighbouring tooth on screen and
 * carry on round the mouth at the ends of an arch (the upper arch's last
 * tooth, 16, goes on to 17 under it, and the lower arch's first, 32, back up to 1),
 * so Right from 1 walks 1…16 then 17…32 in Universal order and Left walks it back.
 * Down moves to the opposing tooth of the lower arch, Up to the upper; Home/End go to the
 * first/last tooth of the arch.
 */
export function moveTooth(rows: { upper: string[]; lower: string[] }, current: string, key: MoveKey): string {
  const { upper, lower } = rows;
  const inUpper = upper.indexOf(current);
  const row = inUpper >= 0 ? upper : lower;
  const other = inUpper >= 0 ? lower : upper;
  const i = inUpper >= 0 ? inUpper : lower.indexOf(current);
  if (i < 0) return upper[0] ?? current;
  const last = row.length - 1;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowLeft': {
      const step = key === 'ArrowRight' ? 1 : -1;
      const j = i + step;
      if (j >= 0 && j <= last) return row[j]!;
      // Off the end of an arch: on to the tooth opposite in the other arch, the next in mouth order.
      return other[i] ?? current;
    }
    case 'ArrowUp':
      return upper[i] ?? current;
    case 'ArrowDown':
      return lower[i] ?? current;
    case 'Home':
      return row[0]!;
    case 'End':
      return row[last]!;
  }
}
