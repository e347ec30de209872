import { useEffect, useState, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import {
  createPaymentIntent,
  devStripePay,
  invoicePdfUrl,
  useBillingConfig,
  useInvoice,
  type Invoice,
} from '../../api/billing';
import { formatMoney } from '../../api/plans';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { dateInZone, formatLongDate, todayInZone } from '../../lib/time';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { StripeCardForm } from './PortalPayStripe';
import '../../components/billing.css';

/** How often the page asks whether the payment has landed (the webhook marks the invoice paid). */
export const PAY_POLL_MS = 1500;
/** After this long without "paid", the page says it may take a little longer. */
export const PAY_SLOW_MS = 30_000;

/**
 * `/pay/:invoiceId`: pays one invoice by card. Reached by a full page load
 * (the server gives only /pay/* a CSP that allows js.stripe.com), so it has
 * its own plain header with ordinary links, which also unload Stripe.js when
 * the patient leaves.
 */
export default function PortalPayPage() {
  const { invoiceId = '' } = useParams();
  const clinicName = useSessionStore((s) => s.clinic?.name ?? 'TopSmile');
  const role = useSessionStore((s) => s.user?.role);
  const currency = useSessionStore((s) => s.clinic?.settings.currency ?? 'USD');
  const timeZone = useClinicTimeZone();
  const config = useBillingConfig();
  const [paying, setPaying] = useState<{ amountCents: number; since: number } | null>(null);
  const invoice = useInvoice(invoiceId, paying ? PAY_POLL_MS : false);
  const [slow, setSlow] = useState(false);
  const back = role === 'patient' ? '/portal/bills' : '/patients';

  useEffect(() => {
    if (!paying) return;
    const t = setTimeout(() => setSlow(true), PAY_SLOW_MS);
    return () => clearTimeout(t);
  }, [paying]);

  const inv = invoice.data;
  let body;
  if (invoice.isError) {
    body =
      isApiError(invoice.error) && invoice.error.status === 404 ? (
        <p>There is no bill at this address.</p>
      ) : (
        <ErrorNotice error={invoice.error} title="Could not load the bill" onRetry={() => void invoice.refetch()} />
      );
  } else if (!inv || config.isPending) {
    body = <Skeleton lines={4} label="Loading the bill…" />;
  } else if (inv.status === 'paid') {
    body = <Receipt invoice={inv} paidCents={paying?.amountCents ?? inv.paidCents} currency={currency} today={todayInZone(timeZone)} timeZone={timeZone} />;
  } else if (inv.status === 'void') {
    body = <p>This bill was cancelled by the practice; there is nothing to pay.</p>;
  } else if (paying) {
    body = (
      <div role="status" className="pay-waiting">
        <p>
          <strong>Confirming your payment…</strong>
        </p>
        <p className="muted">
          {slow
            ? 'This is taking longer than usual. You can leave this page: the bill will show as paid once the payment comes through.'
            : 'This takes a few seconds. Please keep this page open.'}
        </p>
      </div>
    );
  } else {
    const cards = config.isError ? 'off' : config.data!.cards;
    const start = () => setPaying({ amountCents: inv.balanceCents, since: Date.now() });
    body = (
      <>
        <Summary invoice={inv} currency={currency} />
        {cards === 'off' || (cards === 'live' && !config.data?.publishableKey) ? (
          <p className="notice notice--info">
            Card payments are not set up for this practice; call the front desk to pay the {formatMoney(inv.balanceCents, currency)} balance.
          </p>
        ) : cards === 'test' ? (
          <TestCardForm invoiceId={inv.id} amountCents={inv.balanceCents} currency={currency} onPaid={start} />
        ) : (
          <StripeCardForm
            invoiceId={inv.id}
            publishableKey={config.data!.publishableKey!}
            amountCents={inv.balanceCents}
            currency={currency}
            onConfirmed={start}
          />
        )}
      </>
    );
  }

  return (
    <div className="pay-shell">
      <header className="pay-shell__header">
        <span className="pay-shell__clinic">{clinicName}</span>
        <a href={back}>{role === 'patient' ? 'Back to bills' : 'Back'}</a>
      </header>
      <main id="main" className="page page--narrow pay-page">
        <h1>Pay a bill</h1>
        {body}
      </main>
    </div>
  );
}

function Summary({ invoice, currency }: { invoice: Invoice; currency: string }) {
  return (
    <dl className="billing-facts pay-summary">
      <div>
        <dt>Invoice</dt>
        <dd>{invoice.number}</dd>
      </div>
      <div>
        <dt>Amount due</dt>
        <dd className="pay-summary__due">{formatMoney(invoice.balanceCents, currency)}</dd>
      </div>
    </dl>
  );
}

/**
 * Test mode: looks like a card form but sends nothing of it anywhere. Pay
 * creates the intent and asks the local stack's Stripe stand-in
 * (/_dev/stripe/pay) to settle it, which sends the signed webhook.
 */
function TestCardForm({
  invoiceId,
  amountCents,
  currency,
  onPaid,
}: {
  invoiceId: string;
  amountCents: number;
  currency: string;
  onPaid: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function pay(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const intent = await createPaymentIntent(invoiceId);
      await devStripePay(intent.paymentIntentId);
      onPaid();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="pay-form pay-form--test" onSubmit={(e) => void pay(e)}>
      <p className="pay-test-label">
        <strong>Test mode</strong> — no real card is charged and nothing typed here is sent.
      </p>
      <div className="field">
        <label htmlFor="test-card">Card number</label>
        <input id="test-card" value="4242 4242 4242 4242" readOnly autoComplete="off" />
      </div>
      <div className="pay-form__row">
        <div className="field">
          <label htmlFor="test-exp">Expiry</label>
          <input id="test-exp" value="12 / 34" readOnly autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="test-cvc">CVC</label>
          <input id="test-cvc" value="123" readOnly autoComplete="off" />
        </div>
      </div>
      {error !== null && <ErrorNotice error={error} title="The payment did not go through" />}
      <button type="submit" className="button-primary pay-form__submit" disabled={busy}>
        {busy ? 'Paying…' : `Pay ${formatMoney(amountCents, currency)}`}
      </button>
    </form>
  );
}

function Receipt({
  invoice,
  paidCents,
  currency,
  today,
  timeZone,
}: {
  invoice: Invoice;
  paidCents: number;
  currency: string;
  today: string;
  timeZone: string;
}) {
  const on = invoice.paidAt ? dateInZone(invoice.paidAt, timeZone) : today;
  return (
    <section className="pay-receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title" className="section-title">
        <span aria-hidden="true">✓ </span>Receipt
      </h2>
      <p className="pay-receipt__line" role="status">
        Paid {formatMoney(paidCents, currency)} on {formatLongDate(on)}
      </p>
      <p>Invoice {invoice.number} is paid in full. Thank you.</p>
      <a className="button-secondary" href={invoicePdfUrl(invoice.id)} target="_blank" rel="noopener">
        Download receipt PDF
      </a>
    </section>
  );
}
