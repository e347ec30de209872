import { screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Invoice } from '../../api/billing';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import PortalBillsPage from './PortalBillsPage';

const inv = (extra: Partial<Invoice>): Invoice => ({
  id: 'inv',
  number: 'INV-000000',
  patientId: 'p-1',
  amountCents: 10000,
  paidCents: 0,
  balanceCents: 10000,
  status: 'open',
  lines: [],
  createdAt: '2031-01-10T16:00:00Z',
  ...extra,
});

describe('PortalBillsPage', () => {
  let items: Invoice[];
  let asked: string[];

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('patient'), clinic: { ...CLINIC, settings: { ...CLINIC.settings, currency: 'USD' } } });
    asked = [];
    items = [
      inv({ id: 'inv-paid', number: 'INV-000001', status: 'paid', paidCents: 10000, balanceCents: 0, createdAt: '2031-01-01T16:00:00Z' }),
      inv({ id: 'inv-open', number: 'INV-000002', amountCents: 12500, balanceCents: 12500, createdAt: '2031-01-05T16:00:00Z' }),
    ];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/invoices': (url: URL) => {
            asked.push(url.search);
            return jsonResponse({ items });
          },
        }),
      ),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  it('lists open bills first with the total due; Pay is a plain link to /pay/<id> (a full page load)', async () => {
    renderWithQuery(
      <MemoryRouter>
        <PortalBillsPage />
      </MemoryRouter>,
    );
    const cards = await screen.findAllByRole('listitem');
    expect(cards[0]).toHaveTextContent('Invoice INV-000002');
    expect(cards[1]).toHaveTextContent('Invoice INV-000001');
    expect(screen.getByText('Due now: $125.00')).toBeInTheDocument();

    const pay = within(cards[0]!).getByRole('link', { name: 'Pay $125.00 for invoice INV-000002' });
    expect(pay).toHaveAttribute('href', '/pay/inv-open');
    // No React Router handler: a click leaves the SPA so /pay gets its own CSP.
    expect(pay.getAttribute('data-discover')).toBeNull();
    expect(within(cards[1]!).queryByRole('link', { name: /^Pay/ })).not.toBeInTheDocument();
    expect(within(cards[1]!).getByText('Paid')).toBeInTheDocument();
    expect(within(cards[1]!).getByRole('link', { name: 'PDF of invoice INV-000001' })).toHaveAttribute('href', '/api/invoices/inv-paid/pdf');
    // The server narrows a patient's list; the page does not name a patient.
    expect(asked).toEqual(['']);
  });

  it('says so when there are no bills', async () => {
    items = [];
    renderWithQuery(
      <MemoryRouter>
        <PortalBillsPage />
      </MemoryRouter>,
    );
    expect(await screen.findByText('You have no bills.')).toBeInTheDocument();
  });
});
