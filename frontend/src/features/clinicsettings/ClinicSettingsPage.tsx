import { useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import {
  CLINIC_BOUNDS,
  clinicChanges,
  SLOT_CHOICES,
  useClinic,
  useSaveClinic,
  type AdminClinic,
  type ClinicRulesPatch,
} from '../../api/clinic';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { SelectField } from '../../components/SelectField';
import { Skeleton } from '../../components/Skeleton';
import { fullWeek, weekProblems, WeeklyHoursEditor, type WeekHours } from '../../components/WeeklyHoursEditor';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import './clinicSettings.css';

/** Zones offered where the browser cannot list its own (Intl.supportedValuesOf). */
const FALLBACK_ZONES = [
  'America/St_Johns', 'America/Halifax', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix',
  'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu', 'America/Mexico_City', 'America/Bogota', 'America/Lima',
  'America/Sao_Paulo', 'America/Argentina/Buenos_Aires', 'Europe/London', 'Europe/Dublin', 'Europe/Lisbon', 'Europe/Madrid',
  'Europe/Paris', 'Europe/Berlin', 'Europe/Rome', 'Europe/Amsterdam', 'Europe/Stockholm', 'Europe/Warsaw', 'Europe/Athens',
  'Europe/Istanbul', 'Africa/Lagos', 'Africa/Johannesburg', 'Africa/Nairobi', 'Asia/Dubai', 'Asia/Karachi', 'Asia/Kolkata',
  'Asia/Singapore', 'Asia/Hong_Kong', 'Asia/Tokyo', 'Asia/Seoul', 'Australia/Perth', 'Australia/Sydney', 'Pacific/Auckland', 'UTC',
];

/** Every IANA zone the browser knows, with the clinic's own always among them. */
export function timeZoneChoices(current: string): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  let zones: string[] = FALLBACK_ZONES;
  try {
    const listed = intl.supportedValuesOf?.('timeZone');
    if (listed && listed.length) zones = listed;
  } catch {
    // An engine without the list: the fallback.
  }
  return current && !zones.includes(current) ? [current, ...zones] : zones;
}

/** `/admin/clinic` (admins): the practice, its scheduling rules and its security policy. */
export default function ClinicSettingsPage() {
  const clinic = useClinic();
  return (
    <main id="main" className="page page--narrow clinic-settings">
      <h1>Clinic settings</h1>
      <p className="lead">How the practice is named and found, when it books, and how long a sign-in lasts. Times are the practice’s local time.</p>
      {clinic.isError ? (
        <ErrorNotice error={clinic.error} title="Could not load the clinic’s settings" onRetry={() => void clinic.refetch()} />
      ) : !clinic.data ? (
        <Skeleton lines={10} label="Loading the settings…" />
      ) : (
        <SettingsForm key={clinic.dataUpdatedAt} clinic={clinic.data} />
      )}
    </main>
  );
}

/** The form's state: text as typed, turned into the API's values by rulesOf. */
interface Form {
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  timeZone: string;
  currency: string;
  toothNumbering: 'universal' | 'fdi';
  slotMinutes: string;
  openingHours: WeekHours;
  cancelNoticeHours: string;
  minBookingNoticeMinutes: string;
  maxFutureAppointmentsPerPatient: string;
  maxWaitlistEntriesPerPatient: string;
  mfaRequired: boolean;
  idleLogoffMinutes: string;
  sessionHours: string;
}

type NumberKey =
  | 'cancelNoticeHours'
  | 'minBookingNoticeMinutes'
  | 'maxFutureAppointmentsPerPatient'
  | 'maxWaitlistEntriesPerPatient'
  | 'idleLogoffMinutes'
  | 'sessionHours';

const UNITS: Record<NumberKey, string> = {
  cancelNoticeHours: 'hours',
  minBookingNoticeMinutes: 'minutes',
  maxFutureAppointmentsPerPatient: 'appointments',
  maxWaitlistEntriesPerPatient: 'entries',
  idleLogoffMinutes: 'minutes',
  sessionHours: 'hours',
};

const ADDRESS_PARTS = ['line1', 'line2', 'city', 'region', 'postalCode'] as const;

