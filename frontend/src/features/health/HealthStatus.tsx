import { useQuery } from '@tanstack/react-query';

export const HEALTH_URL = '/api/health';

export interface HealthResponse {
  status: 'ok' | 'unavailable' | (string & {});
}

/**
 * Fetches /api/health. The API answers 503 with a JSON body when a dependency
 * is down, so the body is read whatever the status code; anything that is not
 * `status: "ok"` counts as degraded.
 */
export async function fetchHealth(): Promise<HealthResponse> {
  const response = await fetch(HEALTH_URL, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
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
