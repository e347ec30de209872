import { describe, expect, it } from 'vitest';
import {
  addDays,
  dateInZone,
  dayRangeUtc,
  formatMinutes,
  formatTime,
  isCalendarDate,
  minutesOfDay,
  todayInZone,
  weekdayOf,
  zonedTimeToUtc,
} from './time';

const NY = 'America/New_York';

describe('time in the clinic zone', () => {
  it('converts a clinic wall-clock time to UTC in winter and summer', () => {
    expect(zonedTimeToUtc('2026-11-25', 9 * 60, NY).toISOString()).toBe('2026-11-25T14:00:00.000Z');
    expect(zonedTimeToUtc('2026-07-01', 9 * 60, NY).toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(zonedTimeToUtc('2026-07-01', 9 * 60, 'Europe/Lisbon').toISOString()).toBe('2026-07-01T08:00:00.000Z');
  });

  it('gives 23- and 25-hour days on DST changes', () => {
    const spring = dayRangeUtc('2026-03-08', NY);
    expect(spring).toEqual({ from: '2026-03-08T05:00:00.000Z', to: '2026-03-09T04:00:00.000Z' });
    const fall = dayRangeUtc('2026-11-01', NY);
    expect(fall).toEqual({ from: '2026-11-01T04:00:00.000Z', to: '2026-11-02T05:00:00.000Z' });
  });

  it('reads the date and minutes of an instant in the zone', () => {
    // 03:00Z on Nov 26 is still Nov 25 in New York.
    expect(dateInZone('2026-11-26T03:00:00Z', NY)).toBe('2026-11-25');
    expect(minutesOfDay('2026-11-26T03:00:00Z', NY)).toBe(22 * 60);
    expect(todayInZone(NY, new Date('2026-11-26T03:00:00Z'))).toBe('2026-11-25');
  });

  it('does calendar arithmetic', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekdayOf('2026-11-25')).toBe('wednesday');
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('nope')).toBe(false);
  });

  it('formats times for people', () => {
    expect(formatMinutes(510)).toBe('8:30 AM');
    expect(formatMinutes(12 * 60)).toBe('12:00 PM');
    expect(formatMinutes(0)).toBe('12:00 AM');
    expect(formatTime('2026-11-25T14:00:00Z', NY)).toBe('9:00 AM');
  });
});
