import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveNotice } from '../../components/LiveNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import { addDays, todayInZone } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import { patientDisplayName, type AppointmentType, type PatientSummary, type WaitlistEntry } from '../../lib/types';
import { PatientPicker, type PickedPatient } from '../../components/booking/PatientPicker';
import { BookDialog, type BookPrefill } from '../../components/booking/BookDialog';
import { useAppointmentTypes, useOperatories, useProviders } from '../../api/schedule';
import { usePatientNames } from '../../api/patients';
import { useClinicTimeZone } from '../../lib/session';
import { useAddToWaitlist, useRemoveFromWaitlist, useWaitlist } from '../../api/waitlist';
import { OfferDialog } from './OfferDialog';
import { urgencyLabel, WaitlistPanel, WEEKDAYS } from './WaitlistPanel';

/** `/waitlist`: who wants an earlier visit, offers in flight; add, book, offer a time, remove. */
export default function WaitlistPage() {
  const timeZone = useClinicTimeZone();
  const waitlist = useWaitlist();
  const named = useMemo(() => (waitlist.data ?? []).map((e) => e.patientId), [waitlist.data]);
  const names = usePatientNames(named);
  const types = useAppointmentTypes();
  const providers = useProviders();
  const operatories = useOperatories();
  const [adding, setAdding] = useState(false);
  const [booking, setBooking] = useState<WaitlistEntry | null>(null);
  const [offering, setOffering] = useState<WaitlistEntry | null>(null);
  const [removing, setRemoving] = useState<WaitlistEntry | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const remove = useRemoveFromWaitlist();
  const keepRef = useRef<HTMLButtonElement>(null);

  const typeMap = useMemo(() => new Map((types.data ?? []).map((t) => [t.id, t])), [types.data]);
  const providerMap = useMemo(() => new Map((providers.data ?? []).map((p) => [p.id, p])), [providers.data]);
  const patients = names.byId;
  const entries = waitlist.data ?? [];
  const offered = entries.filter((e) => e.status === 'offered').length;
  const removingPatient = removing ? patients.get(removing.patientId) : undefined;
  const removingName = removingPatient ? patientDisplayName(removingPatient) : 'this patient';
  const nameOf = (e: WaitlistEntry | null) => {
    const p = e ? patients.get(e.patientId) : undefined;
    return p ? patientDisplayName(p) : 'the patient';
  };
  const today = todayInZone(timeZone);

  async function confirmRemove() {
    if (!removing) return;
    setRemoveError(null);
    try {
      await remove.mutateAsync(removing.id);
      toastSuccess(`Removed ${removingName} from the waitlist.`);
      setRemoving(null);
    } catch (err) {
      setRemoveError(isApiError(err) ? `${err.message} (Reference: ${err.requestId})` : NETWORK_ERROR_MESSAGE);
    }
  }

  return (
    <main id="main" className="page">
      <div className="page__header page__header--row">
        <div>
          <h1>Waitlist</h1>
          {!waitlist.isPending && (
            <p className="muted">
              {entries.length} waiting{offered ? ` · ${offered} with an offer out` : ''}. Most urgent first.
            </p>
          )}
        </div>
        <button type="button" className="button-primary" onClick={() => setAdding(true)}>
          Add to waitlist
        </button>
      </div>

      <LiveNotice />

      {waitlist.isError && !waitlist.data ? (
        <ErrorNotice error={waitlist.error} title="Could not load the waitlist" onRetry={() => void waitlist.refetch()} />
      ) : waitlist.isPending ? (
        <Skeleton lines={6} label="Loading the waitlist…" />
      ) : (
        <WaitlistPanel
          entries={entries}
          patients={patients}
          types={typeMap}
          providers={providerMap}
          timeZone={timeZone}
          onRemove={(e) => {
            setRemoveError(null);
            setRemoving(e);
          }}
          onBook={setBooking}
          onOffer={setOffering}
        />
      )}

      <BookDialog
        open={!!booking}
        onClose={() => setBooking(null)}
        onBooked={() => setBooking(null)}
        date={today}
        timeZone={timeZone}
        providers={providers.data ?? []}
        operatories={operatories.data ?? []}
        types={types.data ?? []}
        initial={booking ? bookingPrefill(booking, patients.get(booking.patientId), nameOf(booking)) : undefined}
      />

      <OfferDialog
        entry={offering}
        patientName={nameOf(offering)}
        onClose={() => setOffering(null)}
        date={today}
        timeZone={timeZone}
        providers={providers.data ?? []}
        operatories={operatories.data ?? []}
        types={typeMap}
      />

      <Dialog open={adding} onClose={() => setAdding(false)} title="Add to waitlist" size="md">
        {adding && (
          <AddForm
            types={(types.data ?? []).filter((t) => t.active !== false)}
            today={today}
            onDone={() => setAdding(false)}
          />
        )}
      </Dialog>

      <Dialog
        open={!!removing}
        onClose={() => setRemoving(null)}
        title="Remove from the waitlist?"
        description={`${removingName} will no longer be offered earlier slots.`}
        size="sm"
        initialFocusRef={keepRef}
      >
        {removeError && (
          <p className="form-error" role="alert">
            {removeError}
          </p>
        )}
        <div className="button-row">
          <button type="button" className="button-danger" onClick={() => void confirmRemove()} disabled={remove.isPending}>
            {remove.isPending ? 'Removing…' : 'Remove'}
          </button>
          <button ref={keepRef} type="button" className="button-secondary" onClick={() => setRemoving(null)}>
            Keep on waitlist
          </button>
        </div>
      </Dialog>
    </main>
  );
}

