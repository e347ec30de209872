import { useEffect, useRef, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { IdleTimer, TWO_MINUTES } from './idleTimer';

// What a person does. Not 'scroll': the page scrolls itself (the schedule follows "now"
// and the next patient as it refreshes), and an unattended screen that scrolls must
// still sign out; a person's scrolling arrives as wheel, touch, keys or a pointer.
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove'] as const;

/** Whether event is a person's doing: for a mouse move, a real movement (browsers send a
 * mousemove of 0 px when the page moves under a still pointer). */
export function isPersonActivity(event: Event): boolean {
  if (event.type === 'mousemove') {
    const m = event as MouseEvent;
    return m.movementX !== 0 || m.movementY !== 0;
  }
  return true;
}
const ACTIVITY_KEY = 'topsmile.lastActivity';
/** Activity is shared with other tabs at most this often. */
const SHARE_EVERY_MS = 5_000;
/** While someone is active, keep the server session fresh this often. */
const KEEPALIVE_EVERY_MS = 4 * 60_000;

export interface IdleLogoffProps {
  /** The clinic's `idleLogoffMinutes`. */
  minutes: number;
  /** Refreshes the session; resolves false when it is gone. */
  onStay: () => Promise<boolean>;
  /** Ends the session (idle). */
  onTimeout: () => void;
}

function formatLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/**
 * Signs the user out after the practice's idle period. Two minutes before,
 * an alert dialog asks whether to stay signed in; Escape or the button keeps
 * the session (refreshing it on the server), "Sign out now" ends it.
 * Activity in any tab of this browser counts.
 */
export function IdleLogoff({ minutes, onStay, onTimeout }: IdleLogoffProps) {
  const [deadline, setDeadline] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const timerRef = useRef<IdleTimer | null>(null);
  const stayButtonRef = useRef<HTMLButtonElement>(null);
  const callbacks = useRef({ onStay, onTimeout });
  callbacks.current = { onStay, onTimeout };

  useEffect(() => {
    const timeoutMs = Math.max(1, minutes) * 60_000;
    const timer = new IdleTimer({
      timeoutMs,
      warningMs: Math.min(TWO_MINUTES, timeoutMs),
      onWarn: (at) => {
        setNow(Date.now());
        setDeadline(at);
      },
      onReset: () => setDeadline(null),
      onTimeout: () => {
        setDeadline(null);
        callbacks.current.onTimeout();
      },
    });
    timerRef.current = timer;
    timer.start();

    let lastSeen = 0;
    let lastShared = 0;
    let lastKeepAlive = Date.now();
    const onActivity = (event: Event) => {
      if (!isPersonActivity(event)) return;
      const t = Date.now();
      if (t - lastSeen < 1000) return;
      lastSeen = t;
      if (timer.isWarning) return;
      timer.activity();
      if (t - lastShared > SHARE_EVERY_MS) {
        lastShared = t;
        try {
          window.localStorage.setItem(ACTIVITY_KEY, String(t));
        } catch {
          // Storage off: this tab still keeps its own clock.
        }
      }
      if (t - lastKeepAlive > KEEPALIVE_EVERY_MS) {
        lastKeepAlive = t;
        void callbacks.current.onStay();
      }
    };
    const onStorage = (event: StorageEvent) => {
      if (event.key === ACTIVITY_KEY) timer.stayActive();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') timer.check();
    };
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, { passive: true, capture: true });
    window.addEventListener('storage', onStorage);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      timer.stop();
      timerRef.current = null;
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity, { capture: true });
      window.removeEventListener('storage', onStorage);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [minutes]);

  // The countdown in the dialog.
  useEffect(() => {
    if (deadline === null) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, [deadline]);

  async function stay() {
    if (busy) return;
    setBusy(true);
    try {
      const ok = await callbacks.current.onStay();
      if (ok) {
        timerRef.current?.stayActive();
        setDeadline(null);
      } else {
        timerRef.current?.stop();
        setDeadline(null);
        callbacks.current.onTimeout();
      }
    } finally {
      setBusy(false);
    }
  }

  function signOutNow() {
    timerRef.current?.stop();
    setDeadline(null);
    callbacks.current.onTimeout();
  }

  return (
    <Dialog
      open={deadline !== null}
      role="alertdialog"
      size="sm"
      title="Are you still there?"
      description={
        <p>
          For your patients’ privacy, TopSmile signs you out after {minutes} minutes without activity. You will be
          signed out in <strong>{formatLeft((deadline ?? now) - now)}</strong>.
        </p>
      }
      onClose={() => void stay()}
      initialFocusRef={stayButtonRef}
      hideCloseButton
    >
      <div className="button-row">
        <button ref={stayButtonRef} type="button" className="button-primary" onClick={() => void stay()} disabled={busy}>
          {busy ? 'Keeping you signed in…' : 'Stay signed in'}
        </button>
        <button type="button" className="button-secondary" onClick={signOutNow}>
          Sign out now
        </button>
      </div>
    </Dialog>
  );
}
