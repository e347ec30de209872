import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { dayRangeUtc, formatLongDate, formatTime, isCalendarDate } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import type { Appointment, AppointmentType, Operatory, Provider, Slot } from '../../lib/types';
import { PatientPicker, type PickedPatient } from './PatientPicker';
import { useAvailability, useBookAppointment } from './queries';
import { SLOT_TAKEN_MESSAGE, SlotList, slotKey } from './SlotList';

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
}

/** Book a visit: patient → type → provider → a free time on the day → book. */
export function BookDialog(props: BookDialogProps) {
  // A fresh form every time the dialog opens.
  if (!props.open) return null;
  return <BookForm {...props} />;
}

function BookForm({ open, onClose, onBooked, date: initialDate, timeZone, providers, operatories, types }: BookDialogProps) {
  const id = useId();
  const [patient, setPatient] = useState<PickedPatient | null>(null);
  const [typeId, setTypeId] = useState('');
  const [providerId, setProviderId] = useState('');
  const [date, setDate] = useState(initialDate);
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
  const selectedKey = slot ? slotKey(slot) : null;
  const providerById = new Map(providers.map((p) => [p.id, p]));

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    if (!patient || !typeId || !slot || book.isPending) return;
    setError(null);
    try {
      const created = await book.mutateAsync({
        patientId: patient.id,
        providerId: slot.providerId,
        operatoryId: slot.operatoryId,
        typeId,
        start: slot.start,
      });
      toastSuccess(
        `Booked ${patient.label} at ${formatTime(created.start, timeZone)} with ${
          providerById.get(created.providerId)?.name ?? 'the provider'
        }.`,
      );
      onBooked(created);
    } catch (err) {
      if (isApiError(err) && err.status === 409) {
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

  const bookable = types;
  const missing = {
    patient: attempted && !patient ? 'Choose a patient.' : undefined,
    type: attempted && !typeId ? 'Choose the type of visit.' : undefined,
    slot: attempted && !slot ? 'Choose a free time.' : undefined,
  };

  return (
    <Dialog open={open} onClose={onClose} title="Book appointment" size="lg">
      <form className="book-form" aria-label="Book appointment" onSubmit={(e) => void handleSubmit(e)} noValidate>
        {error && (
          <p ref={errorRef} tabIndex={-1} className="form-error" role="alert">
            {error.message}
            {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
          </p>
        )}
        <PatientPicker value={patient} onChange={setPatient} error={missing.patient} />

        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-type`}>Type of visit</label>
            <select
              id={`${id}-type`}
              value={typeId}
              onChange={(e) => setTypeId(e.target.value)}
              aria-invalid={missing.type ? true : undefined}
              required
            >
              <option value="">Choose…</option>
              {bookable.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.durationMinutes} min)
                </option>
              ))}
            </select>
            {missing.type && <p className="field__error">{missing.type}</p>}
          </div>
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
