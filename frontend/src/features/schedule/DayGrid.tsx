import { memo, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { formatMinutes, formatTimeRange, minutesOfDay, parseHHMM, todayInZone, weekdayOf } from '../../lib/time';
import {
  STATUS_LABELS,
  isMovable,
  patientDisplayName,
  type Appointment,
  type AppointmentType,
  type PatientSummary,
  type Provider,
} from '../../lib/types';
import {
  dropMinutes,
  gridHeight,
  hourMarks,
  layoutColumn,
  offsetFor,
  PX_PER_MINUTE,
  type DayWindow,
  type GridColumn,
} from './grid';

export interface DayGridProps {
  timeZone: string;
  window: DayWindow;
  /** Columns from `groupColumns`: providers, chairs, or the days of a week. */
  columns: GridColumn<Appointment>[];
  /** For each tile's left border. */
  providers: Provider[];
  types: Map<string, AppointmentType>;
  patients: Map<string, PatientSummary>;
  onOpen: (appointment: Appointment) => void;
  /** Drag to move (mouse and pen): resolves true when the server took the move. */
  onDrop?: ((appointment: Appointment, column: GridColumn<Appointment>, minutes: number) => Promise<boolean>) | undefined;
  /** Minutes a drag snaps to. */
  step?: number;
  /** Patients with a severe or life-threatening allergy: their tiles get a marker. */
  severeAllergy?: Set<string> | undefined;
  /** Name the provider on each tile (the by-chair view). */
  showProvider?: boolean | undefined;
  /** The appointment to highlight as the next patient. */
  nextId?: string | null | undefined;
  /** Click or Enter on an empty slot: book there. */
  onSlot?: ((column: GridColumn<Appointment>, minutes: number) => void) | undefined;
  /** Minutes after midnight to scroll the grid to once per `scrollKey`. */
  scrollTo?: number | null | undefined;
  scrollKey?: string | undefined;
}

/** Free slot starts in a column: inside working hours, not under a tile. */
function freeSlots(
  column: GridColumn<Appointment>,
  blocks: { startMinutes: number; endMinutes: number }[],
  window: DayWindow,
  step: number,
): number[] {
  const spans =
    column.hours === null
      ? [{ start: window.start, end: window.end }]
      : (column.hours?.[weekdayOf(column.date)] ?? []).map((s) => ({ start: parseHHMM(s.start), end: parseHHMM(s.end) }));
  const out: number[] = [];
  for (let m = Math.ceil(window.start / step) * step; m + step <= window.end; m += step) {
    if (!spans.some((s) => m >= s.start && m + step <= s.end)) continue;
    if (blocks.some((b) => m < b.endMinutes && m + step > b.startMinutes)) continue;
    out.push(m);
  }
  return out;
}

function moveSlotFocus(e: React.KeyboardEvent<HTMLButtonElement>) {
  const delta = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
  if (!delta) return;
  const list = Array.from(e.currentTarget.parentElement?.querySelectorAll<HTMLButtonElement>('.fd-slot') ?? []);
  const next = list[list.indexOf(e.currentTarget) + delta];
  if (next) {
    e.preventDefault();
    next.focus();
  }
}

interface Drag {
  id: string;
  pointerId: number;
  x: number;
  y: number;
  dx: number;
  dy: number;
  moved: boolean;
  /** Waiting for the server after the drop. */
  pending: boolean;
}

/** The column under the pointer, by the `data-column-key` of the grid's sections. */
function columnKeyAt(x: number, y: number): string | null {
  if (typeof document.elementsFromPoint !== 'function') return null;
  for (const el of document.elementsFromPoint(x, y)) {
    const col = (el as HTMLElement).closest?.('[data-column-key]');
    if (col) return col.getAttribute('data-column-key');
  }
  return null;
}

function useNow(timeZone: string): { today: string; minutes: number } {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return { today: todayInZone(timeZone, new Date(now)), minutes: minutesOfDay(now, timeZone) };
}

/** The stretches of the window a column's provider does not work, shaded on the grid. */
function offHours(hours: Provider['hours'] | undefined, date: string, window: DayWindow): { start: number; end: number }[] {
  if (hours === null) return [];
  const spans = (hours?.[weekdayOf(date)] ?? [])
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
 * One column per provider (or chair, or day of a week), appointments placed by clinic-local time.
 * Each appointment is a button: click, Enter or Space opens its details.
 */
export const DayGrid = memo(function DayGrid({
  timeZone,
  window,
  columns,
  providers,
  types,
  patients,
  onOpen,
  onDrop,
  step = 15,
  severeAllergy,
  showProvider,
  nextId,
  onSlot,
  scrollTo,
  scrollKey,
}: DayGridProps) {
  const [drag, setDrag] = useState<Drag | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const scrolledFor = useRef<string | null>(null);
  useEffect(() => {
    if (scrollTo == null || scrollKey === undefined || scrolledFor.current === scrollKey) return;
    const el = scrollRef.current;
    if (!el) return;
    scrolledFor.current = scrollKey;
    // A little of the hour before stays in sight.
    el.scrollTop = Math.max(0, offsetFor(scrollTo, window) - 60 * PX_PER_MINUTE * 0.5);
  }, [scrollTo, scrollKey, window]);
  const suppressClick = useRef(false);

  function startDrag(e: ReactPointerEvent<HTMLButtonElement>, a: Appointment) {
    if (!onDrop || e.button !== 0 || e.pointerType === 'touch' || !isMovable(a.status) || drag?.pending) return;
    e.currentTarget.setPointerCapture?.(e.pointerId);
    setDrag({ id: a.id, pointerId: e.pointerId, x: e.clientX, y: e.clientY, dx: 0, dy: 0, moved: false, pending: false });
  }

  function moveDrag(e: ReactPointerEvent<HTMLButtonElement>) {
    if (!drag || drag.pending || e.pointerId !== drag.pointerId) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    setDrag({ ...drag, dx, dy, moved: drag.moved || Math.abs(dx) + Math.abs(dy) > 4 });
  }

  async function endDrag(
    e: ReactPointerEvent<HTMLButtonElement>,
    a: Appointment,
    from: GridColumn<Appointment>,
    startMinutes: number,
    endMinutes: number,
  ) {
    if (!drag || drag.pending || e.pointerId !== drag.pointerId) return;
    if (!drag.moved || !onDrop) {
      setDrag(null);
      return;
    }
    suppressClick.current = true;
    setTimeout(() => {
      suppressClick.current = false;
    }, 0);
    const key = columnKeyAt(e.clientX, e.clientY) ?? from.key;
    const to = columns.find((c) => c.key === key) ?? from;
    const minutes = dropMinutes({ startMinutes, durationMinutes: endMinutes - startMinutes, deltaY: drag.dy, window, step });
    setDrag({ ...drag, dy: (minutes - startMinutes) * PX_PER_MINUTE, pending: true });
    try {
      await onDrop(a, to, minutes);
    } finally {
      // Moved: the cache has the new place. Refused: the tile goes back.
      setDrag(null);
    }
  }

  const height = gridHeight(window);
  const now = useNow(timeZone);
  const marks = hourMarks(window);
  const colours = new Map(providers.map((p) => [p.id, p.colour]));
  const providerNames = new Map(providers.map((p) => [p.id, p.name]));
  const showNow = now.minutes >= window.start && now.minutes <= window.end;

  return (
    <div className="day-grid" style={{ ['--provider-count' as string]: columns.length }}>
      <div className="day-grid__scroll" ref={scrollRef}>
        <div className="day-grid__head" aria-hidden="true">
          <div className="day-grid__corner" />
          {columns.map((c) => (
            <div key={c.key} className="day-grid__col-head" style={{ borderTopColor: c.colour }}>
              {c.label}
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
          {columns.map((c) => {
            const mine = c.items;
            const blocks = layoutColumn(mine, c.date, timeZone, window);
            const headingId = `col-${c.key}`;
            return (
              <section
                key={c.key}
                data-column-key={c.key}
                className="day-grid__col"
                aria-labelledby={headingId}
                style={{ ['--hour-px' as string]: `${60 * PX_PER_MINUTE}px`, ['--grid-offset' as string]: `${-(window.start % 60) * PX_PER_MINUTE}px` }}
              >
                <h2 id={headingId} className="visually-hidden">
                  {c.label}: {mine.length} appointment{mine.length === 1 ? '' : 's'}
                </h2>
                {offHours(c.hours, c.date, window).map((o) => (
                  <div
                    key={o.start}
                    className="day-grid__off"
                    aria-hidden="true"
                    style={{ top: offsetFor(o.start, window), height: offsetFor(o.end, window) - offsetFor(o.start, window) }}
                  />
                ))}
                {onSlot && (
                  <div className="fd-slots" role="group" aria-label={`Empty slots: ${c.label}`}>
                    {freeSlots(c, blocks, window, step).map((m, i) => (
                      <button
                        key={m}
                        type="button"
                        className="fd-slot"
                        tabIndex={i === 0 ? 0 : -1}
                        style={{ top: offsetFor(m, window), height: step * PX_PER_MINUTE }}
                        aria-label={`Book ${formatMinutes(m)}, ${c.label}`}
                        onClick={() => onSlot(c, m)}
                        onKeyDown={moveSlotFocus}
                      />
                    ))}
                  </div>
                )}
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
                      const dragging = drag?.id === a.id && drag.moved;
                      const severe = severeAllergy?.has(a.patientId) ?? false;
                      const next = nextId === a.id;
                      return (
                        <li
                          key={a.id}
                          className={`day-grid__item${dragging ? ' day-grid__item--dragging' : ''}`}
                          style={{
                            top: b.top,
                            height: b.height,
                            left: `${b.left}%`,
                            width: `${b.width}%`,
                            ...(dragging ? { transform: `translate(${drag.dx}px, ${drag.dy}px)` } : {}),
                          }}
                        >
                          <button
                            type="button"
                            className={`appt appt--${a.status}${compact ? ' appt--compact' : ''}${next ? ' fd-next' : ''}`}
                            style={{ borderLeftColor: colours.get(a.providerId) ?? c.colour }}
                            onClick={() => {
                              if (suppressClick.current) {
                                suppressClick.current = false;
                                return;
                              }
                              onOpen(a);
                            }}
                            onPointerDown={(e) => startDrag(e, a)}
                            onPointerMove={moveDrag}
                            onPointerUp={(e) => void endDrag(e, a, c, b.startMinutes, b.endMinutes)}
                            onPointerCancel={() => {
                              if (!drag?.pending) setDrag(null);
                            }}
                            aria-busy={drag?.id === a.id && drag.pending ? true : undefined}
                            data-appointment-id={a.id}
                          >
                            {next && <span className="fd-next__label">Next patient</span>}
                            <span className="appt__time">{when}</span>
                            <span className="appt__name">
                              {severe && (
                                <span className="fd-allergy" data-severe-allergy="">
                                  <span aria-hidden="true">⚠</span>
                                  <span className="visually-hidden">Severe allergy</span>{' '}
                                </span>
                              )}
                              {name}
                            </span>
                            {showProvider && (
                              <span className="appt__provider fd-tile-provider">{providerNames.get(a.providerId) ?? 'Provider'}</span>
                            )}
                            <span className="appt__type">{type?.name ?? 'Appointment'}</span>
                            <span className="appt__status">{status}</span>
                          </button>
                        </li>
                      );
                    })}
                  </ol>
                )}
                {showNow && c.date === now.today && (
                  <div className="day-grid__now day-grid__now--col" style={{ top: offsetFor(now.minutes, window) }} aria-hidden="true" />
                )}
              </section>
            );
          })}
        </div>
      </div>
    </div>
  );
});
