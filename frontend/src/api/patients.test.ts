import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../lib/api';
import type { PatientSummary } from '../lib/types';
import { jsonResponse } from '../test/render';
import { PATIENT_IDS_CHUNK, patientKeys, usePatientNames } from './patients';

const summary = (id: string, firstName = `First ${id}`): PatientSummary => ({
  id,
  firstName,
  lastName: 'Example',
  dateOfBirth: '1980-01-02',
  status: 'active',
  allergyAlert: false,
});

describe('usePatientNames', () => {
  let client: QueryClient;
  /** The ids of each GET /api/patients?ids= asked, in order. */
  let asked: string[][];
  /** The clinic's patients as the server has them. */
  let server: Map<string, PatientSummary>;
  /** Set to answer the next reads with this instead. */
  let answer: (() => Response) | null;
  /** While set, answers wait for it. */
  let gate: Promise<void> | null;

  function wrapper({ children }: { children: ReactNode }) {
    return createElement(QueryClientProvider, { client }, children);
  }

  beforeEach(() => {
    resetApiClient();
    client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
    asked = [];
    server = new Map(['a', 'b', 'c'].map((id) => [id, summary(id)]));
    answer = null;
    gate = null;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), 'http://localhost');
        if (url.pathname !== '/api/patients' || !url.searchParams.has('ids')) {
          return jsonResponse({ error: { code: 'not_found', message: 'no', requestId: 'r' } }, 404);
        }
        const ids = url.searchParams.get('ids')!.split(',');
        asked.push(ids);
        if (gate) await gate;
        if (answer) return answer();
        const items = ids.flatMap((id) => (server.has(id) ? [server.get(id)!] : []));
        return jsonResponse({ items, nextCursor: null });
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  const names = (m: Map<string, PatientSummary>) => [...m.values()].map((p) => p.firstName);

  it('reads the shown ids in one request and maps them by id; an id of no patient is absent', async () => {
    const { result } = renderHook(() => usePatientNames(['a', 'b', 'a', 'zzz']), { wrapper });
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(asked).toEqual([['a', 'b', 'zzz']]);
    expect(names(result.current.byId)).toEqual(['First a', 'First b']);
    expect(result.current.byId.has('zzz')).toBe(false);
    expect(result.current.available).toBe(true);
  });

  it('reads only the ids not yet cached when the screen moves on (another day)', async () => {
    const { result, rerender } = renderHook(({ ids }) => usePatientNames(ids), { wrapper, initialProps: { ids: ['a', 'b'] } });
    await waitFor(() => expect(result.current.byId.size).toBe(2));
    rerender({ ids: ['b', 'c'] });
    await waitFor(() => expect(result.current.byId.has('c')).toBe(true));
    expect(asked).toEqual([['a', 'b'], ['c']]);
    expect(names(result.current.byId)).toEqual(['First b', 'First c']);
    // Back to the first day: all cached, nothing asked.
    rerender({ ids: ['a', 'b'] });
    expect(names(result.current.byId)).toEqual(['First a', 'First b']);
    expect(asked).toHaveLength(2);
  });

  it('asks in chunks of 200, all at once rather than one after another', async () => {
    const ids = Array.from({ length: 2 * PATIENT_IDS_CHUNK + 50 }, (_, i) => `p${i}`);
    for (const id of ids) server.set(id, summary(id));
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const { result } = renderHook(() => usePatientNames(ids), { wrapper });
    // Every chunk is asked before any has been answered.
    await waitFor(() => expect(asked.map((c) => c.length)).toEqual([PATIENT_IDS_CHUNK, PATIENT_IDS_CHUNK, 50]));
    expect(result.current.loading).toBe(true);
    act(() => open());
    await waitFor(() => expect(result.current.byId.size).toBe(ids.length));
    expect(asked.flat()).toEqual(ids);
  });

  it('reads the shown patients again, together, when the patients are invalidated (an edit elsewhere)', async () => {
    const { result } = renderHook(() => usePatientNames(['a', 'b']), { wrapper });
    await waitFor(() => expect(result.current.byId.size).toBe(2));
    server.set('a', summary('a', 'Renamed'));
    await act(() => client.invalidateQueries({ queryKey: patientKeys.all }));
    await waitFor(() => expect(result.current.byId.get('a')?.firstName).toBe('Renamed'));
    expect(asked).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it.each([
    ['no patients API on this server', 404],
    ['not allowed to list patients', 403],
  ])('%s: no names, unavailable, no error thrown', async (_name, status) => {
    answer = () => jsonResponse({ error: { code: status === 404 ? 'not_found' : 'forbidden', message: 'no', requestId: 'r' } }, status);
    const { result } = renderHook(() => usePatientNames(['a']), { wrapper });
    await waitFor(() => expect(result.current.available).toBe(false));
    expect(result.current.byId.size).toBe(0);
    expect(result.current.loading).toBe(false);
  });

  it('asks a chunk once more after a server error, in one request', async () => {
    let failures = 1;
    answer = () => {
      if (failures-- > 0) return jsonResponse({ error: { code: 'unavailable', message: 'busy', requestId: 'r' } }, 503);
      return jsonResponse({ items: [server.get('a'), server.get('b')], nextCursor: null });
    };
    const { result } = renderHook(() => usePatientNames(['a', 'b']), { wrapper });
    await waitFor(() => expect(result.current.byId.size).toBe(2));
    expect(asked).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('asks nothing for no ids', async () => {
    const { result } = renderHook(() => usePatientNames([]), { wrapper });
    await new Promise((r) => setTimeout(r, 20));
    expect(asked).toEqual([]);
    expect(result.current).toMatchObject({ loading: false, available: true });
  });
});
