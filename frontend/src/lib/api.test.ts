import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '../test/render';
import { ApiError, api, clearSessionHint, configureApi, NETWORK_ERROR_MESSAGE, resetApiClient } from './api';

const fetchMock = vi.fn<typeof fetch>();

function headersOf(call: number): Headers {
  return new Headers(fetchMock.mock.calls[call]?.[1]?.headers);
}

function urlOf(call: number): string {
  return String(fetchMock.mock.calls[call]?.[0]);
}

function clearCookies() {
  for (const part of document.cookie.split(';')) {
    const name = part.split('=')[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

describe('api client', () => {
  const onUnauthorized = vi.fn<(returnTo: string) => void>();
  const sleep = vi.fn<(ms: number) => Promise<void>>();

  beforeEach(() => {
    resetApiClient();
    fetchMock.mockReset();
    onUnauthorized.mockReset();
    sleep.mockReset().mockResolvedValue(undefined);
    vi.stubGlobal('fetch', fetchMock);
    configureApi({ onUnauthorized, sleep });
    clearCookies();
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    clearCookies();
    resetApiClient();
  });

  describe('headers', () => {
    it('sends the csrf_token cookie (plain-http API) as X-CSRF-Token on state-changing requests', async () => {
      document.cookie = 'csrf_token=tok.abc.dev1; path=/';
      fetchMock.mockImplementation(() => Promise.resolve(jsonResponse({ ok: true }, 201)));

      await api.post('/api/appointments', { a: 1 });
      await api.patch('/api/appointments/1', { start: 'x' });
      await api.delete('/api/auth/sessions/1');

      for (const call of [0, 1, 2]) {
        expect(headersOf(call).get('X-CSRF-Token')).toBe('tok.abc.dev1');
      }
      const init = fetchMock.mock.calls[0]![1]!;
      expect(init.credentials).toBe('same-origin');
      expect(init.method).toBe('POST');
      expect(headersOf(0).get('Content-Type')).toBe('application/json');
      expect(JSON.parse(String(init.body))).toEqual({ a: 1 });
    });

    it('prefers the __Host-csrf_token cookie an HTTPS API sets', async () => {
      // jsdom runs on http://, where a real browser would refuse to store a
      // prefixed cookie, so the cookie string is what the browser would show.
      const cookie = vi.spyOn(document, 'cookie', 'get').mockReturnValue('csrf_token=tok.plain; __Host-csrf_token=tok.host');
      fetchMock.mockResolvedValue(jsonResponse({ ok: true }, 201));

      await api.post('/api/appointments', { a: 1 });

      expect(headersOf(0).get('X-CSRF-Token')).toBe('tok.host');
      cookie.mockRestore();
    });

    it('does not send the CSRF header on GET', async () => {
      document.cookie = 'csrf_token=tok.abc.dev1; path=/';
      fetchMock.mockResolvedValue(jsonResponse({ items: [] }));

      await api.get('/api/providers');

      expect(headersOf(0).has('X-CSRF-Token')).toBe(false);
      expect(fetchMock.mock.calls[0]![1]!.credentials).toBe('same-origin');
    });

    it('omits the CSRF header when there is no cookie yet (sign-in)', async () => {
      fetchMock.mockResolvedValue(jsonResponse({ user: {} }));
      await api.post('/api/auth/login', { email: 'a@b.c', password: 'x' });
      expect(headersOf(0).has('X-CSRF-Token')).toBe(false);
    });

    it('sends a fresh X-Request-Id UUID on every request', async () => {
      fetchMock.mockImplementation(() => Promise.resolve(jsonResponse({ items: [] })));

      await api.get('/api/providers');
      await api.get('/api/providers');

      const first = headersOf(0).get('X-Request-Id');
      const second = headersOf(1).get('X-Request-Id');
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(second).toMatch(/^[0-9a-f-]{36}$/);
      expect(first).not.toBe(second);
    });

    it('builds the query string and leaves out empty values', async () => {
      fetchMock.mockResolvedValue(jsonResponse({ items: [] }));
      await api.get('/api/appointments', {
        query: { from: '2026-01-01T00:00:00Z', providerId: undefined, status: '', limit: 200 },
      });
      expect(urlOf(0)).toBe('/api/appointments?from=2026-01-01T00%3A00%3A00Z&limit=200');
    });
  });

  describe('refresh on 401', () => {
    it('refreshes once for 5 concurrent 401s and replays each request once', async () => {
      document.cookie = 'csrf_token=tok; path=/';
      let refreshed = false;
      let refreshCalls = 0;
      let releaseRefresh: () => void = () => {};
      const refreshGate = new Promise<void>((resolve) => {
        releaseRefresh = resolve;
      });
      fetchMock.mockImplementation(async (input) => {
        const url = String(input);
        if (url === '/api/auth/refresh') {
          refreshCalls += 1;
          await refreshGate;
          refreshed = true;
          return jsonResponse({ user: {} });
        }
        if (!refreshed) return jsonResponse({ error: { code: 'unauthorized', message: 'expired' } }, 401);
        return jsonResponse({ url });
      });

      const calls = [1, 2, 3, 4, 5].map((n) => api.get<{ url: string }>(`/api/thing/${n}`));
      // Let all five hit their 401 before the refresh answers.
      await vi.waitFor(() => expect(refreshCalls).toBe(1));
      await new Promise((r) => setTimeout(r, 10));
      releaseRefresh();
      const results = await Promise.all(calls);

      expect(results.map((r) => r.url)).toEqual([1, 2, 3, 4, 5].map((n) => `/api/thing/${n}`));
      expect(refreshCalls).toBe(1);
      const refreshCall = fetchMock.mock.calls.find(([u]) => String(u) === '/api/auth/refresh')!;
      expect(refreshCall[1]!.method).toBe('POST');
      expect(new Headers(refreshCall[1]!.headers).get('X-CSRF-Token')).toBe('tok');
      // 5 first tries + 1 refresh + 5 replays.
      expect(fetchMock).toHaveBeenCalledTimes(11);
      expect(onUnauthorized).not.toHaveBeenCalled();
    });

    it('replays without signing out when the refresh answers 409 (another tab refreshed first)', async () => {
      let refreshCalls = 0;
      let otherTabRefreshed = false;
      fetchMock.mockImplementation(async (input) => {
        const url = String(input);
        if (url === '/api/auth/refresh') {
          refreshCalls += 1;
          // The other tab's refresh won the race; its cookies are in the jar now.
          otherTabRefreshed = true;
          return jsonResponse({ error: { code: 'conflict', message: 'refreshed by another request' } }, 409);
        }
        if (!otherTabRefreshed) return jsonResponse({ error: { code: 'unauthorized', message: 'expired' } }, 401);
        return jsonResponse({ url });
      });

      const result = await api.get<{ url: string }>('/api/thing');

      expect(result.url).toBe('/api/thing');
      expect(refreshCalls).toBe(1);
      expect(onUnauthorized).not.toHaveBeenCalled();
    });

    it('clears the session and redirects with the return path when the refresh fails', async () => {
      window.history.pushState({}, '', '/schedule?date=2026-11-25');
      fetchMock.mockImplementation(async (input) => {
        if (String(input) === '/api/auth/refresh') {
          return jsonResponse({ error: { code: 'unauthorized', message: 'session ended' } }, 401);
        }
        return jsonResponse({ error: { code: 'unauthorized', message: 'expired', requestId: 'r-1' } }, 401);
      });

      const error = await api.get('/api/appointments').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(401);
      expect(onUnauthorized).toHaveBeenCalledTimes(1);
      expect(onUnauthorized).toHaveBeenCalledWith('/schedule?date=2026-11-25');
      // First try + refresh; no replay after a failed refresh.
      expect(fetchMock).toHaveBeenCalledTimes(2);
      window.history.pushState({}, '', '/');
    });

    it('gives up after a single replay that is still 401', async () => {
      fetchMock.mockImplementation(async (input) => {
        if (String(input) === '/api/auth/refresh') return jsonResponse({ user: {} });
        return jsonResponse({ error: { code: 'unauthorized', message: 'nope' } }, 401);
      });

      await expect(api.get('/api/appointments')).rejects.toMatchObject({ status: 401 });

      expect(fetchMock).toHaveBeenCalledTimes(3);
      expect(onUnauthorized).toHaveBeenCalledTimes(1);
    });

    it('does not refresh a 401 that arrives after the user signed out (the sign-out caused it)', async () => {
      fetchMock.mockImplementation(async (input) => {
        // Sign-out lands while this request is out.
        clearSessionHint();
        if (String(input) === '/api/auth/refresh') return jsonResponse({ user: {} });
        return jsonResponse({ error: { code: 'unauthorized', message: 'signed out' } }, 401);
      });

      await expect(api.get('/api/appointments')).rejects.toMatchObject({ status: 401 });

      expect(fetchMock.mock.calls.map((c) => String(c[0]))).toEqual(['/api/appointments']);
    });

    it('does not refresh when the sign-in itself answers 401', async () => {
      fetchMock.mockResolvedValue(
        jsonResponse(
          { error: { code: 'unauthorized', message: 'enter the code', fields: [{ field: 'totp', message: 'is required' }] } },
          401,
        ),
      );

      const error = (await api.post('/api/auth/login', {}).catch((e: unknown) => e)) as ApiError;

      expect(error.hasField('totp')).toBe(true);
      expect(fetchMock).toHaveBeenCalledTimes(1);
      expect(onUnauthorized).not.toHaveBeenCalled();
    });
  });

  describe('retry on network failure', () => {
    it('retries a GET that fails with TypeError, with backoff, and succeeds', async () => {
      fetchMock
        .mockRejectedValueOnce(new TypeError('Failed to fetch'))
        .mockRejectedValueOnce(new TypeError('Failed to fetch'))
        .mockResolvedValueOnce(jsonResponse({ items: [1] }));

      await expect(api.get('/api/providers')).resolves.toEqual({ items: [1] });

      expect(fetchMock).toHaveBeenCalledTimes(3);
      expect(sleep).toHaveBeenCalledTimes(2);
      const [first, second] = sleep.mock.calls.map((c) => c[0]);
      expect(second!).toBeGreaterThan(first!);
    });

    it('stops after 3 tries and throws a network ApiError with the request id', async () => {
      fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));

      const error = (await api.get('/api/providers').catch((e: unknown) => e)) as ApiError;

      expect(fetchMock).toHaveBeenCalledTimes(3);
      expect(error).toBeInstanceOf(ApiError);
      expect(error.status).toBe(0);
      expect(error.code).toBe('network_error');
      expect(error.message).toBe(NETWORK_ERROR_MESSAGE);
      expect(error.requestId).toBe(headersOf(2).get('X-Request-Id'));
    });

    it('never retries a POST', async () => {
      fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));

      await expect(api.post('/api/appointments', { a: 1 })).rejects.toMatchObject({ status: 0 });

      expect(fetchMock).toHaveBeenCalledTimes(1);
      expect(sleep).not.toHaveBeenCalled();
    });

    it('does not retry an aborted request', async () => {
      fetchMock.mockRejectedValue(new DOMException('aborted', 'AbortError'));
      await expect(api.get('/api/providers')).rejects.toMatchObject({ name: 'AbortError' });
      expect(fetchMock).toHaveBeenCalledTimes(1);
    });

    it('does not retry an HTTP error response', async () => {
      fetchMock.mockResolvedValue(jsonResponse({ error: { code: 'unavailable', message: 'down' } }, 503));
      await expect(api.get('/api/providers')).rejects.toMatchObject({ status: 503 });
      expect(fetchMock).toHaveBeenCalledTimes(1);
    });
  });

  describe('error mapping', () => {
    it('maps the API error body to ApiError', async () => {
      fetchMock.mockResolvedValue(
        jsonResponse(
          {
            error: {
              code: 'invalid',
              message: 'validation failed',
              requestId: 'req-42',
              fields: [{ field: 'patientId', message: 'is required' }],
            },
          },
          400,
        ),
      );

      const error = (await api.post('/api/appointments', {}).catch((e: unknown) => e)) as ApiError;

      expect(error).toBeInstanceOf(ApiError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({
        status: 400,
        code: 'invalid',
        message: 'validation failed',
        requestId: 'req-42',
        fields: [{ field: 'patientId', message: 'is required' }],
      });
      expect(error.fieldMessage('patientId')).toBe('is required');
    });

    it('maps 409 conflict', async () => {
      fetchMock.mockResolvedValue(
        jsonResponse({ error: { code: 'conflict', message: 'that time is no longer free', requestId: 'r9' } }, 409),
      );
      await expect(api.post('/api/appointments', {})).rejects.toMatchObject({
        status: 409,
        code: 'conflict',
        requestId: 'r9',
      });
    });

    it('falls back to a readable message and the X-Request-Id header for non-JSON errors', async () => {
      fetchMock.mockResolvedValue(
        new Response('404 page not found', { status: 404, headers: { 'X-Request-Id': 'hdr-1' } }),
      );

      const error = (await api.get('/api/patients').catch((e: unknown) => e)) as ApiError;

      expect(error.status).toBe(404);
      expect(error.code).toBe('not_found');
      expect(error.requestId).toBe('hdr-1');
      expect(error.isMissingRoute).toBe(true);
      expect(error.message).toMatch(/not available yet/i);
    });

    it('uses the request id it sent when the server gives none', async () => {
      fetchMock.mockResolvedValue(new Response('', { status: 502 }));
      const error = (await api.get('/api/x').catch((e: unknown) => e)) as ApiError;
      expect(error.requestId).toBe(headersOf(0).get('X-Request-Id'));
      expect(error.message).toMatch(/error 502/);
    });

    it('returns undefined for 204 No Content', async () => {
      fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
      await expect(api.delete('/api/auth/sessions/1')).resolves.toBeUndefined();
    });
  });
});
