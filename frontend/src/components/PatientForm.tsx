import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Field } from './Field';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../lib/api';
import { countryChoices, languageChoices } from '../lib/places';
import type { PatientRecord } from '../lib/types';
import type { PatientInput } from '../api/patients';

/** Form keys are the API's field paths, so the server's `fields[]` land on the right input. */
const TEXT_KEYS = [
  'firstName',
  'lastName',
  'preferredName',
  'dateOfBirth',
  'sex',
  'phone',
  'email',
  'address.line1',
  'address.line2',
  'address.city',
  'address.region',
  'address.postalCode',
  'address.country',
  'emergencyContact.name',
  'emergencyContact.relationship',
  'emergencyContact.phone',
  'preferredContactMethod',
  'language',
] as const;
type TextKey = (typeof TEXT_KEYS)[number];
const BOOL_KEYS = ['communication.appointmentReminders', 'communication.marketing'] as const;
type BoolKey = (typeof BOOL_KEYS)[number];
type Values = Record<TextKey, string> & Record<BoolKey, boolean>;

export const FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  preferredName: 'Preferred name',
  dateOfBirth: 'Date of birth',
  sex: 'Sex',
  phone: 'Phone',
  email: 'Email',
  address: 'Address',
  'address.line1': 'Address line 1',
  'address.line2': 'Address line 2',
  'address.city': 'City',
  'address.region': 'State or region',
  'address.postalCode': 'Postal code',
  'address.country': 'Country',
  emergencyContact: 'Emergency contact',
  'emergencyContact.name': 'Emergency contact name',
  'emergencyContact.relationship': 'Relationship',
  'emergencyContact.phone': 'Emergency contact phone',
  preferredContactMethod: 'Preferred contact method',
  language: 'Language',
  communication: 'Communication preferences',
  'communication.appointmentReminders': 'Appointment reminders',
  'communication.marketing': 'News and offers',
};

export type Section = 'identity' | 'contact' | 'address' | 'emergency' | 'preferences';
const ALL_SECTIONS: Section[] = ['identity', 'contact', 'address', 'emergency', 'preferences'];

function toValues(p?: PatientRecord): Values {
  const v = {} as Values;
  for (const key of TEXT_KEYS) {
    const [a, b] = key.split('.') as [string, string | undefined];
    const top = (p as unknown as Record<string, unknown> | undefined)?.[a];
    const raw = b ? (top as Record<string, unknown> | undefined)?.[b] : top;
    v[key] = typeof raw === 'string' ? raw : '';
  }
  v['communication.appointmentReminders'] = p?.communication?.appointmentReminders ?? true;
  v['communication.marketing'] = p?.communication?.marketing ?? false;
  return v;
}

/**
 * The request body: on create, every filled-in field; on edit, only what
 * changed (a nested object goes whole when any part of it changed).
 */
export function toBody(values: Values, initial: Values | null): PatientInput {
  const body: Record<string, unknown> = {};
  const groups: Record<string, Record<string, unknown>> = {};
  const touched = new Set<string>();
  for (const key of [...TEXT_KEYS, ...BOOL_KEYS]) {
    const value = values[key];
    const [a, b] = key.split('.') as [string, string | undefined];
    const changed = initial ? initial[key] !== value : typeof value === 'string' ? value.trim() !== '' : false;
    if (b) {
      const group = (groups[a] ??= {});
      if (typeof value === 'boolean' || value.trim() !== '') group[b] = typeof value === 'string' ? value.trim() : value;
      if (changed) touched.add(a);
    } else if (changed) {
      body[a] = typeof value === 'string' ? value.trim() : value;
    }
  }
  for (const a of touched) body[a] = groups[a];
  return body as PatientInput;
}

export interface PatientFormProps {
  /** The record being edited; absent when creating. */
  initial?: PatientRecord;
  sections?: Section[];
  submitLabel: string;
  busyLabel: string;
  /** Sends the body; an ApiError's `fields` are shown next to their inputs. */
  submit: (body: PatientInput) => Promise<unknown>;
  onCancel?: () => void;
  /** Accessible name of the form. */
  label: string;
}

