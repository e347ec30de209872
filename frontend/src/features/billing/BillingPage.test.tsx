import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Coverage, Invoice, Ledger, LedgerEntry } from '../../api/billing';
import { PatientTabs } from '../../components/PatientTabs';
import { resetApiClient } from '../../lib/api';
import type { Role } from '../../lib/types';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import BillingPage from './BillingPage';

const PATIENT = {
  id: 'p-1',
  firstName: 'Jordan',
  lastName: 'Avery',
  dateOfBirth: '1986-04-12',
  status: 'active',
  allergies: [],
  medications: [],
  conditions: [],
};

const entry = (e: Partial<LedgerEntry>): LedgerEntry => ({
  id: 'e',
  kind: 'charge',
  amountCents: 0,
  effectCents: 0,
  balanceCents: 0,
  at: '2031-01-10T15:00:00Z',
  description: '',
  ...e,
});

const CHARGE = entry({ id: 'e1', kind: 'charge', amountCents: 12500, effectCents: 12500, balanceCents: 12500, description: 'Zirconia crown', code: 'CRN-ZR', tooth: '19' });
const PAYMENT = entry({
  id: 'e2',
  kind: 'patient_payment',
  amountCents: 5000,
  effectCents: -5000,
  balanceCents: 7500,
  at: '2031-01-11T15:00:00Z',
  description: 'Payment',
  method: 'cheque',
  reference: '1042',
  refundedCents: 1000,
});

function ledger(extra: Partial<Ledger> = {}): Ledger {
  return {
    patientId: 'p-1',
    currency: 'USD',
    balanceCents: 7500,
    creditCents: 0,
    aging: { '0-30': 7500, '31-60': 0, '61-90': 0, '90+': 0 },
    items: [CHARGE, PAYMENT],
    ...extra,
  };
}

const INVOICE: Invoice = {
  id: 'inv-1',
  number: 'INV-000001',
  patientId: 'p-1',
  amountCents: 12500,
  paidCents: 5000,
  balanceCents: 7500,
  status: 'open',
  lines: [],
  createdAt: '2031-01-10T16:00:00Z',
  version: 2,
};

const COVERAGE: Coverage = {
  id: 'cov-1',
  patientId: 'p-1',
  planId: 'ip-1',
  plan: { id: 'ip-1', name: 'PPO Plus', carrier: { name: 'Delta Dental' } },
  priority: 'primary',
  subscriber: { name: 'Jordan Avery', dateOfBirth: '1986-04-12' },
  relationship: 'self',
  memberId: '••••1234',
  effectiveDate: '2020-01-01',
  usage: { benefitYear: { from: '2031-01-01', to: '2031-12-31' }, deductibleMetCents: 5000, maximumUsedCents: 30000 },
  version: 3,
};

