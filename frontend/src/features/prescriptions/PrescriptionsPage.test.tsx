import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Prescription } from '../../api/prescriptions';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import PrescriptionsPage from './PrescriptionsPage';

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

const WARNING = 'Jordan Avery has a recorded severe allergy to Penicillin: amoxicillin is a penicillin';

function rx(extra: Partial<Prescription> = {}): Prescription {
  return {
    id: 'rx-1',
    patientId: 'p-1',
    drug: 'Ibuprofen',
    strength: '400 mg',
    form: 'tablet',
    sig: 'Take 1 tablet every 6 hours as needed for pain',
    quantity: 20,
    refills: 0,
    reason: 'Post-extraction pain',
    status: 'active',
    prescriberId: 'u-dentist',
    prescribedAt: '2031-01-01T15:00:00Z',
    override: null,
    ...extra,
  };
}

function renderPage() {
  return renderWithQuery(
    <MemoryRouter initialEntries={['/patients/p-1/prescriptions']}>
      <Routes>
        <Route path="/patients/:id/prescriptions" element={<PrescriptionsPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

async function fillAmoxicillin(user: ReturnType<typeof userEvent.setup>) {
  const form = await screen.findByRole('form', { name: 'New prescription' });
  await user.type(within(form).getByLabelText('Drug'), 'Amoxicillin');
  await user.type(within(form).getByLabelText('Strength'), '500 mg');
  await user.selectOptions(within(form).getByLabelText('Form'), 'capsule');
  await user.type(within(form).getByLabelText('Directions (sig)'), 'Take 1 capsule 3 times a day for 7 days');
  await user.type(within(form).getByLabelText('Quantity'), '21');
  await user.type(within(form).getByLabelText('Reason'), 'Infection');
  return form;
}

describe('PrescriptionsPage', () => {
  const fetchMock = vi.fn<typeof fetch>();
  let items: Prescription[];
  let posts: unknown[];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('dentist'), clinic: CLINIC });
    items = [];
    posts = [];
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/patients/p-1': PATIENT,
        'GET /api/providers': { items: [{ id: 'pr-1', name: 'Dr. Grace Kim', userId: 'u-dentist', active: true }] },
        'GET /api/patients/p-1/prescriptions': () => jsonResponse({ items }),
        'POST /api/patients/p-1/prescriptions': (_url: URL, init: RequestInit | undefined) => {
          const body = JSON.parse(String(init?.body));
          posts.push(body);
          if (/amoxicillin/i.test(body.drug) && !body.override) {
            return jsonResponse(
              { error: { code: 'unprocessable', message: WARNING, requestId: 'r-422', fields: [{ field: 'drug', message: 'allergy: Penicillin' }] } },
              422,
            );
          }
          const created = rx({ id: `rx-${posts.length}`, ...body, override: body.override ? { reason: body.override.reason, allergies: ['Penicillin'] } : null });
          items = [created, ...items];
          return jsonResponse(created, 201);
        },
        'POST /api/prescriptions/rx-1/discontinue': (_url: URL, init: RequestInit | undefined) => {
          posts.push(JSON.parse(String(init?.body)));
          items = items.map((i) => (i.id === 'rx-1' ? { ...i, status: 'discontinued' as const, discontinuedAt: '2031-01-02T10:00:00Z' } : i));
          return jsonResponse(items[0]);
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('shows the allergy warning first; overriding needs a reason and resubmits with override', async () => {
    const user = userEvent.setup();
    renderPage();
    const form = await fillAmoxicillin(user);
    await user.click(within(form).getByRole('button', { name: 'Prescribe' }));

    const warning = await within(form).findByRole('alert');
    expect(warning).toHaveTextContent('Allergy warning');
    expect(warning).toHaveTextContent(WARNING);
    expect(warning).toHaveFocus();
    expect(items).toHaveLength(0);
    expect(within(form).getByRole('button', { name: 'Prescribe' })).toBeDisabled();

    await user.click(within(warning).getByRole('button', { name: 'Prescribe anyway' }));
    const reason = within(form).getByLabelText('Reason for prescribing despite the allergy');
    expect(reason).toHaveFocus();
    await user.click(within(form).getByRole('button', { name: 'Prescribe anyway' }));
    expect(within(form).getByText('Give the reason for prescribing despite the allergy.')).toBeInTheDocument();
    expect(posts).toHaveLength(1);

    await user.type(reason, 'Allergy disputed; tolerated amoxicillin in 2029 under observation');
    await user.click(within(form).getByRole('button', { name: 'Prescribe anyway' }));
    await waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[1]).toEqual({
      drug: 'Amoxicillin',
      strength: '500 mg',
      form: 'capsule',
      sig: 'Take 1 capsule 3 times a day for 7 days',
      quantity: 21,
      refills: 0,
      reason: 'Infection',
      override: { reason: 'Allergy disputed; tolerated amoxicillin in 2029 under observation' },
    });
    const active = await screen.findByRole('region', { name: /Active \(1\)/ });
    expect(active).toHaveTextContent('Prescribed despite an allergy warning.');
  });

  it('changing the drug clears the warning; a safe drug is prescribed and printed', async () => {
    const user = userEvent.setup();
    const print = vi.fn();
    vi.stubGlobal('print', print);
    renderPage();
    const form = await fillAmoxicillin(user);
    await user.click(within(form).getByRole('button', { name: 'Prescribe' }));
    await within(form).findByRole('alert');
    const drug = within(form).getByLabelText('Drug');
    await user.clear(drug);
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
    await user.type(drug, 'Ibuprofen');
    await user.click(within(form).getByRole('button', { name: 'Prescribe' }));
    await waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[1]).not.toHaveProperty('override');

    await user.click(await screen.findByRole('button', { name: 'Print prescription' }));
    expect(print).toHaveBeenCalledTimes(1);
    const sheet = document.querySelector('.rx-print')!;
    expect(sheet).toHaveTextContent(CLINIC.name);
    expect(sheet).toHaveTextContent('Jordan Avery');
    expect(sheet).toHaveTextContent('1986-04-12');
    expect(sheet).toHaveTextContent('Ibuprofen');
    expect(sheet).toHaveTextContent('Capsule');
    expect(sheet).toHaveTextContent('Quantity21');
    expect(sheet).toHaveTextContent('Prescriber: Dr. Grace Kim');
    expect(sheet).toHaveTextContent('Signature');
  });

  it('checks the fields before sending', async () => {
    const user = userEvent.setup();
    renderPage();
    const form = await screen.findByRole('form', { name: 'New prescription' });
    await user.click(within(form).getByRole('button', { name: 'Prescribe' }));
    expect(within(form).getByText('Enter the drug.')).toBeInTheDocument();
    expect(within(form).getByLabelText('Drug')).toHaveFocus();
    await user.clear(within(form).getByLabelText('Refills'));
    await user.type(within(form).getByLabelText('Refills'), '12');
    await user.click(within(form).getByRole('button', { name: 'Prescribe' }));
    expect(within(form).getByText('Enter a whole number from 0 to 11.')).toBeInTheDocument();
    expect(posts).toHaveLength(0);
  });

  it('discontinues an active prescription; an admin only reads', async () => {
    const user = userEvent.setup();
    items = [rx()];
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Discontinue Ibuprofen 400 mg' }));
    const dialog = screen.getByRole('dialog', { name: 'Discontinue Ibuprofen 400 mg?' });
    await user.type(within(dialog).getByLabelText('Reason (optional)'), 'Pain resolved');
    await user.click(within(dialog).getByRole('button', { name: 'Discontinue' }));
    await waitFor(() => expect(posts).toEqual([{ reason: 'Pain resolved' }]));
    expect(await screen.findByRole('region', { name: /Discontinued \(1\)/ })).toHaveTextContent('Ibuprofen');
  });

  it('hides prescribing from an admin', async () => {
    useSessionStore.getState().setSession({ ...me('admin'), clinic: CLINIC });
    items = [rx()];
    renderPage();
    await screen.findByRole('region', { name: /Active \(1\)/ });
    expect(screen.queryByRole('form', { name: 'New prescription' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Discontinue/ })).not.toBeInTheDocument();
  });
});
