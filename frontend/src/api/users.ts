import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ListResponse } from '../lib/api';
import type { Role, User } from '../lib/types';

/** A staff account as GET /api/users answers it (identity.User.Public). */
export interface StaffUser extends User {
  disabled: boolean;
  createdAt?: string;
  updatedAt?: string;
}

/**
 * POST /api/users. Without `password` it is an invite: the server mails the
 * new user a link to choose their own (the admin never knows it).
 */
export interface NewStaffUser {
  email: string;
  password?: string;
  role: Role;
  firstName: string;
  lastName: string;
}

/** PATCH /api/users/{id}: a role change or disabling ends the user's sessions (server side). */
export interface UserPatch {
  firstName?: string;
  lastName?: string;
  role?: Role;
  disabled?: boolean;
}

export const userKeys = {
  all: ['users'] as const,
  list: ['users', 'list'] as const,
};

/** Every account of the clinic (staff and patients' portal accounts), following pages. */
async function fetchAllUsers(signal: AbortSignal): Promise<StaffUser[]> {
  const out: StaffUser[] = [];
  let cursor = '';
  for (let i = 0; i < 50; i++) {
    const page = await api.get<ListResponse<StaffUser>>('/api/users', { signal, query: { limit: 200, cursor: cursor || undefined } });
    out.push(...(page.items ?? []));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** The clinic's staff accounts (patients' portal accounts left out). */
export function useStaffUsers() {
  return useQuery({
    queryKey: userKeys.list,
    queryFn: ({ signal }) => fetchAllUsers(signal),
    select: (users) => users.filter((u) => u.role !== 'patient'),
    placeholderData: keepPreviousData,
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (body: NewStaffUser) => api.post<StaffUser>('/api/users', body),
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: ({ id, patch }: { id: string; patch: UserPatch }) =>
      api.patch<StaffUser>(`/api/users/${encodeURIComponent(id)}`, patch),
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** DELETE /api/users/{id} disables the account (it is never deleted). */
export function useDisableUser() {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (id: string) => api.delete<StaffUser>(`/api/users/${encodeURIComponent(id)}`),
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** DELETE /api/users/{id}/sessions: signs the user out everywhere. */
export function useEndUserSessions() {
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (id: string) => api.delete<void>(`/api/users/${encodeURIComponent(id)}/sessions`),
  });
}

/**
 * DELETE /api/users/{id}/mfa: removes another user's two-step sign-in (lost
 * phone) and signs them out everywhere; they enrol again where required.
 */
export function useResetUserMfa() {
  const qc = useQueryClient();
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: (id: string) => api.delete<StaffUser>(`/api/users/${encodeURIComponent(id)}/mfa`),
    onSettled: () => qc.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  dentist: 'Dentist',
  hygienist: 'Hygienist',
  assistant: 'Assistant',
  receptionist: 'Receptionist',
  patient: 'Patient',
};

/** "Grace Kim", or the email when the account has no name. */
export function userName(u: Pick<User, 'firstName' | 'lastName' | 'email'>): string {
  return `${u.firstName} ${u.lastName}`.trim() || u.email;
}
