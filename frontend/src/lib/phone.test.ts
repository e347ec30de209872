import { describe, expect, it } from 'vitest';
import { formatPhone } from './phone';

describe('formatPhone', () => {
  it('shows the clinic country’s numbers in their national form', () => {
    expect(formatPhone('+12125550147')).toBe('(212) 555-0147');
    expect(formatPhone('+12125550147', 'US')).toBe('(212) 555-0147');
    expect(formatPhone('+14165550123', 'CA')).toBe('(416) 555-0123');
    expect(formatPhone('+442079460958', 'GB')).toBe('020 7946 0958');
    expect(formatPhone('+447700900123', 'GB')).toBe('07700 900123');
    expect(formatPhone('+33123456789', 'FR')).toBe('01 23 45 67 89');
    expect(formatPhone('+61412345678', 'AU')).toBe('0412 345 678');
    expect(formatPhone('+61298765432', 'AU')).toBe('02 9876 5432');
    expect(formatPhone('+351912345678', 'PT')).toBe('912 345 678');
    expect(formatPhone('+34912345678', 'ES')).toBe('912 34 56 78');
    expect(formatPhone('+5511912345678', 'BR')).toBe('(11) 91234-5678');
    expect(formatPhone('+919876543210', 'IN')).toBe('98765 43210');
  });

  it('shows other countries’ numbers in international form', () => {
    expect(formatPhone('+442079460958')).toBe('+44 20 7946 0958');
    expect(formatPhone('+442079460958', 'US')).toBe('+44 20 7946 0958');
    expect(formatPhone('+12125550147', 'GB')).toBe('+1 212 555 0147');
    expect(formatPhone('+351912345678', 'US')).toBe('+351 912 345 678');
    expect(formatPhone('+33612345678', 'DE')).toBe('+33 6 12 34 56 78');
  });

  it('leaves what it cannot group as it is, and empty values empty', () => {
    expect(formatPhone('+81312345678', 'US')).toBe('+81312345678');
    expect(formatPhone('(212) 555-0147 old text')).toBe('(212) 555-0147 old text');
    expect(formatPhone('+1212555014')).toBe('+1212555014');
    expect(formatPhone('')).toBe('');
    expect(formatPhone(undefined)).toBe('');
    expect(formatPhone(null, 'GB')).toBe('');
  });
});
