/**
 * The idle logoff clock, free of React and the DOM so it can be tested with
 * fake timers. It warns `warningMs` before the end (for the accessible
 * warning dialog) and then times out. Activity restarts the clock, except
 * while the warning is showing: then only an explicit "stay signed in" does,
 * so a stray mouse movement cannot silently dismiss the warning.
 */
export interface IdleTimerOptions {
  timeoutMs: number;
  warningMs: number;
  onWarn: (deadline: number) => void;
  onTimeout: () => void;
  /** Called when the clock restarts after a warning (to close the dialog). */
  onReset?: () => void;
  now?: () => number;
}

export const TWO_MINUTES = 2 * 60 * 1000;

export class IdleTimer {
  private readonly options: IdleTimerOptions;
  private warnTimer: ReturnType<typeof setTimeout> | null = null;
  private endTimer: ReturnType<typeof setTimeout> | null = null;
  private warning = false;
  private running = false;
  private deadlineAt = 0;

  constructor(options: IdleTimerOptions) {
    this.options = options;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  get isWarning(): boolean {
    return this.warning;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** When the session will end if nothing happens. */
  get deadline(): number {
    return this.deadlineAt;
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.warning = false;
    this.clear();
  }

  /** Someone used the app: restart the clock unless the warning is up. */
  activity(): void {
    if (!this.running || this.warning) return;
    this.schedule();
  }

  /** "Stay signed in": restart the clock and close the warning. */
  stayActive(): void {
    if (!this.running) return;
    const wasWarning = this.warning;
    this.warning = false;
    this.schedule();
    if (wasWarning) this.options.onReset?.();
  }

  /**
   * Re-checks the deadline against the wall clock, for when timers were
   * throttled or the computer slept (call on `visibilitychange`).
   */
  check(): void {
    if (!this.running) return;
    const left = this.deadlineAt - this.now();
    if (left <= 0) this.fireTimeout();
    else if (left <= this.options.warningMs && !this.warning) this.fireWarn();
  }

  private clear() {
    if (this.warnTimer) clearTimeout(this.warnTimer);
    if (this.endTimer) clearTimeout(this.endTimer);
    this.warnTimer = null;
    this.endTimer = null;
  }

  private schedule() {
    this.clear();
    const { timeoutMs, warningMs } = this.options;
    this.deadlineAt = this.now() + timeoutMs;
    const warnIn = Math.max(0, timeoutMs - warningMs);
    this.warnTimer = setTimeout(() => this.fireWarn(), warnIn);
    this.endTimer = setTimeout(() => this.fireTimeout(), timeoutMs);
  }

  private fireWarn() {
    if (!this.running || this.warning) return;
    this.warning = true;
    this.options.onWarn(this.deadlineAt);
  }

  private fireTimeout() {
    if (!this.running) return;
    this.stop();
    this.options.onTimeout();
  }
}
