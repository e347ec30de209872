/**
 * Pure layout of the day schedule: which minutes the grid shows, where an
 * appointment sits (time → pixels) and how overlapping appointments share a
 * provider's column (lanes). No React, no DOM: everything here is unit-tested.
 */
import { addDays, dateInZone, minutesOfDay, parseHHMM, weekdayOf, zonedTimeToUtc } from '../../lib/time';

/** Minutes after local midnight. */
export interface DayWindow {
  start: number;
  end: number;
}

export const DEFAULT_WINDOW: DayWindow = { start: 8 * 60, end: 17 * 60 };
/** 15 minutes = 24 px: a 15-minute visit still fits one line of text. */
export const PX_PER_MINUTE = 1.6;
export const MIN_BLOCK_PX = 22;

type Hours = Record<string, { start: string; end: string }[]> | null | undefined;

/**
 * The minutes to draw for `date`: from the earliest provider start to the latest
 * provider end that weekday, widened to whole hours and to any appointment
 * outside them (so nothing booked is ever hidden).
 */
export function dayWindow(
  date: string,
  providerHours: Hours[],
  appointmentMinutes: { start: number; end: number }[] = [],
): DayWindow {
  const weekday = weekdayOf(date);
  let start = Infinity;
  let end = -Infinity;
  for (const hours of providerHours) {
    for (const span of hours?.[weekday] ?? []) {
      start = Math.min(start, parseHHMM(span.start));
      end = Math.max(end, parseHHMM(span.end));
    }
  }
  for (const a of appointmentMinutes) {
    start = Math.min(start, a.start);
    end = Math.max(end, a.end);
  }
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return { ...DEFAULT_WINDOW };
  return {
    start: Math.max(0, Math.floor(start / 60) * 60),
    end: Math.min(24 * 60, Math.ceil(end / 60) * 60),
  };
}

/** Pixels from the top of the grid to `minutes`. */
export function offsetFor(minutes: number, window: DayWindow, pxPerMinute = PX_PER_MINUTE): number {
  return (Math.min(Math.max(minutes, window.start), window.end) - window.start) * pxPerMinute;
}

/** Height of a block, clipped to the window and never too small to click. */
export function heightFor(
  start: number,
  end: number,
  window: DayWindow,
  pxPerMinute = PX_PER_MINUTE,
  minPx = MIN_BLOCK_PX,
): number {
  return Math.max(minPx, offsetFor(end, window, pxPerMinute) - offsetFor(start, window, pxPerMinute));
}

export function gridHeight(window: DayWindow, pxPerMinute = PX_PER_MINUTE): number {
  return (window.end - window.start) * pxPerMinute;
}

/** Whole hours inside the window, for the time gutter. */
export function hourMarks(window: DayWindow): number[] {
  const marks: number[] = [];
  for (let m = Math.ceil(window.start / 60) * 60; m <= window.end; m += 60) marks.push(m);
  return marks;
}

export interface Interval {
  start: number;
  end: number;
}

export interface Laned<T> {
  item: T;
  /** 0-based lane inside its overlap group. */
  lane: number;
  /** How many lanes its overlap group needs. */
  lanes: number;
}

/**
 * Spreads overlapping intervals over side-by-side lanes. Intervals that
 * overlap (directly or through a chain) form a group; each takes the first lane
 * free at its start, and every member of a group gets the group's lane count so
 * their widths match. Touching intervals (end == start) do not overlap.
 */
export function assignLanes<T>(items: readonly T[], interval: (item: T) => Interval): Laned<T>[] {
  const sorted = items
    .map((item, index) => {
      const { start, end } = interval(item);
      return { item, index, start, end };
    })
    .sort((a, b) => a.start - b.start || b.end - a.end || a.index - b.index);

  const out: (Laned<T> & { index: number })[] = [];
  let group: (Laned<T> & { index: number })[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -Infinity;

  const closeGroup = () => {
    for (const g of group) g.lanes = laneEnds.length;
    out.push(...group);
    group = [];
    laneEnds = [];
  };

  for (const entry of sorted) {
    if (entry.start >= groupEnd && group.length > 0) closeGroup();
    let lane = laneEnds.findIndex((end) => end <= entry.start);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(entry.end);
    } else {
      laneEnds[lane] = entry.end;
    }
    group.push({ item: entry.item, lane, lanes: 0, index: entry.index });
    groupEnd = group.length === 1 ? entry.end : Math.max(groupEnd, entry.end);
  }
  if (group.length > 0) closeGroup();

  return out.sort((a, b) => a.index - b.index).map(({ item, lane, lanes }) => ({ item, lane, lanes }));
}

