import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { dateInZone, dayRangeUtc, formatLongDate, formatTime, formatTimeRange, todayInZone } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import { STATUS_LABELS, type Appointment } from '../../lib/types';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import {
  fetchAppointments,
  scheduleKeys,
  useAppointmentAction,
  useAppointmentTypes,
  useProviders,
} from '../../api/schedule';
import { useWaitlist } from '../../api/waitlist';

const UPCOMING = new Set(['held', 'scheduled', 'confirmed', 'checked_in']);

const PAST_DAYS = 2 * 365;

/** The patient's visits of the last two years that have started (newest first), holds left out. */
export function usePastVisits() {
  const timeZone = useClinicTimeZone();
  return useQuery({
    queryKey: [...scheduleKeys.mine, 'past'],
    queryFn: async ({ signal }) => {
      const to = dayRangeUtc(todayInZone(timeZone), timeZone).to;
      const from = new Date(Date.now() - PAST_DAYS * 86_400_000).toISOString();
      const items = await fetchAppointments({ from, to }, signal);
      const now = Date.now();
      return items.filter((a) => a.status !== 'held' && new Date(a.start).getTime() <= now).sort((a, b) => b.start.localeCompare(a.start));
    },
  });
}

export function useMyAppointments() {
  const timeZone = useClinicTimeZone();
  return useQuery({
    queryKey: scheduleKeys.mine,
    queryFn: ({ signal }) => fetchAppointments({ from: dayRangeUtc(todayInZone(timeZone), timeZone).from }, signal),
    refetchInterval: 60_000,
  });
}

