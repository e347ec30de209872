import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '../lib/api';
import { formatPhone } from '../lib/phone';
import { toastSuccess } from '../lib/toast';
import type { CommunicationInput, CommunicationPrefs } from '../lib/types';
import { ErrorNotice } from './ErrorNotice';
import { Skeleton } from './Skeleton';

type Audience = 'staff' | 'patient';

const WORDS: Record<
  Audience,
  { title: string; prefer: string; reminders: string; noSms: string; noSmsHint: string; noEmail: string; noEmailHint: string; saved: string }
> = {
  staff: {
    title: 'Communication preferences',
    prefer: 'Preferred way to reach the patient',
    reminders: 'Send appointment reminders',
    noSms: 'No text messages (the patient replied STOP)',
    noSmsHint: 'Clear it only when the patient asks to get texts again (or replies START).',
    noEmail: 'No emails (the patient unsubscribed)',
    noEmailHint: 'Password resets and sign-in emails still go out.',
    saved: 'Communication preferences saved.',
  },
  patient: {
    title: 'Messages from the practice',
    prefer: 'How should we reach you?',
    reminders: 'Remind me of my appointments',
    noSms: 'Do not text me',
    noSmsHint: 'You can also reply STOP to any of our texts, and START to get them again.',
    noEmail: 'Do not email me',
    noEmailHint: 'Password resets and sign-in emails still reach you.',
    saved: 'Your message preferences are saved.',
  },
};

/**
 * A patient's preferred channel and opt-outs: on the staff profile and in the
 * portal. The caller hands in the query and the save mutation of
 * `api/messages` for the patient, so this stays free of any one feature.
 */
export function CommunicationCard({
  audience,
  prefs,
  save,
}: {
  audience: Audience;
  prefs: UseQueryResult<CommunicationPrefs>;
  save: UseMutationResult<CommunicationPrefs, unknown, CommunicationInput>;
}) {
  const id = useId();
  const words = WORDS[audience];
  return (
    <section className="card communication-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        {words.title}
      </h2>
      {prefs.isError && isApiError(prefs.error) && prefs.error.isMissingRoute ? (
        // A server without the preferences API yet: said quietly, the rest of the page stands.
        <p className="muted">Message preferences are not available on this server yet.</p>
      ) : prefs.isError ? (
        <ErrorNotice error={prefs.error} title="Could not load the preferences" onRetry={() => void prefs.refetch()} />
      ) : !prefs.data ? (
        <Skeleton lines={4} label="Loading the preferences…" />
      ) : (
        <CommunicationForm key={prefs.dataUpdatedAt} audience={audience} initial={prefs.data} save={save} />
      )}
    </section>
  );
}

/** Errors shown next to their own control; any other goes in the summary. */
const SHOWN_AT_FIELD = ['preferredContactMethod', 'appointmentReminders', 'optOuts.email', 'optOuts.sms'];

const CHOICES = [
  { value: 'email', label: 'Email' },
  { value: 'sms', label: 'Text message' },
  { value: 'none', label: 'None' },
] as const;

