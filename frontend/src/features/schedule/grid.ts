/**
 * Pure layout of the day schedule: which minutes the grid shows, where an
 * appointment sits (time → pixels) and how overlapping appointments share a
 * provider's column (lanes). No React, no DOM: everything here is unit-tested.
 */
import { addDays, minutesOfDay, parseHHMM, weekdayOf, zonedTimeToUtc } from '../../lib/time';

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
