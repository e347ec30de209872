import { QueryClient, type QueryKey } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { LiveEvent, LiveEventType } from '../lib/live';
import { scheduleKeys } from '../api/schedule';
import { waitlistKeys } from '../api/waitlist';
import { invalidationsFor, resyncInvalidations } from './invalidation';

const appt = (id: string, version: number) => ({ id, version, status: 'scheduled' });

/** What a front desk tab has cached, by name. */
const CACHE: Record<string, { key: QueryKey; data: unknown }> = {
  dayWithA1: { key: scheduleKeys.day('2026-12-02T05:00:00Z', '2026-12-03T05:00:00Z'), data: [appt('a-1', 2), appt('a-2', 1)] },
  otherDay: { key: scheduleKeys.day('2026-12-03T05:00:00Z', '2026-12-04T05:00:00Z'), data: [appt('a-3', 1)] },
  week: { key: scheduleKeys.day('2026-11-30T05:00:00Z', '2026-12-07T05:00:00Z'), data: [appt('a-1', 2), appt('a-3', 1)] },
  oneA1: { key: scheduleKeys.appointment('a-1'), data: appt('a-1', 2) },
  oneA3: { key: scheduleKeys.appointment('a-3'), data: appt('a-3', 1) },
  availability: { key: [...scheduleKeys.availability, { from: 'x', to: 'y', typeId: 't-1' }], data: { items: [] } },
  mine: { key: scheduleKeys.mine, data: [] },
  providers: { key: scheduleKeys.providers, data: { items: [] } },
  operatories: { key: scheduleKeys.operatories, data: { items: [] } },
  types: { key: scheduleKeys.types, data: { items: [] } },
  waitlist: { key: waitlistKeys.all, data: { items: [] } },
  patient: { key: scheduleKeys.patient('p-1'), data: { id: 'p-1' } },
  summary: { key: scheduleKeys.patientSummary('p-1'), data: { id: 'p-1', firstName: 'Ana' } },
  health: { key: ['health'], data: {} },
};

/** The names of the cached queries one event invalidates, through TanStack's own matching. */
async function invalidated(filters: ReturnType<typeof invalidationsFor>): Promise<string[]> {
  const client = new QueryClient();
  for (const { key, data } of Object.values(CACHE)) client.setQueryData(key, data);
  for (const f of filters) await client.invalidateQueries(f);
  return Object.entries(CACHE)
    .filter(([, { key }]) => client.getQueryState(key)?.isInvalidated)
    .map(([name]) => name)
    .sort();
}

const event = (type: LiveEventType, id: string, version = 1): LiveEvent => ({ type, id, version, at: '2026-12-02T08:00:00Z' });

describe('invalidationsFor', () => {
  it.each([
    // a-3 at version 2: every grid may show it (or now should), and its own query.
    ['appointment.updated', 'a-3', 2, ['availability', 'dayWithA1', 'oneA3', 'otherDay', 'week']],
    ['appointment.cancelled', 'a-3', 2, ['availability', 'dayWithA1', 'oneA3', 'otherDay', 'week']],
    // A new appointment: no grid knows it yet; no other appointment's query.
    ['appointment.created', 'a-9', 1, ['availability', 'dayWithA1', 'otherDay', 'week']],
    // This tab's own change: grids already at a-1 v2 are left alone.
    ['appointment.updated', 'a-1', 2, ['availability', 'otherDay']],
    ['appointment.updated', 'a-1', 3, ['availability', 'dayWithA1', 'oneA1', 'otherDay', 'week']],
    ['waitlist.updated', 'w-1', 4, ['waitlist']],
    ['provider.updated', 'pr-1', 0, ['availability', 'dayWithA1', 'otherDay', 'providers', 'week']],
  ] as const)('%s %s v%d invalidates exactly its queries', async (type, id, version, expected) => {
    expect(await invalidated(invalidationsFor(event(type, id, version)))).toEqual([...expected].sort());
  });

  it('never touches patients, the catalogue, the portal’s own list or anything else', async () => {
    const untouched = ['health', 'mine', 'operatories', 'patient', 'summary', 'types'];
    for (const type of ['appointment.created', 'appointment.updated', 'appointment.cancelled', 'waitlist.updated', 'provider.updated'] as const) {
      const hit = await invalidated(invalidationsFor(event(type, 'a-1', 9)));
      expect(hit.filter((name) => untouched.includes(name))).toEqual([]);
    }
  });

  it('a reopened connection refetches what live events keep fresh, and only that', async () => {
    expect(await invalidated(resyncInvalidations())).toEqual(
      ['availability', 'dayWithA1', 'oneA1', 'oneA3', 'otherDay', 'providers', 'waitlist', 'week'].sort(),
    );
  });
});
