import { useMutation, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { api } from '../lib/api';
import { useSessionStore } from '../lib/session';
import type { Clinic, ClinicSettings } from '../lib/types';
import { messageKeys, useClinicSettings, type ClinicWithMessaging, type QuietHours, type ReminderRules } from './messages';

export interface ClinicAddress {
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
}

export interface HoursWindow {
  start: string;
  end: string;
}

/** Windows per lower-case weekday ("monday"), the shape of a provider's hours. */
export type OpeningHours = Record<string, HoursWindow[]>;

/** The clinic-wide rules PATCH /api/clinic takes besides slug and country. */
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
  address?: ClinicAddress;
  /** Absolute session timeout: a sign-in lasts at most this long. */
  sessionHours?: number;
  openingHours?: OpeningHours;
  quietHours?: QuietHours;
  reminders?: ReminderRules;
}

export type AdminClinic = ClinicWithMessaging & {
  settings: ClinicSettings & {
    maxFutureAppointmentsPerPatient?: number;
    maxWaitlistEntriesPerPatient?: number;
    minBookingNoticeMinutes?: number;
    address?: ClinicAddress;
    sessionHours?: number;
    openingHours?: OpeningHours | null;
  };
};

/**
 * The server's bounds (identity's patchClinicRequest.apply), so a form can
 * say what is wrong before it sends: [min, max] inclusive.
 */
export const CLINIC_BOUNDS = {
  name: 200,
  addressPart: 200,
  cancelNoticeHours: [0, 168],
  idleLogoffMinutes: [5, 120],
  sessionHours: [1, 24],
  maxFutureAppointmentsPerPatient: [1, 20],
  maxWaitlistEntriesPerPatient: [1, 20],
  minBookingNoticeMinutes: [0, 10080],
} as const;

export const SLOT_CHOICES = [5, 10, 15, 20, 30, 60] as const;

/**
 * The fields of `after` that differ from `before` (compared as JSON whatever the key order, so
 * a nested address or week counts as one field): what a PATCH carries.
 */
export function clinicChanges(before: ClinicRulesPatch, after: ClinicRulesPatch): ClinicRulesPatch {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    if (canonical(value) !== canonical((before as Record<string, unknown>)[key])) out[key] = value;
  }
  return out as ClinicRulesPatch;
}

/** JSON with object keys sorted, so {a, b} and {b, a} read the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

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