/** The booking dialog as an entry opens it: its patient, its visit, the provider it asked for (if one). */
export function bookingPrefill(e: WaitlistEntry, patient: PatientSummary | undefined, label: string): BookPrefill {
  return {
    patient: { id: e.patientId, label, ...(patient ? { allergyAlert: patient.allergyAlert } : {}) },
    ...(e.typeId ? { typeId: e.typeId } : {}),
    ...(e.providerIds?.length === 1 ? { providerId: e.providerIds[0] } : {}),
    waitlistEntryId: e.id,
  };
}

const LABELS: Record<string, string> = {
  patientId: 'Patient',
  typeId: 'Type of visit',
  urgency: 'Urgency',
  days: 'Days',
  from: 'Earliest time',
  to: 'Latest time',
  expiresOn: 'Wait until',
};

function AddForm({ types, today, onDone }: { types: AppointmentType[]; today: string; onDone: () => void }) {
  const id = useId();
  const add = useAddToWaitlist();
  const [patient, setPatient] = useState<PickedPatient | null>(null);
  const [typeId, setTypeId] = useState('');
  const [urgency, setUrgency] = useState(3);
  const [days, setDays] = useState<string[]>([]);
  const [from, setFrom] = useState('08:00');
  const [to, setTo] = useState('17:00');
  const [expiresOn, setExpiresOn] = useState(() => addDays(today, 60));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setErrors({});
    if (!patient) {
      setErrors({ patientId: 'Choose a patient.' });
      setError('Please check the highlighted details.');
      return;
    }
    try {
      await add.mutateAsync({ patientId: patient.id, typeId, urgency, from, to, days, expiresOn });
      toastSuccess(`Added ${patient.label} to the waitlist.`);
      onDone();
    } catch (err) {
      if (isApiError(err) && err.fields.length) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) byField[f.field] = `${LABELS[f.field] ?? f.field} ${f.message}`;
        setErrors(byField);
        setError('Please check the highlighted details.');
      } else {
        setError(isApiError(err) && err.status !== 0 ? `${err.message} (Reference: ${err.requestId})` : NETWORK_ERROR_MESSAGE);
      }
    }
  }

  const err = (key: string) =>
    errors[key] ? (
      <p id={`${id}-${key}-error`} className="field__error">
        {errors[key]}
      </p>
    ) : null;
  const described = (key: string) => (errors[key] ? `${id}-${key}-error` : undefined);

  return (
    <form className="book-form" aria-label="Add to waitlist" noValidate onSubmit={(e) => void submit(e)}>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <PatientPicker value={patient} onChange={setPatient} error={errors.patientId} />
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-type`}>Type of visit</label>
          <select
            id={`${id}-type`}
            value={typeId}
            onChange={(e) => setTypeId(e.target.value)}
            aria-invalid={errors.typeId ? true : undefined}
            aria-describedby={described('typeId')}
          >
            <option value="">Choose…</option>
            {types.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          {err('typeId')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-urgency`}>Urgency</label>
          <select
            id={`${id}-urgency`}
            value={urgency}
            onChange={(e) => setUrgency(Number(e.target.value))}
            aria-invalid={errors.urgency ? true : undefined}
            aria-describedby={described('urgency')}
          >
            {[5, 4, 3, 2, 1].map((u) => (
              <option key={u} value={u}>
                {urgencyLabel(u)}
              </option>
            ))}
          </select>
          {err('urgency')}
        </div>
      </div>
      <fieldset className="fieldset" aria-describedby={described('days') ?? `${id}-days-hint`}>
        <legend>Days that suit</legend>
        <p id={`${id}-days-hint`} className="field__hint">
          Leave all unticked for any day.
        </p>
        <div className="day-checks">
          {WEEKDAYS.slice(0, 6).map((d) => (
            <label key={d} className="checkbox">
              <input
                type="checkbox"
                checked={days.includes(d)}
                onChange={(e) => setDays((list) => (e.target.checked ? [...list, d] : list.filter((x) => x !== d)))}
              />
              {d.charAt(0).toUpperCase() + d.slice(1)}
            </label>
          ))}
        </div>
        {err('days')}
      </fieldset>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-from`}>Earliest time</label>
          <input
            id={`${id}-from`}
            type="time"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            aria-invalid={errors.from ? true : undefined}
            aria-describedby={described('from')}
          />
          {err('from')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>Latest time</label>
          <input
            id={`${id}-to`}
            type="time"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            aria-invalid={errors.to ? true : undefined}
            aria-describedby={described('to')}
          />
          {err('to')}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-expires`}>Wait until</label>
        <input
          id={`${id}-expires`}
          type="date"
          value={expiresOn}
          onChange={(e) => setExpiresOn(e.target.value)}
          aria-invalid={errors.expiresOn ? true : undefined}
          aria-describedby={described('expiresOn')}
        />
        {err('expiresOn')}
      </div>
      <div className="button-row">
        <button type="submit" className="button-primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add to waitlist'}
        </button>
        <button type="button" className="button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
