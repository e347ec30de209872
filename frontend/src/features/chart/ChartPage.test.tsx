import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChartEntry } from '../../api/chart';
import { resetApiClient } from '../../lib/api';
import { CLINIC, makeUser, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import ChartPage from './ChartPage';

const PATIENT = {
  id: 'p-1',
  firstName: 'Jordan',
  lastName: 'Avery',
  dateOfBirth: '1988-04-12',
  status: 'active',
  allergyAlert: true,
  allergies: [{ substance: 'Penicillin', severity: 'severe' }],
  medications: [],
  conditions: [],
};

const existing: ChartEntry = {
  id: 'e-1',
  patientId: 'p-1',
  tooth: '14',
  fdi: '26',
  surfaces: ['M', 'O'],
  kind: 'filling',
  status: 'existing',
  code: 'D2392',
  recordedAt: '2026-10-01T14:00:00Z',
  supersedes: null,
  supersededBy: null,
};

describe('ChartPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let entries: ChartEntry[];
  let posts: Record<string, unknown>[];
  let answer: 'ok' | '400' | '422';

  beforeEach(() => {
    resetApiClient();
    entries = [existing];
    posts = [];
    answer = 'ok';
    useSessionStore.setState({ status: 'signedIn', user: makeUser('dentist'), clinic: { ...CLINIC, settings: { ...CLINIC.settings, toothNumbering: 'universal' } } });
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1': PATIENT,
        'GET /api/patients/p-1/chart': (url: URL) =>
          jsonResponse({
            entries: url.searchParams.get('asOf') ? [] : entries,
            asOf: url.searchParams.get('asOf'),
            numbering: 'universal',
          }),
        'POST /api/patients/p-1/chart/entries': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
          posts.push(body);
          if (answer === '400') {
            return jsonResponse(
              { error: { code: 'invalid', message: 'validation failed', requestId: 'r-400', fields: [{ field: 'surfaces', message: 'caries needs a surface' }] } },
              400,
            );
          }
          if (answer === '422') {
            return jsonResponse({ error: { code: 'unprocessable', message: 'tooth 3 is missing: chart it as present first', requestId: 'r-422' } }, 422);
          }
          const saved: ChartEntry = {
            id: `e-${posts.length + 1}`,
            patientId: 'p-1',
            fdi: '16',
            recordedAt: '2026-11-30T15:00:00Z',
            supersedes: null,
            supersededBy: null,
            ...(body as Pick<ChartEntry, 'tooth' | 'surfaces' | 'kind' | 'status'>),
          };
          entries = [...entries, saved];
          return jsonResponse(saved, 201);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  function renderPage() {
    return renderWithQuery(
      <MemoryRouter initialEntries={['/patients/p-1/chart']}>
        <Routes>
          <Route path="/patients/:id/chart" element={<ChartPage />} />
        </Routes>
      </MemoryRouter>,
    );
  }

  it('charts caries on a clicked surface; the entry is on the tooth and in the table at once', async () => {
    const user = userEvent.setup();
    const { container } = renderPage();
    expect(await screen.findByRole('heading', { level: 1, name: /Chart — Jordan Avery/ })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Penicillin');
    await screen.findByRole('button', { name: 'Tooth 14, upper left first molar: filling on MO (existing)' });
    const table = screen.getByRole('table');
    expect(within(table).getByText('D2392')).toBeInTheDocument();

    await user.click(container.querySelector('[data-tooth="3"] [data-surface="O"]')!);
    const dialog = screen.getByRole('dialog', { name: 'Tooth 3 — upper right first molar' });
    expect(within(dialog).getByRole('checkbox', { name: /O occlusal/ })).toBeChecked();
    // Only a posterior's surfaces.
    expect(within(dialog).getAllByRole('checkbox').map((c) => (c as HTMLInputElement).value)).toEqual(['M', 'O', 'D', 'B', 'L']);
    await user.selectOptions(within(dialog).getByLabelText('What'), 'caries');
    expect(within(dialog).getByRole('radio', { name: 'Condition' })).toBeChecked();
    await user.click(within(dialog).getByRole('button', { name: 'Save to chart' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(posts).toEqual([{ tooth: '3', surfaces: ['O'], kind: 'caries', status: 'condition' }]);
    expect(await screen.findByRole('button', { name: 'Tooth 3, upper right first molar: caries on O (condition)' })).toHaveFocus();
    expect(within(screen.getByRole('table')).getByText('Caries')).toBeInTheDocument();
  });

  it('by keyboard: arrows to the tooth, Enter, surfaces and kind, save; Escape closes without saving', async () => {
    const user = userEvent.setup();
    renderPage();
    const first = await screen.findByRole('button', { name: /^Tooth 1,/ });
    first.focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('dialog', { name: /Tooth 1/ })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(first).toHaveFocus();

    await user.keyboard('{ArrowRight}{ArrowRight}{ArrowRight}{Enter}');
    const dialog = screen.getByRole('dialog', { name: 'Tooth 4 — upper right second premolar' });
    // Focus starts on the first surface.
    expect(within(dialog).getByRole('checkbox', { name: /M mesial/ })).toHaveFocus();
    await user.keyboard(' '); // M
    await user.tab();
    await user.keyboard(' '); // O
    await user.tab({ shift: true });
    expect(within(dialog).getByRole('checkbox', { name: /M mesial/ })).toBeChecked();
    await user.selectOptions(within(dialog).getByLabelText('What'), 'filling');
    await user.click(within(dialog).getByRole('radio', { name: 'Planned' }));
    await user.type(within(dialog).getByLabelText('Procedure code (optional)'), 'D2392');
    within(dialog).getByRole('button', { name: 'Save to chart' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ tooth: '4', surfaces: ['M', 'O'], kind: 'filling', status: 'planned', code: 'D2392' });
  });

  it('shows the server’s field errors and the 422 message in the dialog', async () => {
    const user = userEvent.setup();
    renderPage();
    (await screen.findByRole('button', { name: /^Tooth 1,/ })).focus();
    await user.keyboard('{ArrowRight}{ArrowRight}{Enter}');
    let dialog = screen.getByRole('dialog', { name: /Tooth 3/ });
    await user.click(within(dialog).getByRole('button', { name: 'Save to chart' }));
    // Nothing chosen: said so before anything is sent.
    expect(within(dialog).getByText('Choose what to chart.')).toBeInTheDocument();
    expect(posts).toHaveLength(0);

    answer = '400';
    await user.selectOptions(within(dialog).getByLabelText('What'), 'caries');
    await user.click(within(dialog).getByRole('button', { name: 'Save to chart' }));
    expect(await within(dialog).findByText('caries needs a surface')).toBeInTheDocument();
    expect(within(dialog).getByRole('group', { name: 'Surfaces' })).toHaveAccessibleDescription('caries needs a surface');

    answer = '422';
    await user.selectOptions(within(dialog).getByLabelText('What'), 'filling');
    await user.click(within(dialog).getByRole('radio', { name: 'Existing' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save to chart' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('tooth 3 is missing: chart it as present first');
    expect(alert).toHaveTextContent('r-422');
    dialog = screen.getByRole('dialog', { name: /Tooth 3/ });
    expect(dialog).toBeInTheDocument();
  });

  it('shows the chart as of a past date, read-only', async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findByRole('button', { name: /^Tooth 14, upper left first molar: filling/ });
    const date = screen.getByLabelText('Chart as of');
    fireEvent.change(date, { target: { value: '2026-01-15' } });
    expect(await screen.findByText(/Showing the chart as it was at the end of/)).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Tooth 14, upper left first molar: nothing charted' })).toBeInTheDocument();
    expect(screen.getByText(/Nothing was charted by the end of/)).toBeInTheDocument();
    const asOfCall = fetchMock.mock.calls.find(([u]) => String(u).includes('asOf=2026-01-15'));
    expect(asOfCall).toBeDefined();
    await user.click(screen.getByRole('button', { name: 'Back to today' }));
    expect(await screen.findByRole('button', { name: /^Tooth 14, upper left first molar: filling/ })).toBeInTheDocument();
  });

  it('is not for the front desk', () => {
    useSessionStore.setState({ user: makeUser('receptionist') });
    renderPage();
    expect(screen.getByText(/for the dentists, hygienists and assistants/)).toBeInTheDocument();
  });
});