function formOf(c: AdminClinic): Form {
  const s = c.settings;
  const a = s.address;
  const text = (n: number | undefined, fallback: number) => String(n ?? fallback);
  return {
    name: c.name,
    line1: a?.line1 ?? '',
    line2: a?.line2 ?? '',
    city: a?.city ?? '',
    region: a?.region ?? '',
    postalCode: a?.postalCode ?? '',
    timeZone: s.timeZone,
    currency: s.currency ?? 'USD',
    toothNumbering: s.toothNumbering ?? 'universal',
    slotMinutes: text(s.slotMinutes, 15),
    openingHours: fullWeek(s.openingHours),
    cancelNoticeHours: text(s.cancelNoticeHours, 24),
    minBookingNoticeMinutes: text(s.minBookingNoticeMinutes, 120),
    maxFutureAppointmentsPerPatient: text(s.maxFutureAppointmentsPerPatient, 3),
    maxWaitlistEntriesPerPatient: text(s.maxWaitlistEntriesPerPatient, 2),
    mfaRequired: s.mfaRequired ?? false,
    idleLogoffMinutes: text(s.idleLogoffMinutes, 15),
    sessionHours: text(s.sessionHours, 12),
  };
}

function rulesOf(f: Form): ClinicRulesPatch {
  const trim = (v: string) => v.trim();
  return {
    name: trim(f.name),
    address: { line1: trim(f.line1), line2: trim(f.line2), city: trim(f.city), region: trim(f.region), postalCode: trim(f.postalCode) },
    timeZone: f.timeZone,
    currency: trim(f.currency).toUpperCase(),
    toothNumbering: f.toothNumbering,
    slotMinutes: Number(f.slotMinutes),
    openingHours: f.openingHours,
    cancelNoticeHours: Number(f.cancelNoticeHours),
    minBookingNoticeMinutes: Number(f.minBookingNoticeMinutes),
    maxFutureAppointmentsPerPatient: Number(f.maxFutureAppointmentsPerPatient),
    maxWaitlistEntriesPerPatient: Number(f.maxWaitlistEntriesPerPatient),
    mfaRequired: f.mfaRequired,
    idleLogoffMinutes: Number(f.idleLogoffMinutes),
    sessionHours: Number(f.sessionHours),
  };
}

type Errors = Record<string, string>;

/** The server's checks, made before sending (the server's answer still wins). */
function problems(f: Form): Errors {
  const out: Errors = {};
  const name = f.name.trim();
  if (!name) out.name = 'Enter the practice’s name.';
  else if (name.length > CLINIC_BOUNDS.name) out.name = `Use at most ${CLINIC_BOUNDS.name} characters.`;
  const anyAddress = ADDRESS_PARTS.some((p) => f[p].trim() !== '');
  for (const p of ADDRESS_PARTS) {
    if (f[p].trim().length > CLINIC_BOUNDS.addressPart) out[`address.${p}`] = `Use at most ${CLINIC_BOUNDS.addressPart} characters.`;
  }
  if (anyAddress && !f.line1.trim()) out['address.line1'] = 'Enter the street address (or clear the whole address).';
  if (anyAddress && !f.city.trim()) out['address.city'] = 'Enter the city (or clear the whole address).';
  if (!f.timeZone) out.timeZone = 'Choose the practice’s time zone.';
  if (!/^[A-Za-z]{3}$/.test(f.currency.trim())) out.currency = 'Enter a three-letter ISO 4217 code, such as USD.';
  for (const [key, unit] of Object.entries(UNITS) as [NumberKey, string][]) {
    const [lo, hi] = CLINIC_BOUNDS[key];
    const v = f[key].trim();
    if (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi) out[key] = `Enter a whole number from ${lo} to ${hi} ${unit}.`;
  }
  for (const [day, message] of Object.entries(weekProblems(f.openingHours))) out[`openingHours.${day}`] = message;
  return out;
}

