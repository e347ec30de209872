import { describe, expect, it } from 'vitest';
import {
  assignLanes,
  columnsWindow,
  dayWindow,
  DEFAULT_WINDOW,
  dropChanges,
  dropMinutes,
  gridHeight,
  groupColumns,
  heightFor,
  hourMarks,
  layoutColumn,
  MIN_BLOCK_PX,
  offsetFor,
  snap,
  weekDates,
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

describe('schedule columns', () => {
  const providers = [
    { id: 'pr-a', name: 'Dr. A', colour: '#111111', hours: { monday: [{ start: '08:00', end: '17:00' }] } },
    { id: 'pr-b', name: 'Dr. B', colour: '#222222', hours: null },
  ];
  const operatories = [
    { id: 'op-1', name: 'Chair 1', active: true },
    { id: 'op-2', name: 'Chair 2', active: true },
    { id: 'op-3', name: 'Chair 3', active: false },
  ];
  // 2031-03-03 is a Monday; 14:00Z is 9:00 in New York (EST).
  const appts = [
    { id: 'x1', providerId: 'pr-a', operatoryId: 'op-1', start: '2031-03-03T14:00:00Z', end: '2031-03-03T14:30:00Z' },
    { id: 'x2', providerId: 'pr-b', operatoryId: 'op-1', start: '2031-03-03T15:00:00Z', end: '2031-03-03T15:30:00Z' },
    { id: 'x3', providerId: 'pr-a', operatoryId: 'op-3', start: '2031-03-05T16:00:00Z', end: '2031-03-05T17:00:00Z' },
    // 11:30 pm Sunday the 9th in New York (summer time began that night): the last day of the week.
    { id: 'x4', providerId: 'pr-a', operatoryId: 'op-2', start: '2031-03-10T03:30:00Z', end: '2031-03-10T04:00:00Z' },
  ];
  const base = { date: '2031-03-03', timeZone: NY, providers, operatories, items: appts };
  const ids = (items: { id: string }[]) => items.map((a) => a.id);

  it('weekDates runs Monday to Sunday around any day', () => {
    expect(weekDates('2031-03-05')).toEqual([
      '2031-03-03',
      '2031-03-04',
      '2031-03-05',
      '2031-03-06',
      '2031-03-07',
      '2031-03-08',
      '2031-03-09',
    ]);
    expect(weekDates('2031-03-09')[0]).toBe('2031-03-03');
    expect(weekDates('2031-03-03')[0]).toBe('2031-03-03');
  });

  it('by provider: one column per provider, placed by providerId', () => {
    const cols = groupColumns('provider', base);
    expect(cols.map((c) => c.label)).toEqual(['Dr. A', 'Dr. B']);
    expect(cols.map((c) => ids(c.items))).toEqual([['x1', 'x3', 'x4'], ['x2']]);
    expect(cols[1]!.hours).toEqual({});
  });

  it('by chair: one column per active operatory, placed by operatoryId; a chair out of use only while it has appointments; unknown chairs get their own column', () => {
    const cols = groupColumns('chair', base);
    expect(cols.map((c) => c.label)).toEqual(['Chair 1', 'Chair 2', 'Chair 3 (out of use)']);
    expect(cols.map((c) => ids(c.items))).toEqual([['x1', 'x2'], ['x4'], ['x3']]);
    const stray = { id: 'x5', providerId: 'pr-b', operatoryId: 'op-gone', start: '2031-03-03T18:00:00Z', end: '2031-03-03T18:30:00Z' };
    const withStray = groupColumns('chair', { ...base, items: [...appts, stray] });
    expect(withStray.map((c) => c.label)).toEqual(['Chair 1', 'Chair 2', 'Chair 3 (out of use)', 'Other chair']);
    expect(ids(withStray[3]!.items)).toEqual(['x5']);
    expect(cols.every((c) => c.hours === null && c.date === '2031-03-03')).toBe(true);
    expect(groupColumns('chair', { ...base, items: appts.slice(0, 2) }).map((c) => c.key)).toEqual(['op-1', 'op-2']);
  });

  it('week: seven day columns for one provider, each appointment on its clinic-local day', () => {
    const cols = groupColumns('week', { ...base, date: '2031-03-06', providerId: 'pr-a', formatDay: (d) => `day ${d}` });
    expect(cols).toHaveLength(7);
    expect(cols[0]!.label).toBe('day 2031-03-03');
    expect(cols.map((c) => ids(c.items))).toEqual([['x1'], [], ['x3'], [], [], [], ['x4']]);
    expect(cols.every((c) => c.colour === '#111111')).toBe(true);
    // Unknown provider: the first one.
    expect(groupColumns('week', { ...base, providerId: 'nope' })[0]!.colour).toBe('#111111');
  });

  it('the window covers every column day and skips days nobody works', () => {
    const cols = groupColumns('week', { ...base, providerId: 'pr-a' });
    // Monday's hours and Sunday's late visit both fit; the empty days add nothing.
    expect(columnsWindow(cols, NY, [providers[0]!.hours])).toEqual({ start: 8 * 60, end: 24 * 60 });
    const day = groupColumns('provider', { ...base, items: appts.slice(0, 2) });
    expect(columnsWindow(day, NY, providers.map((p) => p.hours))).toEqual({ start: 8 * 60, end: 17 * 60 });
  });
});

describe('drag to move', () => {
  const window = { start: 8 * 60, end: 17 * 60 };
  it('snaps the dragged start to the step and keeps the visit inside the window', () => {
    const base = { startMinutes: 9 * 60, durationMinutes: 30, window, step: 15, pxPerMinute: 1.6 };
    expect(dropMinutes({ ...base, deltaY: 0 })).toBe(9 * 60);
    // 20 px = 12.5 min → 15; 11 px = 6.9 min → 0.
    expect(dropMinutes({ ...base, deltaY: 20 })).toBe(9 * 60 + 15);
    expect(dropMinutes({ ...base, deltaY: 11 })).toBe(9 * 60);
    expect(dropMinutes({ ...base, deltaY: -96 })).toBe(8 * 60);
    expect(dropMinutes({ ...base, deltaY: -5000 })).toBe(8 * 60);
    expect(dropMinutes({ ...base, deltaY: 5000 })).toBe(16 * 60 + 30);
  });

  const appt = { start: '2031-03-03T14:00:00Z', providerId: 'pr-a', operatoryId: 'op-1' };
  it('turns a drop into the PATCH body for the view', () => {
    // 10:15 in New York on Monday 3 March 2031 (EST) = 15:15Z.
    expect(dropChanges('provider', appt, { key: 'pr-a', date: '2031-03-03' }, 10 * 60 + 15, NY)).toEqual({
      start: '2031-03-03T15:15:00.000Z',
    });
    expect(dropChanges('provider', appt, { key: 'pr-b', date: '2031-03-03' }, 9 * 60, NY)).toEqual({
      start: '2031-03-03T14:00:00.000Z',
      providerId: 'pr-b',
    });
    expect(dropChanges('chair', appt, { key: 'op-2', date: '2031-03-03' }, 9 * 60, NY)).toEqual({
      start: '2031-03-03T14:00:00.000Z',
      operatoryId: 'op-2',
    });
    expect(dropChanges('chair', appt, { key: 'unassigned', date: '2031-03-03' }, 9 * 60 + 30, NY)).toEqual({
      start: '2031-03-03T14:30:00.000Z',
    });
    expect(dropChanges('week', appt, { key: '2031-03-05', date: '2031-03-05' }, 9 * 60, NY)).toEqual({
      start: '2031-03-05T14:00:00.000Z',
    });
    // Dropped where it was: nothing to send.
    expect(dropChanges('provider', appt, { key: 'pr-a', date: '2031-03-03' }, 9 * 60, NY)).toBeNull();
    expect(dropChanges('chair', appt, { key: 'unassigned', date: '2031-03-03' }, 9 * 60, NY)).toBeNull();
  });
});
