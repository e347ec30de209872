import { describe, expect, it } from 'vitest';
import { countryChoices, countryName, languageChoices, languageName, PHONE_COUNTRIES } from './places';

describe('places', () => {
  it('names countries and languages for people, keeping codes for the API', () => {
    expect(countryName('US')).toBe('United States');
    expect(countryName('gb')).toBe('United Kingdom');
    expect(languageName('es')).toBe('Spanish');
    expect(languageName('en')).toBe('English');
  });

  it('lists choices by name and keeps a stored value that is not on the list', () => {
    const countries = countryChoices();
    expect(countries.length).toBeGreaterThan(240);
    expect(countries.find((c) => c.code === 'PT')?.name).toBe('Portugal');
    const names = countries.map((c) => c.name);
    expect([...names].sort((a, b) => a.localeCompare(b, 'en'))).toEqual(names);
    expect(languageChoices().map((l) => l.code)).toContain('es');
    expect(languageChoices('pt-PT').find((l) => l.code === 'pt-PT')?.name).toBe('European Portuguese');
    expect(countryChoices(PHONE_COUNTRIES, 'JP').map((c) => c.code)).toContain('JP');
  });
});
