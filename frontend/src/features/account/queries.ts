import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ListResponse } from '../../lib/api';
import type { AuthSession } from '../../lib/types';

export const accountKeys = { sessions: ['auth', 'sessions'] as const };

export function useSessions() {
  return useQuery({
    queryKey: accountKeys.sessions,
    queryFn: ({ signal }) => api.get<ListResponse<AuthSession>>('/api/auth/sessions', { signal }),
    select: (r) => r.items,
  });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<unknown>(`/api/auth/sessions/${encodeURIComponent(id)}`),
    meta: { inlineErrors: true },
    onSuccess: (_r, id) =>
      queryClient.setQueryData<ListResponse<AuthSession>>(accountKeys.sessions, (old) =>
        old ? { ...old, items: old.items.filter((s) => s.id !== id) } : old,
      ),
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) =>
      api.post<unknown>('/api/auth/password/change', input),
    meta: { inlineErrors: true },
    // Every other sign-in ends when the password changes.
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}
