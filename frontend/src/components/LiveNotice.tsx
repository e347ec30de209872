import { useEffect, useState } from 'react';
import { LIVE_FALLBACK_POLL_MS, useLiveStatus } from '../lib/live';
import './liveNotice.css';

/** A connection back within this long (a restart, an idle close) does not show the notice. */
export const LIVE_NOTICE_DELAY_MS = 2_000;

export const OFFLINE_TEXT = `Offline — refreshing every ${LIVE_FALLBACK_POLL_MS / 1000} s`;

/**
 * A small, polite notice on the screens live events keep fresh, while the
 * live connection is down and they fall back to polling. The status region
 * is always there (a live region must exist before its text changes to be
 * announced) and its text changes only when the state does, so a screen
 * reader hears it once, not at every reconnect attempt.
 */
export function LiveNotice() {
  const status = useLiveStatus();
  const offline = status === 'offline';
  const [shown, setShown] = useState(false);

  useEffect(() => {
    if (!offline) {
      setShown(false);
      return;
    }
    const timer = setTimeout(() => setShown(true), LIVE_NOTICE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [offline]);

  return (
    <div role="status" aria-live="polite" className="live-notice-region" data-live-status={status}>
      {shown && (
        <p className="live-notice">
          <span className="live-notice__dot" aria-hidden="true" />
          {OFFLINE_TEXT}
        </p>
      )}
    </div>
  );
}
