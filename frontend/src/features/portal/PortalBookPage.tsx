import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { api, isApiError } from '../../lib/api';
import { dateInZone, formatLongDate, formatShortDate, formatTime } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import type { Appointment, Slot } from '../../lib/types';
import { scheduleKeys, useAppointmentTypes, useAvailability, useBookAppointment, useProviders } from '../../api/schedule';
import { SLOT_TAKEN_MESSAGE } from '../../components/SlotList';
import { useClinicTimeZone } from '../../lib/session';
import { finishReschedule } from './reschedule';
import { TimePicker } from './TimePicker';
import { type DayPart, dayPartOf, firstAvailable, groupByDayPart, pickerSlots } from './timePicker';

const DAYS_AHEAD = 14;

function nextTwoWeeks(): { from: string; to: string } {
  // Rounded to the minute so the query key stays put between renders.
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  return { from: new Date(now).toISOString(), to: new Date(now + DAYS_AHEAD * 86_400_000).toISOString() };
}

const CLOSED: Record<DayPart, boolean> = { morning: false, afternoon: false, evening: false };

function apiMessage(err: unknown, fallback: string): { message: string; requestId?: string } {
  return isApiError(err) ? { message: err.message, requestId: err.requestId } : { message: fallback };
}

/**
 * Patient self-booking: type → provider → day → time → hold → confirm. Works
 * from 360 px up. With `?reschedule=<id>` it moves that visit instead: the new
 * time is held and confirmed before the old visit is cancelled.
 */
