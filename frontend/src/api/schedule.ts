import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ListResponse } from '../lib/api';
import { patientKeys } from './patients';
import { useLivePollInterval } from '../lib/live';
import type {
  Appointment,
  AppointmentAction,
  AppointmentType,
  Operatory,
  Provider,
  Slot,
} from '../lib/types';

const CATALOG_STALE_MS = 5 * 60_000;

export const scheduleKeys = {
  providers: ['providers'] as const,
  operatories: ['operatories'] as const,
  types: ['appointment-types'] as const,
  appointments: ['appointments'] as const,
  /** Every day and week grid, whatever its range. */
  ranges: ['appointments', 'range'] as const,
  day: (from: string, to: string) => ['appointments', 'range', from, to] as const,
  /** One appointment read on its own (the portal's reschedule). */
  appointment: (id: string) => ['appointments', 'one', id] as const,
  mine: ['appointments', 'mine'] as const,
  availability: ['availability'] as const,
  patients: patientKeys.all,
  patientSummary: patientKeys.summary,
  patientSearch: patientKeys.search,
  patient: patientKeys.record,
};

export function useProviders() {
  return useQuery({
    queryKey: scheduleKeys.providers,
    queryFn: ({ signal }) => api.get<ListResponse<Provider>>('/api/providers', { signal, query: { limit: 200 } }),
    select: (r) => r.items.filter((p) => p.active),
    staleTime: CATALOG_STALE_MS,
  });
}

export function useOperatories() {
  return useQuery({
    queryKey: scheduleKeys.operatories,
    queryFn: ({ signal }) => api.get<ListResponse<Operatory>>('/api/operatories', { signal, query: { limit: 200 } }),
    select: (r) => r.items,
    staleTime: CATALOG_STALE_MS,
  });
}

export function useAppointmentTypes() {
  return useQuery({
    queryKey: scheduleKeys.types,
    queryFn: ({ signal }) =>
      api.get<ListResponse<AppointmentType>>('/api/appointment-types', { signal, query: { limit: 200 } }),
    select: (r) => r.items,
    staleTime: CATALOG_STALE_MS,
  });
}

/** Every appointment in [from, to), following pages. */
export async function fetchAppointments(
  query: { from: string; to?: string; providerId?: string; patientId?: string; status?: string },
  signal?: AbortSignal,
): Promise<Appointment[]> {
  const items: Appointment[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10; page += 1) {
    const res: ListResponse<Appointment> = await api.get<ListResponse<Appointment>>('/api/appointments', {
      signal,
      query: { ...query, limit: 200, cursor },
    });
    items.push(...res.items);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/**
 * The day's (or week's) appointments. Live events refetch them when they
 * change; only while the live connection is down are they polled (30 s).
 */
export function useDayAppointments(range: { from: string; to: string }) {
  const refetchInterval = useLivePollInterval();
  return useQuery({
    queryKey: scheduleKeys.day(range.from, range.to),
    queryFn: ({ signal }) => fetchAppointments(range, signal),
    refetchInterval,
    placeholderData: keepPreviousData,
  });
}

export interface AvailabilityParams {
  from: string;
  to: string;
  typeId?: string | undefined;
  duration?: number | undefined;
  providerId?: string | undefined;
}

export function useAvailability(params: AvailabilityParams, enabled = true) {
  return useQuery({
    queryKey: [...scheduleKeys.availability, params],
    queryFn: ({ signal }) =>
      api.get<ListResponse<Slot>>('/api/availability', {
        signal,
        query: {
          from: params.from,
          to: params.to,
          typeId: params.typeId,
          duration: params.typeId ? undefined : params.duration,
          providerId: params.providerId,
        },
      }),
    select: (r) => r.items,
    enabled: enabled && (!!params.typeId || !!params.duration),
    staleTime: 0,
  });
}

export interface BookInput {
  patientId?: string;
  providerId: string;
  operatoryId: string;
  typeId?: string;
  start: string;
  end?: string;
  hold?: boolean;
  notes?: string;
  /** Book a waitlisted patient: the server takes their entry off the list. */
  waitlistEntryId?: string;
}

export function useBookAppointment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: BookInput) => api.post<Appointment>('/api/appointments', input),
    meta: { inlineErrors: true },
    onSettled: (_a, _e, input) => {
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.appointments });
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.availability });
      if (input.waitlistEntryId) void queryClient.invalidateQueries({ queryKey: ['waitlist'] });
    },
  });
}

/** A preset cancellation reason; `reasonText` says more when the reason is `other`. */
export interface CancelReason {
  reason: string;
  reasonText?: string;
}

/** A status action, or `undo`: the server reverts a check-in or a no-show on the appointment's day. */
export type DeskAction = AppointmentAction | 'undo';

export function useAppointmentAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action, reason }: { id: string; action: DeskAction; reason?: string | CancelReason }) =>
      api.post<Appointment>(
        `/api/appointments/${encodeURIComponent(id)}/${action}`,
        action !== 'cancel' || !reason ? {} : typeof reason === 'string' ? { reason } : reason,
      ),
    meta: { inlineErrors: true },
    onSuccess: (updated) => replaceInCache(queryClient, updated),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.appointments });
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.availability });
    },
  });
}

export interface MoveInput {
  id: string;
  start?: string;
  end?: string;
  providerId?: string;
  operatoryId?: string;
}

export function useMoveAppointment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: MoveInput) =>
      api.patch<Appointment>(`/api/appointments/${encodeURIComponent(id)}`, changes),
    meta: { inlineErrors: true },
    onSuccess: (updated) => replaceInCache(queryClient, updated),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.appointments });
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.availability });
    },
  });
}

/** Shows a change at once in every cached list, before the next poll. */
function replaceInCache(queryClient: ReturnType<typeof useQueryClient>, updated: Appointment | undefined) {
  if (!updated?.id) return;
  queryClient.setQueriesData<Appointment[]>({ queryKey: scheduleKeys.appointments }, (list) =>
    Array.isArray(list) ? list.map((a) => (a.id === updated.id ? updated : a)) : list,
  );
}
