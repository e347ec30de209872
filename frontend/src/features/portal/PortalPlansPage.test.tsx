import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Plan } from '../../api/plans';
import type { Prescription } from '../../api/prescriptions';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import PortalPlansPage from './PortalPlansPage';
import PortalPrescriptionsPage from './PortalPrescriptionsPage';

function plan(extra: Partial<Plan>): Plan {
  return {
    id: 'tp-a',
    patientId: 'p-1',
    title: 'Crown on 19',
    status: 'presented',
    groupId: 'g-1',
    items: [
      { id: 'i1', code: 'D2740', description: 'Crown - porcelain/ceramic', category: 'major', tooth: '19', surfaces: [], feeCents: 120000, priority: 1, phase: 1, status: 'planned' },
    ],
    totalCents: 120000,
    estimate: null,
    estimateStatus: 'not_estimated',
    acceptance: null,
    createdAt: '2031-01-01T10:00:00Z',
    ...extra,
  };
}

describe('PortalPlansPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let plans: Plan[];
  let accepts: unknown[];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('patient'), clinic: CLINIC });
    plans = [
      plan({ id: 'tp-b', title: 'Filling MOD on 19', createdAt: '2031-01-01T11:00:00Z', totalCents: 18550, items: [
        { id: 'i2', code: 'D2160', description: 'Amalgam - three surfaces', category: 'basic', tooth: '19', surfaces: ['M', 'O', 'D'], feeCents: 18550, priority: 1, phase: 1, status: 'planned' },
      ] }),
      plan({}),
    ];
    accepts = [];
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1/treatment-plans': () => jsonResponse({ items: plans }),
        'POST /api/treatment-plans/tp-b/accept': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body));
          accepts.push(body);
          if (body.signature !== 'Grace Kim') {
            return jsonResponse({ error: { code: 'invalid', message: 'Some details need attention.', requestId: 'r', fields: [{ field: 'signature', message: 'Type your name as on your record' }] } }, 400);
          }
          plans = plans.map((p) =>
            p.id === 'tp-b'
              ? { ...p, status: 'accepted', acceptance: { signature: body.signature, at: '2031-01-02T10:00:00Z', role: 'patient' } }
              : { ...p, status: 'rejected', rejectedAt: '2031-01-02T10:00:00Z' },
          );
          return jsonResponse(plans.find((p) => p.id === 'tp-b'));
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('shows the options with totals and "Not estimated", and accepts one with a typed signature; the other shows declined', async () => {
    const user = userEvent.setup();
    renderWithQuery(
      <MemoryRouter>
        <PortalPlansPage />
      </MemoryRouter>,
    );
    await screen.findByRole('heading', { name: '2 options for your treatment' });
    const a = screen.getByRole('article', { name: /Option A: Crown on 19/ });
    const b = screen.getByRole('article', { name: /Option B: Filling MOD on 19/ });
    expect(within(a).getByText('Not estimated')).toBeInTheDocument();
    expect(within(b).getByText(/Tooth #19 · Surfaces MOD/)).toBeInTheDocument();
    expect(within(b).getAllByText('$185.50').length).toBeGreaterThan(0);
    expect(screen.queryByText('$0.00')).not.toBeInTheDocument();

    await user.click(within(b).getByRole('button', { name: /Accept this option/ }));
    const form = within(b).getByRole('form', { name: 'Accept Option B' });
    expect(form).toHaveTextContent('Accepting this option declines the other option: Option A (Crown on 19)');
    await user.click(within(form).getByRole('button', { name: 'Accept and sign' }));
    expect(within(form).getByText('Type your full name to sign.')).toBeInTheDocument();
    expect(accepts).toHaveLength(0);

    const input = within(form).getByLabelText('Type your full name to sign');
    await user.type(input, 'Grace');
    await user.click(within(form).getByRole('button', { name: 'Accept and sign' }));
    expect(await within(form).findByText('Type your name as on your record')).toBeInTheDocument();

    await user.type(input, ' Kim');
    await user.click(within(form).getByRole('button', { name: 'Accept and sign' }));
    await waitFor(() => expect(accepts).toEqual([{ signature: 'Grace' }, { signature: 'Grace Kim' }]));
    await waitFor(() => expect(within(screen.getByRole('article', { name: /Option A/ })).getByText('Declined')).toBeInTheDocument());
    const accepted = screen.getByRole('article', { name: /Option B/ });
    expect(within(accepted).getByText('Accepted')).toBeInTheDocument();
    expect(accepted).toHaveTextContent('signed “Grace Kim”');
    expect(screen.queryByRole('button', { name: /Accept this option/ })).not.toBeInTheDocument();
  });
});

describe('PortalPrescriptionsPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists the active prescriptions', async () => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('patient'), clinic: CLINIC });
    const rx: Prescription = {
      id: 'rx-1', patientId: 'p-1', drug: 'Ibuprofen', strength: '400 mg', form: 'tablet', sig: 'Take 1 tablet every 6 hours as needed',
      quantity: 20, refills: 0, status: 'active', prescriberId: 'u', prescribedAt: '2031-01-01T15:00:00Z', override: null,
    };
    let asked = '';
    vi.stubGlobal('fetch', vi.fn(routeFetch({
      'GET /api/patients/p-1/prescriptions': (url: URL) => {
        asked = url.search;
        return jsonResponse({ items: [rx] });
      },
    })));
    renderWithQuery(
      <MemoryRouter>
        <PortalPrescriptionsPage />
      </MemoryRouter>,
    );
    expect(await screen.findByRole('heading', { name: /Ibuprofen 400 mg/ })).toBeInTheDocument();
    expect(screen.getByText(/No refills/)).toBeInTheDocument();
    expect(asked).toBe('?status=active');
  });
});
