import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ListResponse } from '../lib/api';
import { useLivePollInterval } from '../lib/live';
import type { WaitlistEntry } from '../lib/types';

export const waitlistKeys = { all: ['waitlist'] as const };

/**
 * Offers are made and answered (and lapse) while the list is open: a live
 * event refetches it; only while the live connection is down is it polled (30 s).
 */
export function useWaitlist() {
  const refetchInterval = useLivePollInterval();
  return useQuery({
    queryKey: waitlistKeys.all,
    queryFn: ({ signal }) => api.get<ListResponse<WaitlistEntry>>('/api/waitlist', { signal, query: { limit: 200 } }),
    select: (r) => r.items,
    refetchInterval,
  });
}

export interface WaitlistInput {
  patientId: string;
  typeId: string;
  urgency: number;
  from: string;
  to: string;
  days: string[];
  expiresOn: string;
}

export function useAddToWaitlist() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: WaitlistInput) => api.post<WaitlistEntry>('/api/waitlist', input),
    meta: { inlineErrors: true },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: waitlistKeys.all }),
  });
}

export function useRemoveFromWaitlist() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<unknown>(`/api/waitlist/${encodeURIComponent(id)}`),
    meta: { inlineErrors: true },
    onSuccess: (_r, id) =>
      queryClient.setQueryData<ListResponse<WaitlistEntry>>(waitlistKeys.all, (old) =>
        old ? { ...old, items: old.items.filter((e) => e.id !== id) } : old,
      ),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: waitlistKeys.all }),
  });
}

export type OfferAnswer = 'accept' | 'decline';

/** A patient's answer to an offer: accept books the held slot, decline passes it on. */
export function useAnswerOffer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, answer }: { id: string; answer: OfferAnswer }) =>
      api.patch<WaitlistEntry>(`/api/waitlist/${encodeURIComponent(id)}`, { answer }),
    meta: { inlineErrors: true },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: waitlistKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['appointments'] });
    },
  });
}

export interface OfferInput {
  id: string;
  providerId: string;
  operatoryId: string;
  start: string;
}

/** The desk offers a waiting patient a time now: the server holds it and tells them. */
export function useOfferTime() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...slot }: OfferInput) =>
      api.post<WaitlistEntry>(`/api/waitlist/${encodeURIComponent(id)}/offer`, slot),
    meta: { inlineErrors: true },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: waitlistKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['appointments'] });
      void queryClient.invalidateQueries({ queryKey: ['availability'] });
    },
  });
}

/** The server's 409 when the entry moved on (offered, booked, removed) before the desk acted. */
export function isNotWaiting(message: string): boolean {
  return message.startsWith('this patient is no longer waiting');
}
