import { screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { useSessionStore } from '../../lib/session';
import { addDays, todayInZone } from '../../lib/time';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import DashboardPage from './DashboardPage';
import type { LineChartInput } from './drawChart';

// jsdom draws no canvas: the Chart.js drawing is stood in for, and what it is given is checked.
const charts = vi.hoisted(() => [] as { canvas: HTMLCanvasElement; input: LineChartInput }[]);
vi.mock('./drawChart', () => ({
  drawLineChart: vi.fn(async (canvas: HTMLCanvasElement, input: LineChartInput) => {
    charts.push({ canvas, input });
    return { destroy() {} };
  }),
}));

const today = todayInZone('America/New_York');
const days = Array.from({ length: 30 }, (_, i) => addDays(today, i - 29));

describe('DashboardPage', () => {
  let asked: URL[];
  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('admin'));
    charts.length = 0;
    asked = [];
    const log = (body: unknown) => (url: URL) => (asked.push(url), jsonResponse(body));
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/reports/appointments': log({
            rows: days.map((date, i) => ({ date, booked: i === 29 ? 12 : 3, noShows: i === 29 ? 2 : 0 })),
            totals: {},
          }),
          'GET /api/reports/production-daily': log({ rows: days.map((date, i) => ({ date, procedures: 1, amountCents: i === 29 ? 45050 : 1000 })), totals: {} }),
          'GET /api/reports/new-patients': log({ rows: days.map((date, i) => ({ date, newPatients: i === 29 ? 3 : 1 })), totals: {} }),
        }),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shows today’s numbers from the last row of each per-day report over the last 30 days', async () => {
    renderWithQuery(
      <MemoryRouter>
        <DashboardPage />
      </MemoryRouter>,
    );
    const today = await screen.findByRole('region', { name: 'Today' });
    const tile = (name: string) => within(today).getByText(name).nextElementSibling;
    expect(tile('Appointments today')).toHaveTextContent('12');
    expect(tile('No-shows')).toHaveTextContent('2');
    expect(tile('Production')).toHaveTextContent('$450.50');
    expect(tile('New patients')).toHaveTextContent('3');
    for (const u of asked) {
      expect(u.searchParams.get('from')).toBe(days[0]);
      expect(u.searchParams.get('to')).toBe(days[29]);
    }
  });

  it('draws a chart per trend (Chart.js loaded on demand) with a data table behind each', async () => {
    renderWithQuery(
      <MemoryRouter>
        <DashboardPage />
      </MemoryRouter>,
    );
    await waitFor(() => expect(charts.length).toBeGreaterThanOrEqual(4));
    const production = charts.find((c) => c.canvas.getAttribute('aria-label')?.startsWith('Production'))!;
    expect(production.input.values.at(-1)).toBe(45050);
    expect(production.input.kind).toBe('cents');
    expect(production.canvas.getAttribute('aria-label')).toBe('Production, last 30 days: $740.50 in all.');
    const tables = screen.getAllByRole('table', { hidden: true });
    expect(tables).toHaveLength(4);
    const noShows = screen.getByRole('table', { name: 'No-shows per day', hidden: true });
    // Header, 30 days, total.
    expect(within(noShows).getAllByRole('row', { hidden: true })).toHaveLength(32);
    expect(screen.getAllByText('Show data')).toHaveLength(4);
  });
});
