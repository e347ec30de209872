import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useNavigate } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveNotice, LIVE_NOTICE_DELAY_MS, OFFLINE_TEXT } from '../components/LiveNotice';
import { useLiveStore, type LiveSocket, type LiveStatus } from '../lib/live';
import { useDayAppointments } from '../api/schedule';
import { useSessionStore } from '../lib/session';
import { useWaitlist } from '../api/waitlist';
import { me, routeFetch } from '../test/fixtures';
import { LiveUpdates } from './LiveUpdates';

const RANGE = { from: '2026-12-02T05:00:00Z', to: '2026-12-03T05:00:00Z' };

/** Counts the API calls per path. */
function countingFetch() {
  const calls: Record<string, number> = {};
  const hit = (path: string, body: unknown) => () => {
    calls[path] = (calls[path] ?? 0) + 1;
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/appointments': hit('appointments', { items: [], nextCursor: null }),
        'GET /api/waitlist': hit('waitlist', { items: [], nextCursor: null }),
      }),
    ),
  );
  return calls;
}

function Screens() {
  const day = useDayAppointments(RANGE);
  const waitlist = useWaitlist();
  return <p>{day.isSuccess && waitlist.isSuccess ? 'loaded' : 'loading'}</p>;
}

function wrapper(client: QueryClient) {
  return ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <MemoryRouter>{children}</MemoryRouter>
    </QueryClientProvider>
  );
}

const setLive = (status: LiveStatus) => act(() => useLiveStore.setState({ status }));
const flush = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms));
/** LiveUpdates loads its invalidation map on demand: waits for it, then for what it started. */
const started = async () => {
  await act(() => vi.dynamicImportSettled());
  await flush();
};

beforeEach(() => {
  vi.useFakeTimers();
  useLiveStore.setState({ status: 'idle' });
  useSessionStore.setState({ status: 'unknown', user: null, clinic: null, mfaEnrollmentRequired: false, endReason: null });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the schedule’s and waitlist’s polling', () => {
  it('does not poll while live, and polls every 30 s while disconnected', async () => {
    const calls = countingFetch();
    setLive('live');
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(<Screens />, { wrapper: wrapper(client) });
    await flush();
    expect(screen.getByText('loaded')).toBeInTheDocument();
    expect(calls).toEqual({ appointments: 1, waitlist: 1 });

    await flush(10 * 60_000);
    expect(calls).toEqual({ appointments: 1, waitlist: 1 });

    setLive('offline');
    await flush(29_000);
    expect(calls).toEqual({ appointments: 1, waitlist: 1 });
    await flush(1_000);
    expect(calls).toEqual({ appointments: 2, waitlist: 2 });
    await flush(30_000);
    expect(calls).toEqual({ appointments: 3, waitlist: 3 });

    setLive('live');
    await flush(10 * 60_000);
    expect(calls).toEqual({ appointments: 3, waitlist: 3 });
  });
});

describe('LiveNotice', () => {
  it('says once, politely, that the screen is offline and refreshing every 30 s', async () => {
    render(<LiveNotice />);
    const region = screen.getByRole('status');
    expect(region).toHaveAttribute('aria-live', 'polite');
    expect(region).toHaveTextContent('');

    setLive('offline');
    await flush(LIVE_NOTICE_DELAY_MS - 1);
    expect(region).toHaveTextContent(''); // a quick reconnect never shows it
    await flush(1);
    expect(region).toHaveTextContent(OFFLINE_TEXT);
    expect(OFFLINE_TEXT).toBe('Offline — refreshing every 30 s');
    const text = region.innerHTML;
    await flush(5 * 60_000); // reconnect attempts: the text does not change, so nothing is re-announced
    expect(region.innerHTML).toBe(text);
    expect(screen.getAllByRole('status')).toHaveLength(1);

    setLive('live');
    await flush();
    expect(region).toHaveTextContent('');
  });
});

