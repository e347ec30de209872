import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import { PROCEDURE_CATEGORIES, type ProcedureCategory } from './procedureCodes';

// ---------- shapes (the billing contract of issue 12) ----------

export type EntryKind = 'charge' | 'insurance_payment' | 'patient_payment' | 'adjustment' | 'refund';
export type PaymentMethod = 'cash' | 'cheque' | 'card' | 'card_terminal' | 'insurance';
/** What the desk may record itself ("card" payments come from the portal through Stripe). */
export type DeskPaymentMethod = Exclude<PaymentMethod, 'card'>;
export type AdjustmentType = 'write_off' | 'courtesy' | 'insurance_write_off' | 'correction_debit' | 'correction_credit';

/** One line of a patient's append-only ledger. */
export interface LedgerEntry {
  id: string;
  kind: EntryKind;
  /** Always positive. */
  amountCents: number;
  /** The signed effect on the balance: charges and refunds +, payments and credits −. */
  effectCents: number;
  /** The running balance after this entry. */
  balanceCents: number;
  at: string;
  description: string;
  code?: string;
  tooth?: string;
  planId?: string;
  itemId?: string;
  invoiceId?: string;
  method?: PaymentMethod;
  reference?: string;
  reason?: string;
  adjustmentType?: AdjustmentType;
  coverageId?: string;
  /** For refunds: the payment refunded. */
  paymentId?: string;
  /** For payments: how much of it has been refunded so far. */
  refundedCents?: number;
  postedBy?: string;
}

export interface Aging {
  '0-30': number;
  '31-60': number;
  '61-90': number;
  '90+': number;
}

export interface Ledger {
  patientId: string;
  currency: string;
  balanceCents: number;
  creditCents: number;
  aging: Aging;
  /** Oldest first. */
  items: LedgerEntry[];
}

export type InvoiceStatus = 'open' | 'paid' | 'void';

export interface InvoiceLine {
  entryId: string;
  code?: string;
  description: string;
  tooth?: string;
  amountCents: number;
  at: string;
}

export interface Invoice {
  id: string;
  number: string;
  patientId: string;
  amountCents: number;
  paidCents: number;
  balanceCents: number;
  status: InvoiceStatus;
  lines: InvoiceLine[];
  createdAt: string;
  dueDate?: string;
  /** When the last payment made it paid, if the server says. */
  paidAt?: string;
  version?: number;
}

export interface PaymentResult {
  payment: LedgerEntry;
  appliedCents: number;
  creditCents: number;
  invoice: Invoice | null;
}

export interface RefundResult {
  refund: LedgerEntry;
  payment: LedgerEntry;
}

/** An insurance plan pays a percentage per fee-schedule category. */
export const COVERAGE_CATEGORIES = PROCEDURE_CATEGORIES;
export type CoverageCategory = ProcedureCategory;

export interface Frequency {
  codes: string[];
  count: number;
  per: 'benefit_year' | 'years';
  years?: number;
}

export interface InsurancePlan {
  id: string;
  carrier: { name: string; payerId?: string; phone?: string };
  name: string;
  groupNumber?: string;
  benefitYearStartMonth: number;
  coverage: Partial<Record<CoverageCategory, number>>;
  deductible: { individualCents: number; familyCents?: number; waivedFor?: string[] };
  annualMaximumCents: number;
  orthoLifetimeMaximumCents?: number;
  frequencies?: Frequency[];
  waitingPeriods?: { category: string; months: number }[];
  createdAt?: string;
  version?: number;
}

export type InsurancePlanInput = Omit<InsurancePlan, 'id' | 'createdAt' | 'version'>;

export type CoveragePriority = 'primary' | 'secondary';
export type Relationship = 'self' | 'spouse' | 'child' | 'other';

export interface CoverageUsage {
  benefitYear: { from: string; to: string };
  deductibleMetCents: number;
  maximumUsedCents: number;
  orthoUsedCents?: number;
  pendingCents?: number;
}

