import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isApiError, resetApiClient } from '../lib/api';
import { routeFetch } from '../test/fixtures';
import { jsonResponse } from '../test/render';
import { byActiveThenName, useAllOperatories, useAllTypes, useUpdateOperatory, useUpdateType } from './catalog';

describe('byActiveThenName', () => {
  it('puts active ones first, each part by name, without touching the list', () => {
    const list = [
      { name: 'Op 3', active: false },
      { name: 'Op 2', active: true },
      { name: 'Op 1', active: false },
      { name: 'Cleaning' }, // a type stored before types had active
    ];
    expect(byActiveThenName(list).map((x) => x.name)).toEqual(['Cleaning', 'Op 2', 'Op 1', 'Op 3']);
    expect(list[0]!.name).toBe('Op 3');
  });
});

describe('catalog writes', () => {
  let chairs: { id: string; name: string; active: boolean }[];
  let bodies: { path: string; body: unknown }[];
  beforeEach(() => {
    resetApiClient();
    chairs = [{ id: 'o 1', name: 'Op 1', active: true }];
    bodies = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/operatories': () => jsonResponse({ items: chairs, nextCursor: null }),
          'GET /api/appointment-types': { items: [], nextCursor: null },
          'PATCH /api/operatories/o%201': (_: URL, init: RequestInit | undefined) => {
            const body = JSON.parse(String(init?.body)) as { active: boolean };
            bodies.push({ path: 'o 1', body });
            chairs = chairs.map((c) => ({ ...c, ...body }));
            return jsonResponse(chairs[0]);
          },
          'PATCH /api/appointment-types/t1': (_: URL, init: RequestInit | undefined) => {
            bodies.push({ path: 't1', body: JSON.parse(String(init?.body)) });
            return jsonResponse({ error: { code: 'invalid', message: 'invalid', requestId: 'r', fields: [{ field: 'durationMinutes', message: 'must be 5 to 480, in steps of 5' }] } }, 400);
          },
        }),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  function wrapper() {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return ({ children }: { children: ReactNode }) => createElement(QueryClientProvider, { client }, children);
  }

  it('PATCHes a chair by its escaped id and the chair list follows', async () => {
    const { result } = renderHook(() => ({ list: useAllOperatories(), update: useUpdateOperatory() }), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.list.data?.[0]?.active).toBe(true));
    await act(() => result.current.update.mutateAsync({ id: 'o 1', patch: { active: false } }));
    expect(bodies).toEqual([{ path: 'o 1', body: { active: false } }]);
    await waitFor(() => expect(result.current.list.data?.[0]?.active).toBe(false));
  });

  it('PATCHes a type and answers the server’s field errors', async () => {
    const { result } = renderHook(() => ({ list: useAllTypes(), update: useUpdateType() }), { wrapper: wrapper() });
    const err = await act(() => result.current.update.mutateAsync({ id: 't1', patch: { durationMinutes: 7, active: true } }).catch((e: unknown) => e));
    expect(bodies).toEqual([{ path: 't1', body: { durationMinutes: 7, active: true } }]);
    expect(isApiError(err) && err.fieldMessage('durationMinutes')).toBe('must be 5 to 480, in steps of 5');
  });
});
