import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  LIVE_FALLBACK_POLL_MS,
  LIVE_PING_MS,
  LiveConnection,
  liveUrl,
  parseLiveEvent,
  pollIntervalFor,
  type LiveEvent,
  type LiveSocket,
  type LiveStatus,
} from './live';

/** A socket the test opens, closes and speaks for, recording what the client sent. */
class FakeSocket implements LiveSocket {
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  sent: string[] = [];
  closedByClient = false;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closedByClient = true;
  }
  open() {
    this.onopen?.(new Event('open'));
  }
  message(data: string) {
    this.onmessage?.(new MessageEvent('message', { data }));
  }
  /** The server (or the network) ends it; 1006 is a handshake that failed. */
  end(code: number) {
    this.onclose?.(new CloseEvent('close', { code }));
  }
}

describe('backoffDelay', () => {
  it('doubles from 1 s to 30 s, spread ±30 %', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 12].map((n) => backoffDelay(n, mid))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(backoffDelay(0, () => 0)).toBe(700);
    expect(backoffDelay(0, () => 1)).toBe(1300);
    expect(backoffDelay(9, () => 0)).toBe(21000);
    expect(backoffDelay(9, () => 1)).toBe(39000);
  });
});

describe('parseLiveEvent', () => {
  it('takes the server’s events and ignores anything else', () => {
    const at = '2026-12-02T08:00:00Z';
    expect(parseLiveEvent(JSON.stringify({ type: 'appointment.created', id: 'a-1', version: 1, at }))).toEqual({
      type: 'appointment.created',
      id: 'a-1',
      version: 1,
      at,
    });
    for (const junk of ['ping', '{', 'null', '[]', JSON.stringify({ type: 'patient.updated', id: 'p-1' }), JSON.stringify({ type: 'waitlist.updated' })]) {
      expect(parseLiveEvent(junk)).toBeNull();
    }
    expect(parseLiveEvent(new ArrayBuffer(2))).toBeNull();
  });
});

describe('pollIntervalFor', () => {
  it('polls every 30 s unless the connection is live', () => {
    expect(pollIntervalFor('live')).toBe(false);
    for (const status of ['idle', 'connecting', 'offline'] as const) expect(pollIntervalFor(status)).toBe(LIVE_FALLBACK_POLL_MS);
    expect(LIVE_FALLBACK_POLL_MS).toBe(30_000);
  });
});

describe('liveUrl', () => {
  it('is the page’s own origin', () => {
    expect(liveUrl({ protocol: 'https:', host: 'app.topsmile.example' })).toBe('wss://app.topsmile.example/api/live');
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/api/live');
  });
});

