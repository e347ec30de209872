import { useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import {
  useClinicSettings,
  useSaveMessagingSettings,
  type ClinicWithMessaging,
  type MessagingSettings,
} from '../../api/messages';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import './messages.css';

/** What a clinic gets before it chooses (identity.DefaultSettings says the same). */
export const DEFAULT_MESSAGING: MessagingSettings = {
  smsNumber: '',
  quietHours: { start: '21:00', end: '08:00' },
  reminders: { confirmHours: 48, firstHours: 24, secondHours: 2, recall: true, consents: true },
};

export function messagingOf(clinic: ClinicWithMessaging): MessagingSettings {
  const s: Partial<MessagingSettings> = clinic.settings ?? {};
  return {
    smsNumber: s.smsNumber ?? DEFAULT_MESSAGING.smsNumber,
    quietHours: { ...DEFAULT_MESSAGING.quietHours, ...s.quietHours },
    reminders: { ...DEFAULT_MESSAGING.reminders, ...s.reminders },
  };
}

/** `/settings/messaging` (admins): the texting number, quiet hours and reminder rules. */
export default function MessagingSettingsPage() {
  const clinic = useClinicSettings();
  return (
    <main id="main" className="page page--narrow">
      <p className="breadcrumb">
        <Link to="/messages">Messages</Link>
      </p>
      <h1>Messaging settings</h1>
      <p className="lead">When reminders go out and from which number. Times are the practice’s local time.</p>
      {clinic.isError ? (
        <ErrorNotice error={clinic.error} title="Could not load the clinic’s settings" onRetry={() => void clinic.refetch()} />
      ) : !clinic.data ? (
        <Skeleton lines={8} label="Loading the settings…" />
      ) : (
        <MessagingForm key={clinic.dataUpdatedAt} initial={messagingOf(clinic.data)} />
      )}
    </main>
  );
}

type Errors = Record<string, string>;

const HOURS_FIELDS = [
  { key: 'confirmHours', label: 'Ask for a confirmation (hours before)', hint: 'The patient replies C to confirm. 0 turns it off.' },
  { key: 'firstHours', label: 'First reminder (hours before)', hint: '0 turns it off.' },
  { key: 'secondHours', label: 'Second reminder (hours before)', hint: 'Sooner than the first. 0 turns it off.' },
] as const;

function MessagingForm({ initial }: { initial: MessagingSettings }) {
  const id = useId();
  const save = useSaveMessagingSettings();
  const [smsNumber, setSmsNumber] = useState(initial.smsNumber);
  const [quiet, setQuiet] = useState(initial.quietHours);
  const [hours, setHours] = useState({
    confirmHours: String(initial.reminders.confirmHours),
    firstHours: String(initial.reminders.firstHours),
    secondHours: String(initial.reminders.secondHours),
  });
  const [recall, setRecall] = useState(initial.reminders.recall);
  const [consents, setConsents] = useState(initial.reminders.consents);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);

  function localErrors(): Errors {
    const out: Errors = {};
    for (const f of HOURS_FIELDS) {
      const v = hours[f.key].trim();
      if (!/^\d+$/.test(v)) out[`reminders.${f.key}`] = 'Enter a whole number of hours (0 for off).';
    }
    if (!quiet.start) out['quietHours.start'] = 'Enter a time.';
    if (!quiet.end) out['quietHours.end'] = 'Enter a time.';
    return out;
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const local = localErrors();
    setErrors(local);
    if (Object.keys(local).length) {
      setFormError('Some settings need attention.');
      errorRef.current?.focus();
      return;
    }
    try {
      await save.mutateAsync({
        smsNumber: smsNumber.trim(),
        quietHours: quiet,
        reminders: {
          confirmHours: Number(hours.confirmHours),
          firstHours: Number(hours.firstHours),
          secondHours: Number(hours.secondHours),
          recall,
          consents,
        },
      });
      setErrors({});
      toastSuccess('Messaging settings saved.');
    } catch (err) {
      if (isApiError(err) && err.fields.length) {
        const byField: Errors = {};
        for (const f of err.fields) byField[f.field] = f.message;
        setErrors(byField);
        setFormError('Some settings need attention.');
      } else {
        setFormError(isApiError(err) ? `${err.message} (Reference: ${err.requestId})` : 'Please try again.');
      }
      // Wait for the message to render before moving focus to it.
      requestAnimationFrame(() => errorRef.current?.focus());
    }
  }

  return (
    <form className="messaging-settings" aria-label="Messaging settings" noValidate onSubmit={(e) => void submit(e)}>
      {formError && (
        <div ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          {formError}
        </div>
      )}

      <section className="form-card" aria-labelledby={`${id}-number`}>
        <h2 id={`${id}-number`} className="section-title">
          Texting number
        </h2>
        <Field
          label="Practice’s texting number"
          hint="In international form, e.g. +12125550147. Patients’ replies to it reach the inbox. Leave empty if the practice does not text."
          type="tel"
          autoComplete="off"
          value={smsNumber}
          onChange={(e) => setSmsNumber(e.target.value)}
          error={errors.smsNumber}
        />
      </section>

      <fieldset className="form-card">
        <legend className="section-title">Quiet hours</legend>
        <p className="muted small">No reminder is sent between these times; one that falls due waits until they end. The same time in both means no quiet hours.</p>
        <div className="field-row">
          <Field
            label="From"
            type="time"
            value={quiet.start}
            onChange={(e) => setQuiet((q) => ({ ...q, start: e.target.value }))}
            error={errors['quietHours.start']}
          />
          <Field
            label="Until"
            type="time"
            value={quiet.end}
            onChange={(e) => setQuiet((q) => ({ ...q, end: e.target.value }))}
            error={errors['quietHours.end']}
          />
        </div>
      </fieldset>

      <fieldset className="form-card">
        <legend className="section-title">Appointment reminders</legend>
        <div className="field-row">
          {HOURS_FIELDS.map((f) => (
            <Field
              key={f.key}
              label={f.label}
              hint={f.hint}
              type="number"
              inputMode="numeric"
              min={0}
              max={336}
              step={1}
              value={hours[f.key]}
              onChange={(e) => setHours((h) => ({ ...h, [f.key]: e.target.value }))}
              error={errors[`reminders.${f.key}`]}
            />
          ))}
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={recall} onChange={(e) => setRecall(e.target.checked)} />
          Tell patients when their recall (check-up) is due
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={consents} onChange={(e) => setConsents(e.target.checked)} />
          Remind patients of consent forms waiting to be signed
        </label>
        {errors.reminders && <p className="field__error">{errors.reminders}</p>}
      </fieldset>

      <div className="button-row">
        <button type="submit" className="button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save messaging settings'}
        </button>
      </div>
    </form>
  );
}
