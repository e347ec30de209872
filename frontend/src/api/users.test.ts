import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../lib/api';
import { makeUser } from '../test/fixtures';
import { jsonResponse } from '../test/render';
import { useCreateUser, useResetUserMfa, userName, useStaffUsers, type StaffUser } from './users';

const u = (id: string, role: StaffUser['role']): StaffUser => ({ ...makeUser(role, { id }), disabled: false });

function wrapper() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
  return ({ children }: { children: ReactNode }) => createElement(QueryClientProvider, { client }, children);
}

describe('api/users', () => {
  let requests: { method: string; url: URL; body: string | undefined }[];
  let pages: Record<string, { items: StaffUser[]; nextCursor: string | null }>;
  beforeEach(() => {
    resetApiClient();
    requests = [];
    pages = {
      '': { items: [u('a', 'admin'), u('p', 'patient')], nextCursor: 'c2' },
      c2: { items: [u('d', 'dentist')], nextCursor: null },
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(String(input), 'http://localhost');
        const method = (init?.method ?? 'GET').toUpperCase();
        requests.push({ method, url, body: init?.body ? String(init.body) : undefined });
        if (method === 'GET' && url.pathname === '/api/users') return jsonResponse(pages[url.searchParams.get('cursor') ?? '']);
        if (method === 'DELETE' && url.pathname === '/api/users/d%201/mfa') return jsonResponse({ ...u('d 1', 'dentist'), mfaEnabled: false });
        if (method === 'POST' && url.pathname === '/api/users') return jsonResponse(u('n', 'hygienist'), 201);
        return jsonResponse({ error: { code: 'not_found', message: 'no', requestId: 'r' } }, 404);
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('follows every page of GET /api/users and keeps staff only', async () => {
    const { result } = renderHook(() => useStaffUsers(), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data?.map((x) => x.id)).toEqual(['a', 'd']);
    const lists = requests.filter((r) => r.url.pathname === '/api/users');
    expect(lists.map((r) => [r.url.searchParams.get('limit'), r.url.searchParams.get('cursor')])).toEqual([
      ['200', null],
      ['200', 'c2'],
    ]);
  });

  it('resets MFA with DELETE users/{id}/mfa and refreshes the list', async () => {
    const { result } = renderHook(() => ({ list: useStaffUsers(), reset: useResetUserMfa() }), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.list.isSuccess).toBe(true));
    const before = requests.length;
    let answer: StaffUser | undefined;
    await act(async () => {
      answer = await result.current.reset.mutateAsync('d 1');
    });
    expect(answer?.mfaEnabled).toBe(false);
    expect(requests[before]).toMatchObject({ method: 'DELETE' });
    expect(requests[before]!.url.pathname).toBe('/api/users/d%201/mfa');
    await waitFor(() => expect(requests.filter((r) => r.method === 'GET').length).toBeGreaterThan(2));
  });

  it('invites without a password field when none is given', async () => {
    const { result } = renderHook(() => useCreateUser(), { wrapper: wrapper() });
    await act(async () => {
      await result.current.mutateAsync({ email: 'n@x.test', role: 'hygienist', firstName: 'N', lastName: 'M' });
    });
    const post = requests.find((r) => r.method === 'POST')!;
    expect(JSON.parse(post.body!)).toEqual({ email: 'n@x.test', role: 'hygienist', firstName: 'N', lastName: 'M' });
  });

  it('names a user by first and last name, else by email', () => {
    expect(userName({ firstName: 'Ana', lastName: 'Lima', email: 'a@x' })).toBe('Ana Lima');
    expect(userName({ firstName: '', lastName: ' ', email: 'a@x' })).toBe('a@x');
  });
});
