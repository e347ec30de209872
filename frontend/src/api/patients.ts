import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, isApiError, type ListResponse } from '../lib/api';
import type { PatientRecord, PatientSummary, TimelineItem } from '../lib/types';

/**
 * The patients resource: one key space under `['patients']`, so a change to
 * a record refreshes the lists, the schedule's names and the headers.
 */
export const patientKeys = {
  all: ['patients'] as const,
  list: (q: string) => ['patients', 'list', q] as const,
  /** A name for every patient (the schedule's tiles, the waitlist). */
  directory: ['patients', 'directory'] as const,
  search: (q: string) => ['patients', 'search', q] as const,
  record: (id: string) => ['patients', 'record', id] as const,
  family: (id: string) => ['patients', 'family', id] as const,
  timeline: (id: string) => ['patients', 'timeline', id] as const,
};

/** The same key the schedule and the patients feature use for one record. */
export const patientRecordKey = patientKeys.record;

/** One patient's record (name, allergies) for the booking dialog and the clinical screens' header. */
export function usePatient(id: string | null | undefined) {
  return useQuery({
    queryKey: patientKeys.record(id ?? ''),
    queryFn: ({ signal }) => api.get<PatientRecord>(`/api/patients/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
    retry: false,
  });
}


export const PATIENT_LIST_LIMIT = 25;

/** The patients list, filtered by name, phone or email when `q` is given. */
export function usePatientList(q: string) {
  const term = q.trim();
  return useQuery({
    queryKey: patientKeys.list(term),
    queryFn: ({ signal }) =>
      api.get<ListResponse<PatientSummary>>('/api/patients', { signal, query: { q: term, limit: PATIENT_LIST_LIMIT } }),
    staleTime: 15_000,
    placeholderData: keepPreviousData,
  });
}

export function usePatientRecord(id: string | null | undefined) {
  return useQuery({
    queryKey: patientKeys.record(id ?? ''),
    queryFn: ({ signal }) => api.get<PatientRecord>(`/api/patients/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
    retry: false,
  });
}

/** The patient's family: everyone sharing their guarantor (the patient included). */
export function useFamily(id: string) {
  return useQuery({
    queryKey: patientKeys.family(id),
    queryFn: ({ signal }) =>
      api.get<ListResponse<PatientSummary>>('/api/patients', { signal, query: { familyOf: id, limit: 50 } }),
    select: (r) => r.items,
  });
}

export function useTimeline(id: string) {
  return useQuery({
    queryKey: patientKeys.timeline(id),
    queryFn: ({ signal }) =>
      api.get<ListResponse<TimelineItem>>(`/api/patients/${encodeURIComponent(id)}/timeline`, {
        signal,
        query: { limit: 50 },
      }),
    select: (r) => r.items,
  });
}

export type PatientInput = Partial<Omit<PatientRecord, 'id' | 'status' | 'allergyAlert'>>;

export function useCreatePatient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: PatientInput) => api.post<PatientRecord>('/api/patients', input),
    meta: { inlineErrors: true },
    onSuccess: (created) => {
      if (created?.id) queryClient.setQueryData(patientKeys.record(created.id), created);
      void queryClient.invalidateQueries({ queryKey: patientKeys.all });
    },
  });
}

export function useUpdatePatient(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: PatientInput) => api.patch<PatientRecord>(`/api/patients/${encodeURIComponent(id)}`, changes),
    meta: { inlineErrors: true },
    onSuccess: (updated) => {
      if (updated?.id) queryClient.setQueryData(patientKeys.record(id), updated);
      void queryClient.invalidateQueries({ queryKey: patientKeys.all });
    },
  });
}

export function useArchivePatient(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<unknown>(`/api/patients/${encodeURIComponent(id)}`),
    meta: { inlineErrors: true },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: patientKeys.all }),
  });
}

/**
 * A name for every patient, for the schedule tiles: the list endpoint's
 * summaries (no medical history). `unavailable` when the server has no
 * patients API yet, so the UI can fall back without an error.
 */
export function usePatientDirectory(need?: readonly string[]) {
  const directory = useQuery({
    queryKey: patientKeys.directory,
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
    queryKey: patientKeys.search(term),
    queryFn: ({ signal }) =>
      api.get<ListResponse<PatientSummary>>('/api/patients', { signal, query: { q: term, limit: 20 } }),
    select: (r) => r.items,
    enabled: term.length >= 2,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
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
      queryKey: patientKeys.record(id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<PatientRecord>(`/api/patients/${encodeURIComponent(id)}`, { signal }),
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

/** Patients a search by `q` finds, fetched once (the duplicate check before creating). */
export async function searchPatients(q: string): Promise<PatientSummary[]> {
  const res = await api.get<ListResponse<PatientSummary>>('/api/patients', { query: { q, limit: 50 } });
  return res.items;
}
