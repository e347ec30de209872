import { describe, expect, it } from 'vitest';
import { fullWeek, weekProblems } from './WeeklyHoursEditor';

describe('weekProblems', () => {
  it('finds what the server refuses, one problem a day', () => {
    expect(
      weekProblems({
        monday: [{ start: '08:00', end: '12:00' }, { start: '12:00', end: '17:00' }], // touching is fine
        tuesday: [{ start: '13:00', end: '17:00' }, { start: '08:00', end: '13:30' }],
        wednesday: [{ start: '09:00', end: '09:00' }],
        thursday: [{ start: '09:00', end: '' }],
        friday: [{ start: '18:00', end: '24:00' }],
        saturday: [{ start: '24:00', end: '24:00' }],
        sunday: [],
      }),
    ).toEqual({
      tuesday: '13:00–17:00 overlaps 08:00–13:30.',
      wednesday: '09:00–09:00 must end after it starts.',
      thursday: 'Enter both times (HH:MM).',
      saturday: 'Enter both times (HH:MM).',
    });
  });
});

describe('fullWeek', () => {
  it('names every weekday, closed ones empty, copying the windows', () => {
    const monday = [{ start: '08:00', end: '17:00' }];
    const week = fullWeek({ monday });
    expect(Object.keys(week)).toEqual(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
    expect(week.monday).toEqual(monday);
    expect(week.monday).not.toBe(monday);
    expect(week.sunday).toEqual([]);
    expect(fullWeek(null).friday).toEqual([]);
  });
});
