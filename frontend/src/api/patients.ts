import {
  keepPreviousData,
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
  type UseQueryResult,
} from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, isApiError, type ListResponse } from '../lib/api';
import type { PatientRecord, PatientSummary, TimelineItem } from '../lib/types';

/**
 * The patients resource: one key space under `['patients']`, so a change to
 * a record refreshes the lists, the schedule's names and the headers.
 */
export const patientKeys = {
  all: ['patients'] as const,
  list: (q: string) => ['patients', 'list', q] as const,
  /** One patient's summary, as lists show it (the names on the schedule's tiles, the waitlist). */
  summary: (id: string) => ['patients', 'summary', id] as const,
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

/** How many patients one `?ids=` read names (the server's limit). */
export const PATIENT_IDS_CHUNK = 200;

/** A summary read by id stays fresh this long (moving between days reads only new patients). */
const SUMMARY_STALE_MS = 5 * 60_000;

/** The summaries (no medical history) of `ids`, at most {@link PATIENT_IDS_CHUNK} of them. */
function fetchPatientSummaries(ids: readonly string[]): Promise<ListResponse<PatientSummary>> {
  return api.get<ListResponse<PatientSummary>>('/api/patients', { query: { ids: ids.join(',') } });
}

/** Whether err means this server has no patient list for the caller (fall back without an error). */
function namesUnavailable(err: unknown): boolean {
  return isApiError(err) && (err.isMissingRoute || err.status === 403);
}

type Waiter = { resolve: (p: PatientSummary | null) => void; reject: (err: unknown) => void };

/**
 * Ids asked for in the same task (one screen's names, or the refetches of
 * an invalidation) go out together: chunks of {@link PATIENT_IDS_CHUNK}, in
 * parallel, each retried once on a 5xx (the per-id queries do not retry, or
 * each would ask alone).
 */
const summaryBatch = {
  waiting: new Map<string, Waiter[]>(),
  load(id: string): Promise<PatientSummary | null> {
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) queueMicrotask(() => this.flush());
      const list = this.waiting.get(id);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(id, [{ resolve, reject }]);
    });
  },
  flush() {
    if (this.waiting.size === 0) return;
    const batch = this.waiting;
    this.waiting = new Map();
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += PATIENT_IDS_CHUNK) {
      const chunk = ids.slice(i, i + PATIENT_IDS_CHUNK);
      fetchPatientSummaries(chunk)
        .catch((err: unknown) => {
          if (isApiError(err) && err.status >= 500) return fetchPatientSummaries(chunk);
          throw err;
        })
        .then(
          (res) => {
            const found = new Map(res.items.map((p) => [p.id, p]));
            for (const id of chunk) for (const w of batch.get(id)!) w.resolve(found.get(id) ?? null);
          },
          (err: unknown) => {
            for (const id of chunk) for (const w of batch.get(id)!) w.reject(err);
          },
        );
    }
  },
};

function summaryQuery(id: string) {
  return {
    queryKey: patientKeys.summary(id),
    queryFn: () => summaryBatch.load(id),
    staleTime: SUMMARY_STALE_MS,
    retry: false,
  };
}

export interface PatientNames {
  /** The summaries found, by id (an id of no patient of the clinic is absent). */
  byId: Map<string, PatientSummary>;
  /** Some of the ids are still being read for the first time. */
  loading: boolean;
  /** False when the server has no patient list for this caller (404/403): show no names, no error. */
  available: boolean;
}

/**
 * Names for the patients a screen shows (schedule tiles, waitlist, audit
 * rows): each summary is cached under its id, so only ids not yet cached
 * are read, together, with `GET /api/patients?ids=`. An invalidation of
 * `patientKeys.all` reads the shown ones again.
 */
export function usePatientNames(ids: readonly string[]): PatientNames {
  const client = useQueryClient();
  const unique = useMemo(() => [...new Set(ids)].filter(Boolean), [ids]);
  // Ask for the ids nothing has read yet while this render runs (as
  // usePrefetchQuery does), not once the screen has been drawn and its
  // effects have run: the names travel while the grid renders.
  const unread = unique.filter((id) => !client.getQueryState(patientKeys.summary(id)));
  if (unread.length > 0) {
    for (const id of unread) void client.prefetchQuery(summaryQuery(id));
    summaryBatch.flush();
  }
  return useQueries({
    queries: unique.map(summaryQuery),
    combine: combineNames,
  });
}

function combineNames(results: UseQueryResult<PatientSummary | null>[]): PatientNames {
  const byId = new Map<string, PatientSummary>();
  let loading = false;
  let available = true;
  for (const r of results) {
    if (r.data) byId.set(r.data.id, r.data);
    if (r.isPending && r.fetchStatus !== 'idle') loading = true;
    if (namesUnavailable(r.error)) available = false;
  }
  return { byId, loading, available };
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
