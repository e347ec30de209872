import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Plan } from '../../api/plans';
import type { ProcedureCode } from '../../api/procedureCodes';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import PlansPage from './PlansPage';

const PATIENT = {
  id: 'p-1',
  firstName: 'Jordan',
  lastName: 'Avery',
  dateOfBirth: '1986-04-12',
  status: 'active',
  allergyAlert: true,
  allergies: [{ substance: 'Penicillin', severity: 'severe' }],
  medications: [],
  conditions: [],
};

const CODES: ProcedureCode[] = [
  { id: 'c1', code: 'D2740', description: 'Crown - porcelain/ceramic', category: 'major', feeCents: 120000, active: true },
  { id: 'c2', code: 'D2160', description: 'Amalgam - three surfaces', category: 'basic', feeCents: 18550, active: true },
  { id: 'c3', code: 'D0120', description: 'Periodic oral evaluation', category: 'diagnostic', feeCents: 6500, active: true },
];

function plan(extra: Partial<Plan> = {}): Plan {
  return {
    id: 'tp-1',
    patientId: 'p-1',
    title: 'Crown on 19',
    status: 'presented',
    groupId: 'g-1',
    items: [
      { id: 'i1', code: 'D2740', description: 'Crown - porcelain/ceramic', category: 'major', tooth: '19', surfaces: [], feeCents: 120000, priority: 1, phase: 1, status: 'planned', completedAt: null },
    ],
    totalCents: 120000,
    estimate: null,
    estimateStatus: 'not_estimated',
    acceptance: null,
    createdAt: '2031-01-01T10:00:00Z',
    presentedAt: '2031-01-01T11:00:00Z',
    ...extra,
  };
}

