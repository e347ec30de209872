import { useEffect, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import { useToastStore, type Toast } from '../lib/toast';

const AUTO_DISMISS_MS = { success: 5000, info: 6000, error: 12000 } as const;

/** Phone widths, where the header is one row (styles.css uses the same 30rem = 480 px). */
export const SMALL_SCREEN = '(max-width: 30rem)';

function subscribeSmall(onChange: () => void): () => void {
  const mq = typeof window.matchMedia === 'function' ? window.matchMedia(SMALL_SCREEN) : null;
  mq?.addEventListener('change', onChange);
  return () => mq?.removeEventListener('change', onChange);
}

function isSmallScreen(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(SMALL_SCREEN).matches;
}

/**
 * Where toasts appear: bottom right on a desk's screen; at the top on a phone,
 * where at the bottom they covered a form's Save and Cancel (and the sticky
 * Continue of the portal's time picker).
 */
export function useToastPlacement(): 'top' | 'bottom' {
  return useSyncExternalStore(subscribeSmall, isSmallScreen, () => false) ? 'top' : 'bottom';
}

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToastStore((s) => s.dismiss);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), AUTO_DISMISS_MS[toast.tone]);
    return () => clearTimeout(timer);
  }, [toast.id, toast.tone, dismiss]);
  return (
    <div className={`toast toast--${toast.tone}`}>
      <p className="toast__message">
        {toast.message}
        {toast.requestId && (
          <>
            {' '}
            <span className="toast__ref">
              Reference: <code>{toast.requestId}</code>
            </span>
          </>
        )}
      </p>
      <button type="button" className="button-ghost toast__close" onClick={() => dismiss(toast.id)}>
        Dismiss<span className="visually-hidden"> message</span>
      </button>
    </div>
  );
}

/**
 * Live regions exist from the first render so screen readers announce what is
 * added later: errors assertively, everything else politely. They live outside
 * #root so a modal dialog (which makes #root inert) does not silence them.
 */
export function Toaster() {
  const toasts = useToastStore((s) => s.toasts);
  const errors = toasts.filter((t) => t.tone === 'error');
  const others = toasts.filter((t) => t.tone !== 'error');
  const placement = useToastPlacement();
  return createPortal(
    <div className="toaster" data-placement={placement}>
      <div role="alert" className="toaster__list">
        {errors.map((t) => (
          <ToastItem key={t.id} toast={t} />
        ))}
      </div>
      <div role="status" className="toaster__list">
        {others.map((t) => (
          <ToastItem key={t.id} toast={t} />
        ))}
      </div>
    </div>,
    document.body,
  );
}
