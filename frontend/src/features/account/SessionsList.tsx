import { useId, useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError, NETWORK_ERROR_MESSAGE } from '../../lib/api';
import { formatDateTime } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import type { AuthSession } from '../../lib/types';
import { useSessionStore } from '../../lib/session';
import { useRevokeSession, useSessions } from './queries';

/** "Chrome on Linux"-style name from a user agent; the raw string when nothing matches. */
export function deviceName(ua: string): string {
  if (!ua) return 'Unknown device';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : null;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? ua;
}

/** Where the account is signed in, with "Sign out" for each; this device is marked. */
export function SessionsList({ timeZone }: { timeZone: string }) {
  const id = useId();
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const [error, setError] = useState<string | null>(null);

  async function signOutSession(s: AuthSession) {
    setError(null);
    try {
      await revoke.mutateAsync(s.id);
      if (s.current) {
        useSessionStore.getState().clear('signedOut');
        return;
      }
      toastSuccess(`Signed out ${deviceName(s.device)}.`);
    } catch (err) {
      setError(isApiError(err) && err.status !== 0 ? `${err.message} (Reference: ${err.requestId})` : NETWORK_ERROR_MESSAGE);
    }
  }

  const list = [...(sessions.data ?? [])].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt),
  );

  return (
    <section className="form-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        Where you are signed in
      </h2>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {sessions.isError ? (
        <ErrorNotice error={sessions.error} title="Could not load your sessions" onRetry={() => void sessions.refetch()} />
      ) : sessions.isPending ? (
        <Skeleton lines={3} label="Loading your sessions…" />
      ) : (
        <ul className="session-list">
          {list.map((s) => {
            const name = deviceName(s.device);
            return (
              <li key={s.id} className="session">
                <div>
                  <p className="session__device">
                    <span title={s.device}>{name}</span>
                    {s.current && <span className="badge badge--today">This device</span>}
                  </p>
                  <p className="muted small">
                    {s.ip && `${s.ip} · `}last used {formatDateTime(s.lastUsedAt, timeZone)} · signed in{' '}
                    {formatDateTime(s.createdAt, timeZone)}
                  </p>
                </div>
                <button
                  type="button"
                  className={s.current ? 'button-secondary' : 'button-danger-outline'}
                  onClick={() => void signOutSession(s)}
                  disabled={revoke.isPending}
                >
                  {s.current ? 'Sign out here' : 'Sign out'}{' '}
                  <span className="visually-hidden">
                    {s.current ? '(this device)' : `${name}, last used ${formatDateTime(s.lastUsedAt, timeZone)}`}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