export interface Block<T> {
  item: T;
  startMinutes: number;
  endMinutes: number;
  top: number;
  height: number;
  /** Percentages of the column width. */
  left: number;
  width: number;
}

/**
 * Positions one provider's appointments for the day in `timeZone`. An
 * appointment that starts the day before or ends the day after is clipped to
 * this day.
 */
export function layoutColumn<T extends { start: string; end: string }>(
  items: readonly T[],
  date: string,
  timeZone: string,
  window: DayWindow,
  pxPerMinute = PX_PER_MINUTE,
): Block<T>[] {
  const dayStart = zonedTimeToUtc(date, 0, timeZone).getTime();
  const dayEnd = zonedTimeToUtc(addDays(date, 1), 0, timeZone).getTime();
  const minutesFor = (iso: string) => {
    const t = new Date(iso).getTime();
    if (t <= dayStart) return 0;
    if (t >= dayEnd) return 24 * 60;
    return minutesOfDay(iso, timeZone);
  };
  const withMinutes = items.map((item) => ({ item, start: minutesFor(item.start), end: minutesFor(item.end) }));
  return assignLanes(withMinutes, (x) => x).map(({ item: x, lane, lanes }) => ({
    item: x.item,
    startMinutes: x.start,
    endMinutes: x.end,
    top: offsetFor(x.start, window, pxPerMinute),
    height: heightFor(x.start, x.end, window, pxPerMinute),
    left: (lane / lanes) * 100,
    width: 100 / lanes,
  }));
}

/** Rounds `minutes` to the nearest multiple of `step`. */
export function snap(minutes: number, step: number): number {
  return Math.round(minutes / step) * step;
}

// ---------- columns: by provider, by chair, or a provider's week ----------

export type ScheduleView = 'provider' | 'chair' | 'week';

export interface GridColumn<T> {
  key: string;
  label: string;
  /** The column's top border colour. */
  colour: string;
  /** The calendar day this column shows. */
  date: string;
  /** Working hours to shade around; null for no shading (chairs). */
  hours: Hours;
  items: T[];
}

interface ColumnProvider {
  id: string;
  name: string;
  colour: string;
  hours: Hours;
}

interface ColumnOperatory {
  id: string;
  name: string;
  active: boolean;
}

const CHAIR_COLOUR = '#667085';
export const UNASSIGNED_CHAIR = 'unassigned';

