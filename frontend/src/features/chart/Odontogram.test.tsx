import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ChartEntry } from '../../api/chart';
import { mouthRows } from '../../lib/teeth';
import { moveTooth } from './model';
import { Odontogram } from './Odontogram';

const entry = (over: Partial<ChartEntry>): ChartEntry => ({
  id: `e-${Math.random()}`,
  patientId: 'p-1',
  tooth: '3',
  fdi: '16',
  surfaces: ['O'],
  kind: 'caries',
  status: 'condition',
  recordedAt: '2026-11-01T15:00:00Z',
  supersedes: null,
  supersededBy: null,
  ...over,
});

describe('moveTooth (the keyboard model)', () => {
  const rows = mouthRows('permanent');

  it('walks the whole mouth in Universal order with ArrowRight, and back with ArrowLeft', () => {
    const walked: string[] = ['1'];
    for (let i = 0; i < 32; i += 1) walked.push(moveTooth(rows, walked[walked.length - 1]!, 'ArrowRight'));
    // Along the upper arch, down to 17, back along the lower arch (leftwards on screen… Right in
    // the lower arch moves to the right on screen), so: 1…16, 17, then Right from 17 goes back up.
    expect(walked.slice(0, 17)).toEqual([...Array.from({ length: 16 }, (_, i) => String(i + 1)), '17']);
    const back: string[] = ['17'];
    for (let i = 0; i < 16; i += 1) back.push(moveTooth(rows, back[back.length - 1]!, 'ArrowLeft'));
    // Left along the lower arch on screen is 17 → 18 … → 32, then round to 1.
    expect(back).toEqual([...Array.from({ length: 16 }, (_, i) => String(17 + i)), '1']);
  });

  it('Down and Up move between opposing teeth; Home and End to the ends of the arch', () => {
    expect(moveTooth(rows, '3', 'ArrowDown')).toBe('30');
    expect(moveTooth(rows, '30', 'ArrowUp')).toBe('3');
    expect(moveTooth(rows, '30', 'ArrowDown')).toBe('30');
    expect(moveTooth(rows, '5', 'Home')).toBe('1');
    expect(moveTooth(rows, '5', 'End')).toBe('16');
    expect(moveTooth(rows, '20', 'Home')).toBe('32');
  });

  it('works for the primary teeth', () => {
    const p = mouthRows('primary');
    expect(moveTooth(p, 'A', 'ArrowRight')).toBe('B');
    expect(moveTooth(p, 'J', 'ArrowRight')).toBe('K');
    expect(moveTooth(p, 'A', 'ArrowDown')).toBe('T');
  });
});

describe('Odontogram', () => {
  it('is one tab stop; arrows move focus between teeth; Enter and Space open the tooth', async () => {
    const user = userEvent.setup();
    const onOpen = vi.fn();
    render(
      <>
        <button type="button">before</button>
        <Odontogram entries={[]} dentition="permanent" numbering="universal" onOpen={onOpen} />
        <button type="button">after</button>
      </>,
    );
    await user.click(screen.getByRole('button', { name: 'before' }));
    await user.tab();
    const first = screen.getByRole('button', { name: /^Tooth 1, upper right third molar/ });
    expect(first).toHaveFocus();
    const stops = screen.getAllByRole('button').filter((b) => b.getAttribute('tabindex') !== '-1');
    expect(stops.length).toBe(3);

    await user.keyboard('{ArrowRight}{ArrowRight}');
    const three = screen.getByRole('button', { name: /^Tooth 3,/ });
    expect(three).toHaveFocus();
    expect(three).toHaveAttribute('tabindex', '0');
    expect(first).toHaveAttribute('tabindex', '-1');

    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('button', { name: /^Tooth 30, lower right first molar/ })).toHaveFocus();
    await user.keyboard('{ArrowUp}{Enter}');
    expect(onOpen).toHaveBeenLastCalledWith('3');
    await user.keyboard(' ');
    expect(onOpen).toHaveBeenCalledTimes(2);

    // One Tab leaves the mouth, and Shift+Tab comes back to the tooth last used.
    await user.tab();
    expect(screen.getByRole('button', { name: 'after' })).toHaveFocus();
    await user.tab({ shift: true });
    expect(three).toHaveFocus();
  });

  it('names each tooth with what is charted on it', () => {
    render(
      <Odontogram
        entries={[
          entry({ id: 'a', surfaces: ['O'], kind: 'caries', status: 'condition', recordedAt: '2026-11-01T10:00:00Z' }),
          entry({ id: 'b', surfaces: ['O', 'M'], kind: 'filling', status: 'existing', recordedAt: '2026-11-02T10:00:00Z' }),
          entry({ id: 'c', tooth: '8', fdi: '11', surfaces: [], kind: 'crown', status: 'planned' }),
        ]}
        dentition="permanent"
        numbering="universal"
        onOpen={() => {}}
      />,
    );
    expect(
      screen.getByRole('button', { name: 'Tooth 3, upper right first molar: caries on O (condition), filling on MO (existing)' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Tooth 8, upper right central incisor: crown (planned)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Tooth 4, upper right second premolar: nothing charted' })).toBeInTheDocument();
  });

  it('labels teeth by FDI when the clinic numbers them so', () => {
    render(<Odontogram entries={[]} dentition="permanent" numbering="fdi" onOpen={() => {}} />);
    expect(screen.getByRole('button', { name: /^Tooth 16, upper right first molar/ })).toBeInTheDocument();
  });

  it('draws only the surfaces a tooth has, and a click on one opens the tooth with it', async () => {
    const user = userEvent.setup();
    const onOpen = vi.fn();
    const { container } = render(<Odontogram entries={[]} dentition="permanent" numbering="universal" onOpen={onOpen} />);
    const molar = container.querySelector('[data-tooth="3"]')!;
    const incisor = container.querySelector('[data-tooth="8"]')!;
    const surfaces = (el: Element) => [...el.querySelectorAll('[data-surface]')].map((s) => s.getAttribute('data-surface')).sort();
    expect(surfaces(molar)).toEqual(['B', 'D', 'L', 'M', 'O']);
    expect(surfaces(incisor)).toEqual(['D', 'F', 'I', 'L', 'M']);
    await user.click(molar.querySelector('[data-surface="O"]')!);
    expect(onOpen).toHaveBeenLastCalledWith('3', 'O');
  });

  it('shows the primary dentition', () => {
    render(<Odontogram entries={[]} dentition="primary" numbering="universal" onOpen={() => {}} />);
    expect(screen.getByRole('button', { name: /^Tooth A, upper right primary second molar/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Tooth 1,/ })).not.toBeInTheDocument();
  });
});
