import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Dialog } from '../../components/Dialog';
import { Skeleton } from '../../components/Skeleton';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import { dayRangeUtc, formatDateTime, formatLongDate, formatTime, isCalendarDate } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import type { AppointmentType, Operatory, Provider, Slot, WaitlistEntry } from '../../lib/types';
import { useAvailability } from '../../api/schedule';
import { SLOT_TAKEN_MESSAGE, SlotList, slotKey } from '../../components/SlotList';
import { isNotWaiting, useOfferTime } from '../../api/waitlist';

export interface OfferDialogProps {
  /** The waiting entry to offer a time to; null: closed. */
  entry: WaitlistEntry | null;
  patientName: string;
  onClose: () => void;
  date: string;
  timeZone: string;
  providers: Provider[];
  operatories: Operatory[];
  types: Map<string, AppointmentType>;
}

/**
 * "Offer a time…": a free time for the entry's visit (with the providers it
 * asked for) is held for the patient and offered to them now, as a freed
 * slot would be; they accept or decline from the message.
 */
export function OfferDialog(props: OfferDialogProps) {
  const { entry, onClose, patientName } = props;
  return (
    <Dialog
      open={!!entry}
      onClose={onClose}
      title={`Offer a time to ${patientName}`}
      description="The time is held for them and they are told now; they accept or decline from the message."
      size="lg"
    >
      {entry && <OfferForm {...props} entry={entry} />}
    </Dialog>
  );
}

function OfferForm({ entry, patientName, onClose, date: initialDate, timeZone, providers, operatories, types }: OfferDialogProps & { entry: WaitlistEntry }) {
  const id = useId();
  const wanted = entry.providerIds?.length ? providers.filter((p) => entry.providerIds!.includes(p.id)) : providers;
  const [providerId, setProviderId] = useState(wanted.length === 1 ? wanted[0]!.id : '');
  const [date, setDate] = useState(initialDate);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [error, setError] = useState<{ message: string; requestId?: string } | null>(null);
  const [attempted, setAttempted] = useState(false);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const offer = useOfferTime();
  const type = entry.typeId ? types.get(entry.typeId) : undefined;

  const validDate = isCalendarDate(date);
  const range = validDate ? dayRangeUtc(date, timeZone) : { from: '', to: '' };
  const availability = useAvailability(
    { from: range.from, to: range.to, typeId: entry.typeId, providerId: providerId || undefined },
    validDate && !!entry.typeId,
  );
  // "Any of them": the free times of the providers the entry asked for.
  const slots = (availability.data ?? []).filter((s) => wanted.some((p) => p.id === s.providerId));

  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('select, input')?.focus();
  }, []);
  useEffect(() => setSlot(null), [providerId, date]);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    if (!slot || offer.isPending) return;
    setError(null);
    try {
      const out = await offer.mutateAsync({ id: entry.id, providerId: slot.providerId, operatoryId: slot.operatoryId, start: slot.start });
      const until = out.offer?.expiresAt ? `; they have until ${formatTime(out.offer.expiresAt, timeZone)} to answer` : '';
      toastSuccess(`Offered ${formatDateTime(slot.start, timeZone)} to ${patientName}${until}.`);
      onClose();
    } catch (err) {
      if (isApiError(err) && err.status === 409 && isNotWaiting(err.message)) {
        setError({ message: `${patientName} is no longer waiting: the waitlist changed (an offer went out, or they were booked or removed).`, requestId: err.requestId });
      } else if (isApiError(err) && err.status === 409) {
        setSlot(null);
        setError({ message: SLOT_TAKEN_MESSAGE, requestId: err.requestId });
        void availability.refetch();
      } else if (isApiError(err) && err.status !== 0) {
        const fieldText = err.fields.map((f) => `${f.field} ${f.message}`).join('; ');
        setError({ message: fieldText ? `${err.message}: ${fieldText}` : err.message, requestId: err.requestId });
      } else {
        setError({ message: NETWORK_ERROR_MESSAGE });
      }
    }
  }

  return (
    <form ref={formRef} className="book-form" aria-label="Offer a time" noValidate onSubmit={(e) => void submit(e)}>
      {error && (
        <p ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          {error.message}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </p>
      )}
      <p className="fd-wanted">
        {type ? `${type.name} (${type.durationMinutes} min)` : 'The visit they wait for'}
      </p>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select id={`${id}-provider`} value={providerId} onChange={(e) => setProviderId(e.target.value)}>
            {wanted.length > 1 && <option value="">{entry.providerIds?.length ? 'Any they asked for' : 'Any provider'}</option>}
            {wanted.map((p) => (
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
        {!entry.typeId ? (
          <p className="empty-hint">This entry names no type of visit: book it instead.</p>
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
          <p className="empty-hint">No free times on this day{providerId ? ' for this provider' : ''}. Try another day.</p>
        ) : (
          <SlotList
            slots={slots}
            selected={slot ? slotKey(slot) : null}
            onSelect={setSlot}
            providers={providers}
            operatories={operatories}
            timeZone={timeZone}
            legend="Choose a time to offer"
          />
        )}
        {attempted && !slot && slots.length > 0 && <p className="field__error">Choose a free time.</p>}
      </section>
      <div className="button-row button-row--end">
        <button type="button" className="button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button-primary" disabled={offer.isPending} aria-busy={offer.isPending}>
          {offer.isPending ? 'Offering…' : slot ? `Offer ${formatTime(slot.start, timeZone)}` : 'Offer the time'}
        </button>
      </div>
    </form>
  );
}
