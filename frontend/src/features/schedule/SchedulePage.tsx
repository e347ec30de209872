import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { useSearchParams } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveNotice } from '../../components/LiveNotice';
import { Skeleton } from '../../components/Skeleton';
import {
  addDays,
  dateInZone,
  dayRangeUtc,
  formatLongDate,
  formatShortDate,
  formatTime,
  isCalendarDate,
  minutesOfDay,
  zonedTimeToUtc,
  todayInZone,
  zoneAbbreviation,
} from '../../lib/time';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import type { Appointment } from '../../lib/types';
import { useClinicTimeZone, useSessionStore, useSlotMinutes } from '../../lib/session';
import { AppointmentDialog } from './AppointmentDialog';
import { BookDialog, type BookPrefill } from '../../components/booking/BookDialog';
import { DayGrid } from './DayGrid';
import { columnsWindow, dropChanges, groupColumns, weekDates, type GridColumn, type ScheduleView } from './grid';
import { useAppointmentTypes, useDayAppointments, useMoveAppointment, useOperatories, useProviders } from '../../api/schedule';
import { usePatientNames, useSevereAllergies } from '../../api/patients';

const HIDDEN_STATUSES = new Set(['cancelled', 'failed', 'pending']);
const VIEWS: { value: ScheduleView; label: string }[] = [
  { value: 'provider', label: 'By provider' },
  { value: 'chair', label: 'By chair' },
  { value: 'week', label: 'Week' },
];

function parseView(value: string | null): ScheduleView {
  return value === 'chair' || value === 'week' ? value : 'provider';
}

