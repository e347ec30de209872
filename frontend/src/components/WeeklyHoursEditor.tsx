import { useId } from 'react';
import { Field } from './Field';
import './weeklyHours.css';

/**
 * A week of opening (or working) hours: per lower-case weekday, local
 * "HH:MM" windows; a day without windows is closed. The shape of a
 * provider's hours and of the clinic's opening hours.
 */
export interface HoursWindow {
  start: string;
  end: string;
}
export type WeekHours = Record<string, HoursWindow[]>;

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export function dayLabel(day: string): string {
  return day.charAt(0).toUpperCase() + day.slice(1);
}

/** Every weekday present (closed ones as []), in week order. */
export function fullWeek(week: WeekHours | null | undefined): WeekHours {
  const out: WeekHours = {};
  for (const day of WEEKDAYS) out[day] = (week?.[day] ?? []).map((w) => ({ start: w.start, end: w.end }));
  return out;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function minutes(t: string): number {
  const [h, m] = t.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * What is wrong with each day, as the server checks it: times HH:MM, each
 * window ending after it starts, no two windows of a day overlapping
 * (touching is fine).
 */
export function weekProblems(week: WeekHours): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [day, windows] of Object.entries(week)) {
    const sorted = [...windows].sort((a, b) => minutes(a.start) - minutes(b.start));
    for (let i = 0; i < sorted.length; i += 1) {
      const w = sorted[i]!;
      if (!HHMM.test(w.start) || !HHMM.test(w.end) || w.start === '24:00') {
        out[day] = 'Enter both times (HH:MM).';
      } else if (minutes(w.end) <= minutes(w.start)) {
        out[day] = `${w.start}–${w.end} must end after it starts.`;
      } else if (i > 0 && minutes(w.start) < minutes(sorted[i - 1]!.end)) {
        out[day] = `${w.start}–${w.end} overlaps ${sorted[i - 1]!.start}–${sorted[i - 1]!.end}.`;
      }
      if (out[day]) break;
    }
  }
  return out;
}

export interface WeeklyHoursEditorProps {
  legend: string;
  hint?: string;
  value: WeekHours;
  onChange: (week: WeekHours) => void;
  /** The problem to show under a day (local or the server's), if any. */
  dayError?: (day: string) => string | undefined;
}

/** Open/closed per weekday, and the day's windows (a split day has two). */
export function WeeklyHoursEditor({ legend, hint, value, onChange, dayError }: WeeklyHoursEditorProps) {
  const id = useId();
  const setDay = (day: string, windows: HoursWindow[]) => onChange({ ...value, [day]: windows });

  return (
    <fieldset className="fieldset weekly-hours" aria-describedby={hint ? `${id}-hint` : undefined}>
      <legend>{legend}</legend>
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {WEEKDAYS.map((day) => {
        const windows = value[day] ?? [];
        const label = dayLabel(day);
        const error = dayError?.(day);
        const errorId = `${id}-${day}-error`;
        return (
          <div key={day} className="weekly-hours__day" role="group" aria-label={label} aria-describedby={error ? errorId : undefined}>
            <label className="checkbox weekly-hours__open">
              <input
                type="checkbox"
                checked={windows.length > 0}
                aria-label={`${label} open`}
                onChange={(e) => setDay(day, e.target.checked ? [{ start: '09:00', end: '17:00' }] : [])}
              />
              <span>{label}</span>
            </label>
            {windows.length === 0 ? (
              <p className="muted small weekly-hours__closed">Closed</p>
            ) : (
              <div className="weekly-hours__windows">
                {windows.map((w, i) => {
                  const change = (patch: Partial<HoursWindow>) => setDay(day, windows.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                  return (
                    <div key={i} className="weekly-hours__window">
                      <Field
                        label={<><span className="visually-hidden">{label} </span>from</>}
                        type="time"
                        value={w.start}
                        onChange={(e) => change({ start: e.target.value })}
                        aria-invalid={error ? true : undefined}
                      />
                      <Field
                        label={<><span className="visually-hidden">{label} </span>until</>}
                        type="time"
                        value={w.end}
                        onChange={(e) => change({ end: e.target.value })}
                        aria-invalid={error ? true : undefined}
                      />
                      {windows.length > 1 && (
                        <button
                          type="button"
                          className="button-ghost"
                          aria-label={`Remove ${label} ${w.start}–${w.end}`}
                          onClick={() => setDay(day, windows.filter((_, j) => j !== i))}
                        >
                          Remove
                        </button>
                      )}
                    </div>
                  );
                })}
                <button
                  type="button"
                  className="button-link"
                  aria-label={`Add hours on ${label}`}
                  onClick={() => setDay(day, [...windows, { start: windows[windows.length - 1]?.end ?? '13:00', end: '' }])}
                >
                  Add hours
                </button>
              </div>
            )}
            {error && (
              <p id={errorId} className="field__error">
                {error}
              </p>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