function renderPage() {
  return renderWithQuery(
    <MemoryRouter initialEntries={['/patients/p-1/plans']}>
      <Routes>
        <Route path="/patients/:id/plans" element={<PlansPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('PlansPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let plans: Plan[];
  let posts: { url: string; body: unknown }[];
  let acceptStatus: number;

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('dentist'), clinic: { ...CLINIC, settings: { ...CLINIC.settings, currency: 'USD' } } });
    plans = [];
    posts = [];
    acceptStatus = 200;
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1': PATIENT,
        'GET /api/patients/p-1/treatment-plans': () => jsonResponse({ items: plans }),
        'GET /api/procedure-codes': (url: URL) => {
          const q = (url.searchParams.get('q') ?? '').toLowerCase();
          return jsonResponse({ items: CODES.filter((c) => `${c.code} ${c.description}`.toLowerCase().includes(q)) });
        },
        'POST /api/patients/p-1/treatment-plans': (url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body));
          posts.push({ url: url.pathname, body });
          const created = plan({ id: 'tp-2', status: 'draft', title: body.title, presentedAt: null, createdAt: '2031-01-02T10:00:00Z' });
          plans = [created, ...plans];
          return jsonResponse(created, 201);
        },
        'POST /api/treatment-plans/tp-1/accept': (url: URL, init: RequestInit | undefined) => {
          posts.push({ url: url.pathname, body: JSON.parse(String(init?.body)) });
          if (acceptStatus === 400) {
            return jsonResponse(
              { error: { code: 'invalid', message: 'Some details need attention.', requestId: 'r-1', fields: [{ field: 'signature', message: 'must match the patient’s name' }] } },
              400,
            );
          }
          const accepted = plan({ status: 'accepted', acceptance: { signature: 'Jordan Avery', at: '2031-01-03T10:00:00Z', role: 'dentist' } });
          plans = plans.map((p) => (p.id === 'tp-1' ? accepted : p));
          return jsonResponse(accepted);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('builds a plan: totals per phase and overall update live; the estimate reads "Not estimated", never $0', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'New treatment plan' }));
    const builder = screen.getByRole('region', { name: 'New treatment plan' });
    await user.type(within(builder).getByLabelText('Title'), 'Restore the lower left');

    const search = within(builder).getByRole('combobox', { name: 'Add a procedure' });
    await user.type(search, 'crown');
    await user.click(await within(builder).findByRole('option', { name: /D2740/ }));
    expect(within(builder).getByLabelText(/^Tooth \(Universal\)/)).toHaveFocus();
    await user.selectOptions(within(builder).getByLabelText(/^Tooth \(Universal\)/), '19');

    await user.type(search, 'amalgam');
    await user.click(await within(builder).findByRole('option', { name: /D2160/ }));
    const phases = within(builder).getAllByLabelText(/^Phase/);
    await user.selectOptions(phases[1]!, '2');

    const totals = within(builder).getByRole('region', { name: 'Totals' });
    expect(totals).toHaveTextContent('Phase 1 (1 procedure)$1,200.00');
    expect(totals).toHaveTextContent('Phase 2 (1 procedure)$185.50');
    expect(totals).toHaveTextContent('Total$1,385.50');
    expect(totals).toHaveTextContent('Insurance estimateNot estimated');
    expect(totals).not.toHaveTextContent('$0.00');

    await user.click(within(builder).getByRole('button', { name: 'Create plan' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]!.body).toEqual({
      title: 'Restore the lower left',
      items: [
        { code: 'D2740', tooth: '19', priority: 3, phase: 1 },
        { code: 'D2160', priority: 3, phase: 2 },
      ],
    });
  });

  it('offers a saved plan\'s insurance estimate (never a $0 that reads as "insurance pays nothing") and its total', async () => {
    plans = [plan()];
    renderPage();
    const option = await screen.findByRole('article', { name: /Crown on 19/ });
    expect(within(option).getByText('Insurance estimate')).toBeInTheDocument();
    expect(within(option).queryByText('Not estimated')).not.toBeInTheDocument();
    expect(within(option).queryByText('$0.00')).not.toBeInTheDocument();
    expect(within(option).getAllByText('$1,200.00').length).toBeGreaterThan(0);
    expect(within(option).getByText(/Tooth #19/)).toBeInTheDocument();
  });

  it('labels teeth in FDI when the clinic uses FDI', async () => {
    useSessionStore.getState().setSession({ ...me('dentist'), clinic: { ...CLINIC, settings: { ...CLINIC.settings, toothNumbering: 'fdi' } } });
    plans = [plan()];
    renderPage();
    const option = await screen.findByRole('article', { name: /Crown on 19/ });
    expect(within(option).getByText(/Tooth 36/)).toBeInTheDocument();
  });

  it('"Add an alternative" creates an option in the same group (alternativeTo)', async () => {
    const user = userEvent.setup();
    plans = [plan()];
    renderPage();
    await user.click(await screen.findByRole('button', { name: /Add an alternative/ }));
    const builder = screen.getByRole('region', { name: /Add an alternative to Plan/ });
    await user.type(within(builder).getByLabelText('Title'), 'Filling MOD on 19');
    await user.type(within(builder).getByRole('combobox', { name: 'Add a procedure' }), 'D2160');
    await within(builder).findByRole('option', { name: /D2160/ });
    await user.keyboard('{ArrowDown}{Enter}');
    await user.selectOptions(within(builder).getByLabelText(/^Tooth/), '19');
    for (const s of ['M', 'O', 'D']) await user.click(within(builder).getByRole('checkbox', { name: new RegExp(`^${s} \\(`) }));
    await user.click(within(builder).getByRole('button', { name: 'Create alternative' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]!.body).toMatchObject({
      title: 'Filling MOD on 19',
      alternativeTo: 'tp-1',
      items: [{ code: 'D2160', tooth: '19', surfaces: ['M', 'O', 'D'] }],
    });
  });

  it('records an acceptance only with the typed name, and shows the server\'s signature error', async () => {
    const user = userEvent.setup();
    plans = [plan({ id: 'tp-1' }), plan({ id: 'tp-b', title: 'Filling MOD on 19', createdAt: '2031-01-01T12:00:00Z' })];
    renderPage();
    await screen.findByRole('heading', { name: /2 options/ });
    const optionA = screen.getByRole('article', { name: /Option A/ });
    await user.click(within(optionA).getByRole('button', { name: /Record acceptance/ }));
    const dialog = screen.getByRole('dialog', { name: 'Record acceptance: Option A' });
    expect(dialog).toHaveTextContent('Accepting this option declines the other option: Option B (Filling MOD on 19)');

    await user.click(within(dialog).getByRole('button', { name: 'Record acceptance' }));
    expect(within(dialog).getByText('Type the patient’s full name to sign.')).toBeInTheDocument();
    expect(posts).toHaveLength(0);

    acceptStatus = 400;
    const input = within(dialog).getByLabelText(/Patient’s signature/);
    await user.type(input, 'J Avery');
    await user.click(within(dialog).getByRole('button', { name: 'Record acceptance' }));
    expect(await within(dialog).findByText('must match the patient’s name')).toBeInTheDocument();
    expect(input).toHaveAttribute('aria-invalid', 'true');

    acceptStatus = 200;
    await user.clear(input);
    await user.type(input, 'Jordan Avery');
    await user.click(within(dialog).getByRole('button', { name: 'Record acceptance' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(posts.at(-1)).toEqual({ url: '/api/treatment-plans/tp-1/accept', body: { signature: 'Jordan Avery' } });
    expect(await screen.findByText(/signed “Jordan Avery”/)).toBeInTheDocument();
  });

  it('hides building from an assistant, who only reads', async () => {
    useSessionStore.getState().setSession({ ...me('assistant'), clinic: CLINIC });
    plans = [plan()];
    renderPage();
    await screen.findByRole('article', { name: /Crown on 19/ });
    expect(screen.queryByRole('button', { name: 'New treatment plan' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Record acceptance/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Add an alternative/ })).not.toBeInTheDocument();
  });
});