export interface Coverage {
  id: string;
  patientId: string;
  planId: string;
  plan: { id: string; name: string; carrier: { name: string } };
  priority: CoveragePriority;
  subscriber: { name: string; dateOfBirth: string; patientId?: string };
  relationship: Relationship;
  /** In full to posters, masked ("••••1234") to everyone else: shown as answered. */
  memberId: string;
  effectiveDate: string;
  terminationDate?: string | null;
  usage?: CoverageUsage;
  createdAt?: string;
  version: number;
}

export interface CoverageInput {
  planId: string;
  priority: CoveragePriority;
  subscriber: { name: string; dateOfBirth: string; patientId?: string };
  relationship: Relationship;
  memberId: string;
  effectiveDate: string;
}

export interface EstimateBasis {
  coverage?: CoveragePriority;
  rule: string;
  text: string;
  numbers?: Record<string, unknown>;
}

export interface EstimateLine {
  itemId: string;
  code: string;
  tooth?: string;
  category: string;
  feeCents: number;
  primaryCents: number;
  secondaryCents: number;
  insuranceCents: number;
  patientCents: number;
  basis: EstimateBasis[];
}

export interface Estimate {
  planId: string;
  asOf: string;
  currency: string;
  totalCents: number;
  insuranceCents: number;
  patientCents: number;
  lines: EstimateLine[];
  coverages: { id: string; priority: CoveragePriority; planName: string }[];
}

export type CardsMode = 'live' | 'test' | 'off';

export interface BillingConfig {
  cards: CardsMode;
  publishableKey?: string;
}

export interface PaymentIntentAnswer {
  clientSecret: string;
  paymentIntentId: string;
}

// ---------- labels and pure helpers ----------

export const KIND_LABELS: Record<EntryKind, string> = {
  charge: 'Charge',
  insurance_payment: 'Insurance payment',
  patient_payment: 'Payment',
  adjustment: 'Adjustment',
  refund: 'Refund',
};

export const METHOD_LABELS: Record<PaymentMethod, string> = {
  cash: 'Cash',
  cheque: 'Cheque',
  card: 'Card (online)',
  card_terminal: 'Card terminal',
  insurance: 'Insurance',
};

export const ADJUSTMENT_LABELS: Record<AdjustmentType, string> = {
  write_off: 'Write-off',
  courtesy: 'Courtesy discount',
  insurance_write_off: 'Insurance write-off',
  correction_debit: 'Correction (adds to the balance)',
  correction_credit: 'Correction (takes off the balance)',
};

export const INVOICE_STATUS_LABELS: Record<InvoiceStatus, string> = { open: 'Open', paid: 'Paid', void: 'Void' };

export const AGING_BUCKETS: readonly { key: keyof Aging; label: string }[] = [
  { key: '0-30', label: '0–30 days' },
  { key: '31-60', label: '31–60 days' },
  { key: '61-90', label: '61–90 days' },
  { key: '90+', label: 'Over 90 days' },
];

/** Who posts charges, payments, adjustments and refunds, and reads the ledger (the server enforces the same). */
export const BILLING_ROLES = ['admin', 'receptionist'] as const;

export function isPayment(entry: Pick<LedgerEntry, 'kind'>): boolean {
  return entry.kind === 'patient_payment' || entry.kind === 'insurance_payment';
}

/** What is left to refund of a payment (never below zero). */
export function refundableCents(entry: Pick<LedgerEntry, 'kind' | 'amountCents' | 'refundedCents'>): number {
  if (!isPayment(entry)) return 0;
  return Math.max(0, entry.amountCents - (entry.refundedCents ?? 0));
}

/**
 * Dollars typed at the desk ("12", "12.5", "$1,250.00") as integer cents, or
 * null when it is not an amount. Parsed from the digits, never through a float
 * multiplication, so 0.29 is 29 cents and not 28.999….
 */
export function parseCents(text: string): number | null {
  const t = text.trim().replace(/^\$/, '').replace(/,/g, '');
  const m = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(t);
  if (!m) return null;
  const dollars = Number(m[1]);
  const cents = Number((m[2] ?? '').padEnd(2, '0') || '0');
  return dollars * 100 + cents;
}

