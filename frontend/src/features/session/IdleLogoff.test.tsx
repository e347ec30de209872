import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleLogoff } from './IdleLogoff';

const MINUTE = 60_000;

describe('IdleLogoff', () => {
  const onStay = vi.fn<() => Promise<boolean>>();
  const onTimeout = vi.fn<() => void>();

  beforeEach(() => {
    vi.useFakeTimers();
    onStay.mockReset().mockResolvedValue(true);
    onTimeout.mockReset();
    window.localStorage.clear();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function renderIdle(minutes = 5) {
    return render(
      <div>
        <button type="button">Behind</button>
        <IdleLogoff minutes={minutes} onStay={onStay} onTimeout={onTimeout} />
      </div>,
    );
  }

  it('opens an alert dialog two minutes before logoff with focus on "Stay signed in"', () => {
    renderIdle(5);
    act(() => vi.advanceTimersByTime(3 * MINUTE - 1000));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();

    act(() => vi.advanceTimersByTime(1000));
    const dialog = screen.getByRole('alertdialog', { name: 'Are you still there?' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(dialog).toHaveAccessibleDescription(/signed out in 2:00/);
    expect(screen.getByRole('button', { name: 'Stay signed in' })).toHaveFocus();

    act(() => vi.advanceTimersByTime(30_000));
    expect(dialog).toHaveAccessibleDescription(/signed out in 1:30/);
  });

  it('signs out at expiry', () => {
    renderIdle(5);
    act(() => vi.advanceTimersByTime(5 * MINUTE));
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  });

  it('Escape keeps the session: refreshes and restarts the clock', async () => {
    renderIdle(5);
    act(() => vi.advanceTimersByTime(3 * MINUTE));
    const dialog = screen.getByRole('alertdialog');

    fireEvent.keyDown(dialog, { key: 'Escape' });
    await act(async () => {
      await Promise.resolve();
    });

    expect(onStay).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    act(() => vi.advanceTimersByTime(3 * MINUTE - 1000));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(onTimeout).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByRole('alertdialog')).toBeInTheDocument();
  });

  it('"Stay signed in" refreshes; when the session is already gone it signs out', async () => {
    onStay.mockResolvedValue(false);
    renderIdle(5);
    act(() => vi.advanceTimersByTime(3 * MINUTE));

    fireEvent.click(screen.getByRole('button', { name: 'Stay signed in' }));
    await act(async () => {
      await Promise.resolve();
    });

    expect(onStay).toHaveBeenCalledTimes(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('"Sign out now" ends the session at once', () => {
    renderIdle(5);
    act(() => vi.advanceTimersByTime(3 * MINUTE));
    fireEvent.click(screen.getByRole('button', { name: 'Sign out now' }));
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('the page scrolling itself, or moving under a still pointer, is not a person: the warning still comes', () => {
    renderIdle(5);
    act(() => vi.advanceTimersByTime(2 * MINUTE));
    fireEvent.scroll(window);
    fireEvent(window, new MouseEvent('mousemove', { movementX: 0, movementY: 0 }));
    act(() => vi.advanceTimersByTime(1 * MINUTE));
    expect(screen.getByRole('alertdialog')).toBeInTheDocument();
  });

  it('a real mouse movement postpones the warning', () => {
    renderIdle(5);
    act(() => vi.advanceTimersByTime(2 * MINUTE));
    fireEvent(window, new MouseEvent('mousemove', { movementX: 3, movementY: 1 }));
    act(() => vi.advanceTimersByTime(2 * MINUTE));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  });

  it('activity before the warning postpones it', () => {
    renderIdle(5);
    act(() => vi.advanceTimersByTime(2 * MINUTE));
    fireEvent.keyDown(window, { key: 'a' });
    act(() => vi.advanceTimersByTime(2 * MINUTE));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    act(() => vi.advanceTimersByTime(1 * MINUTE));
    expect(screen.getByRole('alertdialog')).toBeInTheDocument();
  });

  it('keeps Tab inside the dialog', () => {
    renderIdle(5);
    act(() => vi.advanceTimersByTime(3 * MINUTE));
    const stay = screen.getByRole('button', { name: 'Stay signed in' });
    const out = screen.getByRole('button', { name: 'Sign out now' });
    out.focus();
    fireEvent.keyDown(out, { key: 'Tab' });
    expect(stay).toHaveFocus();
    fireEvent.keyDown(stay, { key: 'Tab', shiftKey: true });
    expect(out).toHaveFocus();
  });
});