describe('LiveUpdates', () => {
  class FakeSocket implements LiveSocket {
    onopen: ((ev: Event) => void) | null = null;
    onmessage: ((ev: MessageEvent) => void) | null = null;
    onclose: ((ev: CloseEvent) => void) | null = null;
    onerror: ((ev: Event) => void) | null = null;
    closed = false;
    constructor(readonly url: string) {}
    send() {}
    close() {
      this.closed = true;
    }
  }
  let sockets: FakeSocket[];
  const createSocket = (url: string) => {
    const s = new FakeSocket(url);
    sockets.push(s);
    return s;
  };
  beforeEach(() => {
    sockets = [];
  });

  function renderApp(client: QueryClient) {
    return render(
      <>
        <LiveUpdates createSocket={createSocket} />
        <Screens />
      </>,
      { wrapper: wrapper(client) },
    );
  }

  it('opens one socket for signed-in staff; its events refetch the grid, not everything', async () => {
    const calls = countingFetch();
    act(() => useSessionStore.getState().setSession(me('receptionist')));
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    renderApp(client);
    await started();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.url).toBe(`ws://${window.location.host}/api/live`);
    expect(useLiveStore.getState().status).toBe('connecting');

    act(() => sockets[0]!.onopen?.(new Event('open')));
    expect(useLiveStore.getState().status).toBe('live');
    await flush();
    const afterOpen = { ...calls }; // the open resyncs what was missed
    expect(afterOpen).toEqual({ appointments: 2, waitlist: 2 });

    const send = (type: string, id: string) =>
      act(() =>
        sockets[0]!.onmessage?.(
          new MessageEvent('message', { data: JSON.stringify({ type, id, version: 1, at: '2026-12-02T08:00:00Z' }) }),
        ),
      );
    send('appointment.created', 'a-new');
    await flush();
    expect(calls).toEqual({ appointments: 3, waitlist: 2 });
    send('waitlist.updated', 'w-1');
    await flush();
    expect(calls).toEqual({ appointments: 3, waitlist: 3 });

    // Signing out closes it.
    act(() => useSessionStore.getState().clear('signedOut'));
    await flush();
    expect(sockets[0]!.closed).toBe(true);
    expect(useLiveStore.getState().status).toBe('idle');
    await flush(60_000);
    expect(sockets).toHaveLength(1);
  });

  it.each([
    ['a patient', () => useSessionStore.getState().setSession(me('patient'))],
    ['nobody signed in', () => useSessionStore.getState().clear()],
    ['staff before two-step enrolment', () => useSessionStore.getState().setSession({ ...me('dentist'), mfaEnrollmentRequired: true })],
  ])('opens nothing for %s', async (_name, signIn) => {
    countingFetch();
    act(signIn);
    renderApp(new QueryClient({ defaultOptions: { queries: { retry: false } } }));
    await started();
    await flush(60_000);
    expect(sockets).toHaveLength(0);
    expect(useLiveStore.getState().status).toBe('idle');
  });

  it('a socket the server closed because the session ended: one refresh, refused, ends the session as expired', async () => {
    countingFetch();
    act(() => useSessionStore.getState().setSession(me('receptionist')));
    renderApp(new QueryClient({ defaultOptions: { queries: { retry: false } } }));
    await started();
    act(() => sockets[0]!.onopen?.(new Event('open')));
    act(() => sockets[0]!.onclose?.(new CloseEvent('close', { code: 1008 })));
    await flush();
    await flush();
    expect(useSessionStore.getState().endReason).toBe('expired');
  });

  it('closes the socket as soon as this tab starts signing out: the server ending the session then asks no refresh', async () => {
    countingFetch();
    act(() => useSessionStore.getState().setSession(me('receptionist')));
    renderApp(new QueryClient({ defaultOptions: { queries: { retry: false } } }));
    await started();
    act(() => sockets[0]!.onopen?.(new Event('open')));
    act(() => useSessionStore.setState({ endingAs: 'idle' }));
    await flush();
    expect(sockets[0]!.closed).toBe(true);
    const refreshes = vi.mocked(fetch).mock.calls.filter(([url]) => String(url).includes('/api/auth/refresh'));
    expect(refreshes).toHaveLength(0);
    expect(useSessionStore.getState()).toMatchObject({ status: 'signedIn', endReason: null });
  });

  it('keeps the same socket while the staff member moves between screens', async () => {
    countingFetch();
    act(() => useSessionStore.getState().setSession(me('admin')));
    function Move() {
      const navigate = useNavigate();
      return (
        <button type="button" onClick={() => navigate('/waitlist')}>
          Waitlist
        </button>
      );
    }
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <MemoryRouter initialEntries={['/schedule']}>
          <LiveUpdates createSocket={createSocket} />
          <Routes>
            <Route path="/schedule" element={<Move />} />
            <Route path="/waitlist" element={<p>the waitlist</p>} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    await started();
    expect(sockets).toHaveLength(1);
    act(() => screen.getByRole('button', { name: 'Waitlist' }).click());
    await flush();
    expect(screen.getByText('the waitlist')).toBeInTheDocument();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.closed).toBe(false);
  });
});