/** The patient's home: upcoming visits (cancel, reschedule), past visits, forms, plans and bills, and the way to book. */
export default function PortalPage() {
  const timeZone = useClinicTimeZone();
  const user = useSessionStore((s) => s.user);
  const noticeHours = useSessionStore((s) => s.clinic?.settings.cancelNoticeHours ?? 24);
  const mine = useMyAppointments();
  const past = usePastVisits();
  const types = useAppointmentTypes();
  const providers = useProviders();
  const [cancelling, setCancelling] = useState<Appointment | null>(null);
  const waitlist = useWaitlist();
  const offers = (waitlist.data ?? []).filter((e) => e.status === 'offered' && e.offer);

  const now = Date.now();
  const upcoming = (mine.data ?? [])
    .filter((a) => UPCOMING.has(a.status) && new Date(a.end).getTime() > now)
    .sort((a, b) => a.start.localeCompare(b.start));
  const typeName = (id?: string) => types.data?.find((t) => t.id === id)?.name ?? 'Dental visit';
  const providerName = (id: string) => providers.data?.find((p) => p.id === id)?.name ?? 'your dental team';

  return (
    <main id="main" className="page page--narrow">
      <h1>My appointments</h1>
      <p className="lead">Hello{user ? `, ${user.firstName}` : ''}. Here are your upcoming visits.</p>

      <p>
        <Link to="/portal/book" className="button-primary">
          Book a visit
        </Link>
      </p>

      {offers.length > 0 && (
        <section aria-labelledby="offers-title">
          <h2 id="offers-title" className="section-title">
            Earlier times offered to you
          </h2>
          <ul className="portal-list">
            {offers.map((e) =>
              e.offer ? (
                <li key={e.id} className="visit-card">
                  <p>
                    <strong>{formatLongDate(dateInZone(e.offer.start, timeZone))}</strong>
                    <br />
                    {formatTimeRange(e.offer.start, e.offer.end, timeZone)} with {providerName(e.offer.providerId)}
                  </p>
                  <Link to={`/portal/offers/${encodeURIComponent(e.id)}`} className="button-primary">
                    Review offer
                    <span className="visually-hidden">
                      {' '}
                      for {formatLongDate(dateInZone(e.offer.start, timeZone))} at {formatTime(e.offer.start, timeZone)}
                    </span>
                  </Link>
                </li>
              ) : null,
            )}
          </ul>
        </section>
      )}

      <section aria-labelledby="upcoming-title">
        <h2 id="upcoming-title" className="section-title">
          Upcoming visits
        </h2>
        {mine.isPending ? (
          <Skeleton lines={4} label="Loading your appointments…" />
        ) : mine.isError ? (
          <ErrorNotice error={mine.error} title="Could not load your appointments" onRetry={() => void mine.refetch()} />
        ) : upcoming.length === 0 ? (
          <div className="empty-state">
            <p>
              <strong>You have no upcoming visits.</strong>
            </p>
            <p>Book a check-up or a new patient exam online in a minute.</p>
            <Link to="/portal/book" className="button-primary">
              Book a visit
            </Link>
          </div>
        ) : (
          <ul className="portal-list">
            {upcoming.map((a) => (
              <li key={a.id} className="visit-card">
                <h3>{typeName(a.typeId)}</h3>
                <p>
                  <strong>{formatLongDate(dateInZone(a.start, timeZone))}</strong>
                  <br />
                  {formatTimeRange(a.start, a.end, timeZone)} with {providerName(a.providerId)}
                </p>
                <p>
                  <span className={`status status--${a.status}`}>{STATUS_LABELS[a.status]}</span>
                  {a.status === 'held' && a.holdExpiresAt && (
                    <span className="muted"> until {formatTime(a.holdExpiresAt, timeZone)} — not booked yet</span>
                  )}
                </p>
                {a.status !== 'checked_in' && (
                  <div className="button-row">
                    {a.status !== 'held' && new Date(a.start).getTime() - now > noticeHours * 3_600_000 && (
                      <Link to={`/portal/book?reschedule=${encodeURIComponent(a.id)}`} className="button-secondary">
                        Reschedule
                        <span className="visually-hidden">
                          {' '}
                          visit on {formatLongDate(dateInZone(a.start, timeZone))} at {formatTime(a.start, timeZone)}
                        </span>
                      </Link>
                    )}
                    <button type="button" className="button-danger-outline" onClick={() => setCancelling(a)}>
                      Cancel visit
                      <span className="visually-hidden">
                        {' '}
                        on {formatLongDate(dateInZone(a.start, timeZone))} at {formatTime(a.start, timeZone)}
                      </span>
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="past-title" className="pb-section">
        <h2 id="past-title" className="section-title">
          Past visits
        </h2>
        {past.isPending ? (
          <Skeleton lines={3} label="Loading your past visits…" />
        ) : past.isError ? (
          <ErrorNotice error={past.error} title="Could not load your past visits" onRetry={() => void past.refetch()} />
        ) : past.data.length === 0 ? (
          <p className="empty-hint">No past visits yet. Visits you have had appear here.</p>
        ) : (
          <ul className="portal-list" aria-label="Past visits">
            {past.data.map((a) => (
              <li key={a.id} className="pb-past">
                <p>
                  <strong>{formatLongDate(dateInZone(a.start, timeZone))}</strong>, {formatTime(a.start, timeZone)}
                </p>
                <p>
                  {typeName(a.typeId)} with {providerName(a.providerId)}
                </p>
                <p>
                  <span className={`status status--${a.status}`}>{STATUS_LABELS[a.status]}</span>
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="records-title" className="pb-section">
        <h2 id="records-title" className="section-title">
          Forms, treatment plans and bills
        </h2>
        <ul className="pb-records">
          <li>
            <Link to="/portal/forms">Forms to sign</Link>
            <span className="muted">Consent and health forms the practice sent you.</span>
          </li>
          <li>
            <Link to="/portal/plans">Treatment plans</Link>
            <span className="muted">Plans your dentist presented, to review and accept.</span>
          </li>
          <li>
            <Link to="/portal/bills">Bills</Link>
            <span className="muted">Invoices from the practice, to download or pay by card.</span>
          </li>
        </ul>
      </section>

      <CancelDialog
        appointment={cancelling}
        onClose={() => setCancelling(null)}
        timeZone={timeZone}
        noticeHours={noticeHours}
        label={cancelling ? `${typeName(cancelling.typeId)} with ${providerName(cancelling.providerId)}` : ''}
      />
    </main>
  );
}

function CancelDialog({
  appointment,
  onClose,
  timeZone,
  noticeHours,
  label,
}: {
  appointment: Appointment | null;
  onClose: () => void;
  timeZone: string;
  noticeHours: number;
  label: string;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<{ message: string; requestId: string; final?: boolean } | null>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const okRef = useRef<HTMLButtonElement>(null);
  const action = useAppointmentAction();

  useEffect(() => {
    if (error?.final) okRef.current?.focus();
  }, [error]);

  function close() {
    setReason('');
    setError(null);
    onClose();
  }

  async function confirm() {
    if (!appointment) return;
    setError(null);
    try {
      const text = reason.trim();
      // The patient's own words go with the preset "patient request" reason.
      await action.mutateAsync({ id: appointment.id, action: 'cancel', reason: { reason: 'patient_request', ...(text ? { reasonText: text } : {}) } });
      toastSuccess('Your visit is cancelled.');
      close();
    } catch (err) {
      if (isApiError(err) && err.status === 422) {
        setError({
          message: `This visit is inside the practice’s ${noticeHours}-hour notice window, so it cannot be cancelled online. Please call the practice.`,
          requestId: err.requestId,
          final: true,
        });
      } else if (isApiError(err)) {
        setError({ message: err.message, requestId: err.requestId });
      } else {
        setError({ message: 'Could not cancel. Please try again.', requestId: '' });
      }
    }
  }

  return (
    <Dialog
      open={!!appointment}
      onClose={close}
      title="Cancel this visit?"
      size="sm"
      initialFocusRef={keepRef}
      description={
        appointment && (
          <p>
            {label}, {formatLongDate(dateInZone(appointment.start, timeZone))} at {formatTime(appointment.start, timeZone)}.
          </p>
        )
      }
    >
      {error && (
        <p className="form-error" role="alert">
          {error.message}
          {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
        </p>
      )}
      {error?.final ? (
        <div className="button-row">
          <button ref={okRef} type="button" className="button-primary" onClick={close}>
            OK, keep visit
          </button>
        </div>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason (optional)</label>
            <textarea id={`${id}-reason`} rows={2} maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <div className="button-row">
            <button type="button" className="button-danger" onClick={() => void confirm()} disabled={action.isPending}>
              {action.isPending ? 'Cancelling…' : 'Cancel visit'}
            </button>
            <button ref={keepRef} type="button" className="button-secondary" onClick={close}>
              Keep visit
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