describe('LiveConnection', () => {
  let sockets: FakeSocket[];
  let statuses: LiveStatus[];
  let events: LiveEvent[];
  let opens: number;
  let refresh: ReturnType<typeof vi.fn<() => Promise<boolean>>>;
  let ended: ReturnType<typeof vi.fn<() => void>>;
  let connection: LiveConnection;

  const last = () => sockets[sockets.length - 1]!;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    statuses = [];
    events = [];
    opens = 0;
    refresh = vi.fn<() => Promise<boolean>>().mockResolvedValue(true);
    ended = vi.fn<() => void>();
    connection = new LiveConnection({
      url: 'ws://desk.test/api/live',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      onEvent: (e) => events.push(e),
      onOpen: () => (opens += 1),
      onStatus: (s) => statuses.push(s),
      refresh,
      onSessionEnded: ended,
      random: () => 0.5, // no jitter: the delays are exact
    });
  });

  afterEach(() => {
    connection.stop();
    vi.useRealTimers();
  });

  it('opens one socket, hands on its events and pings every 4 minutes', () => {
    connection.start();
    connection.start(); // a second start is the same connection
    expect(sockets).toHaveLength(1);
    expect(last().url).toBe('ws://desk.test/api/live');
    expect(connection.currentStatus).toBe('connecting');
    last().open();
    expect(connection.currentStatus).toBe('live');
    expect(opens).toBe(1);

    last().message(JSON.stringify({ type: 'waitlist.updated', id: 'w-1', version: 3, at: '2026-12-02T08:00:00Z' }));
    last().message('not an event');
    expect(events.map((e) => e.id)).toEqual(['w-1']);

    vi.advanceTimersByTime(LIVE_PING_MS - 1);
    expect(last().sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(last().sent).toEqual(['ping']);
    vi.advanceTimersByTime(LIVE_PING_MS);
    expect(last().sent).toEqual(['ping', 'ping']);
    expect(sockets).toHaveLength(1);
  });

  it('reconnects with a doubling backoff up to 30 s, offline meanwhile, and starts over after a socket held', () => {
    connection.start();
    const waits: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const before = sockets.length;
      last().end(1006); // the handshake failed: refused, or the server is down
      expect(connection.currentStatus).toBe('offline');
      let waited = 0;
      while (sockets.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
        expect(waited).toBeLessThanOrEqual(30_000);
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    // Retries stay "offline": the notice does not flicker with each attempt.
    expect(statuses).toEqual(['connecting', 'offline']);

    last().open();
    expect(connection.currentStatus).toBe('live');
    vi.advanceTimersByTime(60_000);
    last().end(1001); // idle close after a healthy minute: back after 1 s
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(8);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(9);
    expect(statuses).toEqual(['connecting', 'offline', 'live', 'offline']);
  });

  it('does not reset the backoff for a socket that closes at once', () => {
    connection.start();
    last().end(1006);
    vi.advanceTimersByTime(1000);
    last().open();
    last().end(1011); // accepted, then dropped straight away
    vi.advanceTimersByTime(1999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
  });

  it('jitters each wait by up to ±30 %', () => {
    const early = new LiveConnection({
      url: 'ws://x/api/live',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      onEvent: () => {},
      refresh,
      random: () => 0,
    });
    early.start();
    last().end(1006);
    vi.advanceTimersByTime(699);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    early.stop();
  });

  it('after a 1008 refreshes the session once and tries one new socket; a second 1008 stops', async () => {
    connection.start();
    last().open();
    last().end(1008);
    await vi.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sockets).toHaveLength(2); // at once, not after a backoff
    last().open();
    last().end(1008); // refused again before it held
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sockets).toHaveLength(2);
    expect(connection.currentStatus).toBe('offline');
    expect(ended).not.toHaveBeenCalled();
  });

  it('after a 1008 whose session cannot be refreshed, stops and says the session ended', async () => {
    refresh.mockResolvedValue(false);
    connection.start();
    last().open();
    last().end(1008);
    await vi.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(ended).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(sockets).toHaveLength(1);
  });

  it('a 1008 long after the last one is answered with a refresh again', async () => {
    connection.start();
    last().open();
    last().end(1008);
    await vi.advanceTimersByTimeAsync(0);
    last().open();
    await vi.advanceTimersByTimeAsync(30 * 60_000); // held for half an hour
    last().end(1008);
    await vi.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(sockets).toHaveLength(3);
  });

  it('stop closes the socket and cancels any retry', () => {
    connection.start();
    const first = last();
    first.open();
    connection.stop();
    expect(first.closedByClient).toBe(true);
    expect(connection.currentStatus).toBe('idle');
    vi.advanceTimersByTime(10 * 60_000);
    expect(sockets).toHaveLength(1);
    expect(first.sent).toEqual([]); // no ping from a stopped connection

    connection.start();
    last().end(1006);
    connection.stop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('tries at once when the browser comes back online', () => {
    connection.start();
    for (let i = 0; i < 5; i += 1) {
      last().end(1006);
      vi.advanceTimersByTime(30_000);
    }
    last().end(1006); // the next wait is 30 s
    const before = sockets.length;
    window.dispatchEvent(new Event('online'));
    expect(sockets).toHaveLength(before + 1);
  });
});
