import { useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { Dialog } from '../Dialog';
import { Skeleton } from '../Skeleton';
import { isApiError } from '../../lib/api';
import { dateInZone, dayRangeUtc, formatLongDate, formatTime, isCalendarDate } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import { patientDisplayName, type Appointment, type AppointmentType, type Operatory, type Provider, type Slot } from '../../lib/types';
import { PatientPicker, type PickedPatient } from './PatientPicker';
import { useAvailability, useBookAppointment } from '../../api/schedule';
import { usePatient } from '../../api/patients';
import { SLOT_TAKEN_MESSAGE, SlotList, slotKey } from '../SlotList';
import { isNotWaiting } from '../../api/waitlist';

export { SLOT_TAKEN_MESSAGE };


export interface BookDialogProps {
  open: boolean;
  onClose: () => void;
  onBooked: (appointment: Appointment) => void;
  date: string;
  timeZone: string;
  providers: Provider[];
  operatories: Operatory[];
  types: AppointmentType[];
  /** What the dialog opens with: a patient (the profile's "Book appointment"), or an empty slot of the grid. */
  initial?: BookPrefill | undefined;
}

export interface BookPrefill {
  patient?: PickedPatient;
  providerId?: string;
  operatoryId?: string;
  /** The wanted start (ISO); chosen as soon as it shows among the free times. */
  start?: string;
  /** The type of visit chosen at first (a waitlist entry's). */
  typeId?: string;
  /**
   * The waitlist entry being booked (its patient and visit): sent while
   * both are as prefilled, so the server takes the entry off the list.
   */
  waitlistEntryId?: string;
}

/** Book a visit: patient → type → provider → a free time on the day → book. */
export function BookDialog(props: BookDialogProps) {
  // A fresh form every time the dialog opens.
  if (!props.open) return null;
  return <BookForm {...props} />;
}

function BookForm({ open, onClose, onBooked, date: initialDate, timeZone, providers, operatories, types, initial }: BookDialogProps) {
  const id = useId();
  const [patient, setPatient] = useState<PickedPatient | null>(initial?.patient ?? null);
  const [typeId, setTypeId] = useState(initial?.typeId ?? '');
  const [providerId, setProviderId] = useState(initial?.providerId ?? '');
  const [date, setDate] = useState(initial?.start ? dateInZone(initial.start, timeZone) : initialDate);
  const [notes, setNotes] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const prefilled = usePatient(initial?.patient?.id);

  // Typing starts in the first field, not on the dialog (runs after the dialog's own focus).
  useLayoutEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, []);

  // The profile's link knows only the id: show the name once the record comes.
  const prefilledRecord = prefilled.data;
  useEffect(() => {
    if (!prefilledRecord) return;
    setPatient((p) =>
      p && p.id === prefilledRecord.id
        ? { id: p.id, label: patientDisplayName(prefilledRecord), allergyAlert: prefilledRecord.allergyAlert }
        : p,
    );
  }, [prefilledRecord]);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [error, setError] = useState<{ message: string; requestId?: string } | null>(null);
  const [attempted, setAttempted] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);

  const validDate = isCalendarDate(date);
  const range = validDate ? dayRangeUtc(date, timeZone) : { from: '', to: '' };
  const availability = useAvailability(
    { from: range.from, to: range.to, typeId: typeId || undefined, providerId: providerId || undefined },
    validDate && !!typeId,
  );
  const book = useBookAppointment();

  // A different question makes the chosen time meaningless.
  useEffect(() => {
    setSlot(null);
  }, [typeId, providerId, date]);

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const slots = availability.data ?? [];

  // The empty slot that was clicked: chosen once the type of visit shows it free.
  const wanted = initial?.start;
  useEffect(() => {
    if (!wanted || !availability.data) return;
    const at = new Date(wanted).getTime();
    const match = availability.data.find(
      (s) =>
        new Date(s.start).getTime() === at &&
        (!initial?.providerId || s.providerId === initial.providerId) &&
        (!initial?.operatoryId || s.operatoryId === initial.operatoryId),
    );
    if (match) setSlot((cur) => cur ?? match);
  }, [availability.data, wanted, initial?.providerId, initial?.operatoryId]);
  const selectedKey = slot ? slotKey(slot) : null;
  const providerById = new Map(providers.map((p) => [p.id, p]));

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    if (!patient || !typeId || !slot || book.isPending) return;
    setError(null);
    const fromWaitlist =
      initial?.waitlistEntryId && patient.id === initial.patient?.id && typeId === initial.typeId ? initial.waitlistEntryId : undefined;
    try {
      const created = await book.mutateAsync({
        patientId: patient.id,
        providerId: slot.providerId,
        operatoryId: slot.operatoryId,
        typeId,
        start: slot.start,
        ...(notes.trim() ? { notes: notes.trim() } : {}),
        ...(fromWaitlist ? { waitlistEntryId: fromWaitlist } : {}),
      });
      toastSuccess(
        `Booked ${patient.label} at ${formatTime(created.start, timeZone)} with ${
          providerById.get(created.providerId)?.name ?? 'the provider'
        }.`,
      );
      onBooked(created);
    } catch (err) {
      if (isApiError(err) && err.status === 409 && fromWaitlist && isNotWaiting(err.message)) {
        setError({ message: 'This patient is no longer waiting: the waitlist changed (an offer went out, or they were booked or removed).', requestId: err.requestId });
      } else if (isApiError(err) && err.status === 409) {
        setSlot(null);
        setError({ message: SLOT_TAKEN_MESSAGE, requestId: err.requestId });
        void availability.refetch();
      } else if (isApiError(err)) {
        const fieldText = err.fields.map((f) => `${f.field} ${f.message}`).join('; ');
        setError({ message: fieldText ? `${err.message}: ${fieldText}` : err.message, requestId: err.requestId });
      } else {
        setError({ message: 'Could not book. Please try again.' });
      }
    }
  }

  // A deactivated type stays for drawing its appointments, not for new ones.
  const bookable = types.filter((t) => t.active !== false);
  const missing = {
    patient: attempted && !patient ? 'Choose a patient.' : undefined,
    type: attempted && !typeId ? 'Choose the type of visit.' : undefined,
    slot: attempted && !slot ? 'Choose a free time.' : undefined,
  };

  return (
    <Dialog open={open} onClose={onClose} title="Book appointment" size="lg">
      <form ref={formRef} className="book-form" aria-label="Book appointment" onSubmit={(e) => void handleSubmit(e)} noValidate>
        {error && (
          <p ref={errorRef} tabIndex={-1} className="form-error" role="alert">
            {error.message}
            {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
          </p>
        )}
        {initial?.waitlistEntryId && (
          <p className="fd-wanted">
            From the waitlist: booking takes {initial.patient?.label ?? 'the patient'} off the list
            {patient?.id !== initial.patient?.id || typeId !== initial.typeId ? ' (not while the patient or visit is changed)' : ''}.
          </p>
        )}
        <PatientPicker value={patient} onChange={setPatient} error={missing.patient} />

        {/* The visit type has the row's whole width, so its longest name shows in full. */}
        <div className="field book-form__type">
          <label htmlFor={`${id}-type`}>Type of visit</label>
          <select
            id={`${id}-type`}
            value={typeId}
            onChange={(e) => setTypeId(e.target.value)}
            aria-invalid={missing.type ? true : undefined}
            title={typeLabel(bookable.find((t) => t.id === typeId))}
            required
          >
            <option value="">Choose…</option>
            {bookable.map((t) => (
              <option key={t.id} value={t.id}>
                {typeLabel(t)}
              </option>
            ))}
          </select>
          {missing.type && <p className="field__error">{missing.type}</p>}
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-provider`}>Provider</label>
            <select id={`${id}-provider`} value={providerId} onChange={(e) => setProviderId(e.target.value)}>
              <option value="">Any provider</option>
              {providers.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-date`}>Day</label>
            <input
              id={`${id}-date`}
              type="date"
              value={date}
              onChange={(e) => setDate(e.target.value)}
              required
              aria-invalid={!validDate ? true : undefined}
            />
          </div>
        </div>

        <section className="book-form__slots" aria-labelledby={`${id}-slots-title`}>
          <h3 id={`${id}-slots-title`} className="section-title">
            Free times {validDate ? `on ${formatLongDate(date)}` : ''}
          </h3>
          {wanted && (
            <p className="fd-wanted">
              Requested: {formatTime(wanted, timeZone)}
              {initial?.providerId && ` with ${providerById.get(initial.providerId)?.name ?? 'the provider'}`}
              {initial?.operatoryId && ` in ${operatories.find((o) => o.id === initial.operatoryId)?.name ?? 'the chair'}`}
              {slot && new Date(slot.start).getTime() === new Date(wanted).getTime() ? ' (chosen)' : typeId ? '' : ' — choose the type of visit'}
            </p>
          )}
          {!typeId ? (
            <p className="empty-hint">Choose the type of visit to see free times.</p>
          ) : availability.isPending ? (
            <Skeleton lines={3} label="Finding free times…" />
          ) : availability.isError ? (
            <p className="form-error" role="alert">
              Could not load free times: {availability.error.message}{' '}
              <button type="button" className="button-ghost" onClick={() => void availability.refetch()}>
                Try again
              </button>
            </p>
          ) : slots.length === 0 ? (
            <p className="empty-hint">
              No free times on this day{providerId ? ' for this provider' : ''}. Try another day
              {providerId ? ' or “Any provider”' : ''}.
            </p>
          ) : (
            <SlotList
              slots={slots}
              selected={selectedKey}
              onSelect={setSlot}
              providers={providers}
              operatories={operatories}
              timeZone={timeZone}
              legend="Choose a time"
            />
          )}
          {missing.slot && typeId && slots.length > 0 && <p className="field__error">{missing.slot}</p>}
        </section>

        <div className="field">
          <label htmlFor={`${id}-notes`}>Notes</label>
          <textarea
            id={`${id}-notes`}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            rows={2}
            maxLength={1000}
            aria-describedby={`${id}-notes-hint`}
          />
          <p id={`${id}-notes-hint`} className="field__hint">
            Optional. Shown in the appointment’s details.
          </p>
        </div>

        <div className="button-row button-row--end">
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={book.isPending} aria-busy={book.isPending}>
            {book.isPending
              ? 'Booking…'
              : slot
                ? `Book ${formatTime(slot.start, timeZone)} with ${providerById.get(slot.providerId)?.name ?? 'provider'}`
                : 'Book appointment'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A visit type as its option reads: name and length. */
function typeLabel(t: AppointmentType | undefined): string | undefined {
  return t ? `${t.name} (${t.durationMinutes} min)` : undefined;
}
