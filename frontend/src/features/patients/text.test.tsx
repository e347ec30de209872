import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Email, patientCountText } from './text';

describe('patientCountText', () => {
  it.each([
    [1, false, 'ann', '1 patient matches “ann”'],
    [2, false, 'ann', '2 patients match “ann”'],
    [1, true, 'ann', '1+ patients match “ann”'],
    [1, false, '', '1 patient'],
    [12, true, '', '12+ patients'],
  ])('%i (more: %s, term %j) → %s', (count, more, term, want) => {
    expect(patientCountText(count, more, term)).toBe(want);
  });
});

describe('Email', () => {
  it('offers line breaks only after the @ and before dots, keeping the text whole', () => {
    const { container } = render(<Email value="jordan.avery@example.com" />);
    const span = container.querySelector('.pol-email');
    expect(span?.textContent).toBe('jordan.avery@example.com');
    expect(span?.innerHTML).toBe('jordan<wbr>.avery@<wbr>example<wbr>.com');
  });
});