/** The front desk's day view: one column per provider, kept fresh by live events. */
export default function SchedulePage() {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const slotMinutes = useSlotMinutes();
  const [params, setParams] = useSearchParams();
  const today = todayInZone(timeZone);
  const paramDate = params.get('date');
  const date = isCalendarDate(paramDate) ? paramDate : today;
  const view = parseView(params.get('view'));
  const week = view === 'week';
  const [showCancelled, setShowCancelled] = useState(false);
  const [bookOpen, setBookOpenState] = useState(false);
  const [prefill, setPrefill] = useState<BookPrefill | undefined>(undefined);
  const [helpOpen, setHelpOpen] = useState(false);
  const user = useSessionStore((s) => s.user);
  const setBookOpen = useCallback((open: boolean, with_?: BookPrefill) => {
    setPrefill(open ? with_ : undefined);
    setBookOpenState(open);
  }, []);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [lastSeen, setLastSeen] = useState<Appointment | null>(null);
  const bookButtonRef = useRef<HTMLButtonElement>(null);
  const [dropError, setDropError] = useState<{ message: string; requestId: string } | null>(null);
  const move = useMoveAppointment();

  const range = useMemo(() => {
    if (!week) return dayRangeUtc(date, timeZone);
    const days = weekDates(date);
    return { from: dayRangeUtc(days[0]!, timeZone).from, to: dayRangeUtc(days[6]!, timeZone).to };
  }, [date, timeZone, week]);
  const providers = useProviders();
  const operatories = useOperatories();
  const types = useAppointmentTypes();
  const appointments = useDayAppointments(range);
  // Read in the render the appointments arrive in, before the grid is drawn.
  const named = useMemo(() => (appointments.data ?? []).map((a) => a.patientId), [appointments.data]);
  const names = usePatientNames(named);

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

  const setParam = useCallback(
    (key: string, value: string | null) => {
      setParams(
        (p) => {
          const out = new URLSearchParams(p);
          if (value) out.set(key, value);
          else out.delete(key);
          return out;
        },
        { replace: false },
      );
    },
    [setParams],
  );

  const typeMap = useMemo(() => new Map((types.data ?? []).map((t) => [t.id, t])), [types.data]);
  const patientMap = names.byId;
  const all = appointments.data ?? [];
  const visible = useMemo(
    () => (showCancelled ? all : all.filter((a) => !HIDDEN_STATUSES.has(a.status))),
    [all, showCancelled],
  );
  const allProviders = providers.data ?? [];
  // A dentist or hygienist sees their own column unless they ask for everyone.
  const ownProvider =
    user && (user.role === 'dentist' || user.role === 'hygienist')
      ? allProviders.find((p) => (p as { userId?: string }).userId === user.id)
      : undefined;
  const showAll = params.get('all') === '1';
  const ownOnly = !!ownProvider && !showAll && view === 'provider';
  const providerList = useMemo(
    () => (ownOnly && ownProvider ? allProviders.filter((p) => p.id === ownProvider.id) : allProviders),
    [ownOnly, ownProvider, allProviders],
  );
  const weekProviderId = params.get('provider') ?? providerList[0]?.id ?? null;
  const columns = useMemo(
    () =>
      groupColumns(view, {
        date,
        timeZone,
        providers: providerList,
        operatories: operatories.data ?? [],
        items: visible,
        providerId: weekProviderId,
        formatDay: formatShortDate,
      }),
    [view, date, timeZone, providerList, operatories.data, visible, weekProviderId],
  );
  const gridWindow = useMemo(
    () =>
      columnsWindow(
        columns,
        timeZone,
        week
          ? providerList.filter((p) => p.id === weekProviderId).map((p) => p.hours)
          : providerList.map((p) => p.hours),
      ),
    [columns, timeZone, week, providerList, weekProviderId],
  );

  const severeIds = useMemo(
    () => [...new Set(visible.map((a) => a.patientId))].filter((pid) => patientMap.get(pid)?.allergyAlert),
    [visible, patientMap],
  );
  const severeAllergy = useSevereAllergies(severeIds);

  // Today: the next patient (or the one in the chair), and the grid scrolled to now; another day: to its first visit.
  const isToday = !week && date === today;
  const nowMinutes = minutesOfDay(Date.now(), timeZone);
  const dayItems = week ? [] : columns.flatMap((c) => c.items);
  const nextId = isToday
    ? ([...dayItems]
        .filter((a) => a.status !== 'completed' && a.status !== 'no_show' && new Date(a.end).getTime() > Date.now())
        .sort((x, y) => x.start.localeCompare(y.start))[0]?.id ?? null)
    : null;
  const firstStart = dayItems.length ? Math.min(...dayItems.map((a) => minutesOfDay(a.start, timeZone))) : null;
  // Not on the previous day's data kept on screen while the new day loads.
  const scrollTo = week || appointments.isPlaceholderData ? null : isToday ? nowMinutes : firstStart;

  const openSlot = useCallback(
    (column: GridColumn<Appointment>, minutes: number) => {
      const start = zonedTimeToUtc(column.date, minutes, timeZone).toISOString();
      if (view === 'chair') setBookOpen(true, { start, operatoryId: column.key });
      else if (view === 'week') setBookOpen(true, { start, ...(weekProviderId ? { providerId: weekProviderId } : {}) });
      else setBookOpen(true, { start, providerId: column.key });
    },
    [timeZone, view, weekProviderId, setBookOpen],
  );

  // The patient profile's "Book appointment" links to /schedule?book=1&patientId=….
  const bookParam = params.get('book');
  const bookPatientId = params.get('patientId');
  useEffect(() => {
    if (bookParam !== '1') return;
    if (bookPatientId) {
      const known = patientMap.get(bookPatientId);
      setBookOpen(true, {
        patient: {
          id: bookPatientId,
          label: known ? `${known.firstName} ${known.lastName}` : 'Loading patient…',
          ...(known ? { allergyAlert: known.allergyAlert } : {}),
        },
      });
    } else setBookOpen(true);
    setParams(
      (p) => {
        const out = new URLSearchParams(p);
        out.delete('book');
        out.delete('patientId');
        return out;
      },
      { replace: true },
    );
  }, [bookParam, bookPatientId, patientMap, setBookOpen, setParams]);

  // n: book; ?: the shortcuts. Not while typing, and not over another dialog.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
      if (document.body.classList.contains('has-dialog')) return;
      if (e.key === 'n' || e.key === 'N') {
        e.preventDefault();
        setBookOpen(true);
      } else if (e.key === '?') {
        e.preventDefault();
        setHelpOpen(true);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [setBookOpen]);

  const selected = selectedId ? (all.find((a) => a.id === selectedId) ?? lastSeen) : null;
  // The fresher of the polled copy and the one an action returned.
  const current =
    selected && lastSeen && lastSeen.id === selected.id && lastSeen.version > selected.version ? lastSeen : selected;

  const openAppointment = useCallback((a: Appointment) => {
    setSelectedId(a.id);
    setLastSeen(a);
  }, []);

  const mutateMove = move.mutateAsync;
  const onDrop = useCallback(
    async (a: Appointment, column: GridColumn<Appointment>, minutes: number): Promise<boolean> => {
      const changes = dropChanges(view, a, column, minutes, timeZone);
      if (!changes) return true;
      setDropError(null);
      try {
        const updated = await mutateMove({ id: a.id, ...changes });
        toastSuccess(`Moved to ${formatTime(updated?.start ?? changes.start, timeZone)}.`);
        return true;
      } catch (err) {
        if (isApiError(err)) {
          const message =
            err.status === 409
              ? `Could not move: that time is taken. ${err.message}`
              : err.status === 422
                ? `Could not move: outside working hours or the practice’s rules. ${err.message}`
                : err.message;
          setDropError({ message, requestId: err.requestId });
        } else {
          setDropError({ message: 'Could not move the appointment. Please try again.', requestId: '' });
        }
        return false;
      }
    },
    [view, timeZone, mutateMove],
  );

  const loading =
    providers.isPending || appointments.isPending || types.isPending || (view === 'chair' && operatories.isPending);
  const step = week ? 7 : 1;
  const unit = week ? 'week' : 'day';
  const shown = week ? columns.flatMap((c) => c.items) : visible;
  const counts = countByStatus(shown);
  // A schedule that did not load has no count to give: only the error and its retry show.
  const failed = providers.isError || (appointments.isError && !appointments.data);

  return (
    <main id="main" className="page page--wide schedule">
      <div className="schedule__toolbar">
        <div className="schedule__title">
          <h1>Schedule</h1>
          <p className="schedule__date" aria-live="polite">
            {week ? `Week of ${formatLongDate(weekDates(date)[0]!)}` : formatLongDate(date)}
            {!week && date === today && <span className="badge badge--today">Today</span>}
          </p>
        </div>
        <div className="schedule__nav" role="group" aria-label={`Choose ${unit}`}>
          <button type="button" className="button-secondary" onClick={() => setDate(addDays(date, -step))}>
            <span aria-hidden="true">‹ </span>Previous {unit}
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
          <button type="button" className="button-secondary" onClick={() => setDate(addDays(date, step))}>
            Next {unit}<span aria-hidden="true"> ›</span>
          </button>
          {date !== today && (
            <button type="button" className="button-ghost" onClick={() => setDate(today)}>
              Today
            </button>
          )}
        </div>
        <div className="schedule__actions">
          <button
            ref={bookButtonRef}
            type="button"
            className="button-primary"
            onClick={() => setBookOpen(true)}
            aria-keyshortcuts="n"
          >
            Book appointment
          </button>
        </div>
      </div>

      <div className="schedule__views">
        <div className="segmented" role="group" aria-label="Schedule view">
          {VIEWS.map((v) => (
            <button
              key={v.value}
              type="button"
              className="button-secondary"
              aria-pressed={view === v.value}
              onClick={() => setParam('view', v.value === 'provider' ? null : v.value)}
            >
              {v.label}
            </button>
          ))}
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={showCancelled} onChange={(e) => setShowCancelled(e.target.checked)} />
          Show cancelled
        </label>
        {ownProvider && view === 'provider' && (
          <label className="checkbox">
            <input type="checkbox" checked={showAll} onChange={(e) => setParam('all', e.target.checked ? '1' : null)} />
            Show all providers
          </label>
        )}
        {view === 'chair' && providerList.length > 0 && (
          <ul className="fd-legend" aria-label="Provider colours">
            {providerList.map((p) => (
              <li key={p.id}>
                <span className="fd-legend__swatch" style={{ background: p.colour }} aria-hidden="true" />
                {p.name}
              </li>
            ))}
          </ul>
        )}
        {week && providerList.length > 0 && (
          <div className="field field--inline">
            <label htmlFor={`${id}-provider`}>Provider</label>
            <select
              id={`${id}-provider`}
              value={weekProviderId ?? ''}
              onChange={(e) => setParam('provider', e.target.value)}
            >
              {providerList.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <button
          type="button"
          className="button-ghost schedule__help"
          onClick={() => setHelpOpen(true)}
          aria-keyshortcuts="?"
        >
          Keyboard shortcuts
        </button>
      </div>

      <LiveNotice />

      {!failed && (
        <p className="schedule__summary muted">
          Times in {timeZone.replace('_', ' ')} ({zoneAbbreviation(timeZone)}). Drag an appointment to move it, or open
          it and choose Move.{' '}
          {!loading && (
            <>
              {shown.length} appointment{shown.length === 1 ? '' : 's'}
              {counts.checked_in ? ` · ${counts.checked_in} checked in` : ''}
              {counts.completed ? ` · ${counts.completed} completed` : ''}.
            </>
          )}
          {appointments.isFetching && !appointments.isPending && <span className="visually-hidden"> Updating…</span>}
        </p>
      )}

      {!names.available && (
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
          {shown.length === 0 && (
            <div className="empty-state empty-state--inline">
              <p>
                <strong>No appointments {week ? 'this week' : 'on this day'}.</strong> Book one, or look at another day.
              </p>
              <button type="button" className="button-primary" onClick={() => setBookOpen(true)}>
                Book appointment
              </button>
            </div>
          )}
          {dropError && (
            <div className="notice notice--error" role="alert">
              <p>
                {dropError.message}
                {dropError.requestId && <span className="notice__ref"> Reference: {dropError.requestId}</span>}
              </p>
              <button type="button" className="button-secondary" onClick={() => setDropError(null)}>
                Dismiss
              </button>
            </div>
          )}
          <DayGrid
            onDrop={onDrop}
            step={slotMinutes}
            timeZone={timeZone}
            window={gridWindow}
            columns={columns}
            providers={providerList}
            types={typeMap}
            patients={patientMap}
            onOpen={openAppointment}
            severeAllergy={severeAllergy}
            showProvider={view === 'chair'}
            nextId={nextId}
            onSlot={openSlot}
            scrollTo={scrollTo}
            scrollKey={`${view}-${date}`}
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
        initial={prefill}
      />

      <Dialog open={helpOpen} onClose={() => setHelpOpen(false)} title="Keyboard shortcuts" size="sm">
        <dl className="fd-shortcuts">
          <div>
            <dt>
              <kbd>n</kbd>
            </dt>
            <dd>Book an appointment (when not typing in a field)</dd>
          </div>
          <div>
            <dt>
              <kbd>?</kbd>
            </dt>
            <dd>Show these shortcuts</dd>
          </div>
          <div>
            <dt>
              <kbd>↑</kbd> <kbd>↓</kbd>
            </dt>
            <dd>Move between the empty slots of a column; Enter books there</dd>
          </div>
          <div>
            <dt>
              <kbd>Enter</kbd>
            </dt>
            <dd>Open the focused appointment</dd>
          </div>
          <div>
            <dt>
              <kbd>Esc</kbd>
            </dt>
            <dd>Close a dialog</dd>
          </div>
        </dl>
      </Dialog>

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


function countByStatus(list: Appointment[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of list) out[a.status] = (out[a.status] ?? 0) + 1;
  return out;
}
