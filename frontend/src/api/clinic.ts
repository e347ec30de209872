import { useMutation, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { api } from '../lib/api';
import { useSessionStore } from '../lib/session';
import type { Clinic, ClinicSettings } from '../lib/types';
import { messageKeys, useClinicSettings, type ClinicWithMessaging } from './messages';

/** The clinic-wide rules PATCH /api/clinic takes besides messaging, slug and country. */
export interface ClinicRulesPatch {
  name?: string;
  timeZone?: string;
  slotMinutes?: number;
  cancelNoticeHours?: number;
  currency?: string;
  idleLogoffMinutes?: number;
  mfaRequired?: boolean;
  maxFutureAppointmentsPerPatient?: number;
  maxWaitlistEntriesPerPatient?: number;
  minBookingNoticeMinutes?: number;
  toothNumbering?: 'universal' | 'fdi';
}

export type AdminClinic = ClinicWithMessaging & {
  settings: ClinicSettings & {
    maxFutureAppointmentsPerPatient?: number;
    maxWaitlistEntriesPerPatient?: number;
    minBookingNoticeMinutes?: number;
  };
};

/** GET /api/clinic (the messaging settings page's cache entry). */
export function useClinic(): UseQueryResult<AdminClinic> {
  return useClinicSettings() as UseQueryResult<AdminClinic>;
}

/**
 * PATCH /api/clinic. The session's clinic follows at once, so the schedule,
 * the slot grid and the idle logoff use the new zone and rules without a
 * reload.
 */
export function useSaveClinic() {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (patch: ClinicRulesPatch) => api.patch<AdminClinic>('/api/clinic', patch),
    onSuccess: async (saved) => {
      qc.setQueryData(messageKeys.clinic, saved);
      useSessionStore.setState((s) => {
        if (!s.clinic) return { clinic: s.clinic };
        const clinic: Clinic = { ...s.clinic, name: saved.name, settings: { ...s.clinic.settings, ...saved.settings } };
        return { clinic };
      });
      // Day grids and free slots are computed in the clinic's zone.
      await qc.invalidateQueries({ queryKey: ['appointments'] });
      await qc.invalidateQueries({ queryKey: ['availability'] });
    },
  });
}
