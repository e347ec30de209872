import { describe, expect, it } from 'vitest';
import { formatPhone } from './phone';

describe('formatPhone', () => {
  it('shows North American numbers in their national shape', () => {
    expect(formatPhone('+12125550147')).toBe('(212) 555-0147');
  });
  it('leaves other countries in E.164 and empty values empty', () => {
    expect(formatPhone('+351912345678')).toBe('+351912345678');
    expect(formatPhone('')).toBe('');
    expect(formatPhone(undefined)).toBe('');
  });
});