export default function PortalBookPage() {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const rescheduleId = params.get('reschedule');
  const types = useAppointmentTypes();
  const providers = useProviders();
  const [pickedType, setTypeId] = useState('');
  const [providerId, setProviderId] = useState('');
  const [day, setDay] = useState<string | null>(null);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [open, setOpen] = useState<Record<DayPart, boolean> | null>(null);
  const [hold, setHold] = useState<Appointment | null>(null);
  const [error, setError] = useState<{ message: string; requestId?: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [range] = useState(nextTwoWeeks);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const holdRef = useRef<HTMLHeadingElement>(null);
  const book = useBookAppointment();

  const old = useQuery({
    queryKey: scheduleKeys.appointment(rescheduleId ?? ''),
    queryFn: ({ signal }) => api.get<Appointment>(`/api/appointments/${encodeURIComponent(rescheduleId ?? '')}`, { signal }),
    enabled: !!rescheduleId,
    staleTime: Infinity,
  });
  const moving = rescheduleId ? (old.data ?? null) : null;

  const online = (types.data ?? []).filter((t) => t.bookableOnline);
  const typeId = moving ? (online.some((t) => t.id === moving.typeId) ? (moving.typeId ?? '') : '') : pickedType;
  const availability = useAvailability({ ...range, typeId: typeId || undefined }, !!typeId && !hold);
  const providerOrder = useMemo(() => (providers.data ?? []).map((p) => p.id), [providers.data]);
  // Only providers who can take this visit in the next two weeks are offered.
  const offered = useMemo(() => {
    const ids = new Set((availability.data ?? []).map((s) => s.providerId));
    return (providers.data ?? []).filter((p) => ids.has(p.id));
  }, [availability.data, providers.data]);
  const chosenProvider = offered.some((p) => p.id === providerId) ? providerId : '';
  const choices = useMemo(() => {
    const free = (availability.data ?? []).filter((s) => !moving || s.start !== moving.start || s.providerId !== moving.providerId);
    return pickerSlots(free, chosenProvider, providerOrder);
  }, [availability.data, chosenProvider, providerOrder, moving]);
  const byDay = useMemo(() => {
    const map = new Map<string, Slot[]>();
    for (const s of choices) {
      const d = dateInZone(s.start, timeZone);
      map.set(d, [...(map.get(d) ?? []), s]);
    }
    return map;
  }, [choices, timeZone]);
  const days = [...byDay.keys()].sort();
  const activeDay = day && byDay.has(day) ? day : (days[0] ?? null);
  const daySlots = activeDay ? (byDay.get(activeDay) ?? []) : [];
  const first = firstAvailable(choices);
  const type = online.find((t) => t.id === typeId);
  const providerName = (pid: string) => providers.data?.find((p) => p.id === pid)?.name ?? 'your dental team';

  // Expanded parts of the day: the chosen one, else the first with free times.
  const dayGroups = groupByDayPart(daySlots, timeZone);
  const defaultPart = (['morning', 'afternoon', 'evening'] as const).find((p) => dayGroups[p].length > 0);
  const openParts = open ?? { ...CLOSED, ...(defaultPart ? { [defaultPart]: true } : {}) };

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  useEffect(() => {
    if (hold) holdRef.current?.focus();
  }, [hold]);

  function resetPick() {
    setDay(null);
    setSlot(null);
    setOpen(null);
    setError(null);
  }

  function pickFirst() {
    if (!first) return;
    setDay(dateInZone(first.start, timeZone));
    setOpen({ ...CLOSED, [dayPartOf(first.start, timeZone)]: true });
    setSlot(first);
    setError(null);
  }

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
      } else {
        setError(apiMessage(err, 'Could not hold this time. Please try again.'));
      }
    }
  }

  // A cancellation names a preset reason (the patient's request) and says more in reasonText.
  const post = (appt: string, action: 'confirm' | 'cancel', reasonText?: string) =>
    api.post<Appointment>(
      `/api/appointments/${encodeURIComponent(appt)}/${action}`,
      action === 'cancel' ? { reason: 'patient_request', ...(reasonText ? { reasonText } : {}) } : {},
    );
  const when = (a: { start: string }) => `${formatLongDate(dateInZone(a.start, timeZone))} at ${formatTime(a.start, timeZone)}`;

  async function confirmHold() {
    if (!hold) return;
    setConfirming(true);
    setError(null);
    try {
      if (moving) {
        const out = await finishReschedule(moving.id, hold.id, {
          confirm: (newId) => post(newId, 'confirm'),
          cancelOld: (oldId) => post(oldId, 'cancel', 'rescheduled online by the patient'),
          release: (newId) => post(newId, 'cancel', 'reschedule did not complete'),
        });
        await queryClient.invalidateQueries({ queryKey: scheduleKeys.appointments });
        if (out.ok) {
          toastSuccess(`Moved: your visit is now ${when(hold)}.`);
          navigate('/portal');
          return;
        }
        const why = apiMessage(out.error, 'The practice could not be reached.');
        const step =
          out.failed === 'confirm'
            ? `We could not confirm ${when(hold)} (${why.message}).`
            : `We could not cancel your visit on ${when(moving)} (${why.message}).`;
        const released = out.released
          ? ' The new time was released.'
          : ` The new time on ${when(hold)} may still be held; please call the practice.`;
        setHold(null);
        setSlot(null);
        setError({ ...why, message: `${step}${released} Your visit on ${when(moving)} is still booked.` });
        void availability.refetch();
        return;
      }
      await post(hold.id, 'confirm');
      await queryClient.invalidateQueries({ queryKey: scheduleKeys.appointments });
      toastSuccess(`Booked: ${formatLongDate(dateInZone(hold.start, timeZone))} at ${formatTime(hold.start, timeZone)}.`);
      navigate('/portal');
    } catch (err) {
      if (isApiError(err) && err.status === 409) {
        setHold(null);
        setSlot(null);
        setError({ message: 'The hold on that time ran out. Please pick a time again.', requestId: err.requestId });
      } else {
        setError(apiMessage(err, 'Could not confirm. Please try again.'));
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
      await post(held.id, 'cancel', 'patient chose another time').catch(() => undefined);
      void availability.refetch();
    }
  }

  const movingUnbookable = !!moving && !typeId && types.isSuccess;

  return (
    <main id="main" className="page page--narrow pb-page">
      <h1>{rescheduleId ? 'Move your visit' : 'Book a visit'}</h1>
      {rescheduleId ? (
        old.isPending ? (
          <Skeleton lines={2} label="Loading your visit…" />
        ) : old.isError ? (
          <ErrorNotice error={old.error} title="Could not load the visit to move" onRetry={() => void old.refetch()} />
        ) : moving ? (
          <p className="lead pb-current">
            Now: <strong>{when(moving)}</strong> with {providerName(moving.providerId)}. It stays booked until you confirm a new time.
          </p>
        ) : null
      ) : (
        <p className="lead">Pick the kind of visit, then a time that suits you in the next two weeks.</p>
      )}

      {error && (
        <p ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          {error.message}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </p>
      )}

      {movingUnbookable ? (
        <div className="empty-state">
          <p>
            <strong>This visit cannot be moved online.</strong>
          </p>
          <p>Please call the practice and we will find you a new time.</p>
          <Link to="/portal" className="button-secondary">
            Back to my appointments
          </Link>
        </div>
      ) : hold ? (
        <section className="hold-card" aria-labelledby={`${id}-hold`}>
          <h2 id={`${id}-hold`} ref={holdRef} tabIndex={-1} className="section-title">
            {moving ? 'Confirm your new time' : 'Confirm your visit'}
          </h2>
          <p>
            <strong>{type?.name ?? 'Visit'}</strong>
            <br />
            {formatLongDate(dateInZone(hold.start, timeZone))}, {formatTime(hold.start, timeZone)} –{' '}
            {formatTime(hold.end, timeZone)}
            <br />
            with {providerName(hold.providerId)}
          </p>
          {moving && <p>Your visit on {when(moving)} will be cancelled once the new time is confirmed.</p>}
          {hold.holdExpiresAt && (
            <p className="muted">We are holding this time for you until {formatTime(hold.holdExpiresAt, timeZone)}.</p>
          )}
          <div className="button-row">
            <button type="button" className="button-primary" onClick={() => void confirmHold()} disabled={confirming}>
              {confirming ? 'Confirming…' : moving ? 'Confirm new time' : 'Confirm booking'}
            </button>
            <button type="button" className="button-secondary" onClick={() => void releaseHold()} disabled={confirming}>
              Choose another time
            </button>
          </div>
        </section>
      ) : (
        <>
          {!rescheduleId && (
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
                          setProviderId('');
                          resetPick();
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
          )}

          {typeId && (
            <section className="step" aria-labelledby={`${id}-when`}>
              <h2 id={`${id}-when`} className="section-title">
                {rescheduleId ? `Choose a new day and time for your ${type?.name ?? 'visit'}` : '2. Choose a day and time'}
              </h2>
              {availability.isPending ? (
                <Skeleton lines={3} label="Finding free times…" />
              ) : availability.isError ? (
                <ErrorNotice error={availability.error} title="Could not load free times" onRetry={() => void availability.refetch()} />
              ) : (availability.data ?? []).length === 0 ? (
                <div className="empty-state">
                  <p>
                    <strong>No online times in the next two weeks.</strong>
                  </p>
                  <p>Please call the practice and we will find you a time.</p>
                </div>
              ) : (
                <>
                  <div className="pb-tools">
                    <div className="field pb-provider">
                      <label htmlFor={`${id}-provider`}>Provider</label>
                      <select
                        id={`${id}-provider`}
                        value={chosenProvider}
                        onChange={(e) => {
                          setProviderId(e.target.value);
                          setSlot(null);
                          setOpen(null);
                        }}
                      >
                        <option value="">Any provider</option>
                        {offered.map((p) => (
                          <option key={p.id} value={p.id}>
                            {p.name}
                          </option>
                        ))}
                      </select>
                    </div>
                    {first && (
                      <button type="button" className="button-secondary pb-first" onClick={pickFirst}>
                        First available:{' '}
                        <span className="pb-first__when">
                          {formatShortDate(dateInZone(first.start, timeZone))}, {formatTime(first.start, timeZone)}
                        </span>
                      </button>
                    )}
                  </div>
                  {days.length === 0 ? (
                    <p className="empty-hint">No free times with this provider. Choose “Any provider” to see more.</p>
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
                                setOpen(null);
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
                        <TimePicker
                          slots={daySlots}
                          selected={slot}
                          onSelect={(s) => {
                            setSlot(s);
                            setError(null);
                          }}
                          open={openParts}
                          onToggle={(part) => setOpen({ ...openParts, [part]: !openParts[part] })}
                          providers={providers.data ?? []}
                          timeZone={timeZone}
                          dayLabel={formatLongDate(activeDay)}
                          showProvider={!chosenProvider}
                        />
                      )}
                    </>
                  )}
                </>
              )}
            </section>
          )}

          {typeId && (availability.data ?? []).length > 0 && (
            <div className="button-row pb-continue">
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
                {rescheduleId ? 'Keep my current time' : 'Back to my appointments'}
              </Link>
            </div>
          )}
        </>
      )}
    </main>
  );
}