export function PatientForm({
  initial,
  sections = ALL_SECTIONS,
  submitLabel,
  busyLabel,
  submit,
  onCancel,
  label,
}: PatientFormProps) {
  const [start] = useState(() => toValues(initial));
  const [values, setValues] = useState<Values>(start);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<{ message: string; others: string[]; requestId?: string | undefined } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);
  const show = new Set(sections);

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const text = (key: TextKey) => ({
    name: key,
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
    error: fieldErrors[key],
  });

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    const body = toBody(values, initial ? start : null);
    if (initial && Object.keys(body).length === 0) {
      setError({ message: 'Nothing has changed yet.', others: [] });
      return;
    }
    setError(null);
    setFieldErrors({});
    setSubmitting(true);
    try {
      await submit(body);
    } catch (err) {
      if (!isApiError(err)) {
        setError({ message: NETWORK_ERROR_MESSAGE, others: [] });
      } else if (err.status === 0) {
        setError({ message: NETWORK_ERROR_MESSAGE, others: [] });
      } else {
        const byField: Record<string, string> = {};
        const others: string[] = [];
        for (const f of err.fields) {
          const text = `${FIELD_LABELS[f.field] ?? f.field} ${f.message}`;
          // A message for a whole group ("address") goes on its first input.
          const key = (TEXT_KEYS as readonly string[]).includes(f.field)
            ? f.field
            : TEXT_KEYS.find((k) => k.startsWith(`${f.field}.`));
          if (key && isShown(key, show)) byField[key] = byField[key] ? `${byField[key]}; ${f.message}` : text;
          else others.push(text);
        }
        setFieldErrors(byField);
        setError({
          message: err.fields.length ? 'Please check the highlighted details.' : err.message,
          others,
          requestId: err.fields.length ? undefined : err.requestId,
        });
      }
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form className="form-card patient-form pol-form" aria-label={label} noValidate onSubmit={(e) => void handleSubmit(e)}>
      {error && (
        <div ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          <p>{error.message}</p>
          {error.others.length > 0 && (
            <ul>
              {error.others.map((o) => (
                <li key={o}>{o}</li>
              ))}
            </ul>
          )}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </div>
      )}

      {show.has('identity') && (
        <fieldset className="fieldset">
          <legend>Patient</legend>
          <div className="field-row">
            <Field label="First name" autoComplete="off" required {...text('firstName')} />
            <Field label="Last name" autoComplete="off" required {...text('lastName')} />
          </div>
          <div className="field-row">
            <Field label="Preferred name" autoComplete="off" hint="Optional." {...text('preferredName')} />
            <Field label="Date of birth" type="date" required {...text('dateOfBirth')} />
          </div>
          <SelectField label="Sex" {...text('sex')}>
            <option value="">Not recorded</option>
            <option value="female">Female</option>
            <option value="male">Male</option>
            <option value="other">Other</option>
            <option value="unknown">Unknown</option>
          </SelectField>
        </fieldset>
      )}

      {show.has('contact') && (
        <fieldset className="fieldset">
          <legend>Contact</legend>
          <div className="field-row">
            <Field label="Phone" type="tel" autoComplete="off" hint="A phone or an email is required." {...text('phone')} />
            <Field label="Email" type="email" inputMode="email" autoComplete="off" {...text('email')} />
          </div>
        </fieldset>
      )}

      {show.has('address') && (
        <fieldset className="fieldset">
          <legend>Address</legend>
          <Field label="Address line 1" autoComplete="off" {...text('address.line1')} />
          <Field label="Address line 2" autoComplete="off" {...text('address.line2')} />
          <div className="field-row">
            <Field label="City" autoComplete="off" {...text('address.city')} />
            <Field label="State or region" autoComplete="off" {...text('address.region')} />
          </div>
          <div className="field-row">
            <Field label="Postal code" autoComplete="off" {...text('address.postalCode')} />
            <SelectField label="Country" {...text('address.country')}>
              <option value="">Not recorded</option>
              {countryChoices(undefined, values['address.country']).map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </SelectField>
          </div>
        </fieldset>
      )}

      {show.has('emergency') && (
        <fieldset className="fieldset">
          <legend>Emergency contact</legend>
          <div className="field-row">
            <Field label="Emergency contact name" autoComplete="off" {...text('emergencyContact.name')} />
            <Field label="Relationship" autoComplete="off" {...text('emergencyContact.relationship')} />
          </div>
          <Field label="Emergency contact phone" type="tel" autoComplete="off" {...text('emergencyContact.phone')} />
        </fieldset>
      )}

      {show.has('preferences') && (
        <fieldset className="fieldset">
          <legend>Preferences</legend>
          <div className="field-row">
            <SelectField label="Preferred contact method" {...text('preferredContactMethod')}>
              <option value="">No preference</option>
              <option value="sms">Text message</option>
              <option value="email">Email</option>
              <option value="phone">Phone call</option>
              <option value="none">Do not contact</option>
            </SelectField>
            <SelectField label="Language" {...text('language')}>
              <option value="">Not recorded</option>
              {languageChoices(values.language).map((l) => (
                <option key={l.code} value={l.code}>
                  {l.name}
                </option>
              ))}
            </SelectField>
          </div>
          {(['communication.appointmentReminders', 'communication.marketing'] as const).map((key) => (
            <label key={key} className="checkbox">
              <input
                type="checkbox"
                name={key}
                checked={values[key]}
                onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.checked }))}
              />
              {key === 'communication.appointmentReminders'
                ? 'Send appointment reminders'
                : 'Send news and offers from the practice'}
            </label>
          ))}
        </fieldset>
      )}

      <div className="button-row">
        <button type="submit" className="button-primary" disabled={submitting} aria-busy={submitting}>
          {submitting ? busyLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button-secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function isShown(key: string, show: Set<Section>): boolean {
  if (['firstName', 'lastName', 'preferredName', 'dateOfBirth', 'sex'].includes(key)) return show.has('identity');
  if (key === 'phone' || key === 'email') return show.has('contact');
  if (key.startsWith('address.')) return show.has('address');
  if (key.startsWith('emergencyContact.')) return show.has('emergency');
  return show.has('preferences');
}

function SelectField({
  label,
  error,
  children,
  ...select
}: {
  label: string;
  name: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  error?: string | undefined;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...select}
      >
        {children}
      </select>
      {error && (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      )}
    </div>
  );
}
