import { useEffect, useId, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { isApiError } from '../../lib/api';
import { patientDisplayName, type PatientSummary } from '../../lib/types';
import { searchPatients, useCreatePatient } from '../../api/patients';

export interface NewPatientFormProps {
  /** What was typed in the search, to start the name fields with. */
  initialText: string;
  onCreated: (patient: PatientSummary) => void;
  onCancel: () => void;
}

const digits = (s: string | undefined) => (s ?? '').replace(/\D/g, '');

/** Same date of birth, or the same phone number (by digits, so "+1" or brackets do not matter). */
export function possibleDuplicates(
  candidates: readonly PatientSummary[],
  wanted: { dateOfBirth: string; phone?: string | undefined },
): PatientSummary[] {
  const phone = digits(wanted.phone);
  const samePhone = (other: string | undefined) => {
    const d = digits(other);
    return phone.length >= 7 && d.length >= 7 && (d.endsWith(phone) || phone.endsWith(d));
  };
  return candidates.filter((p) => (wanted.dateOfBirth && p.dateOfBirth === wanted.dateOfBirth) || samePhone(p.phone));
}

function splitName(text: string): { first: string; last: string } {
  const words = text.trim().split(/\s+/).filter((w) => !/^[\d+().-]+$|@/.test(w));
  if (words.length === 0) return { first: '', last: '' };
  if (words.length === 1) return { first: '', last: words[0]! };
  return { first: words.slice(0, -1).join(' '), last: words[words.length - 1]! };
}

/**
 * The booking dialog's inline "New patient": the fewest fields a record needs,
 * and a look for the same person (same last name with the same birth date or
 * phone) before creating a second record. Not a <form>: it sits inside the
 * booking form, so Enter is handled here.
 */
export function NewPatientForm({ initialText, onCreated, onCancel }: NewPatientFormProps) {
  const id = useId();
  const start = splitName(initialText);
  const [firstName, setFirstName] = useState(start.first);
  const [lastName, setLastName] = useState(start.last);
  const [dateOfBirth, setDateOfBirth] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [checking, setChecking] = useState(false);
  const [duplicates, setDuplicates] = useState<PatientSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = useCreatePatient();
  const firstRef = useRef<HTMLInputElement>(null);
  const dupRef = useRef<HTMLHeadingElement>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    firstRef.current?.focus();
  }, []);
  useEffect(() => {
    if (duplicates && duplicates.length > 0) dupRef.current?.focus();
  }, [duplicates]);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const missing = {
    firstName: attempted && !firstName.trim() ? 'Enter the first name.' : undefined,
    lastName: attempted && !lastName.trim() ? 'Enter the last name.' : undefined,
    dateOfBirth: attempted && !dateOfBirth ? 'Enter the date of birth.' : undefined,
    contact: attempted && !phone.trim() && !email.trim() ? 'Enter a phone number or an email address.' : undefined,
  };
  const input = {
    firstName: firstName.trim(),
    lastName: lastName.trim(),
    dateOfBirth,
    ...(phone.trim() ? { phone: phone.trim() } : {}),
    ...(email.trim() ? { email: email.trim() } : {}),
  };

  async function doCreate() {
    setError(null);
    try {
      const created = await create.mutateAsync(input);
      onCreated(created);
    } catch (err) {
      if (isApiError(err)) {
        const fieldText = err.fields.map((f) => `${f.field} ${f.message}`).join('; ');
        setError(fieldText ? `${err.message}: ${fieldText}` : err.message);
      } else setError('Could not create the patient. Please try again.');
    }
  }

  async function check() {
    setAttempted(true);
    if (!input.firstName || !input.lastName || !input.dateOfBirth || (!input.phone && !input.email)) return;
    if (checking || create.isPending) return;
    setChecking(true);
    setError(null);
    try {
      const found = possibleDuplicates(await searchPatients(input.lastName), input);
      if (found.length > 0) setDuplicates(found);
      else await doCreate();
    } catch {
      // No duplicate check is no reason to stop the desk: create, the server still validates.
      await doCreate();
    } finally {
      setChecking(false);
    }
  }

  function onEnter(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      void check();
    }
  }

  const field = (key: string, label: string, value: string, set: (v: string) => void, err?: string, type = 'text', ref?: Ref<HTMLInputElement>, autoComplete = 'off') => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        ref={ref}
        id={`${id}-${key}`}
        type={type}
        value={value}
        autoComplete={autoComplete}
        onChange={(e) => {
          set(e.target.value);
          setDuplicates(null);
        }}
        onKeyDown={onEnter}
        aria-invalid={err ? true : undefined}
        aria-describedby={err ? `${id}-${key}-error` : undefined}
      />
      {err && (
        <p id={`${id}-${key}-error`} className="field__error">
          {err}
        </p>
      )}
    </div>
  );

  return (
    <fieldset className="fd-new-patient">
      <legend>New patient</legend>
      {error && (
        <p ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="field-row">
        {field('first', 'First name', firstName, setFirstName, missing.firstName, 'text', firstRef)}
        {field('last', 'Last name', lastName, setLastName, missing.lastName)}
        {field('dob', 'Date of birth', dateOfBirth, setDateOfBirth, missing.dateOfBirth, 'date')}
      </div>
      <div className="field-row">
        {field('phone', 'Phone', phone, setPhone, missing.contact, 'tel')}
        {field('email', 'Email', email, setEmail, undefined, 'email')}
      </div>
      <p className="field__hint">A phone number or an email address is needed to reach the patient.</p>

      {duplicates && duplicates.length > 0 ? (
        <section className="fd-duplicates" aria-labelledby={`${id}-dup-title`}>
          <h3 id={`${id}-dup-title`} ref={dupRef} tabIndex={-1} className="section-title">
            Possible duplicate{duplicates.length === 1 ? '' : 's'}: is this the same person?
          </h3>
          <ul className="fd-duplicates__list">
            {duplicates.map((p) => (
              <li key={p.id}>
                <span>
                  <strong>{patientDisplayName(p)}</strong>
                  <span className="muted">
                    {' '}
                    · born {p.dateOfBirth}
                    {p.phone ? ` · ${p.phone}` : ''}
                  </span>
                </span>
                <button
                  type="button"
                  className="button-secondary"
                  onClick={() => onCreated(p)}
                  aria-label={`Use this patient: ${patientDisplayName(p)}, born ${p.dateOfBirth}`}
                >
                  Use this patient
                </button>
              </li>
            ))}
          </ul>
          <div className="button-row">
            <button type="button" className="button-secondary" onClick={() => void doCreate()} disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create anyway'}
            </button>
            <button type="button" className="button-ghost" onClick={onCancel}>
              Back to search
            </button>
          </div>
        </section>
      ) : (
        <div className="button-row">
          <button
            type="button"
            className="button-primary"
            onClick={() => void check()}
            disabled={checking || create.isPending}
            aria-busy={checking || create.isPending}
          >
            {checking ? 'Checking for duplicates…' : create.isPending ? 'Creating…' : 'Create patient'}
          </button>
          <button type="button" className="button-ghost" onClick={onCancel}>
            Back to search
          </button>
        </div>
      )}
    </fieldset>
  );
}
