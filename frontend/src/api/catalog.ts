import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ListResponse } from '../lib/api';
import type { AppointmentType, Operatory, Provider } from '../lib/types';
import { scheduleKeys } from './schedule';

/**
 * The admin's catalog: providers (also inactive ones), chairs and
 * appointment types, with the writes the scheduling API has. The reads share
 * the schedule's keys, so the desk sees a change at once.
 */

export interface TimeOffRange {
  from: string;
  to: string;
  reason?: string;
}

export interface CatalogProvider extends Provider {
  specialties?: string[] | null;
  timeOff?: TimeOffRange[] | null;
  userId?: string;
}

export interface CatalogType extends AppointmentType {
  defaultOperatoryId?: string;
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  recallMonths?: number;
  providerKinds?: string[] | null;
}

export interface ProviderInput {
  name?: string;
  kind?: string;
  colour?: string;
  operatories?: string[];
  active?: boolean;
}

export type WeeklyHours = Record<string, { start: string; end: string }[]>;

export interface NewAppointmentType {
  name: string;
  category: string;
  durationMinutes: number;
  colour: string;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  bookableOnline: boolean;
  defaultOperatoryId?: string;
  recallMonths?: number;
  /** The provider kinds that may take the visit; empty: any. */
  providerKinds?: string[];
}

/** PATCH /api/appointment-types/{id}: the fields given change, the others stay. */
export type TypeInput = Partial<NewAppointmentType> & { active?: boolean };

/** PATCH /api/operatories/{id}. */
export interface OperatoryInput {
  name?: string;
  active?: boolean;
}

export const TYPE_CATEGORIES = ['hygiene', 'exam', 'restorative', 'surgery', 'emergency', 'other'] as const;
export const PROVIDER_KINDS = ['dentist', 'hygienist'] as const;

/** Active ones first, then by name: how the admin's lists read. */
export function byActiveThenName<T extends { name: string; active?: boolean }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => Number(b.active !== false) - Number(a.active !== false) || a.name.localeCompare(b.name));
}

/** Every provider, active or not (useProviders keeps the active ones for the desk). */
export function useAllProviders() {
  return useQuery({
    queryKey: scheduleKeys.providers,
    queryFn: ({ signal }) => api.get<ListResponse<CatalogProvider>>('/api/providers', { signal, query: { limit: 200 } }),
    select: (r) => r.items as CatalogProvider[],
  });
}

export function useAllOperatories() {
  return useQuery({
    queryKey: scheduleKeys.operatories,
    queryFn: ({ signal }) => api.get<ListResponse<Operatory>>('/api/operatories', { signal, query: { limit: 200 } }),
    select: (r) => r.items,
  });
}

export function useAllTypes() {
  return useQuery({
    queryKey: scheduleKeys.types,
    queryFn: ({ signal }) => api.get<ListResponse<CatalogType>>('/api/appointment-types', { signal, query: { limit: 200 } }),
    select: (r) => r.items as CatalogType[],
  });
}

function useCatalogMutation<I, O>(fn: (input: I) => Promise<O>, key: readonly string[]) {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: fn,
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: key });
      // Availability follows hours, time off and chairs.
      await qc.invalidateQueries({ queryKey: scheduleKeys.availability });
    },
  });
}

export function useCreateProvider() {
  return useCatalogMutation(
    (body: ProviderInput) => api.post<CatalogProvider>('/api/providers', body),
    scheduleKeys.providers,
  );
}

export function useUpdateProvider() {
  return useCatalogMutation(
    ({ id, patch }: { id: string; patch: ProviderInput }) =>
      api.patch<CatalogProvider>(`/api/providers/${encodeURIComponent(id)}`, patch),
    scheduleKeys.providers,
  );
}

export function useSetProviderHours() {
  return useCatalogMutation(
    ({ id, hours }: { id: string; hours: WeeklyHours }) =>
      api.put<CatalogProvider>(`/api/providers/${encodeURIComponent(id)}/hours`, { hours }),
    scheduleKeys.providers,
  );
}

export function useAddTimeOff() {
  return useCatalogMutation(
    ({ id, range }: { id: string; range: TimeOffRange }) =>
      api.post<CatalogProvider>(`/api/providers/${encodeURIComponent(id)}/time-off`, range),
    scheduleKeys.providers,
  );
}

export function useCreateOperatory() {
  return useCatalogMutation((name: string) => api.post<Operatory>('/api/operatories', { name }), scheduleKeys.operatories);
}

export function useCreateType() {
  return useCatalogMutation(
    (body: NewAppointmentType) => api.post<CatalogType>('/api/appointment-types', body),
    scheduleKeys.types,
  );
}

export function useUpdateOperatory() {
  return useCatalogMutation(
    ({ id, patch }: { id: string; patch: OperatoryInput }) =>
      api.patch<Operatory>(`/api/operatories/${encodeURIComponent(id)}`, patch),
    scheduleKeys.operatories,
  );
}

export function useUpdateType() {
  return useCatalogMutation(
    ({ id, patch }: { id: string; patch: TypeInput }) =>
      api.patch<CatalogType>(`/api/appointment-types/${encodeURIComponent(id)}`, patch),
    scheduleKeys.types,
  );
}
