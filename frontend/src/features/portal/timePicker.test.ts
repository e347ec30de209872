import { describe, expect, it, vi } from 'vitest';
import type { Slot } from '../../lib/types';
import { finishReschedule } from './reschedule';
import { dayPartOf, firstAvailable, groupByDayPart, pickerSlots } from './timePicker';

const NY = 'America/New_York';
const slot = (start: string, providerId = 'pr-1', operatoryId = 'op-1'): Slot => ({
  start,
  end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
  providerId,
  operatoryId,
});

describe('dayPartOf (clinic time zone)', () => {
  it('splits at 12:00 and 17:00 on the clinic clock, not UTC', () => {
    // December: New York is UTC-5.
    expect(dayPartOf('2026-12-03T16:59:00Z', NY)).toBe('morning'); // 11:59
    expect(dayPartOf('2026-12-03T17:00:00Z', NY)).toBe('afternoon'); // 12:00
    expect(dayPartOf('2026-12-03T21:59:00Z', NY)).toBe('afternoon'); // 16:59
    expect(dayPartOf('2026-12-03T22:00:00Z', NY)).toBe('evening'); // 17:00
    expect(dayPartOf('2026-12-03T14:00:00Z', 'UTC')).toBe('afternoon');
    expect(dayPartOf('2026-12-03T14:00:00Z', NY)).toBe('morning'); // 9:00
  });

  it('groups and sorts each part', () => {
    const g = groupByDayPart(
      [slot('2026-12-03T23:00:00Z'), slot('2026-12-03T18:00:00Z'), slot('2026-12-03T15:00:00Z'), slot('2026-12-03T14:00:00Z')],
      NY,
    );
    expect(g.morning.map((s) => s.start)).toEqual(['2026-12-03T14:00:00Z', '2026-12-03T15:00:00Z']);
    expect(g.afternoon.map((s) => s.start)).toEqual(['2026-12-03T18:00:00Z']);
    expect(g.evening.map((s) => s.start)).toEqual(['2026-12-03T23:00:00Z']);
  });
});

describe('pickerSlots', () => {
  const slots = [
    slot('2026-12-03T15:00:00Z', 'pr-2', 'op-1'),
    slot('2026-12-03T14:00:00Z', 'pr-2', 'op-2'),
    slot('2026-12-03T14:00:00Z', 'pr-1', 'op-1'),
    slot('2026-12-03T14:00:00Z', 'pr-1', 'op-2'),
  ];

  it('"Any provider" collapses to one slot per time, the first provider in order winning', () => {
    const any = pickerSlots(slots, '', ['pr-1', 'pr-2']);
    expect(any.map((s) => [s.start, s.providerId])).toEqual([
      ['2026-12-03T14:00:00Z', 'pr-1'],
      ['2026-12-03T15:00:00Z', 'pr-2'],
    ]);
    expect(pickerSlots(slots, '', ['pr-2', 'pr-1'])[0]?.providerId).toBe('pr-2');
  });

  it('one provider chosen: only theirs, one chair per time', () => {
    expect(pickerSlots(slots, 'pr-1').map((s) => [s.start, s.operatoryId])).toEqual([['2026-12-03T14:00:00Z', 'op-1']]);
    expect(pickerSlots(slots, 'pr-2').map((s) => s.start)).toEqual(['2026-12-03T14:00:00Z', '2026-12-03T15:00:00Z']);
    expect(pickerSlots(slots, 'pr-9')).toEqual([]);
  });
});

describe('firstAvailable', () => {
  it('is the soonest slot, or null', () => {
    expect(firstAvailable([])).toBeNull();
    expect(firstAvailable([slot('2026-12-04T14:00:00Z'), slot('2026-12-03T20:00:00Z', 'pr-2')])?.providerId).toBe('pr-2');
  });
});

describe('finishReschedule', () => {
  function steps(fail?: 'confirm' | 'cancelOld' | 'release') {
    const calls: string[] = [];
    const step = (name: 'confirm' | 'cancelOld' | 'release') =>
      vi.fn(async (id: string) => {
        calls.push(`${name} ${id}`);
        if (fail === name || (fail === 'release' && name === 'cancelOld')) throw new Error(`${name} failed`);
      });
    return { calls, s: { confirm: step('confirm'), cancelOld: step('cancelOld'), release: step('release') } };
  }

  it('confirms the new visit, then cancels the old one; nothing released', async () => {
    const { calls, s } = steps();
    expect(await finishReschedule('old', 'new', s)).toEqual({ ok: true });
    expect(calls).toEqual(['confirm new', 'cancelOld old']);
  });

  it('a failed confirm releases the new hold and never touches the old visit', async () => {
    const { calls, s } = steps('confirm');
    const out = await finishReschedule('old', 'new', s);
    expect(out).toMatchObject({ ok: false, failed: 'confirm', released: true });
    expect(calls).toEqual(['confirm new', 'release new']);
  });

  it('a failed cancel of the old visit releases the new one (the old is kept)', async () => {
    const { calls, s } = steps('cancelOld');
    const out = await finishReschedule('old', 'new', s);
    expect(out).toMatchObject({ ok: false, failed: 'cancel-old', released: true });
    expect(calls).toEqual(['confirm new', 'cancelOld old', 'release new']);
  });

  it('says when the release itself failed', async () => {
    const { s } = steps('release');
    expect(await finishReschedule('old', 'new', s)).toMatchObject({ ok: false, failed: 'cancel-old', released: false });
  });
});
