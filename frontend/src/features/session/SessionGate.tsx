import { useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { PageSkeleton } from '../../components/Skeleton';
import { configureApi } from '../../lib/api';
import type { Role } from '../../lib/types';
import { homeFor, signInPath } from '../../lib/routes';
import { loadSession } from '../../api/session';
import { useSessionStore } from '../../lib/session';

/**
 * Asks the server who is signed in once, wires the API client's "session is
 * gone" handler to the router, and drops cached server data on sign-out.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const status = useSessionStore((s) => s.status);

  useEffect(() => {
    if (useSessionStore.getState().status === 'unknown') {
      loadSession().catch(() => useSessionStore.getState().clear());
    }
  }, []);

  useEffect(
    () =>
      configureApi({
        onUnauthorized: (returnTo) => {
          const state = useSessionStore.getState();
          if (state.status !== 'signedIn' || state.endingAs) return;
          state.clear('expired');
          navigate(signInPath(returnTo, 'expired'), { replace: true });
        },
      }),
    [navigate],
  );

  useEffect(() => {
    // No patient data outlives the session in this tab.
    if (status === 'signedOut') queryClient.clear();
  }, [status, queryClient]);

  return <>{children}</>;
}

/** Renders its children only for the given roles; others go to sign-in or their own home. */
export function RequireRole({
  roles,
  children,
  allowMfaPending = false,
}: {
  roles: readonly Role[];
  children: ReactNode;
  /** The enrolment page itself must stay reachable while enrolment is pending. */
  allowMfaPending?: boolean;
}) {
  const status = useSessionStore((s) => s.status);
  const user = useSessionStore((s) => s.user);
  const endReason = useSessionStore((s) => s.endReason);
  const mfaPending = useSessionStore((s) => s.mfaEnrollmentRequired);
  const location = useLocation();

  if (status === 'unknown') return <PageSkeleton label="Checking your session…" />;
  if (status === 'signedOut' || !user) {
    // A deliberate sign-out does not need to come back here.
    const returnTo = endReason === 'signedOut' ? undefined : location.pathname + location.search;
    return <Navigate to={signInPath(returnTo, endReason === 'idle' ? 'idle' : undefined)} replace />;
  }
  if (mfaPending && !allowMfaPending) {
    // Until two-step sign-in is on, the server refuses everything else.
    const back = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/account/two-step?returnTo=${back}`} replace />;
  }
  if (!roles.includes(user.role)) return <Navigate to={homeFor(user.role)} replace />;
  return <>{children}</>;
}
