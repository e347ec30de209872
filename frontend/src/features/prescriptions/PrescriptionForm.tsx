import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  RX_FORM_LABELS,
  RX_FORMS,
  RX_QUANTITY,
  RX_REFILLS,
  useCreatePrescription,
  type Prescription,
  type PrescriptionInput,
} from '../../api/prescriptions';
import { isApiError } from '../../lib/api';

interface Values {
  drug: string;
  strength: string;
  form: string;
  sig: string;
  quantity: string;
  refills: string;
  reason: string;
}

const EMPTY: Values = { drug: '', strength: '', form: 'tablet', sig: '', quantity: '', refills: '0', reason: '' };

type Errors = Partial<Record<keyof Values | 'override', string | undefined>>;

/** What the form checks before sending; the server checks the same and more. */
export function validatePrescription(v: Values): Errors {
  const errors: Errors = {};
  if (!v.drug.trim()) errors.drug = 'Enter the drug.';
  if (!v.strength.trim()) errors.strength = 'Enter the strength, for example “500 mg”.';
  if (!v.sig.trim()) errors.sig = 'Enter the directions for the patient.';
  const q = Number(v.quantity);
  if (!/^\d+$/.test(v.quantity.trim()) || q < RX_QUANTITY.min || q > RX_QUANTITY.max) {
    errors.quantity = `Enter a whole number from ${RX_QUANTITY.min} to ${RX_QUANTITY.max}.`;
  }
  const r = Number(v.refills);
  if (!/^\d+$/.test(v.refills.trim()) || r < RX_REFILLS.min || r > RX_REFILLS.max) {
    errors.refills = `Enter a whole number from ${RX_REFILLS.min} to ${RX_REFILLS.max}.`;
  }
  return errors;
}

const ORDER: (keyof Values)[] = ['drug', 'strength', 'form', 'sig', 'quantity', 'refills', 'reason'];

/**
 * Writes a prescription. A drug that matches one of the patient's recorded
 * allergies comes back 422: the server's warning shows first, as an alert
 * naming the allergy, and only then "Prescribe anyway", which needs a reason
 * and sends it as `override`.
 */
