import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, isApiError, type ListResponse } from '../../lib/api';
import { useLivePollInterval } from '../../lib/live';
import type {
  Appointment,
  AppointmentAction,
  AppointmentType,
  Operatory,
  Patient,
  PatientSummary,
  Provider,
  Slot,
} from '../../lib/types';

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
  patients: ['patients'] as const,
  patientDirectory: ['patients', 'directory'] as const,
  patientSearch: (q: string) => ['patients', 'search', q] as const,
  patient: (id: string) => ['patients', 'record', id] as const,
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

/**
 * A name for every patient, for the schedule tiles: the list endpoint's
 * summaries (no medical history). `unavailable` when the server has no
 * patients API yet, so the UI can fall back without an error.
 */
export function usePatientDirectory(need?: readonly string[]) {
  const directory = useQuery({
    queryKey: scheduleKeys.patientDirectory,
    queryFn: async ({ signal }) => {
      const byId = new Map<string, PatientSummary>();
      try {
        let cursor: string | null = null;
        for (let page = 0; page < 10; page += 1) {
          const res: ListResponse<PatientSummary> = await api.get<ListResponse<PatientSummary>>('/api/patients', {
            signal,
            query: { limit: 200, cursor },
          });
          for (const p of res.items) byId.set(p.id, p);
          cursor = res.nextCursor;
          if (!cursor) break;
        }
        return { available: true as const, byId };
      } catch (error) {
        if (isApiError(error) && (error.isMissingRoute || error.status === 403)) {
          return { available: false as const, byId };
        }
        throw error;
      }
    },
    staleTime: 60_000,
  });
  // A patient the screen names but the cached directory lacks (added since,
  // at this desk or another): read the directory again, once per such set,
  // so a new patient shows by name rather than as "Patient".
  const data = directory.data;
  const missing = data?.available ? (need ?? []).filter((id) => !data.byId.has(id)).sort().join(',') : '';
  const asked = useRef('');
  const { refetch, isFetching } = directory;
  useEffect(() => {
    if (!missing || isFetching || asked.current === missing) return;
    asked.current = missing;
    void refetch();
  }, [missing, isFetching, refetch]);
  return directory;
}

export function usePatientSearch(q: string) {
  const term = q.trim();
  return useQuery({
    queryKey: scheduleKeys.patientSearch(term),
    queryFn: ({ signal }) =>
      api.get<ListResponse<PatientSummary>>('/api/patients', { signal, query: { q: term, limit: 20 } }),
    select: (r) => r.items,
    enabled: term.length >= 2,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function usePatient(id: string | null | undefined) {
  return useQuery({
    queryKey: scheduleKeys.patient(id ?? ''),
    queryFn: ({ signal }) => api.get<Patient>(`/api/patients/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
    staleTime: 60_000,
    retry: false,
  });
}

const SEVERE = new Set(['severe', 'life-threatening']);

/**
 * The patients among `ids` with a severe or life-threatening allergy. The
 * directory's summaries only say "some allergy", so the records of those
 * flagged are read (cached with the appointment dialog's copy).
 */
export function useSevereAllergies(ids: readonly string[]): Set<string> {
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: scheduleKeys.patient(id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<Patient>(`/api/patients/${encodeURIComponent(id)}`, { signal }),
      staleTime: 60_000,
      retry: false,
    })),
  });
  const out = new Set<string>();
  for (const r of results) {
    if (r.data?.allergies?.some((a) => SEVERE.has(a.severity))) out.add(r.data.id);
  }
  return out;
}

export interface NewPatientInput {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  phone?: string;
  email?: string;
}

export function useCreatePatient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewPatientInput) => api.post<PatientSummary>('/api/patients', input),
    meta: { inlineErrors: true },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.patients });
    },
  });
}

/** Patients a search by `q` finds, fetched once (the duplicate check before creating). */
export async function searchPatients(q: string): Promise<PatientSummary[]> {
  const res = await api.get<ListResponse<PatientSummary>>('/api/patients', { query: { q, limit: 50 } });
  return res.items;
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
