import {
  INVOICE_STATUS_LABELS,
  invoicePdfUrl,
  payUrl,
  sortInvoicesForPatient,
  useInvoices,
} from '../../api/billing';
import { formatMoney } from '../../api/plans';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { dateInZone, formatLongDate } from '../../lib/time';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import '../../components/billing.css';

/**
 * `/portal/bills`: the patient's invoices, open ones first, each with its PDF.
 * "Pay" is a plain link on purpose: the pay screen needs a full page load,
 * since only `/pay/*` is served with a CSP that lets Stripe.js in.
 */
export default function PortalBillsPage() {
  const patientId = useSessionStore((s) => s.user?.patientId);
  const currency = useSessionStore((s) => s.clinic?.settings.currency ?? 'USD');
  const timeZone = useClinicTimeZone();
  // The server answers a patient only their own (and their family's) invoices.
  const list = useInvoices(null);
  const invoices = sortInvoicesForPatient(list.data ?? []);
  const due = invoices.filter((i) => i.status === 'open').reduce((sum, i) => sum + i.balanceCents, 0);

  return (
    <main id="main" className="page page--narrow">
      <h1>Bills</h1>
      <p className="lead">Invoices from the practice. Open ones are first; you can pay them by card here.</p>
      {list.isError ? (
        <ErrorNotice error={list.error} title="Could not load your bills" onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Skeleton lines={4} label="Loading your bills…" />
      ) : invoices.length === 0 ? (
        <div className="empty-state">
          <p>You have no bills.</p>
        </div>
      ) : (
        <>
          {due > 0 && (
            <p className="portal-bills__due">
              <strong>Due now: {formatMoney(due, currency)}</strong>
            </p>
          )}
          <ul className="portal-list">
            {invoices.map((inv) => (
              <li key={inv.id} className={`visit-card portal-bill portal-bill--${inv.status}`}>
                <h2 className="portal-bill__title">
                  Invoice {inv.number}{' '}
                  <span className={`billing-status billing-status--${inv.status}`}>{INVOICE_STATUS_LABELS[inv.status] ?? inv.status}</span>
                </h2>
                <p className="muted">
                  {formatLongDate(dateInZone(inv.createdAt, timeZone))}
                  {inv.patientId !== patientId ? ' · for a family member' : ''}
                </p>
                <dl className="billing-facts billing-facts--inline">
                  <div>
                    <dt>Amount</dt>
                    <dd>{formatMoney(inv.amountCents, currency)}</dd>
                  </div>
                  <div>
                    <dt>Balance</dt>
                    <dd>{formatMoney(inv.balanceCents, currency)}</dd>
                  </div>
                  {inv.status === 'open' && inv.dueDate && (
                    <div>
                      <dt>Due by</dt>
                      <dd>{formatLongDate(inv.dueDate.slice(0, 10))}</dd>
                    </div>
                  )}
                </dl>
                <div className="button-row">
                  {inv.status === 'open' && inv.balanceCents > 0 && (
                    <a className="button-primary" href={payUrl(inv.id)}>
                      Pay {formatMoney(inv.balanceCents, currency)}
                      {' '}<span className="visually-hidden">for invoice {inv.number}</span>
                    </a>
                  )}
                  <a className="button-secondary" href={invoicePdfUrl(inv.id)} target="_blank" rel="noopener">
                    PDF{' '}<span className="visually-hidden">of invoice {inv.number}</span>
                  </a>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
