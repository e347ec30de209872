import { useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  AGING_BUCKETS,
  ADJUSTMENT_LABELS,
  BILLING_ROLES,
  INVOICE_STATUS_LABELS,
  invoicePdfUrl,
  isPayment,
  KIND_LABELS,
  METHOD_LABELS,
  refundableCents,
  statementPdfUrl,
  useCoverages,
  useCreateInvoice,
  useInvoices,
  useLedger,
  type LedgerEntry,
} from '../../api/billing';
import { usePatient } from '../../api/patients';
import { formatMoney, toothLabel } from '../../api/plans';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PatientHeader } from '../../components/PatientHeader';
import { patientPending } from '../../components/PatientPending';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { dateInZone, formatShortDate, todayInZone } from '../../lib/time';
import { toastError, toastSuccess } from '../../lib/toast';
import { patientDisplayName } from '../../lib/types';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { CoverageSection } from './CoverageSection';
import { AdjustmentDialog, ChargeDialog, PaymentDialog, RefundDialog } from './MoneyDialogs';
import '../../components/billing.css';

type Open = { kind: 'charge' } | { kind: 'payment' } | { kind: 'adjustment' } | { kind: 'refund'; payment: LedgerEntry } | null;

/** What a ledger line says beyond its kind: method and reference, adjustment type, reason. */
function entryDetail(e: LedgerEntry): string {
  const parts: string[] = [];
  if (e.method) parts.push(METHOD_LABELS[e.method] ?? e.method);
  if (e.reference) parts.push(`ref. ${e.reference}`);
  if (e.adjustmentType) parts.push(ADJUSTMENT_LABELS[e.adjustmentType] ?? e.adjustmentType);
  if (e.reason) parts.push(`reason: ${e.reason}`);
  if (e.refundedCents) parts.push(`refunded ${formatMoney(e.refundedCents)}`);
  return parts.join(' · ');
}