function CommunicationForm({
  audience,
  initial,
  save,
}: {
  audience: Audience;
  initial: CommunicationPrefs;
  save: UseMutationResult<CommunicationPrefs, unknown, CommunicationInput>;
}) {
  const id = useId();
  const words = WORDS[audience];
  const known = CHOICES.some((c) => c.value === initial.preferredContactMethod);
  const [preferred, setPreferred] = useState<string>(known ? initial.preferredContactMethod : '');
  const [noSms, setNoSms] = useState(initial.optOuts?.sms ?? false);
  const [noEmail, setNoEmail] = useState(initial.optOuts?.email ?? false);
  const [reminders, setReminders] = useState<boolean | undefined>(initial.appointmentReminders);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const detail: Record<string, string> = {
    email: initial.email ? initial.email : 'no email on file',
    sms: initial.phone ? formatPhone(initial.phone) : 'no phone on file',
    none: audience === 'staff' ? 'only messages the patient must get' : 'only messages you must get',
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    // Only what is on file: an opt-out of a channel without an address is refused.
    const optOuts: NonNullable<CommunicationInput['optOuts']> = {};
    if (initial.email) optOuts.email = noEmail;
    if (initial.phone) optOuts.sms = noSms;
    const body: CommunicationInput = {};
    if (Object.keys(optOuts).length) body.optOuts = optOuts;
    if (preferred) body.preferredContactMethod = preferred as NonNullable<CommunicationInput['preferredContactMethod']>;
    if (reminders !== undefined) body.appointmentReminders = reminders;
    try {
      await save.mutateAsync(body);
      toastSuccess(words.saved);
    } catch (err) {
      if (isApiError(err) && err.fields.length) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) byField[f.field] = f.message;
        setErrors(byField);
      } else {
        setFormError(isApiError(err) ? `${err.message} (Reference: ${err.requestId})` : 'Please try again.');
      }
    }
  }

  const fieldError = (field: string) =>
    errors[field] ? (
      <p id={`${id}-${field}-error`} className="field__error">
        {errors[field]}
      </p>
    ) : null;
  const describedBy = (field: string, hint?: string) =>
    [hint, errors[field] ? `${id}-${field}-error` : ''].filter(Boolean).join(' ') || undefined;

  return (
    <form className="communication-form" aria-label={words.title} noValidate onSubmit={(e) => void submit(e)}>
      <fieldset className="fieldset" aria-describedby={describedBy('preferredContactMethod')}>
        <legend>{words.prefer}</legend>
        <div className="communication-form__choices">
          {CHOICES.map((c) => (
            <label key={c.value} className="checkbox">
              <input
                type="radio"
                name={`${id}-preferred`}
                value={c.value}
                checked={preferred === c.value}
                onChange={() => setPreferred(c.value)}
              />
              <span>
                {c.label} <span className="muted">· {detail[c.value]}</span>
              </span>
            </label>
          ))}
        </div>
        {fieldError('preferredContactMethod')}
      </fieldset>

      {reminders !== undefined && (
        <div>
          <label className="checkbox">
            <input type="checkbox" checked={reminders} onChange={(e) => setReminders(e.target.checked)} />
            {words.reminders}
          </label>
          {fieldError('appointmentReminders')}
        </div>
      )}

      <fieldset className="fieldset">
        <legend>{audience === 'staff' ? 'Opted out' : 'Opt out'}</legend>
        <div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={noSms}
              disabled={!initial.phone}
              onChange={(e) => setNoSms(e.target.checked)}
              aria-describedby={describedBy('optOuts.sms', `${id}-sms-hint`)}
              aria-invalid={errors['optOuts.sms'] ? true : undefined}
            />
            {words.noSms}
          </label>
          <p id={`${id}-sms-hint`} className="field__hint">
            {words.noSmsHint}
          </p>
          {fieldError('optOuts.sms')}
        </div>
        <div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={noEmail}
              disabled={!initial.email}
              onChange={(e) => setNoEmail(e.target.checked)}
              aria-describedby={describedBy('optOuts.email', `${id}-email-hint`)}
              aria-invalid={errors['optOuts.email'] ? true : undefined}
            />
            {words.noEmail}
          </label>
          <p id={`${id}-email-hint`} className="field__hint">
            {words.noEmailHint}
          </p>
          {fieldError('optOuts.email')}
        </div>
      </fieldset>

      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      {Object.keys(errors).length > 0 && (
        <p className="form-error" role="alert">
          Some preferences need attention.
          {Object.entries(errors)
            .filter(([field]) => !SHOWN_AT_FIELD.includes(field))
            .map(([, message]) => ` ${message}`)
            .join('')}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : audience === 'staff' ? 'Save preferences' : 'Save message preferences'}
        </button>
      </div>
    </form>
  );
}
