import { loadStripe } from '@stripe/stripe-js/pure';
import type { Stripe, StripeElements } from '@stripe/stripe-js';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { createPaymentIntent } from '../../api/billing';
import { formatMoney } from '../../api/plans';

/**
 * Live card payment with Stripe's Payment Element. The card details go from
 * Stripe's own iframe to Stripe; this page only ever holds the intent's
 * client secret. `@stripe/stripe-js/pure` loads Stripe.js when loadStripe is
 * first called (not on import), so nothing is fetched from js.stripe.com
 * unless card payments are live and this form is on screen.
 */
export function StripeCardForm({
  invoiceId,
  publishableKey,
  amountCents,
  currency,
  onConfirmed,
}: {
  invoiceId: string;
  publishableKey: string;
  amountCents: number;
  currency: string;
  onConfirmed: () => void;
}) {
  const mountRef = useRef<HTMLDivElement>(null);
  const stripeRef = useRef<Stripe | null>(null);
  const elementsRef = useRef<StripeElements | null>(null);
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [stripe, intent] = await Promise.all([loadStripe(publishableKey), createPaymentIntent(invoiceId)]);
        if (cancelled) return;
        if (!stripe) throw new Error('Card payments could not be loaded. Please try again, or call the front desk.');
        const elements = stripe.elements({ clientSecret: intent.clientSecret });
        const payment = elements.create('payment');
        if (mountRef.current) payment.mount(mountRef.current);
        payment.on('ready', () => !cancelled && setReady(true));
        stripeRef.current = stripe;
        elementsRef.current = elements;
      } catch (err) {
        if (!cancelled) setError(err instanceof Error ? err.message : 'Card payments could not be loaded.');
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [invoiceId, publishableKey]);

  async function pay(event: FormEvent) {
    event.preventDefault();
    const stripe = stripeRef.current;
    const elements = elementsRef.current;
    if (!stripe || !elements) return;
    setBusy(true);
    setError(null);
    const result = await stripe.confirmPayment({
      elements,
      redirect: 'if_required',
      confirmParams: { return_url: window.location.href },
    });
    setBusy(false);
    if (result.error) {
      setError(result.error.message ?? 'The card was not accepted. Please check the details or try another card.');
      return;
    }
    onConfirmed();
  }

  return (
    <form className="pay-form" onSubmit={(e) => void pay(e)}>
      <div ref={mountRef} className="pay-form__element" data-testid="stripe-payment-element" />
      {!ready && !error && <p className="muted">Loading the secure card form…</p>}
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button-primary pay-form__submit" disabled={!ready || busy}>
        {busy ? 'Paying…' : `Pay ${formatMoney(amountCents, currency)}`}
      </button>
    </form>
  );
}