/** Monday to Sunday of the week that holds `date`. */
export function weekDates(date: string): string[] {
  const offset = (['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const).indexOf(
    weekdayOf(date) as 'monday',
  );
  const monday = addDays(date, -offset);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/**
 * The grid's columns for a view. `provider`: one per provider on `date`;
 * `chair`: one per active operatory on `date` (an appointment in an unknown or
 * inactive chair gets an "Other chair" column, so nothing booked is hidden);
 * `week`: the seven days of `date`'s week for `providerId`, each appointment on
 * the clinic-local day it starts.
 */
export function groupColumns<T extends { providerId: string; operatoryId: string; start: string }>(
  view: ScheduleView,
  opts: {
    date: string;
    timeZone: string;
    providers: readonly ColumnProvider[];
    operatories: readonly ColumnOperatory[];
    items: readonly T[];
    providerId?: string | null | undefined;
    formatDay?: (date: string) => string;
  },
): GridColumn<T>[] {
  const { date, timeZone, providers, operatories, items } = opts;
  if (view === 'chair') {
    // A chair taken out of use keeps a column while it still has appointments in view.
    const chairs = operatories.filter((o) => o.active || items.some((a) => a.operatoryId === o.id));
    const known = new Set(chairs.map((o) => o.id));
    const columns: GridColumn<T>[] = chairs.map((o) => ({
      key: o.id,
      label: o.active ? o.name : `${o.name} (out of use)`,
      colour: CHAIR_COLOUR,
      date,
      hours: null,
      items: items.filter((a) => a.operatoryId === o.id),
    }));
    const stray = items.filter((a) => !known.has(a.operatoryId));
    if (stray.length > 0) {
      columns.push({ key: UNASSIGNED_CHAIR, label: 'Other chair', colour: CHAIR_COLOUR, date, hours: null, items: stray });
    }
    return columns;
  }
  if (view === 'week') {
    const provider = providers.find((p) => p.id === opts.providerId) ?? providers[0];
    if (!provider) return [];
    const mine = items.filter((a) => a.providerId === provider.id);
    return weekDates(date).map((d) => ({
      key: d,
      label: opts.formatDay ? opts.formatDay(d) : d,
      colour: provider.colour,
      date: d,
      hours: provider.hours ?? {},
      items: mine.filter((a) => dateInZone(a.start, timeZone) === d),
    }));
  }
  return providers.map((p) => ({
    key: p.id,
    label: p.name,
    colour: p.colour,
    date,
    hours: p.hours ?? {},
    items: items.filter((a) => a.providerId === p.id),
  }));
}

/** One window wide enough for every column (each on its own day). */
export function columnsWindow<T extends { start: string; end: string }>(
  columns: readonly GridColumn<T>[],
  timeZone: string,
  allHours: Hours[],
): DayWindow {
  let start = Infinity;
  let end = -Infinity;
  const dates = [...new Set(columns.map((c) => c.date))];
  for (const d of dates.length ? dates : []) {
    const onDay = columns.filter((c) => c.date === d).flatMap((c) => c.items);
    const w = dayWindow(
      d,
      allHours,
      onDay.map((a) => ({
        start: dateInZone(a.start, timeZone) === d ? minutesOfDay(a.start, timeZone) : 0,
        end: dateInZone(a.end, timeZone) === d ? minutesOfDay(a.end, timeZone) : 24 * 60,
      })),
    );
    // A day nobody works (the default window) should not stretch a week.
    const empty = onDay.length === 0 && !allHours.some((h) => (h?.[weekdayOf(d)] ?? []).length > 0);
    if (empty) continue;
    start = Math.min(start, w.start);
    end = Math.max(end, w.end);
  }
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { ...DEFAULT_WINDOW };
  return { start, end };
}

// ---------- drag to move ----------

export interface DropInput {
  /** Where the tile started, in minutes after local midnight, and how long it is. */
  startMinutes: number;
  durationMinutes: number;
  /** Pointer travel since the drag began, in pixels. */
  deltaY: number;
  window: DayWindow;
  step: number;
  pxPerMinute?: number;
}

/**
 * The new start time for a tile dragged `deltaY` pixels: snapped to `step`
 * minutes and kept inside the drawn window (the whole visit must fit).
 */
export function dropMinutes({ startMinutes, durationMinutes, deltaY, window, step, pxPerMinute = PX_PER_MINUTE }: DropInput): number {
  const raw = startMinutes + deltaY / pxPerMinute;
  const snapped = snap(raw, step);
  const latest = Math.floor((window.end - durationMinutes) / step) * step;
  const earliest = Math.ceil(window.start / step) * step;
  return Math.max(earliest, Math.min(latest, snapped));
}

/**
 * The PATCH body for dropping an appointment in `column` at `minutes`, or null
 * when nothing changes. By provider, another column is another provider; by
 * chair, another chair; in the week view, another day.
 */
export function dropChanges<T extends { start: string; providerId: string; operatoryId: string }>(
  view: ScheduleView,
  appointment: T,
  column: Pick<GridColumn<T>, 'key' | 'date'>,
  minutes: number,
  timeZone: string,
): { start: string; providerId?: string; operatoryId?: string } | null {
  const start = zonedTimeToUtc(column.date, minutes, timeZone).toISOString();
  const out: { start: string; providerId?: string; operatoryId?: string } = { start };
  if (view === 'provider' && column.key !== appointment.providerId) out.providerId = column.key;
  if (view === 'chair' && column.key !== appointment.operatoryId && column.key !== UNASSIGNED_CHAIR) out.operatoryId = column.key;
  const sameTime = new Date(start).getTime() === new Date(appointment.start).getTime();
  if (sameTime && !out.providerId && !out.operatoryId) return null;
  return out;
}
