import { memo, useEffect, useState } from 'react';
import { formatMinutes, formatTimeRange, minutesOfDay, parseHHMM, todayInZone, weekdayOf } from '../../lib/time';
import {
  STATUS_LABELS,
  patientDisplayName,
  type Appointment,
  type AppointmentType,
  type PatientSummary,
  type Provider,
} from '../../lib/types';
import { gridHeight, hourMarks, layoutColumn, offsetFor, PX_PER_MINUTE, type DayWindow } from './grid';

export interface DayGridProps {
  date: string;
  timeZone: string;
  window: DayWindow;
  providers: Provider[];
  appointments: Appointment[];
  types: Map<string, AppointmentType>;
  patients: Map<string, PatientSummary>;
  onOpen: (appointment: Appointment) => void;
}

function useNowMinutes(date: string, timeZone: string): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return todayInZone(timeZone, new Date(now)) === date ? minutesOfDay(now, timeZone) : null;
}

/** The stretches of the window a provider does not work, shaded on the grid. */
function offHours(provider: Provider, date: string, window: DayWindow): { start: number; end: number }[] {
  const spans = (provider.hours?.[weekdayOf(date)] ?? [])
    .map((s) => ({ start: parseHHMM(s.start), end: parseHHMM(s.end) }))
    .sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  let cursor = window.start;
  for (const s of spans) {
    if (s.start > cursor) out.push({ start: cursor, end: Math.min(s.start, window.end) });
    cursor = Math.max(cursor, s.end);
  }
  if (cursor < window.end) out.push({ start: cursor, end: window.end });
  return out.filter((o) => o.end > o.start);
}

function patientName(patients: Map<string, PatientSummary>, id: string): string {
  const p = patients.get(id);
  return p ? patientDisplayName(p) : `Patient ${id.slice(-6)}`;
}

/**
 * One column per provider, appointments placed by clinic-local time.
 * Each appointment is a button: click, Enter or Space opens its details.
 */
export const DayGrid = memo(function DayGrid({
  date,
  timeZone,
  window,
  providers,
  appointments,
  types,
  patients,
  onOpen,
}: DayGridProps) {
  const height = gridHeight(window);
  const nowMinutes = useNowMinutes(date, timeZone);
  const marks = hourMarks(window);

  return (
    <div className="day-grid" style={{ ['--provider-count' as string]: providers.length }}>
      <div className="day-grid__scroll">
        <div className="day-grid__head" aria-hidden="true">
          <div className="day-grid__corner" />
          {providers.map((p) => (
            <div key={p.id} className="day-grid__col-head" style={{ borderTopColor: p.colour }}>
              {p.name}
            </div>
          ))}
        </div>
        <div className="day-grid__body" style={{ height }}>
          <div className="day-grid__times" aria-hidden="true">
            {marks.map((m) => (
              <span key={m} className="day-grid__time" style={{ top: offsetFor(m, window) }}>
                {formatMinutes(m)}
              </span>
            ))}
          </div>
          {providers.map((p) => {
            const mine = appointments.filter((a) => a.providerId === p.id);
            const blocks = layoutColumn(mine, date, timeZone, window);
            const headingId = `col-${p.id}`;
            return (
              <section
                key={p.id}
                className="day-grid__col"
                aria-labelledby={headingId}
                style={{ ['--hour-px' as string]: `${60 * PX_PER_MINUTE}px`, ['--grid-offset' as string]: `${-(window.start % 60) * PX_PER_MINUTE}px` }}
              >
                <h2 id={headingId} className="visually-hidden">
                  {p.name}: {mine.length} appointment{mine.length === 1 ? '' : 's'}
                </h2>
                {offHours(p, date, window).map((o) => (
                  <div
                    key={o.start}
                    className="day-grid__off"
                    aria-hidden="true"
                    style={{ top: offsetFor(o.start, window), height: offsetFor(o.end, window) - offsetFor(o.start, window) }}
                  />
                ))}
                {blocks.length === 0 ? (
                  <p className="visually-hidden">No appointments.</p>
                ) : (
                  <ol className="day-grid__list">
                    {blocks.map((b) => {
                      const a = b.item;
                      const type = a.typeId ? types.get(a.typeId) : undefined;
                      const name = patientName(patients, a.patientId);
                      const when = formatTimeRange(a.start, a.end, timeZone);
                      const status = STATUS_LABELS[a.status] ?? a.status;
                      const compact = b.height < 44;
                      return (
                        <li
                          key={a.id}
                          className="day-grid__item"
                          style={{ top: b.top, height: b.height, left: `${b.left}%`, width: `${b.width}%` }}
                        >
                          <button
                            type="button"
                            className={`appt appt--${a.status}${compact ? ' appt--compact' : ''}`}
                            style={{ borderLeftColor: p.colour }}
                            onClick={() => onOpen(a)}
                            data-appointment-id={a.id}
                          >
                            <span className="appt__time">{when}</span>
                            <span className="appt__name">{name}</span>
                            <span className="appt__type">{type?.name ?? 'Appointment'}</span>
                            <span className="appt__status">{status}</span>
                          </button>
                        </li>
                      );
                    })}
                  </ol>
                )}
              </section>
            );
          })}
          {nowMinutes !== null && nowMinutes >= window.start && nowMinutes <= window.end && (
            <div className="day-grid__now" style={{ top: offsetFor(nowMinutes, window) }} aria-hidden="true" />
          )}
        </div>
      </div>
    </div>
  );
});
