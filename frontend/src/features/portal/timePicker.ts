import { minutesOfDay } from '../../lib/time';
import type { Slot } from '../../lib/types';

/** Parts of the day the phone time picker groups times into. */
export type DayPart = 'morning' | 'afternoon' | 'evening';

export const DAY_PARTS: readonly { part: DayPart; label: string }[] = [
  { part: 'morning', label: 'Morning' },
  { part: 'afternoon', label: 'Afternoon' },
  { part: 'evening', label: 'Evening' },
];

/** Morning before 12:00, afternoon before 17:00, evening after, on the clinic's clock. */
export function dayPartOf(start: string, timeZone: string): DayPart {
  const m = minutesOfDay(start, timeZone);
  if (m < 12 * 60) return 'morning';
  if (m < 17 * 60) return 'afternoon';
  return 'evening';
}

/** Slots by part of the day, each sorted by start (every part present, maybe empty). */
export function groupByDayPart(slots: readonly Slot[], timeZone: string): Record<DayPart, Slot[]> {
  const out: Record<DayPart, Slot[]> = { morning: [], afternoon: [], evening: [] };
  for (const s of [...slots].sort(byStart)) out[dayPartOf(s.start, timeZone)].push(s);
  return out;
}

/**
 * The times a patient chooses from: with a provider chosen, that provider's
 * (one chair per time); with "any provider" (''), one slot per start time —
 * the first provider in `providerOrder` who is free then wins, so the same
 * time never shows twice.
 */
export function pickerSlots(slots: readonly Slot[], providerId: string, providerOrder: readonly string[] = []): Slot[] {
  const rank = (id: string) => {
    const i = providerOrder.indexOf(id);
    return i === -1 ? providerOrder.length : i;
  };
  const sorted = [...slots]
    .filter((s) => !providerId || s.providerId === providerId)
    .sort((a, b) => byStart(a, b) || rank(a.providerId) - rank(b.providerId) || a.providerId.localeCompare(b.providerId));
  const seen = new Set<string>();
  const out: Slot[] = [];
  for (const s of sorted) {
    const k = providerId ? `${s.providerId}|${s.start}` : s.start;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}

/** The soonest slot (ties: the list's order), or null. */
export function firstAvailable(slots: readonly Slot[]): Slot | null {
  let best: Slot | null = null;
  for (const s of slots) if (!best || Date.parse(s.start) < Date.parse(best.start)) best = s;
  return best;
}

function byStart(a: Slot, b: Slot): number {
  return Date.parse(a.start) - Date.parse(b.start);
}
