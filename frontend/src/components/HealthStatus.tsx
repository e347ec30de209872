import { useQuery } from '@tanstack/react-query';
import { api } from '../lib/api';

export const HEALTH_URL = '/api/health';

export interface HealthResponse {
  status: 'ok' | 'unavailable' | (string & {});
}

/**
 * Fetches /api/health through the API client. The API answers 503 when a
 * dependency is down; any failure, and anything but `status: "ok"`, counts
 * as degraded.
 */
export async function fetchHealth(): Promise<HealthResponse> {
  const body = await api.get<unknown>(HEALTH_URL, { skipRefresh: true, skipUnauthorizedHandler: true, retry: false });
  if (typeof body === 'object' && body !== null && typeof (body as { status?: unknown }).status === 'string') {
    return { status: (body as { status: string }).status };
  }
  return { status: 'unavailable' };
}

export function HealthStatus() {
  const { data, isPending, isError } = useQuery({
    queryKey: ['health'],
    queryFn: fetchHealth,
    refetchInterval: 60_000,
    retry: false,
  });

  let label: string;
  let tone: 'pending' | 'ok' | 'degraded';
  if (isPending) {
    label = 'checking…';
    tone = 'pending';
  } else if (!isError && data.status === 'ok') {
    label = 'ok';
    tone = 'ok';
  } else {
    label = 'degraded';
    tone = 'degraded';
  }

  return (
    <p className={`health health--${tone}`} role="status" aria-live="polite">
      <span className="health__dot" aria-hidden="true" />
      System status: {label}
    </p>
  );
}
