import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { isApiError } from '../../lib/api';
import {
  dateInZone,
  dayRangeUtc,
  formatLongDate,
  formatMinutes,
  formatTime,
  isCalendarDate,
  minutesOfDay,
  zonedTimeToUtc,
} from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import type { Appointment, Operatory, Provider, Slot } from '../../lib/types';
import { snap } from './grid';
import { useAvailability, useMoveAppointment } from '../../api/schedule';
import { SlotList, slotKey } from '../../components/SlotList';

export interface MovePanelProps {
  appointment: Appointment;
  providers: Provider[];
  operatories: Operatory[];
  timeZone: string;
  slotMinutes: number;
  onMoved: (updated: Appointment) => void;
  onCancel: () => void;
}

/**
 * Moves an appointment without a mouse: pick a free time (radio buttons), or
 * nudge the start with the arrow keys (± one slot; Page Up/Down ± an hour),
 * then save. The server has the last word: a 409 shows inline.
 */
export function MovePanel({ appointment, providers, operatories, timeZone, slotMinutes, onMoved, onCancel }: MovePanelProps) {
  const id = useId();
  const duration = Math.round((new Date(appointment.end).getTime() - new Date(appointment.start).getTime()) / 60000);
  const [date, setDate] = useState(() => dateInZone(appointment.start, timeZone));
  const [providerId, setProviderId] = useState(appointment.providerId);
  const [startMinutes, setStartMinutes] = useState(() => Math.round(minutesOfDay(appointment.start, timeZone)));
  const [slot, setSlot] = useState<Slot | null>(null);
  const [error, setError] = useState<{ message: string; requestId: string } | null>(null);
  const spinRef = useRef<HTMLDivElement>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const move = useMoveAppointment();

  const validDate = isCalendarDate(date);
  const range = validDate ? dayRangeUtc(date, timeZone) : { from: '', to: '' };
  const availability = useAvailability({ ...range, duration, providerId }, validDate);

  useEffect(() => {
    spinRef.current?.focus();
  }, []);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const provider = providers.find((p) => p.id === providerId);
  const operatoryId =
    slot?.operatoryId ??
    (providerId === appointment.providerId || !provider?.operatories?.length || provider.operatories.includes(appointment.operatoryId)
      ? appointment.operatoryId
      : provider.operatories[0]!);

  const originalDate = dateInZone(appointment.start, timeZone);
  const originalMinutes = Math.round(minutesOfDay(appointment.start, timeZone));
  const unchanged =
    date === originalDate &&
    startMinutes === originalMinutes &&
    providerId === appointment.providerId &&
    operatoryId === appointment.operatoryId;

  function nudge(delta: number) {
    setSlot(null);
    setError(null);
    setStartMinutes((m) => Math.min(24 * 60 - slotMinutes, Math.max(0, snap(m, slotMinutes) + delta)));
  }

  function onSpinKey(event: KeyboardEvent<HTMLDivElement>) {
    const steps: Record<string, number> = {
      ArrowUp: slotMinutes,
      ArrowRight: slotMinutes,
      ArrowDown: -slotMinutes,
      ArrowLeft: -slotMinutes,
      PageUp: 60,
      PageDown: -60,
    };
    const step = steps[event.key];
    if (step !== undefined) {
      event.preventDefault();
      nudge(step);
    }
  }

  function chooseSlot(s: Slot) {
    setSlot(s);
    setError(null);
    setStartMinutes(Math.round(minutesOfDay(s.start, timeZone)));
  }

  async function save() {
    if (!validDate || move.isPending) return;
    setError(null);
    const start = zonedTimeToUtc(date, startMinutes, timeZone).toISOString();
    const changes: { start?: string; providerId?: string; operatoryId?: string } = {};
    if (start !== new Date(appointment.start).toISOString()) changes.start = start;
    if (providerId !== appointment.providerId) changes.providerId = providerId;
    if (operatoryId !== appointment.operatoryId) changes.operatoryId = operatoryId;
    try {
      const updated = await move.mutateAsync({ id: appointment.id, ...changes });
      toastSuccess(`Moved to ${formatLongDate(date)}, ${formatTime(updated.start, timeZone)}.`);
      onMoved(updated);
    } catch (err) {
      if (isApiError(err)) {
        const message =
          err.status === 409
            ? `That time is taken — pick another. (${err.message})`
            : err.status === 422
              ? `That time does not work: ${err.message}.`
              : err.message;
        setError({ message, requestId: err.requestId });
        if (err.status === 409) void availability.refetch();
      } else {
        setError({ message: 'Could not move the appointment. Please try again.', requestId: '' });
      }
    }
  }

  const newEnd = startMinutes + duration;

  return (
    <section className="move-panel" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="section-title">
        Move appointment
      </h3>
      {error && (
        <p ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          {error.message}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </p>
      )}
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-date`}>Day</label>
          <input
            id={`${id}-date`}
            type="date"
            value={date}
            onChange={(e) => {
              setDate(e.target.value);
              setSlot(null);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select
            id={`${id}-provider`}
            value={providerId}
            onChange={(e) => {
              setProviderId(e.target.value);
              setSlot(null);
            }}
          >
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      </div>

      <div className="field">
        <span className="field__label" id={`${id}-start-label`}>
          New start time
        </span>
        <div className="spin">
          <button type="button" className="button-secondary spin__step" onClick={() => nudge(-slotMinutes)}>
            <span aria-hidden="true">−</span>
            <span className="visually-hidden">Earlier by</span> {slotMinutes} min
          </button>
          <div
            ref={spinRef}
            role="spinbutton"
            tabIndex={0}
            className="spin__value"
            aria-labelledby={`${id}-start-label`}
            aria-describedby={`${id}-start-hint`}
            aria-valuenow={startMinutes}
            aria-valuemin={0}
            aria-valuemax={24 * 60 - slotMinutes}
            aria-valuetext={`${formatMinutes(startMinutes)} to ${formatMinutes(newEnd)}`}
            onKeyDown={onSpinKey}
          >
            {formatMinutes(startMinutes)} – {formatMinutes(newEnd)}
          </div>
          <button type="button" className="button-secondary spin__step" onClick={() => nudge(slotMinutes)}>
            <span aria-hidden="true">+</span>
            <span className="visually-hidden">Later by</span> {slotMinutes} min
          </button>
        </div>
        <p id={`${id}-start-hint`} className="field__hint">
          Arrow keys move it {slotMinutes} minutes, Page Up and Page Down an hour. Or pick a free time below.
        </p>
      </div>

      {availability.isPending ? (
        <p className="empty-hint">Finding free times…</p>
      ) : availability.isError ? (
        <p className="empty-hint">Free times could not be loaded; you can still move by time.</p>
      ) : (availability.data ?? []).length === 0 ? (
        <p className="empty-hint">No other free times for this provider on this day.</p>
      ) : (
        <SlotList
          slots={availability.data ?? []}
          selected={slot ? slotKey(slot) : null}
          onSelect={chooseSlot}
          providers={providers}
          operatories={operatories}
          timeZone={timeZone}
          legend="Free times"
          groupByProvider={false}
        />
      )}

      <div className="button-row button-row--end">
        <button type="button" className="button-secondary" onClick={onCancel}>
          Back
        </button>
        <button
          type="button"
          className="button-primary"
          onClick={() => void save()}
          disabled={unchanged || move.isPending || !validDate}
          aria-busy={move.isPending}
        >
          {move.isPending ? 'Moving…' : `Move to ${formatMinutes(startMinutes)}`}
        </button>
      </div>
    </section>
  );
}
