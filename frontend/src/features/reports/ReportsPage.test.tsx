import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import { useSessionStore } from '../../lib/session';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import ReportsPage from './ReportsPage';

const APPOINTMENTS = {
  rows: [
    { date: '2031-01-06', booked: 4, completed: 1, noShows: 1, cancelled: 2, lateCancels: 1, completionRate: 0.25, noShowRate: 0.25, lateCancelRate: 0.25 },
    { date: '2031-01-07', booked: 0, completed: 0, noShows: 0, cancelled: 0, lateCancels: 0, completionRate: null, noShowRate: null, lateCancelRate: null },
  ],
  totals: { booked: 4, completed: 1, noShows: 1, cancelled: 2, lateCancels: 1, completionRate: 0.25, noShowRate: 0.25, lateCancelRate: 0.25 },
};

const PRODUCTION = {
  rows: [{ providerId: 'pa', provider: 'Dr Avery', category: 'basic', procedures: 2, amountCents: 25000 }],
  totals: { procedures: 2, amountCents: 25000, byProvider: {}, byCategory: {} },
};

function renderPage(path: string) {
  return renderWithQuery(
    <MemoryRouter initialEntries={[path]}>
      <ReportsPage />
    </MemoryRouter>,
  );
}

describe('ReportsPage', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  let asked: URL[];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession(me('dentist'));
    asked = [];
    fetchMock = vi.fn(
      routeFetch({
        'GET /api/reports/appointments': (url: URL, init: RequestInit | undefined) => {
          asked.push(url);
          const accept = new Headers(init?.headers).get('Accept');
          if (accept === 'text/csv') return new Response('date,booked\r\n2031-01-06,4\r\n', { headers: { 'Content-Type': 'text/csv' } });
          return jsonResponse(APPOINTMENTS);
        },
        'GET /api/reports/production': PRODUCTION,
        'GET /api/reports/recall': () =>
          jsonResponse({ error: { code: 'invalid', message: 'invalid', requestId: 'r1', fields: [{ field: 'to', message: 'must be at most 366 days after from (inclusive)' }] } }, 400),
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('shows the rows as a table with a caption, words for numbers and a totals row', async () => {
    renderPage('/reports?report=appointments&from=2031-01-06&to=2031-01-07');
    const table = await screen.findByRole('table', { name: /Appointments, Jan 6/ });
    const rows = within(table).getAllByRole('row');
    // Header, two days, totals.
    expect(rows).toHaveLength(4);
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Date', 'Booked', 'Completed', 'No-shows', 'Cancelled', 'Late cancels', 'Completion rate', 'No-show rate', 'Late-cancel rate',
    ]);
    expect(rows[1]).toHaveTextContent('2031-01-06');
    expect(rows[1]).toHaveTextContent('25%');
    // A rate over nothing is unknown, not 0%.
    expect(within(rows[2]!).getAllByRole('cell')[5]).toHaveTextContent('—');
    expect(rows[3]).toHaveTextContent(/^Total/);
    expect(asked[0]!.searchParams.get('from')).toBe('2031-01-06');
    expect(asked[0]!.searchParams.get('to')).toBe('2031-01-07');
  });

  it('formats money and leaves out the ids', async () => {
    renderPage('/reports?report=production&from=2031-01-01&to=2031-01-31');
    const table = await screen.findByRole('table');
    expect(table).toHaveTextContent('Dr Avery');
    expect(table).toHaveTextContent('$250.00');
    expect(table).not.toHaveTextContent('pa');
  });

  it('downloads the CSV with Accept: text/csv as a file', async () => {
    const created: Blob[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn((b: Blob) => (created.push(b), 'blob:csv')), revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe('appointments-2031-01-06-2031-01-07.csv');
    });
    renderPage('/reports?report=appointments&from=2031-01-06&to=2031-01-07');
    await userEvent.click(await screen.findByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(click).toHaveBeenCalledOnce());
    const csvCall = fetchMock.mock.calls.find(([, init]) => new Headers((init as RequestInit | undefined)?.headers).get('Accept') === 'text/csv');
    expect(String(csvCall![0])).toBe('/api/reports/appointments?from=2031-01-06&to=2031-01-07');
    expect(await created[0]!.text()).toMatch(/^date,booked/);
    click.mockRestore();
  });

  it('checks the period before asking and shows the server’s field errors at the fields', async () => {
    renderPage('/reports?report=appointments&from=2031-02-01&to=2031-01-01');
    expect(await screen.findByText('Must not be before the start date.')).toBeInTheDocument();
    expect(asked).toHaveLength(0);
    expect(screen.getByLabelText('To')).toHaveAttribute('aria-invalid', 'true');

    renderPage('/reports?report=recall&from=2030-01-01&to=2031-06-01');
    expect(await screen.findByText('must be at most 366 days after from (inclusive)')).toBeInTheDocument();
  });

  it('the presets set the period', async () => {
    renderPage('/reports?report=appointments&from=2031-01-06&to=2031-01-07');
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('button', { name: 'This month' }));
    const from = screen.getByLabelText('From') as HTMLInputElement;
    expect(from.value).toMatch(/-01$/);
    await userEvent.click(screen.getByRole('button', { name: 'Last 30 days' }));
    const to = (screen.getByLabelText('To') as HTMLInputElement).value;
    const days = (Date.parse(to) - Date.parse(from.value)) / 86_400_000;
    expect(days).toBe(29);
  });
});