function renderPage() {
  return renderWithQuery(
    <MemoryRouter initialEntries={['/patients/p-1/billing']}>
      <Routes>
        <Route path="/patients/:id/billing" element={<BillingPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('BillingPage', () => {
  let posts: { url: string; body: unknown }[];
  let invoiceStatus: number;
  let patchStatus: number;
  let current: Ledger;
  let paymentKeys: (string | null)[];

  beforeEach(() => {
    paymentKeys = [];
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('receptionist'), clinic: { ...CLINIC, settings: { ...CLINIC.settings, currency: 'USD' } } });
    posts = [];
    invoiceStatus = 201;
    patchStatus = 200;
    current = ledger();
    const record = (url: URL, init: RequestInit | undefined) => {
      const body = JSON.parse(String(init?.body ?? '{}'));
      posts.push({ url: url.pathname, body });
      return body;
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/patients/p-1': PATIENT,
          'GET /api/patients/p-1/ledger': () => jsonResponse(current),
          'GET /api/invoices': () => jsonResponse({ items: [INVOICE] }),
          'GET /api/patients/p-1/coverage': () => jsonResponse({ items: [COVERAGE] }),
          'GET /api/insurance/plans': { items: [] },
          'POST /api/patients/p-1/payments': (url: URL, init: RequestInit | undefined) => {
            const body = record(url, init);
            paymentKeys.push(new Headers(init?.headers).get('Idempotency-Key'));
            return jsonResponse(
              {
                payment: entry({ id: 'e3', kind: 'patient_payment', amountCents: body.amountCents, effectCents: -body.amountCents, method: body.method }),
                appliedCents: 7500,
                creditCents: body.amountCents - 7500,
                invoice: { ...INVOICE, paidCents: 12500, balanceCents: 0, status: 'paid' },
              },
              201,
            );
          },
          'POST /api/payments/e2/refund': (url: URL, init: RequestInit | undefined) => {
            record(url, init);
            return jsonResponse({ refund: entry({ id: 'e4', kind: 'refund', amountCents: 4000, effectCents: 4000 }), payment: PAYMENT }, 201);
          },
          'POST /api/patients/p-1/adjustments': (url: URL, init: RequestInit | undefined) => {
            const body = record(url, init);
            return jsonResponse(entry({ id: 'e5', kind: 'adjustment', amountCents: body.amountCents }), 201);
          },
          'POST /api/invoices': (url: URL, init: RequestInit | undefined) => {
            record(url, init);
            if (invoiceStatus === 422) {
              return jsonResponse({ error: { code: 'unprocessable', message: 'nothing to invoice', requestId: 'r-422' } }, 422);
            }
            return jsonResponse({ ...INVOICE, id: 'inv-2', number: 'INV-000002' }, 201);
          },
          'PATCH /api/coverage/cov-1': (url: URL, init: RequestInit | undefined) => {
            record(url, init);
            if (patchStatus === 409) return jsonResponse({ error: { code: 'conflict', message: 'stale version', requestId: 'r-409' } }, 409);
            return jsonResponse({ ...COVERAGE, terminationDate: '2031-01-31', version: 4 });
          },
        }),
      ),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  it('shows the balance, the aging buckets and the ledger oldest first with the running balance', async () => {
    renderPage();
    expect(await screen.findByTestId('balance')).toHaveTextContent('$75.00');
    const summary = screen.getByRole('region', { name: 'Account summary' });
    expect(summary).toHaveTextContent('0–30 days$75.00');
    expect(summary).toHaveTextContent('Over 90 days$0.00');
    expect(summary).not.toHaveTextContent('Credit');

    const rows = within(screen.getByRole('region', { name: 'Ledger entries' })).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Zirconia crown');
    expect(rows[0]).toHaveTextContent('CRN-ZR #19');
    expect(within(rows[0]!).getAllByRole('cell')[3]).toHaveTextContent('$125.00');
    expect(within(rows[0]!).getAllByRole('cell')[5]).toHaveTextContent('$125.00');
    expect(rows[1]).toHaveTextContent('Cheque · ref. 1042');
    expect(within(rows[1]!).getAllByRole('cell')[4]).toHaveTextContent('$50.00');
    expect(within(rows[1]!).getAllByRole('cell')[5]).toHaveTextContent('$75.00');
    // Only payments can be refunded.
    expect(within(rows[0]!).queryByRole('button', { name: /Refund/ })).not.toBeInTheDocument();

    const invoices = screen.getByRole('region', { name: 'Invoices' });
    expect(within(invoices).getByText('INV-000001')).toBeInTheDocument();
    expect(within(invoices).getByRole('link', { name: /Download PDF of INV-000001/ })).toHaveAttribute('href', '/api/invoices/inv-1/pdf');
    expect(screen.getByRole('link', { name: 'Statement PDF' })).toHaveAttribute('href', '/api/patients/p-1/statement');
  });

  it('shows a credit when the account has one', async () => {
    current = ledger({ balanceCents: -2500, creditCents: 2500 });
    renderPage();
    const summary = await screen.findByRole('region', { name: 'Account summary' });
    expect(summary).toHaveTextContent('Credit$25.00');
  });

  it('posts a cheque payment against the open invoice and shows what was applied and what became credit', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Post payment' }));
    const dialog = screen.getByRole('dialog', { name: 'Post a payment' });
    await user.click(within(dialog).getByRole('radio', { name: 'Cheque' }));
    await user.type(within(dialog).getByLabelText('Amount ($)'), '100');
    await user.type(within(dialog).getByLabelText('Cheque number'), '2001');
    expect(within(dialog).getByLabelText('Apply to invoice')).toHaveValue('inv-1');
    await user.click(within(dialog).getByRole('button', { name: 'Post payment' }));

    const done = await screen.findByRole('dialog', { name: 'Payment posted' });
    expect(posts.at(-1)).toEqual({
      url: '/api/patients/p-1/payments',
      body: { amountCents: 10000, method: 'cheque', reference: '2001', invoiceId: 'inv-1' },
    });
    expect(paymentKeys).toHaveLength(1);
    expect(paymentKeys[0]).toMatch(/^[\w-]{8,}$/);
    expect(done).toHaveTextContent('Applied$75.00');
    expect(done).toHaveTextContent('Credit$25.00');
    expect(done).toHaveTextContent('$25.00 was more than was due and is kept as a credit');
  });

  it('refuses a payment amount that is not money before asking the server', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Post payment' }));
    const dialog = screen.getByRole('dialog', { name: 'Post a payment' });
    await user.type(within(dialog).getByLabelText('Amount ($)'), '12.345');
    await user.click(within(dialog).getByRole('button', { name: 'Post payment' }));
    expect(within(dialog).getByText('Enter an amount such as 125.00')).toBeInTheDocument();
    expect(posts).toHaveLength(0);
  });

  it('refunds a payment: the amount defaults to what is still refundable, and a reason is required', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: /Refund \$50\.00 payment/ }));
    const dialog = screen.getByRole('dialog', { name: 'Refund a payment' });
    expect(within(dialog).getByLabelText('Amount to refund ($)')).toHaveValue('40.00');
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }));
    expect(within(dialog).getByText('Say why')).toBeInTheDocument();
    expect(posts).toHaveLength(0);

    await user.clear(within(dialog).getByLabelText('Amount to refund ($)'));
    await user.type(within(dialog).getByLabelText('Amount to refund ($)'), '45');
    await user.type(within(dialog).getByLabelText('Reason'), 'Overpaid');
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }));
    expect(within(dialog).getByText('At most $40.00 can be refunded')).toBeInTheDocument();

    await user.clear(within(dialog).getByLabelText('Amount to refund ($)'));
    await user.type(within(dialog).getByLabelText('Amount to refund ($)'), '40');
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Refund a payment' })).not.toBeInTheDocument());
    // The full refundable amount is the server's default: it is not sent.
    expect(posts).toEqual([{ url: '/api/payments/e2/refund', body: { reason: 'Overpaid' } }]);
  });

  it('an adjustment needs a reason', async () => {
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Adjustment' }));
    const dialog = screen.getByRole('dialog', { name: 'Post an adjustment' });
    await user.selectOptions(within(dialog).getByLabelText('Type'), 'write_off');
    await user.type(within(dialog).getByLabelText('Amount ($)'), '10');
    await user.click(within(dialog).getByRole('button', { name: 'Post adjustment' }));
    expect(within(dialog).getByText(/Say why/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Reason'), 'Small balance');
    await user.click(within(dialog).getByRole('button', { name: 'Post adjustment' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]!.body).toEqual({ amountCents: 1000, adjustmentType: 'write_off', reason: 'Small balance' });
  });

  it('says plainly when there is nothing to invoice (422)', async () => {
    invoiceStatus = 422;
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Create invoice' }));
    expect(await screen.findByText(/Nothing to invoice/)).toBeInTheDocument();
    expect(posts[0]).toEqual({ url: '/api/invoices', body: { patientId: 'p-1' } });
  });

  it('lists coverage with the member id as answered and its usage; ending it sends the version, a 409 asks to reload', async () => {
    patchStatus = 409;
    const user = userEvent.setup();
    renderPage();
    const section = await screen.findByRole('region', { name: 'Insurance coverage' });
    const card = await within(section).findByRole('listitem');
    expect(card).toHaveTextContent('Primary: Delta Dental — PPO Plus');
    expect(card).toHaveTextContent('Member ID••••1234');
    expect(card).toHaveTextContent('Deductible met$50.00');
    expect(card).toHaveTextContent('Maximum used$300.00');
    await user.click(within(card).getByRole('button', { name: /End coverage/ }));
    const dialog = screen.getByRole('dialog', { name: 'End coverage' });
    await user.clear(within(dialog).getByLabelText('Last day covered'));
    await user.type(within(dialog).getByLabelText('Last day covered'), '2031-01-31');
    await user.click(within(dialog).getByRole('button', { name: 'End coverage' }));
    expect(await within(dialog).findByText(/Someone else changed this coverage just now/)).toBeInTheDocument();
    expect(posts[0]).toEqual({ url: '/api/coverage/cov-1', body: { terminationDate: '2031-01-31', version: 3 } });
  });
});

describe('PatientTabs: Billing', () => {
  it.each<[Role, boolean]>([
    ['admin', true],
    ['receptionist', true],
    ['dentist', false],
    ['hygienist', false],
    ['assistant', false],
  ])('%s sees the Billing tab: %s', (role, shown) => {
    renderWithQuery(
      <MemoryRouter>
        <PatientTabs patientId="p-1" role={role} />
      </MemoryRouter>,
    );
    const link = screen.queryByRole('link', { name: 'Billing' });
    if (shown) expect(link).toHaveAttribute('href', '/patients/p-1/billing');
    else expect(link).not.toBeInTheDocument();
  });
});
