import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ListResponse } from '../../lib/api';
import type { PatientRecord, PatientSummary, TimelineItem } from '../../lib/types';
import { scheduleKeys } from '../schedule/queries';

/** Under `['patients']`, so a change to a record also refreshes the schedule's names. */
export const patientKeys = {
  all: scheduleKeys.patients,
  list: (q: string) => ['patients', 'list', q] as const,
  record: scheduleKeys.patient,
  family: (id: string) => ['patients', 'family', id] as const,
  timeline: (id: string) => ['patients', 'timeline', id] as const,
};

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
