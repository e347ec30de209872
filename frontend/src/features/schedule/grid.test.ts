import { describe, expect, it } from 'vitest';
import {
  assignLanes,
  dayWindow,
  DEFAULT_WINDOW,
  gridHeight,
  heightFor,
  hourMarks,
  layoutColumn,
  MIN_BLOCK_PX,
  offsetFor,
  snap,
} from './grid';

const NY = 'America/New_York';
const hours = {
  monday: [
    { start: '08:00', end: '12:00' },
    { start: '13:00', end: '17:00' },
  ],
  wednesday: [{ start: '07:30', end: '16:00' }],
};
const lateHours = { wednesday: [{ start: '10:00', end: '18:45' }] };

describe('dayWindow', () => {
  it('spans the earliest start to the latest end that weekday, widened to whole hours', () => {
    // 2026-11-25 is a Wednesday.
    expect(dayWindow('2026-11-25', [hours, lateHours])).toEqual({ start: 7 * 60, end: 19 * 60 });
  });

  it('falls back to the default window when nobody works that day', () => {
    expect(dayWindow('2026-11-29', [hours, lateHours, null])).toEqual(DEFAULT_WINDOW);
  });

  it('widens to show an appointment booked outside the hours', () => {
    expect(dayWindow('2026-11-23', [hours], [{ start: 18 * 60 + 30, end: 19 * 60 + 10 }])).toEqual({
      start: 8 * 60,
      end: 20 * 60,
    });
  });
});

describe('time → pixels', () => {
  const window = { start: 8 * 60, end: 17 * 60 };

  it('maps minutes to an offset from the window start', () => {
    expect(offsetFor(8 * 60, window, 2)).toBe(0);
    expect(offsetFor(9 * 60 + 15, window, 2)).toBe(150);
    expect(offsetFor(17 * 60, window, 2)).toBe(1080);
  });

  it('clamps times outside the window to its edges', () => {
    expect(offsetFor(6 * 60, window, 2)).toBe(0);
    expect(offsetFor(20 * 60, window, 2)).toBe(1080);
  });

  it('gives a block its length, never less than the clickable minimum', () => {
    expect(heightFor(9 * 60, 10 * 60, window, 2)).toBe(120);
    expect(heightFor(9 * 60, 9 * 60 + 5, window, 2)).toBe(MIN_BLOCK_PX);
  });

  it('measures the grid and marks the hours', () => {
    expect(gridHeight(window, 2)).toBe(1080);
    expect(hourMarks(window)).toEqual([480, 540, 600, 660, 720, 780, 840, 900, 960, 1020]);
  });

  it('snaps to the slot grid', () => {
    expect(snap(547, 15)).toBe(540);
    expect(snap(553, 15)).toBe(555);
  });
});

describe('assignLanes', () => {
  const iv = (x: { s: number; e: number }) => ({ start: x.s, end: x.e });

  it('keeps non-overlapping items in one full-width lane', () => {
    const items = [
      { s: 0, e: 30 },
      { s: 30, e: 60 },
      { s: 90, e: 120 },
    ];
    expect(assignLanes(items, iv).map((l) => [l.lane, l.lanes])).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
  });

  it('puts two overlapping items side by side', () => {
    const items = [
      { s: 0, e: 60 },
      { s: 30, e: 90 },
    ];
    expect(assignLanes(items, iv).map((l) => [l.lane, l.lanes])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('reuses a lane once it is free and gives the whole chain the same lane count', () => {
    // A overlaps B, B overlaps C, A ends before C: C takes A's lane.
    const items = [
      { s: 0, e: 60 },
      { s: 30, e: 120 },
      { s: 60, e: 90 },
      { s: 200, e: 230 },
    ];
    expect(assignLanes(items, iv).map((l) => [l.lane, l.lanes])).toEqual([
      [0, 2],
      [1, 2],
      [0, 2],
      [0, 1],
    ]);
  });

  it('needs three lanes for three items at the same time and keeps input order', () => {
    const items = [
      { s: 10, e: 20 },
      { s: 0, e: 30 },
      { s: 10, e: 40 },
    ];
    const out = assignLanes(items, iv);
    expect(out.map((l) => l.item)).toEqual(items);
    expect(out.map((l) => l.lanes)).toEqual([3, 3, 3]);
    expect(new Set(out.map((l) => l.lane))).toEqual(new Set([0, 1, 2]));
  });
});

describe('layoutColumn', () => {
  const window = { start: 7 * 60, end: 19 * 60 };

  it('places appointments by the clinic-local time, not the browser’s', () => {
    // 12:30Z on Nov 25 is 7:30 in New York (EST, UTC-5).
    const [block] = layoutColumn(
      [{ id: 'a', start: '2026-11-25T12:30:00Z', end: '2026-11-25T13:30:00Z' }],
      '2026-11-25',
      NY,
      window,
      1,
    );
    expect(block).toMatchObject({ startMinutes: 450, endMinutes: 510, top: 30, height: 60, left: 0, width: 100 });
  });

  it('splits overlapping appointments into half-width lanes', () => {
    const blocks = layoutColumn(
      [
        { start: '2026-11-25T14:00:00Z', end: '2026-11-25T15:00:00Z' },
        { start: '2026-11-25T14:30:00Z', end: '2026-11-25T15:30:00Z' },
      ],
      '2026-11-25',
      NY,
      window,
      1,
    );
    expect(blocks.map((b) => [b.left, b.width])).toEqual([
      [0, 50],
      [50, 50],
    ]);
  });

  it('uses summer time on a summer day', () => {
    // 13:00Z on Jul 1 is 9:00 in New York (EDT, UTC-4).
    const [block] = layoutColumn(
      [{ start: '2026-07-01T13:00:00Z', end: '2026-07-01T13:45:00Z' }],
      '2026-07-01',
      NY,
      window,
      1,
    );
    expect(block?.startMinutes).toBe(540);
    expect(block?.endMinutes).toBe(585);
  });

  it('clips an appointment that runs past midnight to the end of the day', () => {
    const [block] = layoutColumn(
      [{ start: '2026-11-26T03:00:00Z', end: '2026-11-26T06:00:00Z' }],
      '2026-11-25',
      NY,
      { start: 0, end: 1440 },
      1,
    );
    expect(block?.startMinutes).toBe(22 * 60);
    expect(block?.endMinutes).toBe(24 * 60);
  });
});