export function PrescriptionForm({ patientId, onPrescribed }: { patientId: string; onPrescribed: (rx: Prescription) => void }) {
  const id = useId();
  const create = useCreatePrescription(patientId);
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [warning, setWarning] = useState<{ message: string; requestId: string } | null>(null);
  const [overriding, setOverriding] = useState(false);
  const [overrideReason, setOverrideReason] = useState('');
  const [serverError, setServerError] = useState<{ message: string; requestId: string } | null>(null);
  const warningRef = useRef<HTMLDivElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const overrideRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (warning) warningRef.current?.focus();
  }, [warning]);
  useEffect(() => {
    if (serverError) errorRef.current?.focus();
  }, [serverError]);
  useEffect(() => {
    if (overriding) overrideRef.current?.focus();
  }, [overriding]);

  function set(key: keyof Values, value: string) {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
    // Another drug (or strength) is another question for the allergy check.
    if ((key === 'drug' || key === 'strength' || key === 'form') && warning) {
      setWarning(null);
      setOverriding(false);
      setOverrideReason('');
    }
  }

  function focusFirst(found: Errors) {
    const first = ORDER.find((k) => found[k]);
    if (first) document.getElementById(`${id}-${first}`)?.focus();
  }

  async function send(override?: { reason: string }) {
    setServerError(null);
    const body: PrescriptionInput = {
      drug: values.drug.trim(),
      strength: values.strength.trim(),
      form: values.form,
      sig: values.sig.trim(),
      quantity: Number(values.quantity),
      refills: Number(values.refills),
      reason: values.reason.trim(),
      ...(override ? { override } : {}),
    };
    try {
      const rx = await create.mutateAsync(body);
      setValues(EMPTY);
      setWarning(null);
      setOverriding(false);
      setOverrideReason('');
      onPrescribed(rx);
    } catch (err) {
      if (isApiError(err) && err.status === 422) {
        setWarning({ message: err.message, requestId: err.requestId });
        setOverriding(false);
        return;
      }
      if (isApiError(err) && err.fields.length > 0) {
        const found: Errors = {};
        for (const f of err.fields) {
          const key = (f.field.startsWith('override') ? 'override' : f.field) as keyof Errors;
          found[key] = f.message;
        }
        setErrors(found);
        if (found.override) overrideRef.current?.focus();
        else focusFirst(found);
        setServerError({ message: err.message, requestId: err.requestId });
        return;
      }
      setServerError(
        isApiError(err)
          ? { message: err.message, requestId: err.requestId }
          : { message: 'Could not save the prescription. Please try again.', requestId: '' },
      );
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validatePrescription(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirst(found);
      return;
    }
    if (overriding) {
      if (!overrideReason.trim()) {
        setErrors({ override: 'Give the reason for prescribing despite the allergy.' });
        overrideRef.current?.focus();
        return;
      }
      void send({ reason: overrideReason.trim() });
      return;
    }
    void send();
  }

  const describe = (key: keyof Values, hint?: boolean) =>
    [hint ? `${id}-${key}-hint` : '', errors[key] ? `${id}-${key}-error` : ''].filter(Boolean).join(' ') || undefined;
  const errorText = (key: keyof Values) =>
    errors[key] ? (
      <p id={`${id}-${key}-error`} className="field__error">
        {errors[key]}
      </p>
    ) : null;

  return (
    <form className="rx-form" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="section-title">
        New prescription
      </h2>
      {warning && (
        <div ref={warningRef} tabIndex={-1} className="rx-warning" role="alert">
          <p className="rx-warning__title">
            <span aria-hidden="true">⚠ </span>Allergy warning
          </p>
          <p>{warning.message}</p>
          <p className="rx-warning__next">Change the drug, or prescribe anyway with a reason that is kept on the record.</p>
          {!overriding && (
            <div className="button-row">
              <button type="button" className="button-danger-outline" onClick={() => setOverriding(true)}>
                Prescribe anyway
              </button>
              <button
                type="button"
                className="button-secondary"
                onClick={() => {
                  setWarning(null);
                  document.getElementById(`${id}-drug`)?.focus();
                }}
              >
                Change the drug
              </button>
            </div>
          )}
        </div>
      )}
      {serverError && (
        <div ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          <p>
            {serverError.message}
            {serverError.requestId && <span className="form-error__ref"> Reference: {serverError.requestId}</span>}
          </p>
        </div>
      )}
      <div className="rx-form__grid">
        <div className="field rx-form__drug">
          <label htmlFor={`${id}-drug`}>Drug</label>
          <input
            id={`${id}-drug`}
            value={values.drug}
            maxLength={200}
            autoComplete="off"
            onChange={(e) => set('drug', e.target.value)}
            aria-invalid={errors.drug || warning ? true : undefined}
            aria-describedby={describe('drug')}
          />
          {errorText('drug')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-strength`}>Strength</label>
          <input
            id={`${id}-strength`}
            value={values.strength}
            maxLength={100}
            placeholder="e.g. 500 mg"
            onChange={(e) => set('strength', e.target.value)}
            aria-invalid={errors.strength ? true : undefined}
            aria-describedby={describe('strength')}
          />
          {errorText('strength')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-form`}>Form</label>
          <select id={`${id}-form`} value={values.form} onChange={(e) => set('form', e.target.value)} aria-describedby={describe('form')}>
            {RX_FORMS.map((f) => (
              <option key={f} value={f}>
                {RX_FORM_LABELS[f]}
              </option>
            ))}
          </select>
          {errorText('form')}
        </div>
        <div className="field rx-form__sig">
          <label htmlFor={`${id}-sig`}>Directions (sig)</label>
          <textarea
            id={`${id}-sig`}
            rows={2}
            value={values.sig}
            maxLength={1000}
            placeholder="e.g. Take 1 capsule by mouth 3 times a day for 7 days"
            onChange={(e) => set('sig', e.target.value)}
            aria-invalid={errors.sig ? true : undefined}
            aria-describedby={describe('sig')}
          />
          {errorText('sig')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-quantity`}>Quantity</label>
          <input
            id={`${id}-quantity`}
            inputMode="numeric"
            value={values.quantity}
            onChange={(e) => set('quantity', e.target.value)}
            aria-invalid={errors.quantity ? true : undefined}
            aria-describedby={describe('quantity', true)}
          />
          <p id={`${id}-quantity-hint`} className="field__hint">
            {RX_QUANTITY.min}–{RX_QUANTITY.max}
          </p>
          {errorText('quantity')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-refills`}>Refills</label>
          <input
            id={`${id}-refills`}
            inputMode="numeric"
            value={values.refills}
            onChange={(e) => set('refills', e.target.value)}
            aria-invalid={errors.refills ? true : undefined}
            aria-describedby={describe('refills', true)}
          />
          <p id={`${id}-refills-hint`} className="field__hint">
            {RX_REFILLS.min}–{RX_REFILLS.max}
          </p>
          {errorText('refills')}
        </div>
        <div className="field rx-form__reason">
          <label htmlFor={`${id}-reason`}>Reason</label>
          <input
            id={`${id}-reason`}
            value={values.reason}
            maxLength={500}
            placeholder="e.g. Post-extraction pain"
            onChange={(e) => set('reason', e.target.value)}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={describe('reason')}
          />
          {errorText('reason')}
        </div>
      </div>
      {overriding && (
        <div className="field rx-form__override">
          <label htmlFor={`${id}-override`}>Reason for prescribing despite the allergy</label>
          <textarea
            ref={overrideRef}
            id={`${id}-override`}
            rows={2}
            value={overrideReason}
            maxLength={1000}
            onChange={(e) => {
              setOverrideReason(e.target.value);
              setErrors((x) => ({ ...x, override: undefined }));
            }}
            aria-invalid={errors.override ? true : undefined}
            aria-describedby={errors.override ? `${id}-override-error` : undefined}
          />
          {errors.override && (
            <p id={`${id}-override-error`} className="field__error">
              {errors.override}
            </p>
          )}
        </div>
      )}
      <div className="button-row">
        {overriding ? (
          <>
            <button type="submit" className="button-danger" disabled={create.isPending}>
              {create.isPending ? 'Prescribing…' : 'Prescribe anyway'}
            </button>
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setOverriding(false);
                setOverrideReason('');
              }}
            >
              Do not override
            </button>
          </>
        ) : (
          <button type="submit" className="button-primary" disabled={create.isPending || !!warning}>
            {create.isPending ? 'Prescribing…' : 'Prescribe'}
          </button>
        )}
      </div>
    </form>
  );
}
