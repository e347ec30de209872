import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, clearSessionHint, hasSessionHint, resetApiClient, SESSION_HINT_KEY } from '../../lib/api';
import { CLINIC, me, routeFetch, unauthorized } from '../../test/fixtures';
import { jsonResponse } from '../../test/render';
import { loadSession, login, signOut } from '../../api/session';
import { useSessionStore } from '../../lib/session';

function calls(fetchMock: ReturnType<typeof vi.fn>): string[] {
  return fetchMock.mock.calls.map(([input, init]) => {
    const url = new URL(String(input), 'http://localhost');
    return `${((init as RequestInit | undefined)?.method ?? 'GET').toUpperCase()} ${url.pathname}`;
  });
}

describe('session hint (no failing requests for a signed-out visitor)', () => {
  beforeEach(() => {
    resetApiClient();
    useSessionStore.setState({ status: 'unknown', user: null, clinic: null, endReason: null });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('on a first visit asks nothing: no auth/me, no refresh, straight to signed out', async () => {
    clearSessionHint();
    const fetchMock = vi.fn(routeFetch({ 'GET /api/auth/me': unauthorized, 'POST /api/auth/refresh': unauthorized }));
    vi.stubGlobal('fetch', fetchMock);

    expect(await loadSession()).toBeNull();
    expect(useSessionStore.getState().status).toBe('signedOut');
    expect(calls(fetchMock)).toEqual([]);
  });

  it('without a hint a 401 does not try a refresh', async () => {
    clearSessionHint();
    const fetchMock = vi.fn(routeFetch({ 'GET /api/patients': unauthorized, 'POST /api/auth/refresh': unauthorized }));
    vi.stubGlobal('fetch', fetchMock);

    await expect(api.get('/api/patients', { skipUnauthorizedHandler: true })).rejects.toMatchObject({ status: 401 });
    expect(calls(fetchMock)).toEqual(['GET /api/patients']);
  });

  it('is set on sign-in and loads the session; cleared on sign-out', async () => {
    clearSessionHint();
    const fetchMock = vi.fn(
      routeFetch({
        'POST /api/auth/login': () => jsonResponse({ user: me('receptionist').user, mfaEnrollmentRequired: false }),
        'GET /api/auth/me': me('receptionist'),
        'POST /api/auth/logout': () => new Response(null, { status: 204 }),
      }),
    );
    vi.stubGlobal('fetch', fetchMock);

    await login({ email: 'frontdesk@topsmile.local', password: 'x' });
    expect(window.localStorage.getItem(SESSION_HINT_KEY)).toBe('1');
    expect((await loadSession())?.clinic).toEqual(CLINIC);
    expect(useSessionStore.getState().status).toBe('signedIn');

    await signOut();
    expect(hasSessionHint()).toBe(false);
    expect(useSessionStore.getState().status).toBe('signedOut');
  });

  it('is cleared when the session cannot be refreshed, so the next load asks nothing', async () => {
    const fetchMock = vi.fn(routeFetch({ 'GET /api/auth/me': unauthorized, 'POST /api/auth/refresh': unauthorized }));
    vi.stubGlobal('fetch', fetchMock);

    expect(hasSessionHint()).toBe(true);
    expect(await loadSession()).toBeNull();
    expect(calls(fetchMock)).toEqual(['GET /api/auth/me', 'POST /api/auth/refresh']);
    expect(hasSessionHint()).toBe(false);

    fetchMock.mockClear();
    expect(await loadSession()).toBeNull();
    expect(calls(fetchMock)).toEqual([]);
  });

  it('survives a load that failed on the network (offline is not signed out for good)', async () => {
    resetApiClient();
    const { configureApi } = await import('../../lib/api');
    configureApi({ retryDelaysMs: [], sleep: () => Promise.resolve() });
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));

    await expect(loadSession()).rejects.toMatchObject({ status: 0 });
    expect(hasSessionHint()).toBe(true);
  });
});
