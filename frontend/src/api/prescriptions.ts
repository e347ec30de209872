import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';

export const RX_FORMS = [
  'tablet',
  'capsule',
  'liquid',
  'suspension',
  'rinse',
  'gel',
  'cream',
  'injection',
  'patch',
  'other',
] as const;
export type RxForm = (typeof RX_FORMS)[number];

export const RX_FORM_LABELS: Record<RxForm, string> = {
  tablet: 'Tablet',
  capsule: 'Capsule',
  liquid: 'Liquid',
  suspension: 'Suspension',
  rinse: 'Rinse',
  gel: 'Gel',
  cream: 'Cream',
  injection: 'Injection',
  patch: 'Patch',
  other: 'Other',
};

export const RX_QUANTITY = { min: 1, max: 1000 } as const;
export const RX_REFILLS = { min: 0, max: 11 } as const;

export interface Prescription {
  id: string;
  patientId: string;
  drug: string;
  strength: string;
  form: RxForm | string;
  sig: string;
  quantity: number;
  refills: number;
  reason?: string;
  status: 'active' | 'discontinued';
  prescriberId: string;
  prescribedAt: string;
  discontinuedAt?: string | null;
  discontinuedBy?: string | null;
  discontinueReason?: string | null;
  override: null | { reason: string; allergies?: unknown[] };
}

export interface PrescriptionInput {
  drug: string;
  strength: string;
  form: string;
  sig: string;
  quantity: number;
  refills: number;
  reason: string;
  /** Prescribes past the allergy warning (the 422). */
  override?: { reason: string };
}

export const prescriptionKeys = {
  all: ['prescriptions'] as const,
  forPatient: (patientId: string, status: 'active' | 'all') => ['prescriptions', 'patient', patientId, status] as const,
};

const enc = encodeURIComponent;

/** A patient's prescriptions: `active` only, or `all` (active and discontinued). */
export function usePrescriptions(patientId: string | null | undefined, status: 'active' | 'all' = 'all') {
  return useQuery({
    queryKey: prescriptionKeys.forPatient(patientId ?? '', status),
    queryFn: ({ signal }) =>
      api.get<{ items: Prescription[] }>(`/api/patients/${enc(patientId!)}/prescriptions`, {
        signal,
        query: { status },
      }),
    select: (r) => r.items ?? [],
    enabled: !!patientId,
  });
}

function useRxMutation<V>(patientId: string, fn: (v: V) => Promise<Prescription>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { inlineErrors: true },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['prescriptions', 'patient', patientId] });
    },
  });
}

/** Prescribes; a drug matching a recorded allergy answers 422 unless `override` is given. */
export function useCreatePrescription(patientId: string) {
  return useRxMutation(patientId, (input: PrescriptionInput) =>
    api.post<Prescription>(`/api/patients/${enc(patientId)}/prescriptions`, input),
  );
}

export function useDiscontinuePrescription(patientId: string) {
  return useRxMutation(patientId, ({ id, reason }: { id: string; reason?: string | undefined }) =>
    api.post<Prescription>(`/api/prescriptions/${enc(id)}/discontinue`, reason ? { reason } : {}),
  );
}