/** Where each field's problem is shown; the others go in the summary. */
const SHOWN_AT_FIELDS = new Set([
  'name', 'timeZone', 'currency', 'toothNumbering', 'slotMinutes', 'cancelNoticeHours', 'minBookingNoticeMinutes',
  'maxFutureAppointmentsPerPatient', 'maxWaitlistEntriesPerPatient', 'mfaRequired', 'idleLogoffMinutes', 'sessionHours',
  ...ADDRESS_PARTS.map((p) => `address.${p}`),
]);

function shownAtField(field: string): boolean {
  return SHOWN_AT_FIELDS.has(field) || field.startsWith('openingHours.');
}

function SettingsForm({ clinic }: { clinic: AdminClinic }) {
  const id = useId();
  const save = useSaveClinic();
  const initial = useRef(formOf(clinic)).current;
  const [form, setForm] = useState<Form>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [summary, setSummary] = useState<string[] | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const zones = useRef(timeZoneChoices(initial.timeZone)).current;

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const text = (key: keyof Form & string) => ({
    value: form[key] as string,
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
    error: errors[key],
  });
  const number = (key: NumberKey) => ({ ...text(key), type: 'number', inputMode: 'numeric' as const, step: 1, min: CLINIC_BOUNDS[key][0], max: CLINIC_BOUNDS[key][1] });

  function fail(found: Errors, other: string[]) {
    setErrors(found);
    setSummary(['Some settings need attention.', ...other]);
    // Wait for the summary to render before moving focus to it.
    requestAnimationFrame(() => summaryRef.current?.focus());
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = problems(form);
    if (Object.keys(local).length) {
      fail(local, []);
      return;
    }
    const patch = clinicChanges(rulesOf(initial), rulesOf(form));
    if (Object.keys(patch).length === 0) {
      setErrors({});
      setSummary(null);
      toastSuccess('Nothing to save: no setting has changed.');
      return;
    }
    try {
      await save.mutateAsync(patch);
      toastSuccess('Clinic settings saved.');
    } catch (err) {
      if (isApiError(err) && err.fields.length) {
        const byField: Errors = {};
        for (const f of err.fields) byField[f.field] = f.message;
        fail(byField, err.fields.filter((f) => !shownAtField(f.field)).map((f) => `${f.field} ${f.message}`));
      } else {
        setErrors({});
        setSummary([isApiError(err) ? `${err.message} (Reference: ${err.requestId})` : 'Could not save. Please try again.']);
        requestAnimationFrame(() => summaryRef.current?.focus());
      }
    }
  }

  return (
    <form className="clinic-settings__form" aria-label="Clinic settings" noValidate onSubmit={(e) => void submit(e)}>
      {summary && (
        <div ref={summaryRef} tabIndex={-1} className="form-error" role="alert">
          {summary.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      )}

      <fieldset className="form-card">
        <legend className="section-title">Practice</legend>
        <Field label="Practice name" autoComplete="organization" maxLength={CLINIC_BOUNDS.name} {...text('name')} />
        <fieldset className="fieldset" aria-describedby={`${id}-address-hint`}>
          <legend>Address</legend>
          <p id={`${id}-address-hint`} className="field__hint">
            Shown to patients. Street and city are needed once any part is given; clear every line to remove it.
          </p>
          <Field label="Street address" autoComplete="address-line1" {...text('line1')} error={errors['address.line1']} />
          <Field label="Address line 2 (optional)" autoComplete="address-line2" {...text('line2')} error={errors['address.line2']} />
          <div className="field-row">
            <Field label="City" autoComplete="address-level2" {...text('city')} error={errors['address.city']} />
            <Field label="State or region" autoComplete="address-level1" {...text('region')} error={errors['address.region']} />
            <Field label="Postal code" autoComplete="postal-code" {...text('postalCode')} error={errors['address.postalCode']} />
          </div>
        </fieldset>
        <SelectField
          label="Time zone"
          hint="The schedule, reminders and reports use this zone."
          value={form.timeZone}
          onChange={(e) => set('timeZone', e.target.value)}
          error={errors.timeZone}
          options={zones.map((z) => ({ value: z, label: z.replaceAll('_', ' ') }))}
        />
        <div className="field-row">
          <Field
            label="Currency"
            hint="ISO 4217 code, such as USD or EUR."
            maxLength={3}
            autoCapitalize="characters"
            spellCheck={false}
            {...text('currency')}
          />
          <SelectField
            label="Tooth numbering"
            value={form.toothNumbering}
            onChange={(e) => set('toothNumbering', e.target.value as Form['toothNumbering'])}
            error={errors.toothNumbering}
            options={[
              { value: 'universal', label: 'Universal (1–32)' },
              { value: 'fdi', label: 'FDI (11–48)' },
            ]}
          />
        </div>
      </fieldset>

      <fieldset className="form-card">
        <legend className="section-title">Scheduling</legend>
        <SelectField
          label="Slot size"
          hint="The schedule’s grid and the start times offered online."
          value={form.slotMinutes}
          onChange={(e) => set('slotMinutes', e.target.value)}
          error={errors.slotMinutes}
          options={SLOT_CHOICES.map((m) => ({ value: String(m), label: `${m} minutes` }))}
        />
        <WeeklyHoursEditor
          legend="Opening hours"
          hint="Shown to patients, and the hours a new provider starts with. Each provider’s own hours decide what can be booked."
          value={form.openingHours}
          onChange={(week) => set('openingHours', week)}
          dayError={(day) => errors[`openingHours.${day}`]}
        />
        <div className="field-row">
          <Field
            label="Cancellation notice (hours)"
            hint="Patients cannot cancel online later than this; the desk records a later cancellation as late."
            {...number('cancelNoticeHours')}
          />
          <Field
            label="Minimum booking notice (minutes)"
            hint="How soon an online booking may start."
            {...number('minBookingNoticeMinutes')}
          />
          <Field
            label="Future appointments per patient"
            hint="The most a patient may have booked at once online."
            {...number('maxFutureAppointmentsPerPatient')}
          />
          <Field
            label="Waitlist entries per patient"
            {...number('maxWaitlistEntriesPerPatient')}
          />
        </div>
      </fieldset>

      <fieldset className="form-card">
        <legend className="section-title">Security</legend>
        <label className="checkbox">
          <input type="checkbox" checked={form.mfaRequired} onChange={(e) => set('mfaRequired', e.target.checked)} />
          Require two-step verification for admins and dentists
        </label>
        {errors.mfaRequired && <p className="field__error">{errors.mfaRequired}</p>}
        <div className="field-row">
          <Field
            label="Sign out after inactivity (minutes)"
            {...number('idleLogoffMinutes')}
          />
          <Field
            label="Longest sign-in (hours)"
            hint="A sign-in ends after this long, however active; then sign in again."
            {...number('sessionHours')}
          />
        </div>
      </fieldset>

      <ReminderSummary clinic={clinic} />

      <div className="button-row">
        <button type="submit" className="button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save clinic settings'}
        </button>
      </div>
    </form>
  );
}

/**
 * Reminder rules and quiet hours are edited on the messaging settings page
 * (one form for them, beside the texting number); here they are read.
 */
function ReminderSummary({ clinic }: { clinic: AdminClinic }) {
  const id = useId();
  const r = clinic.settings.reminders;
  const q = clinic.settings.quietHours;
  const hours = (n: number | undefined) => (!n ? 'off' : `${n} h before`);
  return (
    <section className="form-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        Reminders
      </h2>
      {r ? (
        <dl className="clinic-settings__summary">
          <dt>Confirmation request</dt>
          <dd>{hours(r.confirmHours)}</dd>
          <dt>First reminder</dt>
          <dd>{hours(r.firstHours)}</dd>
          <dt>Second reminder</dt>
          <dd>{hours(r.secondHours)}</dd>
          <dt>Recall reminders</dt>
          <dd>{r.recall ? 'on' : 'off'}</dd>
          <dt>Consent form reminders</dt>
          <dd>{r.consents ? 'on' : 'off'}</dd>
          {q && (
            <>
              <dt>Quiet hours</dt>
              <dd>{q.start === q.end ? 'none' : `${q.start}–${q.end}`}</dd>
            </>
          )}
        </dl>
      ) : (
        <p className="muted">The practice uses the default reminder rules.</p>
      )}
      <p>
        <Link to="/settings/messaging">Change reminders and quiet hours in Messaging settings</Link>
      </p>
    </section>
  );
}
