import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { api, isApiError } from '../../lib/api';
import { dateInZone, formatLongDate, formatShortDate, formatTime } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import type { Appointment, Slot } from '../../lib/types';
import { scheduleKeys, useAppointmentTypes, useAvailability, useBookAppointment, useOperatories, useProviders } from '../schedule/queries';
import { SLOT_TAKEN_MESSAGE, SlotList, dedupeSlots, slotKey } from '../schedule/SlotList';
import { useClinicTimeZone } from '../session/sessionStore';

const DAYS_AHEAD = 14;

function nextTwoWeeks(): { from: string; to: string } {
  // Rounded to the minute so the query key stays put between renders.
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  return { from: new Date(now).toISOString(), to: new Date(now + DAYS_AHEAD * 86_400_000).toISOString() };
}

/** Patient self-booking: type → day → time → hold → confirm. Works from 360 px up. */
export default function PortalBookPage() {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const types = useAppointmentTypes();
  const providers = useProviders();
  const operatories = useOperatories();
  const [typeId, setTypeId] = useState('');
  const [day, setDay] = useState<string | null>(null);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [hold, setHold] = useState<Appointment | null>(null);
  const [error, setError] = useState<{ message: string; requestId?: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [range] = useState(nextTwoWeeks);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const holdRef = useRef<HTMLHeadingElement>(null);
  const book = useBookAppointment();

  const online = (types.data ?? []).filter((t) => t.bookableOnline);
  const availability = useAvailability({ ...range, typeId: typeId || undefined }, !!typeId && !hold);
  const byDay = useMemo(() => {
    const map = new Map<string, Slot[]>();
    for (const s of dedupeSlots(availability.data ?? [])) {
      const d = dateInZone(s.start, timeZone);
      map.set(d, [...(map.get(d) ?? []), s]);
    }
    return map;
  }, [availability.data, timeZone]);
  const days = [...byDay.keys()].sort();
  const activeDay = day && byDay.has(day) ? day : (days[0] ?? null);
  const daySlots = activeDay ? (byDay.get(activeDay) ?? []) : [];
  const type = online.find((t) => t.id === typeId);
  const providerName = (pid: string) => providers.data?.find((p) => p.id === pid)?.name ?? 'your dental team';

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  useEffect(() => {
    if (hold) holdRef.current?.focus();
  }, [hold]);

  async function holdSlot() {
    if (!slot || !typeId) return;
    setError(null);
    try {
      const held = await book.mutateAsync({
        providerId: slot.providerId,
        operatoryId: slot.operatoryId,
        typeId,
        start: slot.start,
        hold: true,
      });
      setHold(held);
    } catch (err) {
      if (isApiError(err) && err.status === 409) {
        setSlot(null);
        setError({ message: SLOT_TAKEN_MESSAGE, requestId: err.requestId });
        void availability.refetch();
      } else if (isApiError(err)) {
        setError({ message: err.message, requestId: err.requestId });
      } else {
        setError({ message: 'Could not hold this time. Please try again.' });
      }
    }
  }

  async function confirmHold() {
    if (!hold) return;
    setConfirming(true);
    setError(null);
    try {
      await api.post<Appointment>(`/api/appointments/${encodeURIComponent(hold.id)}/confirm`, {});
      await queryClient.invalidateQueries({ queryKey: scheduleKeys.appointments });
      toastSuccess(`Booked: ${formatLongDate(dateInZone(hold.start, timeZone))} at ${formatTime(hold.start, timeZone)}.`);
      navigate('/portal');
    } catch (err) {
      if (isApiError(err) && err.status === 409) {
        setHold(null);
        setSlot(null);
        setError({ message: 'The hold on that time ran out. Please pick a time again.', requestId: err.requestId });
      } else {
        setError({
          message: isApiError(err) ? err.message : 'Could not confirm. Please try again.',
          ...(isApiError(err) ? { requestId: err.requestId } : {}),
        });
      }
    } finally {
      setConfirming(false);
    }
  }

  async function releaseHold() {
    const held = hold;
    setHold(null);
    setSlot(null);
    if (held) {
      // Give the time back at once rather than when the hold lapses.
      await api.post(`/api/appointments/${encodeURIComponent(held.id)}/cancel`, { reason: 'patient chose another time' }).catch(() => undefined);
      void availability.refetch();
    }
  }

  return (
    <main id="main" className="page page--narrow">
      <h1>Book a visit</h1>
      <p className="lead">Pick the kind of visit, then a time that suits you in the next two weeks.</p>

      {error && (
        <p ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          {error.message}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </p>
      )}

      {hold ? (
        <section className="hold-card" aria-labelledby={`${id}-hold`}>
          <h2 id={`${id}-hold`} ref={holdRef} tabIndex={-1} className="section-title">
            Confirm your visit
          </h2>
          <p>
            <strong>{type?.name ?? 'Visit'}</strong>
            <br />
            {formatLongDate(dateInZone(hold.start, timeZone))}, {formatTime(hold.start, timeZone)} –{' '}
            {formatTime(hold.end, timeZone)}
            <br />
            with {providerName(hold.providerId)}
          </p>
          {hold.holdExpiresAt && (
            <p className="muted">We are holding this time for you until {formatTime(hold.holdExpiresAt, timeZone)}.</p>
          )}
          <div className="button-row">
            <button type="button" className="button-primary" onClick={() => void confirmHold()} disabled={confirming}>
              {confirming ? 'Confirming…' : 'Confirm booking'}
            </button>
            <button type="button" className="button-secondary" onClick={() => void releaseHold()}>
              Choose another time
            </button>
          </div>
        </section>
      ) : (
        <>
          <section className="step" aria-labelledby={`${id}-type`}>
            <h2 id={`${id}-type`} className="section-title">
              1. What kind of visit?
            </h2>
            {types.isPending ? (
              <Skeleton lines={2} label="Loading visit types…" />
            ) : types.isError ? (
              <ErrorNotice error={types.error} onRetry={() => void types.refetch()} />
            ) : online.length === 0 ? (
              <p className="empty-hint">Online booking is not open right now. Please call the practice to book.</p>
            ) : (
              <fieldset className="type-options">
                <legend className="visually-hidden">Type of visit</legend>
                {online.map((t) => (
                  <label key={t.id} className="type-option">
                    <input
                      type="radio"
                      name={`${id}-type`}
                      value={t.id}
                      checked={typeId === t.id}
                      onChange={() => {
                        setTypeId(t.id);
                        setDay(null);
                        setSlot(null);
                        setError(null);
                      }}
                    />
                    <span>
                      <strong>{t.name}</strong>
                      <br />
                      <span className="muted">About {t.durationMinutes} minutes</span>
                    </span>
                  </label>
                ))}
              </fieldset>
            )}
          </section>

          {typeId && (
            <section className="step" aria-labelledby={`${id}-when`}>
              <h2 id={`${id}-when`} className="section-title">
                2. Choose a day and time
              </h2>
              {availability.isPending ? (
                <Skeleton lines={3} label="Finding free times…" />
              ) : availability.isError ? (
                <ErrorNotice error={availability.error} title="Could not load free times" onRetry={() => void availability.refetch()} />
              ) : days.length === 0 ? (
                <div className="empty-state">
                  <p>
                    <strong>No online times in the next two weeks.</strong>
                  </p>
                  <p>Please call the practice and we will find you a time.</p>
                </div>
              ) : (
                <>
                  <ul className="day-tabs" aria-label="Days with free times">
                    {days.map((d) => (
                      <li key={d}>
                        <button
                          type="button"
                          className="day-tab"
                          aria-pressed={d === activeDay}
                          onClick={() => {
                            setDay(d);
                            setSlot(null);
                          }}
                        >
                          <span>{formatShortDate(d)}</span>
                          <span className="day-tab__count">
                            {byDay.get(d)?.length} time{byDay.get(d)?.length === 1 ? '' : 's'}
                          </span>
                        </button>
                      </li>
                    ))}
                  </ul>
                  {activeDay && (
                    <SlotList
                      slots={daySlots}
                      selected={slot ? slotKey(slot) : null}
                      onSelect={(s) => {
                        setSlot(s);
                        setError(null);
                      }}
                      providers={providers.data ?? []}
                      operatories={operatories.data ?? []}
                      timeZone={timeZone}
                      legend={`Times on ${formatLongDate(activeDay)}`}
                      groupByProvider={false}
                      showProvider
                    />
                  )}
                </>
              )}
            </section>
          )}

          {typeId && days.length > 0 && (
            <div className="button-row">
              <button
                type="button"
                className="button-primary"
                onClick={() => void holdSlot()}
                disabled={!slot || book.isPending}
                aria-busy={book.isPending}
              >
                {book.isPending
                  ? 'Holding…'
                  : slot
                    ? `Continue with ${formatShortDate(dateInZone(slot.start, timeZone))}, ${formatTime(slot.start, timeZone)}`
                    : 'Choose a time to continue'}
              </button>
              <Link to="/portal" className="button-ghost">
                Back to my appointments
              </Link>
            </div>
          )}
        </>
      )}
    </main>
  );
}
