import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer, TWO_MINUTES } from './idleTimer';

const MINUTE = 60_000;

describe('IdleTimer', () => {
  const onWarn = vi.fn<(deadline: number) => void>();
  const onTimeout = vi.fn<() => void>();
  const onReset = vi.fn<() => void>();
  let timer: IdleTimer;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-25T14:00:00Z'));
    onWarn.mockReset();
    onTimeout.mockReset();
    onReset.mockReset();
    timer = new IdleTimer({ timeoutMs: 15 * MINUTE, warningMs: TWO_MINUTES, onWarn, onTimeout, onReset });
    timer.start();
  });

  afterEach(() => {
    timer.stop();
    vi.useRealTimers();
  });

  it('warns two minutes before the idle logoff and times out at the end', () => {
    vi.advanceTimersByTime(13 * MINUTE - 1);
    expect(onWarn).not.toHaveBeenCalled();

    vi.advanceTimersByTime(1);
    expect(onWarn).toHaveBeenCalledTimes(1);
    expect(onWarn).toHaveBeenCalledWith(Date.now() + TWO_MINUTES);
    expect(timer.isWarning).toBe(true);
    expect(onTimeout).not.toHaveBeenCalled();

    vi.advanceTimersByTime(TWO_MINUTES);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(timer.isRunning).toBe(false);
  });

  it('restarts the clock on activity', () => {
    vi.advanceTimersByTime(12 * MINUTE);
    timer.activity();
    vi.advanceTimersByTime(12 * MINUTE);
    expect(onWarn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1 * MINUTE);
    expect(onWarn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2 * MINUTE);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('ignores passive activity while the warning shows', () => {
    vi.advanceTimersByTime(13 * MINUTE);
    expect(timer.isWarning).toBe(true);
    timer.activity();
    vi.advanceTimersByTime(TWO_MINUTES);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('"stay signed in" closes the warning and restarts the full period', () => {
    vi.advanceTimersByTime(14 * MINUTE);
    expect(timer.isWarning).toBe(true);

    timer.stayActive();
    expect(onReset).toHaveBeenCalledTimes(1);
    expect(timer.isWarning).toBe(false);

    vi.advanceTimersByTime(13 * MINUTE - 1);
    expect(onWarn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(onWarn).toHaveBeenCalledTimes(2);
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('does nothing once stopped', () => {
    timer.stop();
    vi.advanceTimersByTime(60 * MINUTE);
    timer.activity();
    vi.advanceTimersByTime(60 * MINUTE);
    expect(onWarn).not.toHaveBeenCalled();
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('catches up after timers were throttled (check on wake)', () => {
    // The wall clock jumps 20 minutes without timers firing (laptop lid closed).
    vi.setSystemTime(Date.now() + 20 * MINUTE);
    timer.check();
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('warns at once when the period is shorter than the warning', () => {
    const short = new IdleTimer({ timeoutMs: MINUTE, warningMs: TWO_MINUTES, onWarn, onTimeout });
    short.start();
    vi.advanceTimersByTime(0);
    expect(onWarn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(MINUTE);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    short.stop();
  });
});
