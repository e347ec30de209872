import { useState, type FormEvent, type ReactNode } from 'react';
import {
  ADJUSTMENT_LABELS,
  centsToInput,
  METHOD_LABELS,
  parseCents,
  refundableCents,
  usePostAdjustment,
  usePostCharge,
  newIdempotencyKey,
  usePostPayment,
  useRefund,
  type AdjustmentType,
  type Coverage,
  type DeskPaymentMethod,
  type Invoice,
  type LedgerEntry,
  type PaymentResult,
} from '../../api/billing';
import { formatMoney } from '../../api/plans';
import type { ProcedureCode } from '../../api/procedureCodes';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import { CodePicker } from '../../components/CodePicker';

/** The error of a failed save, above the buttons: field errors go to their fields, the rest here. */
export function SaveError({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  if (!error) return null;
  if (isApiError(error) && error.fields.length > 0 && error.fields.every((f) => fields.includes(f.field))) return null;
  return (
    <div className="notice notice--error" role="alert">
      <p>
        {error instanceof Error ? error.message : 'Could not save. Please try again.'}
        {isApiError(error) && error.requestId && <span className="notice__ref"> Reference: {error.requestId}</span>}
      </p>
    </div>
  );
}

function fieldError(error: unknown, field: string): string | undefined {
  return isApiError(error) ? error.fieldMessage(field) : undefined;
}

/** A dialog form's submit and Cancel buttons. */
export function FormButtons({
  busy,
  label,
  busyLabel,
  onCancel,
  danger = false,
  disabled = false,
}: {
  busy: boolean;
  label: string;
  busyLabel: string;
  onCancel: () => void;
  danger?: boolean;
  disabled?: boolean;
}) {
  return (
    <div className="button-row">
      <button type="submit" className={danger ? 'button-danger' : 'button-primary'} disabled={busy || disabled}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" className="button-secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

function AmountField({
  label,
  value,
  onChange,
  error,
  hint,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
}) {
  return (
    <Field
      label={label}
      inputMode="decimal"
      autoComplete="off"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint={hint}
      required
    />
  );
}

/** The amount typed, as cents, or the message to show under the field. */
function amountOrError(text: string): { cents: number } | { error: string } {
  const cents = parseCents(text);
  if (cents === null) return { error: 'Enter an amount such as 125.00' };
  if (cents <= 0) return { error: 'Enter an amount above zero' };
  return { cents };
}

/** Post a charge: a code from the fee schedule (its fee prefilled, editable), an optional tooth. */
export function ChargeDialog({ patientId, currency, onClose }: { patientId: string; currency: string; onClose: () => void }) {
  const post = usePostCharge(patientId);
  const [code, setCode] = useState<ProcedureCode | null>(null);
  const [amount, setAmount] = useState('');
  const [tooth, setTooth] = useState('');
  const [localError, setLocalError] = useState<string | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!code) {
      setLocalError('Choose a procedure first');
      return;
    }
    const a = amountOrError(amount);
    if ('error' in a) {
      setLocalError(a.error);
      return;
    }
    setLocalError(undefined);
    try {
      const entry = await post.mutateAsync({
        code: code.code,
        ...(tooth.trim() ? { tooth: tooth.trim() } : {}),
        ...(a.cents !== code.feeCents ? { amountCents: a.cents } : {}),
      });
      toastSuccess(`Charge posted: ${entry.code ?? code.code} ${formatMoney(entry.amountCents, currency)}.`);
      onClose();
    } catch {
      // shown below
    }
  }

  return (
    <Dialog open onClose={onClose} title="Post a charge">
      <form className="billing-form" onSubmit={(e) => void submit(e)} noValidate>
        {code ? (
          <p className="billing-form__chosen">
            <strong>{code.code}</strong> {code.description}{' '}
            <button type="button" className="button-ghost" onClick={() => setCode(null)}>
              Change procedure
            </button>
          </p>
        ) : (
          <CodePicker
            currency={currency}
            onPick={(c) => {
              setCode(c);
              setAmount(centsToInput(c.feeCents));
              setLocalError(undefined);
            }}
          />
        )}
        {fieldError(post.error, 'code') && <p className="field__error">{fieldError(post.error, 'code')}</p>}
        <AmountField
          label="Amount ($)"
          value={amount}
          onChange={setAmount}
          error={code ? (localError ?? fieldError(post.error, 'amountCents')) : undefined}
          hint={code ? `The fee schedule says ${formatMoney(code.feeCents, currency)}.` : 'Filled in from the fee schedule.'}
        />
        {!code && localError && <p className="field__error">{localError}</p>}
        <Field label="Tooth (optional)" value={tooth} onChange={(e) => setTooth(e.target.value)} error={fieldError(post.error, 'tooth')} />
        <SaveError error={post.error} fields={['code', 'amountCents', 'tooth']} />
        <FormButtons busy={post.isPending} label="Post charge" busyLabel="Posting…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

const DESK_METHODS: DeskPaymentMethod[] = ['cash', 'cheque', 'card_terminal', 'insurance'];

/** Post a payment taken at the desk (or received from an insurer), optionally against an open invoice. */
export function PaymentDialog({
  patientId,
  currency,
  invoices,
  coverages,
  onClose,
}: {
  patientId: string;
  currency: string;
  invoices: Invoice[];
  coverages: Coverage[];
  onClose: () => void;
}) {
  const post = usePostPayment(patientId);
  const open = invoices.filter((i) => i.status === 'open');
  const [method, setMethod] = useState<DeskPaymentMethod>('cash');
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [invoiceId, setInvoiceId] = useState(open[0]?.id ?? '');
  const [coverageId, setCoverageId] = useState(coverages[0]?.id ?? '');
  const [amountError, setAmountError] = useState<string | undefined>();
  const [result, setResult] = useState<PaymentResult | null>(null);
  // One payment per dialog: a retry after a lost answer posts it once.
  const [idempotencyKey] = useState(newIdempotencyKey);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const a = amountOrError(amount);
    if ('error' in a) {
      setAmountError(a.error);
      return;
    }
    setAmountError(undefined);
    try {
      const r = await post.mutateAsync({
        idempotencyKey,
        amountCents: a.cents,
        method,
        ...(reference.trim() ? { reference: reference.trim() } : {}),
        ...(invoiceId ? { invoiceId } : {}),
        ...(method === 'insurance' && coverageId ? { coverageId } : {}),
      });
      setResult(r);
      toastSuccess(`Payment of ${formatMoney(r.payment.amountCents, currency)} posted.`);
    } catch {
      // shown below
    }
  }

  if (result) {
    return (
      <Dialog open onClose={onClose} title="Payment posted" size="sm">
        <dl className="billing-facts">
          <div>
            <dt>Received</dt>
            <dd>{formatMoney(result.payment.amountCents, currency)}</dd>
          </div>
          <div>
            <dt>Applied</dt>
            <dd>{formatMoney(result.appliedCents, currency)}</dd>
          </div>
          <div>
            <dt>Credit</dt>
            <dd>{formatMoney(result.creditCents, currency)}</dd>
          </div>
          {result.invoice && (
            <div>
              <dt>Invoice {result.invoice.number}</dt>
              <dd>
                {result.invoice.status === 'paid' ? 'Paid' : `${formatMoney(result.invoice.balanceCents, currency)} still due`}
              </dd>
            </div>
          )}
        </dl>
        {result.creditCents > 0 && (
          <p className="notice notice--info">
            {formatMoney(result.creditCents, currency)} was more than was due and is kept as a credit on the account.
          </p>
        )}
        <div className="button-row">
          <button type="button" className="button-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  const referenceLabel =
    method === 'cheque' ? 'Cheque number' : method === 'card_terminal' ? 'Terminal reference' : method === 'insurance' ? 'Claim or EOB reference' : 'Reference (optional)';

  return (
    <Dialog open onClose={onClose} title="Post a payment">
      <form className="billing-form" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset className="billing-form__methods">
          <legend>Method</legend>
          {DESK_METHODS.map((m) => (
            <label key={m} className="billing-radio">
              <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} /> {METHOD_LABELS[m]}
            </label>
          ))}
        </fieldset>
        <AmountField label="Amount ($)" value={amount} onChange={setAmount} error={amountError ?? fieldError(post.error, 'amountCents')} />
        <Field label={referenceLabel} value={reference} onChange={(e) => setReference(e.target.value)} error={fieldError(post.error, 'reference')} />
        {method === 'insurance' && (
          <div className="field">
            <label htmlFor="pay-coverage">Coverage</label>
            <select id="pay-coverage" value={coverageId} onChange={(e) => setCoverageId(e.target.value)} aria-invalid={fieldError(post.error, 'coverageId') ? true : undefined}>
              {coverages.length === 0 && <option value="">No coverage on file</option>}
              {coverages.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.priority === 'primary' ? 'Primary' : 'Secondary'}: {c.plan.carrier.name} {c.plan.name}
                </option>
              ))}
            </select>
            {fieldError(post.error, 'coverageId') && <p className="field__error">{fieldError(post.error, 'coverageId')}</p>}
          </div>
        )}
        <div className="field">
          <label htmlFor="pay-invoice">Apply to invoice</label>
          <select id="pay-invoice" value={invoiceId} onChange={(e) => setInvoiceId(e.target.value)}>
            <option value="">No invoice (on account)</option>
            {open.map((i) => (
              <option key={i.id} value={i.id}>
                {i.number}: {formatMoney(i.balanceCents, currency)} due
              </option>
            ))}
          </select>
        </div>
        <SaveError error={post.error} fields={['amountCents', 'reference', 'coverageId']} />
        <FormButtons busy={post.isPending} label="Post payment" busyLabel="Posting…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

const ADJUSTMENT_TYPES = Object.keys(ADJUSTMENT_LABELS) as AdjustmentType[];

/** An adjustment: its type and a reason (always required). */
export function AdjustmentDialog({ patientId, currency, onClose }: { patientId: string; currency: string; onClose: () => void }) {
  const post = usePostAdjustment(patientId);
  const [type, setType] = useState<AdjustmentType>('courtesy');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ amount?: string; reason?: string }>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const a = amountOrError(amount);
    const next = { ...('error' in a ? { amount: a.error } : {}), ...(reason.trim() ? {} : { reason: 'Say why (the reason is kept with the entry)' }) };
    setErrors(next);
    if ('error' in a || next.reason) return;
    try {
      const entry = await post.mutateAsync({ amountCents: a.cents, adjustmentType: type, reason: reason.trim() });
      toastSuccess(`${ADJUSTMENT_LABELS[type]} of ${formatMoney(entry.amountCents, currency)} posted.`);
      onClose();
    } catch {
      // shown below
    }
  }

  return (
    <Dialog open onClose={onClose} title="Post an adjustment">
      <form className="billing-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="adj-type">Type</label>
          <select id="adj-type" value={type} onChange={(e) => setType(e.target.value as AdjustmentType)}>
            {ADJUSTMENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {ADJUSTMENT_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <AmountField label="Amount ($)" value={amount} onChange={setAmount} error={errors.amount ?? fieldError(post.error, 'amountCents')} />
        <Field label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason ?? fieldError(post.error, 'reason')} required />
        <SaveError error={post.error} fields={['amountCents', 'reason', 'adjustmentType']} />
        <FormButtons busy={post.isPending} label="Post adjustment" busyLabel="Posting…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** Refund a payment (in full by default); a card payment goes back through Stripe. */
export function RefundDialog({
  patientId,
  currency,
  payment,
  onClose,
}: {
  patientId: string;
  currency: string;
  payment: LedgerEntry;
  onClose: () => void;
}) {
  const refund = useRefund(patientId);
  const max = refundableCents(payment);
  const [amount, setAmount] = useState(centsToInput(max));
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ amount?: string; reason?: string }>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const a = amountOrError(amount);
    const next: { amount?: string; reason?: string } = {};
    if ('error' in a) next.amount = a.error;
    else if (a.cents > max) next.amount = `At most ${formatMoney(max, currency)} can be refunded`;
    if (!reason.trim()) next.reason = 'Say why';
    setErrors(next);
    if ('error' in a || next.amount || next.reason) return;
    try {
      const r = await refund.mutateAsync({
        paymentId: payment.id,
        ...(a.cents !== max ? { amountCents: a.cents } : {}),
        reason: reason.trim(),
      });
      toastSuccess(`Refunded ${formatMoney(r.refund.amountCents, currency)}.`);
      onClose();
    } catch {
      // shown below
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title="Refund a payment"
      description={
        <p>
          {METHOD_LABELS[payment.method ?? 'cash'] ?? payment.method} payment of {formatMoney(payment.amountCents, currency)}
          {payment.refundedCents ? `, ${formatMoney(payment.refundedCents, currency)} already refunded` : ''}.
          {payment.method === 'card' && ' The money goes back to the card through Stripe.'}
        </p>
      }
    >
      <form className="billing-form" onSubmit={(e) => void submit(e)} noValidate>
        <AmountField
          label="Amount to refund ($)"
          value={amount}
          onChange={setAmount}
          error={errors.amount ?? fieldError(refund.error, 'amountCents')}
          hint={`Up to ${formatMoney(max, currency)}.`}
        />
        <Field label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason ?? fieldError(refund.error, 'reason')} required />
        <SaveError error={refund.error} fields={['amountCents', 'reason']} />
        <FormButtons busy={refund.isPending} label="Refund" busyLabel="Refunding…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
