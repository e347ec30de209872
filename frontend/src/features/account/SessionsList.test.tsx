import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApiClient } from '../../lib/api';
import type { AuthSession } from '../../lib/types';
import { me, routeFetch } from '../../test/fixtures';
import { jsonResponse, renderWithQuery } from '../../test/render';
import { useSessionStore } from '../../lib/session';
import { deviceName, SessionsList } from './SessionsList';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

const sessions: AuthSession[] = [
  { id: 's-other', device: IPHONE, ip: '10.0.0.9', createdAt: '2026-11-20T10:00:00Z', lastUsedAt: '2026-11-24T10:00:00Z', expiresAt: '2026-11-27T10:00:00Z', current: false },
  { id: 's-me', device: CHROME, ip: '127.0.0.1', createdAt: '2026-11-25T12:00:00Z', lastUsedAt: '2026-11-25T12:30:00Z', expiresAt: '2026-11-26T00:00:00Z', current: true },
];

describe('SessionsList', () => {
  const fetchMock = vi.fn<typeof fetch>();
  const deleted: string[] = [];

  beforeEach(() => {
    resetApiClient();
    deleted.length = 0;
    useSessionStore.getState().setSession(me('receptionist'));
    fetchMock.mockReset();
    fetchMock.mockImplementation(
      routeFetch({
        'GET /api/auth/sessions': () =>
          jsonResponse({ items: sessions.filter((s) => !deleted.includes(s.id)), nextCursor: null }),
        'DELETE /api/auth/sessions/s-other': () => {
          deleted.push('s-other');
          return new Response(null, { status: 204 });
        },
        'DELETE /api/auth/sessions/s-me': () => {
          deleted.push('s-me');
          return new Response(null, { status: 204 });
        },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => vi.unstubAllGlobals());

  it('names devices from their user agent', () => {
    expect(deviceName(CHROME)).toBe('Chrome on Linux');
    expect(deviceName(IPHONE)).toBe('Safari on iOS');
    expect(deviceName('curl/8')).toBe('curl/8');
  });

  it('marks this device first and signs another session out', async () => {
    const user = userEvent.setup();
    renderWithQuery(<SessionsList timeZone="America/New_York" />);
    const list = await screen.findByRole('list');
    const rows = within(list).getAllByRole('listitem');
    expect(rows[0]).toHaveTextContent('Chrome on Linux');
    expect(rows[0]).toHaveTextContent('This device');
    expect(rows[1]).toHaveTextContent('Safari on iOS');
    expect(rows[1]).not.toHaveTextContent('This device');

    await user.click(within(rows[1]!).getByRole('button', { name: /^Sign out Safari on iOS/ }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    expect(deleted).toEqual(['s-other']);
    expect(useSessionStore.getState().status).toBe('signedIn');
  });

  it('signing this device out ends the session here too', async () => {
    const user = userEvent.setup();
    renderWithQuery(<SessionsList timeZone="America/New_York" />);
    await user.click(await screen.findByRole('button', { name: 'Sign out here (this device)' }));
    await waitFor(() => expect(useSessionStore.getState().status).toBe('signedOut'));
    expect(deleted).toEqual(['s-me']);
  });
});
