import { useId, useRef, useState, type FormEvent } from 'react';
import { formatMoney, useAcceptPlan, type Plan } from '../../api/plans';
import { Dialog } from '../../components/Dialog';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';

/**
 * Records the patient's in-office acceptance of one option: the patient
 * types their full name as their signature (the server checks it against
 * the record). Accepting one option declines the group's others.
 */
export function AcceptDialog({
  plan,
  optionName,
  others,
  patientName,
  currency,
  onClose,
}: {
  plan: Plan;
  optionName: string;
  others: string[];
  patientName: string;
  currency: string;
  onClose: () => void;
}) {
  const id = useId();
  const accept = useAcceptPlan(plan.patientId);
  const [signature, setSignature] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<{ message: string; requestId: string } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!signature.trim()) {
      setFieldError('Type the patient’s full name to sign.');
      inputRef.current?.focus();
      return;
    }
    setFieldError(undefined);
    try {
      await accept.mutateAsync({ id: plan.id, signature: signature.trim() });
      toastSuccess(`${optionName} accepted.`);
      onClose();
    } catch (err) {
      if (isApiError(err) && err.hasField('signature')) {
        setFieldError(err.fieldMessage('signature'));
        inputRef.current?.focus();
      } else if (isApiError(err)) {
        setError({ message: err.message, requestId: err.requestId });
      } else {
        setError({ message: 'Could not record the acceptance. Please try again.', requestId: '' });
      }
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Record acceptance: ${optionName}`}
      initialFocusRef={inputRef}
      description={
        <p>
          {plan.title} — total {formatMoney(plan.totalCents, currency)}.
        </p>
      }
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="plan-accept">
        {others.length > 0 && (
          <p className="notice notice--info">
            Accepting this option declines the other option{others.length === 1 ? '' : 's'}: {others.join(', ')}.
          </p>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error.message}
            {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-signature`}>Patient’s signature (their full name)</label>
          <input
            ref={inputRef}
            id={`${id}-signature`}
            value={signature}
            autoComplete="off"
            onChange={(e) => setSignature(e.target.value)}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={`${id}-hint${fieldError ? ` ${id}-error` : ''}`}
          />
          <p id={`${id}-hint`} className="field__hint">
            Ask the patient to type their full name as on their record: {patientName}.
          </p>
          {fieldError && (
            <p id={`${id}-error`} className="field__error">
              {fieldError}
            </p>
          )}
        </div>
        <div className="button-row">
          <button type="submit" className="button-primary" disabled={accept.isPending}>
            {accept.isPending ? 'Recording…' : 'Record acceptance'}
          </button>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
