import { useQueryClient, type InvalidateQueryFilters } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useNavigate } from 'react-router-dom';
import { refreshSession } from '../lib/api';
import { LiveConnection, liveUrl, useLiveStore, type LiveConnectionOptions } from '../lib/live';
import { isStaffRole } from '../lib/types';
import { signInPath } from '../lib/routes';
import { useSessionStore } from '../lib/session';

/**
 * The tab's live connection, shared by every screen: open while a member of
 * staff is signed in (past any pending two-step enrolment, which the server
 * refuses everything else for), closed when a sign-out starts. Each event refetches
 * only the queries it names; the live state drives the screens' fallback
 * polling and offline notice. Renders nothing.
 */
export function LiveUpdates({ createSocket }: { createSocket?: LiveConnectionOptions['createSocket'] }) {
  const queryClient = useQueryClient();
  // useNavigate's function changes with the path: kept in a ref so that
  // moving between screens does not reopen the socket.
  const navigate = useNavigate();
  const navigateRef = useRef(navigate);
  useEffect(() => {
    navigateRef.current = navigate;
  }, [navigate]);
  // Closed as soon as this tab starts ending the session (sign-out, idle
  // logoff): the server's closing it then is no news to refresh over.
  const wanted = useSessionStore(
    (s) => s.status === 'signedIn' && isStaffRole(s.user?.role) && !s.mfaEnrollmentRequired && !s.endingAs,
  );

  useEffect(() => {
    if (!wanted) return;
    let connection: LiveConnection | null = null;
    let cancelled = false;
    const invalidate = (filters: InvalidateQueryFilters[]) => {
      for (const f of filters) void queryClient.invalidateQueries(f);
    };
    // The map names the schedule's and the waitlist's query keys: loaded
    // for staff only, so a patient's download stays without the front desk.
    import('./invalidation')
      .then(({ invalidationsFor, resyncInvalidations }) => {
        if (cancelled) return;
        connection = new LiveConnection({
          url: liveUrl(),
          onEvent: (event) => invalidate(invalidationsFor(event)),
          onOpen: () => invalidate(resyncInvalidations()),
          onStatus: (status) => useLiveStore.setState({ status }),
          refresh: refreshSession,
          onSessionEnded: () => {
            const state = useSessionStore.getState();
            if (state.status !== 'signedIn' || state.endingAs) return;
            state.clear('expired');
            navigateRef.current(signInPath(window.location.pathname + window.location.search, 'expired'), {
              replace: true,
            });
          },
          ...(createSocket ? { createSocket } : {}),
        });
        connection.start();
      })
      .catch(() => {
        // The chunk did not load (a deploy replaced it, or offline): the
        // screens keep polling every 30 s until the next page load.
      });
    return () => {
      cancelled = true;
      connection?.stop();
    };
  }, [wanted, queryClient, createSocket]);

  return null;
}
