import { afterEach, describe, expect, it, vi } from 'vitest';
import { isApiError, resetApiClient } from '../lib/api';
import { jsonResponse } from '../test/render';
import {
  centsToInput,
  coverageActive,
  createPaymentIntent,
  devStripePay,
  invoicePdfUrl,
  parseCents,
  payUrl,
  refundableCents,
  sortInvoicesForPatient,
  statementPdfUrl,
  type Invoice,
} from './billing';

describe('parseCents', () => {
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    ['0.29', 29],
    ['$1,250.00', 125000],
    [' 7.05 ', 705],
    ['0', 0],
    ['12.', 1200],
  ])('reads %j as %d cents (from the digits, no float rounding)', (text, cents) => {
    expect(parseCents(text)).toBe(cents);
  });

  it.each(['', 'abc', '1.234', '-5', '1e3', '12,5.0.0', '.5'])('refuses %j', (text) => {
    expect(parseCents(text)).toBeNull();
  });

  it('round-trips with centsToInput', () => {
    for (const c of [0, 5, 29, 100, 1999, 125000]) expect(parseCents(centsToInput(c))).toBe(c);
    expect(centsToInput(1250)).toBe('12.50');
    expect(centsToInput(7)).toBe('0.07');
  });
});

describe('refundableCents', () => {
  it('is what is left of a payment after earlier refunds, never negative, zero for non-payments', () => {
    expect(refundableCents({ kind: 'patient_payment', amountCents: 5000 })).toBe(5000);
    expect(refundableCents({ kind: 'patient_payment', amountCents: 5000, refundedCents: 1200 })).toBe(3800);
    expect(refundableCents({ kind: 'insurance_payment', amountCents: 5000, refundedCents: 9000 })).toBe(0);
    expect(refundableCents({ kind: 'charge', amountCents: 5000 })).toBe(0);
    expect(refundableCents({ kind: 'refund', amountCents: 5000 })).toBe(0);
  });
});

describe('sortInvoicesForPatient', () => {
  const inv = (id: string, status: Invoice['status'], createdAt: string) => ({ id, status, createdAt }) as Invoice;
  it('puts open invoices first (oldest first), then the others newest first', () => {
    const sorted = sortInvoicesForPatient([
      inv('paid-old', 'paid', '2031-01-01T00:00:00Z'),
      inv('open-new', 'open', '2031-03-01T00:00:00Z'),
      inv('void', 'void', '2031-02-15T00:00:00Z'),
      inv('open-old', 'open', '2031-02-01T00:00:00Z'),
      inv('paid-new', 'paid', '2031-03-05T00:00:00Z'),
    ]);
    expect(sorted.map((i) => i.id)).toEqual(['open-old', 'open-new', 'paid-new', 'void', 'paid-old']);
  });
});

describe('coverageActive', () => {
  it('is active from its effective date through its termination date', () => {
    expect(coverageActive({ effectiveDate: '2031-01-01' }, '2031-06-01')).toBe(true);
    expect(coverageActive({ effectiveDate: '2031-07-01' }, '2031-06-01')).toBe(false);
    expect(coverageActive({ effectiveDate: '2031-01-01', terminationDate: '2031-06-01' }, '2031-06-01')).toBe(true);
    expect(coverageActive({ effectiveDate: '2031-01-01', terminationDate: '2031-05-31' }, '2031-06-01')).toBe(false);
  });
});

describe('urls', () => {
  it('escapes ids', () => {
    expect(invoicePdfUrl('a/b')).toBe('/api/invoices/a%2Fb/pdf');
    expect(statementPdfUrl('p 1')).toBe('/api/patients/p%201/statement');
    expect(payUrl('inv?1')).toBe('/pay/inv%3F1');
  });
});

describe('card payment calls', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('creates the intent with a POST and answers only its secret and id', async () => {
    resetApiClient();
    document.cookie = 'csrf_token=tok-1';
    const fetchMock = vi.fn<typeof fetch>(async () => jsonResponse({ clientSecret: 'pi_1_secret_x', paymentIntentId: 'pi_1' }));
    vi.stubGlobal('fetch', fetchMock);
    expect(await createPaymentIntent('inv 1')).toEqual({ clientSecret: 'pi_1_secret_x', paymentIntentId: 'pi_1' });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/invoices/inv%201/payment-intent');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok-1');
  });

  it('test mode sends the dev stand-in only the intent id (no card data)', async () => {
    resetApiClient();
    const fetchMock = vi.fn<typeof fetch>(async () => jsonResponse({ ok: true }));
    vi.stubGlobal('fetch', fetchMock);
    await devStripePay('pi_9');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/_dev/stripe/pay');
    expect(init?.credentials).toBe('same-origin');
    expect(JSON.parse(String(init?.body))).toEqual({ paymentIntentId: 'pi_9' });
  });

  it('a paid invoice answers 409 as an ApiError', async () => {
    resetApiClient();
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ error: { code: 'conflict', message: 'Already paid', requestId: 'r-9' } }, 409)));
    const err = await createPaymentIntent('inv-1').catch((e: unknown) => e);
    expect(isApiError(err) && err.status === 409 && err.message === 'Already paid').toBe(true);
  });
});
