import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../lib/api';
import { jsonResponse } from '../test/render';
import { auditActionLabel, auditCsv, auditRange, useAuditLogs, useVerifyAuditChain, type AuditRecord } from './audit';

const rec = (extra: Partial<AuditRecord>): AuditRecord => ({
  id: 'a', seq: 1, actorId: 'u1', actorRole: 'admin', action: 'patient.read', resource: 'patients/p1', patientId: 'p1',
  requestId: 'r1', ip: '203.0.113.9', outcome: 'success', detail: '', at: '2031-01-10T15:00:00Z', ...extra,
});

describe('auditCsv', () => {
  it('writes a header and one CRLF row per record', () => {
    expect(auditCsv([rec({ seq: 7 })])).toBe(
      'seq,at,actorId,actorRole,action,resource,patientId,outcome,detail,requestId,ip\r\n' +
        '7,2031-01-10T15:00:00Z,u1,admin,patient.read,patients/p1,p1,success,,r1,203.0.113.9\r\n',
    );
    expect(auditCsv([])).toBe('seq,at,actorId,actorRole,action,resource,patientId,outcome,detail,requestId,ip\r\n');
  });

  it.each([
    ['=1+2', `"'=1+2"`],
    ['+SUM(A1)', `"'+SUM(A1)"`],
    ['-2', `"'-2"`],
    ['@cmd', `"'@cmd"`],
    ['\tx', `"'\tx"`],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
  ])('defuses the formula %j in a spreadsheet', (detail, cell) => {
    const row = auditCsv([rec({ detail })]).split('\r\n')[1]!;
    expect(row.split(',').slice(8).join(',')).toBe(`${cell},r1,203.0.113.9`);
  });

  it('quotes commas, quotes and line breaks, and leaves plain text alone', () => {
    const row = auditCsv([rec({ detail: 'role a→b, disabled "no"\nnext' })]).split('\r\n').slice(1).join('\r\n');
    expect(row).toContain(`"role a→b, disabled ""no""\nnext"`);
    expect(auditCsv([rec({ detail: 'filters: ; results: 0' })])).toContain(',filters: ; results: 0,');
  });
});

describe('auditRange', () => {
  it('turns clinic-local days into [from, to) instants across DST', () => {
    // New York springs forward on 2031-03-09 and falls back on 2031-11-02.
    expect(auditRange('2031-03-09', '2031-03-09', 'America/New_York')).toEqual({ from: '2031-03-09T05:00:00.000Z', to: '2031-03-10T04:00:00.000Z' });
    expect(auditRange('2031-11-02', '2031-11-02', 'America/New_York')).toEqual({ from: '2031-11-02T04:00:00.000Z', to: '2031-11-03T05:00:00.000Z' });
    expect(auditRange('2031-01-01', '', 'Europe/Lisbon')).toEqual({ from: '2031-01-01T00:00:00.000Z' });
    expect(auditRange('', 'not-a-date', 'UTC')).toEqual({});
  });

  it('labels known actions and keeps unknown ones as they are', () => {
    expect(auditActionLabel('user.mfa_reset')).toBe('Two-step sign-in reset');
    expect(auditActionLabel('something.new')).toBe('something.new');
  });
});

describe('useAuditLogs', () => {
  afterEach(() => vi.unstubAllGlobals());

  function wrapper() {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return ({ children }: { children: ReactNode }) => createElement(QueryClientProvider, { client }, children);
  }

  it('sends the filters, pages by cursor and gathers the items', async () => {
    resetApiClient();
    const seen: URLSearchParams[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), 'http://localhost');
        seen.push(url.searchParams);
        return url.searchParams.get('cursor') === 'c2'
          ? jsonResponse({ items: [rec({ id: 'b', seq: 1 })], nextCursor: null })
          : jsonResponse({ items: [rec({ id: 'a', seq: 2 })], nextCursor: 'c2' });
      }),
    );
    const { result } = renderHook(() => useAuditLogs({ userId: 'u1', action: 'patient.read' }), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.items.map((r) => r.id)).toEqual(['a']));
    expect(result.current.hasNextPage).toBe(true);
    expect(Object.fromEntries(seen[0]!)).toEqual({ userId: 'u1', action: 'patient.read', limit: '50' });
    await act(() => result.current.fetchNextPage());
    await waitFor(() => expect(result.current.items.map((r) => r.id)).toEqual(['a', 'b']));
    expect(result.current.hasNextPage).toBe(false);
    expect(seen[1]!.get('cursor')).toBe('c2');
  });

  it('asks nothing while disabled (an invalid range), and verifies with ?verify=true', async () => {
    resetApiClient();
    const fetchMock = vi.fn(async () => jsonResponse({ ok: true, checked: 9 }));
    vi.stubGlobal('fetch', fetchMock);
    renderHook(() => useAuditLogs({}, false), { wrapper: wrapper() });
    const { result } = renderHook(() => useVerifyAuditChain(), { wrapper: wrapper() });
    expect(fetchMock).not.toHaveBeenCalled();
    let answer: unknown;
    await act(async () => {
      answer = await result.current.mutateAsync();
    });
    expect(answer).toEqual({ ok: true, checked: 9 });
    expect(String((fetchMock.mock.calls[0] as unknown[])[0])).toBe('/api/audit-logs?verify=true');
  });
});
