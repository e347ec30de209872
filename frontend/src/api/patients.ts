import { useQuery } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { PatientRecord } from '../lib/types';

/** The same key the schedule and the patients feature use for one record. */
export const patientRecordKey = (id: string) => ['patients', 'record', id] as const;

/** One patient's record (name, allergies) for the clinical screens' header. */
export function usePatient(id: string | null | undefined) {
  return useQuery({
    queryKey: patientRecordKey(id ?? ''),
    queryFn: ({ signal }) => api.get<PatientRecord>(`/api/patients/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
    retry: false,
  });
}
