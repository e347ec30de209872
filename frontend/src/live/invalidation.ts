import type { InvalidateQueryFilters, Query } from '@tanstack/react-query';
import type { LiveEvent } from '../lib/live';
import type { Appointment } from '../lib/types';
import { scheduleKeys } from '../api/schedule';
import { waitlistKeys } from '../api/waitlist';

/** True when the query's data already shows appointment `id` at `version` or later (this tab's own change). */
function showsVersion(query: Query, id: string, version: number): boolean {
  const data = query.state.data as Appointment[] | Appointment | undefined;
  const list = Array.isArray(data) ? data : data ? [data] : [];
  return list.some((a) => a?.id === id && typeof a.version === 'number' && a.version >= version);
}

/**
 * The queries one live event makes stale, as filters for
 * queryClient.invalidateQueries (which refetches those on screen and marks
 * the others stale):
 *
 * - appointment.*: the day and week grids (any range: the event names no
 *   time, and a move can bring it into a range that did not hold it), the
 *   appointment read on its own, and availability; a grid that already
 *   shows this version (the change made in this tab) is left alone;
 * - waitlist.updated: the waitlist;
 * - provider.updated: the providers, availability and the grids.
 *
 * Nothing else: patients, charts, billing and the portal's own lists are
 * not live.
 */
export function invalidationsFor(event: LiveEvent): InvalidateQueryFilters[] {
  switch (event.type) {
    case 'appointment.created':
    case 'appointment.updated':
    case 'appointment.cancelled': {
      const fresh = (query: Query) => !showsVersion(query, event.id, event.version);
      return [
        { queryKey: scheduleKeys.ranges, predicate: fresh },
        { queryKey: scheduleKeys.appointment(event.id), predicate: fresh },
        { queryKey: scheduleKeys.availability },
      ];
    }
    case 'waitlist.updated':
      return [{ queryKey: waitlistKeys.all }];
    case 'provider.updated':
      return [
        { queryKey: scheduleKeys.providers },
        { queryKey: scheduleKeys.availability },
        { queryKey: scheduleKeys.ranges },
      ];
    default:
      return [];
  }
}

/**
 * What a (re)opened connection refetches: every event sent while there was
 * no socket is lost, so everything live events keep fresh.
 */
export function resyncInvalidations(): InvalidateQueryFilters[] {
  return [
    { queryKey: scheduleKeys.ranges },
    { queryKey: [...scheduleKeys.appointments, 'one'] },
    { queryKey: scheduleKeys.availability },
    { queryKey: scheduleKeys.providers },
    { queryKey: waitlistKeys.all },
  ];
}