/** Cents as a plain amount for an input ("12.50"). */
export function centsToInput(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Invoices to show a patient: open ones first (oldest due first), then the rest newest first. */
export function sortInvoicesForPatient(list: readonly Invoice[]): Invoice[] {
  const open = list.filter((i) => i.status === 'open').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const rest = list.filter((i) => i.status !== 'open').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return [...open, ...rest];
}

/** A coverage is active on `today` (YYYY-MM-DD) when it has begun and has not ended. */
export function coverageActive(c: Pick<Coverage, 'effectiveDate' | 'terminationDate'>, today: string): boolean {
  if (c.effectiveDate && c.effectiveDate > today) return false;
  return !c.terminationDate || c.terminationDate >= today;
}

const enc = encodeURIComponent;

export const invoicePdfUrl = (id: string) => `/api/invoices/${enc(id)}/pdf`;
export const statementPdfUrl = (patientId: string) => `/api/patients/${enc(patientId)}/statement`;
export const payUrl = (invoiceId: string) => `/pay/${enc(invoiceId)}`;

// ---------- queries ----------

export const billingKeys = {
  all: ['billing'] as const,
  ledger: (patientId: string) => ['billing', 'ledger', patientId] as const,
  invoices: (patientId: string, status = '') => ['billing', 'invoices', patientId, status] as const,
  invoice: (id: string) => ['billing', 'invoice', id] as const,
  coverage: (patientId: string) => ['billing', 'coverage', patientId] as const,
  plans: ['billing', 'insurance-plans'] as const,
  estimate: (planId: string) => ['billing', 'estimate', planId] as const,
  config: ['billing', 'config'] as const,
};

export function useLedger(patientId: string | null | undefined) {
  return useQuery({
    queryKey: billingKeys.ledger(patientId ?? ''),
    queryFn: ({ signal }) => api.get<Ledger>(`/api/patients/${enc(patientId!)}/ledger`, { signal }),
    enabled: !!patientId,
  });
}

/** Invoices, newest first; a patient's own (and family's) when signed in as a patient. */
export function useInvoices(patientId: string | null | undefined, status = '') {
  return useQuery({
    queryKey: billingKeys.invoices(patientId ?? '', status),
    queryFn: ({ signal }) =>
      api.get<{ items: Invoice[] }>('/api/invoices', { signal, query: { patientId: patientId ?? '', status } }),
    select: (r) => r.items ?? [],
  });
}

/** One invoice; `pollMs` keeps asking while it is open (the pay screen waits for the webhook). */
export function useInvoice(id: string, pollMs: number | false = false) {
  return useQuery({
    queryKey: billingKeys.invoice(id),
    queryFn: ({ signal }) => api.get<Invoice>(`/api/invoices/${enc(id)}`, { signal }),
    enabled: !!id,
    refetchInterval: (q) => (pollMs && q.state.data?.status === 'open' ? pollMs : false),
  });
}

export function useCoverages(patientId: string | null | undefined) {
  return useQuery({
    queryKey: billingKeys.coverage(patientId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: Coverage[] }>(`/api/patients/${enc(patientId!)}/coverage`, { signal }),
    select: (r) => r.items ?? [],
    enabled: !!patientId,
  });
}

export function useInsurancePlans(enabled = true) {
  return useQuery({
    queryKey: billingKeys.plans,
    queryFn: ({ signal }) => api.get<{ items: InsurancePlan[] }>('/api/insurance/plans', { signal }),
    select: (r) => r.items ?? [],
    enabled,
    staleTime: 60_000,
  });
}

export function useEstimate(planId: string, enabled: boolean) {
  return useQuery({
    queryKey: billingKeys.estimate(planId),
    queryFn: ({ signal }) => api.get<Estimate>(`/api/treatment-plans/${enc(planId)}/estimate`, { signal }),
    enabled: enabled && !!planId,
  });
}

export function useBillingConfig() {
  return useQuery({
    queryKey: billingKeys.config,
    queryFn: ({ signal }) => api.get<BillingConfig>('/api/billing/config', { signal }),
    staleTime: 5 * 60_000,
  });
}

// ---------- mutations ----------

/** A write to a patient's money: afterwards the ledger and invoices are read again. */
function useMoneyMutation<V, R>(patientId: string, fn: (v: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { inlineErrors: true },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: billingKeys.ledger(patientId) });
      void queryClient.invalidateQueries({ queryKey: ['billing', 'invoices'] });
      void queryClient.invalidateQueries({ queryKey: ['billing', 'invoice'] });
      void queryClient.invalidateQueries({ queryKey: billingKeys.coverage(patientId) });
    },
  });
}

