import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../lib/api';
import { jsonResponse } from '../test/render';
import { chartKeys, fetchChart, missingTeeth, statusesFor, type ChartEntry } from './chart';

describe('chart api', () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    resetApiClient();
    fetchMock.mockReset();
    fetchMock.mockImplementation(async () => jsonResponse({ entries: [], asOf: null, numbering: 'universal' }));
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('asks for the chart now, as of a date, and with history', async () => {
    await fetchChart('p 1');
    await fetchChart('p 1', { asOf: '2026-11-30' });
    await fetchChart('p 1', { asOf: '2026-11-30', history: true });
    expect(fetchMock.mock.calls.map(([u]) => String(u))).toEqual([
      '/api/patients/p%201/chart',
      '/api/patients/p%201/chart?asOf=2026-11-30',
      '/api/patients/p%201/chart?asOf=2026-11-30&history=true',
    ]);
  });

  it('keys every view under the patient, so one invalidation refetches them all', async () => {
    const client = new QueryClient();
    client.setQueryData(chartKeys.view('p-1', {}), { entries: [] });
    client.setQueryData(chartKeys.view('p-1', { history: true }), { entries: [] });
    client.setQueryData(chartKeys.view('p-2', {}), { entries: [] });
    await client.invalidateQueries({ queryKey: chartKeys.all('p-1') });
    const stale = client
      .getQueryCache()
      .getAll()
      .filter((q) => q.state.isInvalidated)
      .map((q) => q.queryKey[1]);
    expect(stale).toEqual(['p-1', 'p-1']);
  });

  it('knows which statuses go with which kind', () => {
    expect(statusesFor('caries')).toEqual(['condition']);
    expect(statusesFor('filling')).toEqual(['existing', 'planned', 'completed']);
    expect(statusesFor('extraction')).toEqual(['planned', 'completed']);
    expect(statusesFor('procedure')).toEqual(['planned', 'completed']);
    expect(statusesFor('')).toEqual([]);
  });

  it('finds missing and extracted teeth, not planned extractions', () => {
    const e = (tooth: string, kind: ChartEntry['kind'], status: ChartEntry['status'], supersededBy: string | null = null) =>
      ({ id: tooth + kind, tooth, kind, status, supersededBy }) as ChartEntry;
    expect(
      [...missingTeeth([e('1', 'missing', 'condition'), e('16', 'extraction', 'completed'), e('17', 'extraction', 'planned'), e('32', 'missing', 'condition', 'x')])],
    ).toEqual(['1', '16']);
  });
});