/** `/patients/:id/billing`: balance, aging, the running ledger, invoices, statements and coverage. */
export default function BillingPage() {
  const { id = '' } = useParams();
  const role = useSessionStore((s) => s.user?.role);
  const currencySetting = useSessionStore((s) => s.clinic?.settings.currency ?? 'USD');
  const numbering = useSessionStore((s) => s.clinic?.settings.toothNumbering ?? 'universal');
  const timeZone = useClinicTimeZone();
  const patient = usePatient(id);
  const ledger = useLedger(id);
  const invoices = useInvoices(id);
  const coverages = useCoverages(id);
  const createInvoice = useCreateInvoice(id);
  const [open, setOpen] = useState<Open>(null);
  const canPost = !!role && (BILLING_ROLES as readonly string[]).includes(role);

  const gate = patientPending(patient, 'Billing');
  if (gate || !patient.data) return gate;
  const p = patient.data;
  const currency = ledger.data?.currency || currencySetting;
  const money = (cents: number) => formatMoney(cents, currency);
  const today = todayInZone(timeZone);

  async function doInvoice() {
    try {
      const inv = await createInvoice.mutateAsync();
      toastSuccess(`Invoice ${inv.number} created for ${money(inv.amountCents)}.`);
    } catch (err) {
      if (!(isApiError(err) && err.status === 422)) toastError(err);
    }
  }
  const nothingToInvoice = isApiError(createInvoice.error) && createInvoice.error.status === 422;

  return (
    <main id="main" className="page page--wide billing-page">
      <PatientHeader
        patient={p}
        role={role}
        section="Billing"
        actions={
          <a className="button-secondary" href={statementPdfUrl(id)} target="_blank" rel="noopener">
            Statement PDF
          </a>
        }
      />

      {ledger.isError ? (
        <ErrorNotice error={ledger.error} title="Could not load the account" onRetry={() => void ledger.refetch()} />
      ) : ledger.isPending ? (
        <Skeleton lines={6} label="Loading the account…" />
      ) : (
        <>
          <section className="billing-summary" aria-label="Account summary">
            <dl className="billing-facts billing-facts--big">
              <div>
                <dt>Balance</dt>
                <dd data-testid="balance">{money(ledger.data.balanceCents)}</dd>
              </div>
              {ledger.data.creditCents > 0 && (
                <div>
                  <dt>Credit</dt>
                  <dd>{money(ledger.data.creditCents)}</dd>
                </div>
              )}
            </dl>
            <dl className="billing-aging" aria-label="Aging of the balance">
              {AGING_BUCKETS.map((b) => (
                <div key={b.key}>
                  <dt>{b.label}</dt>
                  <dd>{money(ledger.data.aging?.[b.key] ?? 0)}</dd>
                </div>
              ))}
            </dl>
          </section>

          {canPost && (
            <div className="button-row billing-actions">
              <button type="button" className="button-primary" onClick={() => setOpen({ kind: 'charge' })}>
                Post charge
              </button>
              <button type="button" className="button-primary" onClick={() => setOpen({ kind: 'payment' })}>
                Post payment
              </button>
              <button type="button" className="button-secondary" onClick={() => setOpen({ kind: 'adjustment' })}>
                Adjustment
              </button>
              <button type="button" className="button-secondary" onClick={() => void doInvoice()} disabled={createInvoice.isPending}>
                {createInvoice.isPending ? 'Invoicing…' : 'Create invoice'}
              </button>
            </div>
          )}
          {nothingToInvoice && (
            <p className="notice notice--info" role="status">
              Nothing to invoice: every charge on the account is already on an invoice.
            </p>
          )}

          <section className="billing-section" aria-labelledby="ledger-title">
            <h2 id="ledger-title" className="section-title">
              Ledger <span className="muted billing-section__note">oldest first, newest at the bottom</span>
            </h2>
            {ledger.data.items.length === 0 ? (
              <p className="empty-state empty-state--inline">Nothing on the account yet.</p>
            ) : (
              <div className="billing-table-wrap" tabIndex={0} role="region" aria-label="Ledger entries">
                <table className="billing-table">
                  <thead>
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col">Description</th>
                      <th scope="col">Code / tooth</th>
                      <th scope="col" className="num">
                        Charge
                      </th>
                      <th scope="col" className="num">
                        Payment / credit
                      </th>
                      <th scope="col" className="num">
                        Balance
                      </th>
                      {canPost && (
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      )}
                    </tr>
                  </thead>
                  <tbody>
                    {ledger.data.items.map((e) => {
                      const detail = entryDetail(e);
                      const refundable = canPost && isPayment(e) && refundableCents(e) > 0;
                      return (
                        <tr key={e.id} className={`billing-row billing-row--${e.kind}`}>
                          <td>{formatShortDate(dateInZone(e.at, timeZone))}</td>
                          <td>
                            <span className="billing-row__kind">{KIND_LABELS[e.kind] ?? e.kind}</span> {e.description}
                            {detail && <span className="billing-row__detail">{detail}</span>}
                          </td>
                          <td>
                            {e.code ?? ''}
                            {e.tooth ? ` ${toothLabel(e.tooth, numbering)}` : ''}
                          </td>
                          <td className="num">{e.effectCents > 0 ? money(e.amountCents) : ''}</td>
                          <td className="num">{e.effectCents < 0 ? money(e.amountCents) : ''}</td>
                          <td className="num">{money(e.balanceCents)}</td>
                          {canPost && (
                            <td>
                              {refundable && (
                                <button type="button" className="button-secondary button-small" onClick={() => setOpen({ kind: 'refund', payment: e })}>
                                  Refund{' '}<span className="visually-hidden">{money(e.amountCents)} payment</span>
                                </button>
                              )}
                            </td>
                          )}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}

      <section className="billing-section" aria-labelledby="invoices-title">
        <h2 id="invoices-title" className="section-title">
          Invoices
        </h2>
        {invoices.isError ? (
          <ErrorNotice error={invoices.error} title="Could not load the invoices" onRetry={() => void invoices.refetch()} />
        ) : invoices.isPending ? (
          <Skeleton lines={2} label="Loading the invoices…" />
        ) : invoices.data.length === 0 ? (
          <p className="empty-state empty-state--inline">No invoices yet.</p>
        ) : (
          <ul className="invoice-list">
            {invoices.data.map((inv) => (
              <li key={inv.id} className={`invoice-row invoice-row--${inv.status}`}>
                <span className="invoice-row__number">{inv.number}</span>
                <span>{formatShortDate(dateInZone(inv.createdAt, timeZone))}</span>
                <span>{money(inv.amountCents)}</span>
                <span>{inv.status === 'open' ? `${money(inv.balanceCents)} due` : ''}</span>
                <span className={`billing-status billing-status--${inv.status}`}>{INVOICE_STATUS_LABELS[inv.status] ?? inv.status}</span>
                <a href={invoicePdfUrl(inv.id)} target="_blank" rel="noopener">
                  Download PDF{' '}<span className="visually-hidden">of {inv.number}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>

      <CoverageSection
        patientId={id}
        patientName={patientDisplayName(p)}
        patientDob={p.dateOfBirth}
        currency={currency}
        today={today}
        canPost={canPost}
      />

      {open?.kind === 'charge' && <ChargeDialog patientId={id} currency={currency} onClose={() => setOpen(null)} />}
      {open?.kind === 'payment' && (
        <PaymentDialog
          patientId={id}
          currency={currency}
          invoices={invoices.data ?? []}
          coverages={coverages.data ?? []}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === 'adjustment' && <AdjustmentDialog patientId={id} currency={currency} onClose={() => setOpen(null)} />}
      {open?.kind === 'refund' && <RefundDialog patientId={id} currency={currency} payment={open.payment} onClose={() => setOpen(null)} />}
    </main>
  );
}
