import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BillingConfig, Invoice } from '../../api/billing';
import { resetApiClient } from '../../lib/api';
import { CLINIC, me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import PortalPayPage from './PortalPayPage';

// A stand-in for Stripe.js: what the page asks of it, and what confirm answers.
const stripe = vi.hoisted(() => ({
  loads: [] as string[],
  mounted: 0,
  elementsOptions: [] as unknown[],
  confirm: vi.fn(async (): Promise<{ error?: { message: string } }> => ({})),
}));

vi.mock('@stripe/stripe-js/pure', () => ({
  loadStripe: async (key: string) => {
    stripe.loads.push(key);
    return {
      elements: (options: unknown) => {
        stripe.elementsOptions.push(options);
        return {
          create: () => ({
            mount: () => {
              stripe.mounted += 1;
            },
            on: (event: string, cb: () => void) => {
              if (event === 'ready') setTimeout(cb, 0);
            },
          }),
        };
      },
      confirmPayment: stripe.confirm,
    };
  },
}));

const OPEN: Invoice = {
  id: 'inv-1',
  number: 'INV-000007',
  patientId: 'p-1',
  amountCents: 12500,
  paidCents: 0,
  balanceCents: 12500,
  status: 'open',
  lines: [],
  createdAt: '2031-01-10T16:00:00Z',
  version: 1,
};

function renderPage() {
  return renderWithQuery(
    <MemoryRouter initialEntries={['/pay/inv-1']}>
      <Routes>
        <Route path="/pay/:invoiceId" element={<PortalPayPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

describe('PortalPayPage', () => {
  let config: BillingConfig;
  let invoice: Invoice;
  let calls: { key: string; body: unknown }[];
  /** The invoice turns paid this many GETs after the payment was sent (the webhook's delay). */
  let paidAfterGets: number;
  let paymentSent: boolean;

  beforeEach(() => {
    resetApiClient();
    useSessionStore.getState().setSession({ ...me('patient'), clinic: { ...CLINIC, settings: { ...CLINIC.settings, currency: 'USD' } } });
    config = { cards: 'test', publishableKey: 'pk_test_123' };
    invoice = OPEN;
    calls = [];
    paidAfterGets = 1;
    paymentSent = false;
    stripe.loads.length = 0;
    stripe.mounted = 0;
    stripe.elementsOptions.length = 0;
    stripe.confirm.mockReset();
    stripe.confirm.mockImplementation(async () => {
      paymentSent = true;
      return {};
    });
    const log = (key: string) => (url: URL, init: RequestInit | undefined) => {
      calls.push({ key, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      return url;
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/billing/config': () => jsonResponse(config),
          'GET /api/invoices/inv-1': () => {
            if (paymentSent) {
              paidAfterGets -= 1;
              if (paidAfterGets < 0) {
                invoice = { ...OPEN, status: 'paid', paidCents: 12500, balanceCents: 0, paidAt: '2031-01-12T15:00:00Z', version: 2 };
              }
            }
            return jsonResponse(invoice);
          },
          'POST /api/invoices/inv-1/payment-intent': (url: URL, init: RequestInit | undefined) => {
            log('intent')(url, init);
            return jsonResponse({ clientSecret: 'pi_123_secret_abc', paymentIntentId: 'pi_123' });
          },
          'POST /_dev/stripe/pay': (url: URL, init: RequestInit | undefined) => {
            log('dev-pay')(url, init);
            paymentSent = true;
            return jsonResponse({ ok: true });
          },
        }),
      ),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  it('"off": says card payments are not set up, with the balance, and loads no Stripe', async () => {
    config = { cards: 'off' };
    renderPage();
    expect(await screen.findByText(/Card payments are not set up for this practice; call the front desk/)).toHaveTextContent('$125.00');
    expect(screen.queryByRole('button', { name: /Pay/ })).not.toBeInTheDocument();
    expect(stripe.loads).toEqual([]);
  });

  it('"test": a labelled test form; Pay creates the intent, asks /_dev/stripe/pay with its id only, then polls to a receipt', async () => {
    const user = userEvent.setup();
    renderPage();
    expect(await screen.findByText('Test mode')).toBeInTheDocument();
    expect(screen.getByLabelText('Card number')).toHaveValue('4242 4242 4242 4242');
    await user.click(screen.getByRole('button', { name: 'Pay $125.00' }));
    expect(await screen.findByText('Confirming your payment…')).toBeInTheDocument();
    expect(calls).toEqual([
      { key: 'intent', body: {} },
      { key: 'dev-pay', body: { paymentIntentId: 'pi_123' } },
    ]);
    const receipt = await screen.findByRole('region', { name: /Receipt/ }, { timeout: 8000 });
    expect(receipt).toHaveTextContent('Paid $125.00 on Sunday, January 12, 2031');
    expect(receipt).toHaveTextContent('Invoice INV-000007 is paid');
    expect(screen.getByRole('link', { name: 'Download receipt PDF' })).toHaveAttribute('href', '/api/invoices/inv-1/pdf');
    // Test mode never loads Stripe.js.
    expect(stripe.loads).toEqual([]);
  }, 15_000);

  it('"live": loads Stripe.js with the publishable key, mounts the Payment Element with the client secret, confirms, then polls', async () => {
    config = { cards: 'live', publishableKey: 'pk_live_abc' };
    const user = userEvent.setup();
    renderPage();
    const pay = await screen.findByRole('button', { name: 'Pay $125.00' });
    await waitFor(() => expect(pay).toBeEnabled());
    expect(stripe.loads[0]).toBe('pk_live_abc');
    expect(stripe.elementsOptions[0]).toEqual({ clientSecret: 'pi_123_secret_abc' });
    expect(stripe.mounted).toBeGreaterThan(0);
    expect(screen.queryByText('Test mode')).not.toBeInTheDocument();
    await user.click(pay);
    expect(stripe.confirm).toHaveBeenCalledWith(expect.objectContaining({ redirect: 'if_required' }));
    expect(await screen.findByRole('region', { name: /Receipt/ }, { timeout: 8000 })).toHaveTextContent('Paid $125.00');
    expect(calls.some((c) => c.key === 'dev-pay')).toBe(false);
  }, 15_000);

  it('"live": a declined card shows Stripe\'s message and stays on the form', async () => {
    config = { cards: 'live', publishableKey: 'pk_live_abc' };
    stripe.confirm.mockImplementation(async () => ({ error: { message: 'Your card was declined.' } }));
    const user = userEvent.setup();
    renderPage();
    const pay = await screen.findByRole('button', { name: 'Pay $125.00' });
    await waitFor(() => expect(pay).toBeEnabled());
    await user.click(pay);
    expect(await screen.findByRole('alert')).toHaveTextContent('Your card was declined.');
    expect(screen.queryByText('Confirming your payment…')).not.toBeInTheDocument();
  });

  it('an invoice already paid shows the receipt at once', async () => {
    invoice = { ...OPEN, status: 'paid', paidCents: 12500, balanceCents: 0, paidAt: '2031-01-11T15:00:00Z' };
    renderPage();
    expect(await screen.findByRole('region', { name: /Receipt/ })).toHaveTextContent('Paid $125.00 on Saturday, January 11, 2031');
    expect(calls).toEqual([]);
  });
});