export interface ChargeInput {
  code: string;
  tooth?: string;
  amountCents?: number;
  description?: string;
}

export function usePostCharge(patientId: string) {
  return useMoneyMutation(patientId, (input: ChargeInput) =>
    api.post<LedgerEntry>(`/api/patients/${enc(patientId)}/charges`, input),
  );
}

export interface PaymentInput {
  amountCents: number;
  method: DeskPaymentMethod;
  reference?: string;
  invoiceId?: string;
  coverageId?: string;
}

/** A key naming one payment at the desk: the server posts a payment once however often the
 * same key is sent (a double click, a retry after a lost answer). */
export function newIdempotencyKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function usePostPayment(patientId: string) {
  return useMoneyMutation(patientId, ({ idempotencyKey, ...input }: PaymentInput & { idempotencyKey: string }) =>
    api.post<PaymentResult>(`/api/patients/${enc(patientId)}/payments`, input, {
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  );
}

export interface AdjustmentInput {
  amountCents: number;
  adjustmentType: AdjustmentType;
  reason: string;
}

export function usePostAdjustment(patientId: string) {
  return useMoneyMutation(patientId, (input: AdjustmentInput) =>
    api.post<LedgerEntry>(`/api/patients/${enc(patientId)}/adjustments`, input),
  );
}

export function useRefund(patientId: string) {
  return useMoneyMutation(patientId, ({ paymentId, ...body }: { paymentId: string; amountCents?: number; reason: string }) =>
    api.post<RefundResult>(`/api/payments/${enc(paymentId)}/refund`, body),
  );
}

export function useCreateInvoice(patientId: string) {
  return useMoneyMutation(patientId, () => api.post<Invoice>('/api/invoices', { patientId }));
}

export function useAddCoverage(patientId: string) {
  return useMoneyMutation(patientId, (input: CoverageInput) =>
    api.post<Coverage>(`/api/patients/${enc(patientId)}/coverage`, input),
  );
}

export function useEndCoverage(patientId: string) {
  return useMoneyMutation(patientId, ({ id, terminationDate, version }: { id: string; terminationDate: string; version: number }) =>
    api.patch<Coverage>(`/api/coverage/${enc(id)}`, { terminationDate, version }),
  );
}

export function useCreateInsurancePlan() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: InsurancePlanInput) => api.post<InsurancePlan>('/api/insurance/plans', input),
    meta: { inlineErrors: true },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: billingKeys.plans }),
  });
}

// ---------- card payments (the pay screen) ----------

export function createPaymentIntent(invoiceId: string): Promise<PaymentIntentAnswer> {
  return api.post<PaymentIntentAnswer>(`/api/invoices/${enc(invoiceId)}/payment-intent`, {});
}

/**
 * Test mode only: the local stack's stand-in for Stripe marks the intent paid
 * and sends the signed webhook. No card data goes with it.
 */
export function devStripePay(paymentIntentId: string): Promise<unknown> {
  // Its 401 means "not the local stack's app", never an ended session: no
  // refresh, no sign-out.
  return api.post<unknown>('/_dev/stripe/pay', { paymentIntentId }, { skipRefresh: true, skipUnauthorizedHandler: true });
}
