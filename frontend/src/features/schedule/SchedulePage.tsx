import { useCallback, useId, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import {
  addDays,
  dateInZone,
  dayRangeUtc,
  formatLongDate,
  isCalendarDate,
  minutesOfDay,
  todayInZone,
  zoneAbbreviation,
} from '../../lib/time';
import type { Appointment } from '../../lib/types';
import { useClinicTimeZone, useSlotMinutes } from '../session/sessionStore';
import { AppointmentDialog } from './AppointmentDialog';
import { BookDialog } from './BookDialog';
import { DayGrid } from './DayGrid';
import { dayWindow } from './grid';
import {
  useAppointmentTypes,
  useDayAppointments,
  useOperatories,
  usePatientDirectory,
  useProviders,
} from './queries';

const HIDDEN_STATUSES = new Set(['cancelled', 'failed', 'pending']);

/** The front desk's day view: one column per provider, live every 5 seconds. */
export default function SchedulePage() {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const slotMinutes = useSlotMinutes();
  const [params, setParams] = useSearchParams();
  const today = todayInZone(timeZone);
  const paramDate = params.get('date');
  const date = isCalendarDate(paramDate) ? paramDate : today;
  const [showCancelled, setShowCancelled] = useState(false);
  const [bookOpen, setBookOpen] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [lastSeen, setLastSeen] = useState<Appointment | null>(null);
  const bookButtonRef = useRef<HTMLButtonElement>(null);

  const range = useMemo(() => dayRangeUtc(date, timeZone), [date, timeZone]);
  const providers = useProviders();
  const operatories = useOperatories();
  const types = useAppointmentTypes();
  const appointments = useDayAppointments(range);
  const directory = usePatientDirectory();

  const setDate = useCallback(
    (next: string) => {
      setParams(
        (p) => {
          const out = new URLSearchParams(p);
          if (next === todayInZone(timeZone)) out.delete('date');
          else out.set('date', next);
          return out;
        },
        { replace: false },
      );
    },
    [setParams, timeZone],
  );

  const typeMap = useMemo(() => new Map((types.data ?? []).map((t) => [t.id, t])), [types.data]);
  const patientMap = directory.data?.byId ?? EMPTY_PATIENTS;
  const all = appointments.data ?? [];
  const visible = useMemo(
    () => (showCancelled ? all : all.filter((a) => !HIDDEN_STATUSES.has(a.status))),
    [all, showCancelled],
  );
  const providerList = providers.data ?? [];
  const gridWindow = useMemo(
    () =>
      dayWindow(
        date,
        providerList.map((p) => p.hours),
        visible.map((a) => ({
          start: dateInZone(a.start, timeZone) === date ? minutesOfDay(a.start, timeZone) : 0,
          end: dateInZone(a.end, timeZone) === date ? minutesOfDay(a.end, timeZone) : 24 * 60,
        })),
      ),
    [date, providerList, visible, timeZone],
  );

  const selected = selectedId ? (all.find((a) => a.id === selectedId) ?? lastSeen) : null;
  // The fresher of the polled copy and the one an action returned.
  const current =
    selected && lastSeen && lastSeen.id === selected.id && lastSeen.version > selected.version ? lastSeen : selected;

  const openAppointment = useCallback((a: Appointment) => {
    setSelectedId(a.id);
    setLastSeen(a);
  }, []);

  const loading = providers.isPending || appointments.isPending || types.isPending;
  const counts = countByStatus(visible);

  return (
    <main id="main" className="page page--wide schedule">
      <div className="schedule__toolbar">
        <div className="schedule__title">
          <h1>Schedule</h1>
          <p className="schedule__date" aria-live="polite">
            {formatLongDate(date)}
            {date === today && <span className="badge badge--today">Today</span>}
          </p>
        </div>
        <div className="schedule__nav" role="group" aria-label="Choose day">
          <button type="button" className="button-secondary" onClick={() => setDate(addDays(date, -1))}>
            <span aria-hidden="true">‹ </span>Previous day
          </button>
          <div className="field field--inline">
            <label htmlFor={`${id}-date`}>Date</label>
            <input
              id={`${id}-date`}
              type="date"
              value={date}
              onChange={(e) => {
                if (isCalendarDate(e.target.value)) setDate(e.target.value);
              }}
            />
          </div>
          <button type="button" className="button-secondary" onClick={() => setDate(addDays(date, 1))}>
            Next day<span aria-hidden="true"> ›</span>
          </button>
          {date !== today && (
            <button type="button" className="button-ghost" onClick={() => setDate(today)}>
              Today
            </button>
          )}
        </div>
        <div className="schedule__actions">
          <label className="checkbox">
            <input type="checkbox" checked={showCancelled} onChange={(e) => setShowCancelled(e.target.checked)} />
            Show cancelled
          </label>
          <button ref={bookButtonRef} type="button" className="button-primary" onClick={() => setBookOpen(true)}>
            Book appointment
          </button>
        </div>
      </div>

      <p className="schedule__summary muted">
        Times in {timeZone.replace('_', ' ')} ({zoneAbbreviation(timeZone)}).{' '}
        {!loading && (
          <>
            {visible.length} appointment{visible.length === 1 ? '' : 's'}
            {counts.checked_in ? ` · ${counts.checked_in} checked in` : ''}
            {counts.completed ? ` · ${counts.completed} completed` : ''}.
          </>
        )}
        {appointments.isFetching && !appointments.isPending && <span className="visually-hidden"> Updating…</span>}
      </p>

      {directory.data?.available === false && (
        <p className="notice notice--info">
          Patient names appear once the patients service is available on this server.
        </p>
      )}

      {providers.isError ? (
        <ErrorNotice error={providers.error} title="Could not load providers" onRetry={() => void providers.refetch()} />
      ) : appointments.isError && !appointments.data ? (
        <ErrorNotice
          error={appointments.error}
          title="Could not load the schedule"
          onRetry={() => void appointments.refetch()}
        />
      ) : loading ? (
        <div className="schedule__skeleton">
          <Skeleton lines={8} label="Loading the schedule…" />
        </div>
      ) : providerList.length === 0 ? (
        <div className="empty-state">
          <h2>No providers yet</h2>
          <p>Add providers and their working hours to start booking.</p>
        </div>
      ) : (
        <>
          {visible.length === 0 && (
            <div className="empty-state empty-state--inline">
              <p>
                <strong>No appointments on this day.</strong> Book one, or look at another day.
              </p>
              <button type="button" className="button-primary" onClick={() => setBookOpen(true)}>
                Book appointment
              </button>
            </div>
          )}
          <DayGrid
            date={date}
            timeZone={timeZone}
            window={gridWindow}
            providers={providerList}
            appointments={visible}
            types={typeMap}
            patients={patientMap}
            onOpen={openAppointment}
          />
        </>
      )}

      <BookDialog
        open={bookOpen}
        onClose={() => setBookOpen(false)}
        onBooked={(a) => {
          setBookOpen(false);
          const bookedDate = dateInZone(a.start, timeZone);
          if (bookedDate !== date) setDate(bookedDate);
        }}
        date={date}
        timeZone={timeZone}
        providers={providerList}
        operatories={operatories.data ?? []}
        types={types.data ?? []}
      />

      <AppointmentDialog
        appointment={current}
        onClose={() => {
          setSelectedId(null);
          setLastSeen(null);
        }}
        onUpdated={setLastSeen}
        providers={providerList}
        operatories={operatories.data ?? []}
        types={types.data ?? []}
        patientSummary={current ? patientMap.get(current.patientId) : undefined}
        timeZone={timeZone}
        slotMinutes={slotMinutes}
      />
    </main>
  );
}

const EMPTY_PATIENTS = new Map();

function countByStatus(list: Appointment[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of list) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}
