/**
 * Time helpers for a clinic's IANA time zone. Instants from the API are UTC;
 * everything a person reads (the day, the time on the grid) is in the clinic's
 * zone, whatever the browser's own zone is. Built on Intl only.
 */

const LOCALE = 'en-US';

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE, {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function zonedParts(instant: Date | string | number, timeZone: string): ZonedParts {
  const date = instant instanceof Date ? instant : new Date(instant);
  const out: ZonedParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of partsFormatter(timeZone).formatToParts(date)) {
    if (part.type in out) out[part.type as keyof ZonedParts] = Number(part.value);
  }
  if (out.hour === 24) out.hour = 0; // some engines say 24:00 for midnight
  return out;
}

/** Minutes the zone is ahead of UTC at `instant` (New York in winter: -300). */
export function zoneOffsetMinutes(instant: Date | number, timeZone: string): number {
  const ms = instant instanceof Date ? instant.getTime() : instant;
  const p = zonedParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` → [year, month, day]. */
export function parseDate(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a calendar date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function isCalendarDate(value: string | null | undefined): value is string {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = parseDate(value);
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

export function formatCalendarDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** Calendar arithmetic on `YYYY-MM-DD` (no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  const dt = new Date(Date.UTC(y, m - 1, d + days));
  return formatCalendarDate(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function weekdayOf(date: string): Weekday {
  const [y, m, d] = parseDate(date);
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
}

/**
 * The UTC instant at which the wall clock in `timeZone` reads `date` +
 * `minutes` after midnight. In a spring-forward gap the result lands just
 * after the gap, as a clock on the wall would.
 */
export function zonedTimeToUtc(date: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = parseDate(date);
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  // Two passes settle the offset on both sides of a DST change.
  let guess = wall - zoneOffsetMinutes(wall, timeZone) * 60000;
  guess = wall - zoneOffsetMinutes(guess, timeZone) * 60000;
  return new Date(guess);
}

/** The clinic-local day as a UTC range [from, to) in RFC 3339, 23–25 hours long. */
export function dayRangeUtc(date: string, timeZone: string): { from: string; to: string } {
  return {
    from: zonedTimeToUtc(date, 0, timeZone).toISOString(),
    to: zonedTimeToUtc(addDays(date, 1), 0, timeZone).toISOString(),
  };
}

/** The calendar date of `instant` in `timeZone`. */
export function dateInZone(instant: Date | string | number, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  return formatCalendarDate(p.year, p.month, p.day);
}

export function todayInZone(timeZone: string, now: Date = new Date()): string {
  return dateInZone(now, timeZone);
}

/** Minutes after local midnight of `instant` in `timeZone` (9:30 → 570). */
export function minutesOfDay(instant: Date | string | number, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  return p.hour * 60 + p.minute + p.second / 60;
}

/** `"08:30"` → 510. */
export function parseHHMM(value: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(value);
  if (!m) throw new RangeError(`not a time: ${value}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** 510 → `"8:30 AM"`. */
export function formatMinutes(minutes: number): string {
  const total = ((Math.round(minutes) % 1440) + 1440) % 1440;
  const h = Math.floor(total / 60);
  const m = total % 60;
  const suffix = h < 12 ? 'AM' : 'PM';
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}:${pad(m)} ${suffix}`;
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();
function cachedFormatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = timeFormatters.get(key);
  if (!f) {
    f = make();
    timeFormatters.set(key, f);
  }
  return f;
}

/** `"9:00 AM"` in the clinic's zone. */
export function formatTime(instant: string | Date, timeZone: string): string {
  return cachedFormatter(`t|${timeZone}`, () =>
    new Intl.DateTimeFormat(LOCALE, { timeZone, hour: 'numeric', minute: '2-digit' }),
  ).format(new Date(instant));
}

/** `"9:00 – 10:00 AM"`-style range in the clinic's zone. */
export function formatTimeRange(start: string | Date, end: string | Date, timeZone: string): string {
  return `${formatTime(start, timeZone)} – ${formatTime(end, timeZone)}`;
}

/** `"Wed, Nov 25, 9:00 AM"` in the clinic's zone. */
export function formatDateTime(instant: string | Date, timeZone: string): string {
  return cachedFormatter(`dt|${timeZone}`, () =>
    new Intl.DateTimeFormat(LOCALE, {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
    }),
  ).format(new Date(instant));
}

/** A calendar date for people: `"Wednesday, November 25, 2026"`. */
export function formatLongDate(date: string): string {
  const [y, m, d] = parseDate(date);
  return cachedFormatter('long', () =>
    new Intl.DateTimeFormat(LOCALE, { timeZone: 'UTC', weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }),
  ).format(new Date(Date.UTC(y, m - 1, d, 12)));
}

/** A calendar date, short: `"Wed, Nov 25"`. */
export function formatShortDate(date: string): string {
  const [y, m, d] = parseDate(date);
  return cachedFormatter('short', () =>
    new Intl.DateTimeFormat(LOCALE, { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }),
  ).format(new Date(Date.UTC(y, m - 1, d, 12)));
}

/** Short zone name for labels, e.g. `"EST"`. */
export function zoneAbbreviation(timeZone: string, at: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat(LOCALE, { timeZone, timeZoneName: 'short' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}
