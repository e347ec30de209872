/**
 * The tab's one live connection (GET /api/live, a WebSocket from the SPA's
 * own origin with the session cookie): the server sends small events
 * (`{"type","id","version","at"}`, ids and versions only) when something the
 * schedule shows changed, and the screens refetch only what the event names
 * instead of polling.
 *
 * - Opened only while a member of staff is signed in (the server refuses
 *   patients and the signed-out: 401/403, which the browser only sees as a
 *   failed handshake), closed on sign-out.
 * - Reconnects with exponential backoff and jitter (1 s doubling to 30 s,
 *   ±30 %), and at once when the browser says it is back online.
 * - A 1008 close means the server ended the session's socket (revoked, or
 *   its sign-in expired): the session is refreshed once and one new socket
 *   tried; a session that cannot be refreshed is signed out, and a second
 *   1008 before a socket has held stops trying (no hammering).
 * - Sends "ping" every 4 minutes: API Gateway (and the local hub) close a
 *   socket that has heard nothing from the client for 10 minutes.
 * - While not connected the screens poll every 30 s (`pollIntervalFor`).
 */
import { create } from 'zustand';

export const LIVE_PATH = '/api/live';
/** The screens' fallback polling while the live connection is down. */
export const LIVE_FALLBACK_POLL_MS = 30_000;
/** Below API Gateway's 10-minute idle limit, with room to spare. */
export const LIVE_PING_MS = 4 * 60_000;
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
export const BACKOFF_JITTER = 0.3;
/** A socket that stayed open this long was healthy: the next failure starts the backoff over. */
export const LIVE_STABLE_MS = 10_000;

/** WebSocket close codes the server uses. */
export const CLOSE_GOING_AWAY = 1001; // idle for 10 minutes
export const CLOSE_POLICY = 1008; // the session ended

export const LIVE_EVENT_TYPES = [
  'appointment.created',
  'appointment.updated',
  'appointment.cancelled',
  'waitlist.updated',
  'provider.updated',
] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

export interface LiveEvent {
  type: LiveEventType;
  id: string;
  version: number;
  at: string;
}

/** The event in a message from the server, or null for anything else (ignored). */
export function parseLiveEvent(data: unknown): LiveEvent | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, id, version, at } = value as Record<string, unknown>;
  if (!(LIVE_EVENT_TYPES as readonly unknown[]).includes(type)) return null;
  if (typeof id !== 'string' || id === '') return null;
  return {
    type: type as LiveEventType,
    id,
    version: typeof version === 'number' && Number.isFinite(version) ? version : 0,
    at: typeof at === 'string' ? at : '',
  };
}

/**
 * The wait before reconnect attempt `attempt` (0 = the first after a
 * failure): 1 s doubling to 30 s, each spread ±30 % so that a clinic's
 * tabs do not all come back in the same instant after a restart.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 30)));
  const spread = 1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * random();
  return Math.round(base * spread);
}

/**
 * - `idle`: no connection is wanted (signed out, a patient, or not started);
 * - `connecting`: the first socket of this sign-in is opening;
 * - `live`: connected, events arrive;
 * - `offline`: wanted but not connected (it failed or closed and is being
 *   retried, or trying stopped). Retries stay `offline` so the notice does
 *   not flicker with every attempt.
 */
export type LiveStatus = 'idle' | 'connecting' | 'live' | 'offline';

/** How often a screen that live events keep fresh must poll: never while live, 30 s otherwise. */
export function pollIntervalFor(status: LiveStatus): number | false {
  return status === 'live' ? false : LIVE_FALLBACK_POLL_MS;
}

export const useLiveStore = create<{ status: LiveStatus }>()(() => ({ status: 'idle' }));

export function useLiveStatus(): LiveStatus {
  return useLiveStore((s) => s.status);
}

/** The refetchInterval for queries that live events keep fresh. */
export function useLivePollInterval(): number | false {
  return pollIntervalFor(useLiveStatus());
}

/** The part of WebSocket the connection uses (a fake in tests). */
export interface LiveSocket {
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveConnectionOptions {
  url: string;
  onEvent: (event: LiveEvent) => void;
  /** Each time a socket opens: events sent while there was none are lost, so refetch. */
  onOpen?: () => void;
  onStatus?: (status: LiveStatus) => void;
  /** Refreshes the session (the API client's refreshSession); false when it is gone. */
  refresh: () => Promise<boolean>;
  /** The session could not be refreshed after a 1008: it is over. */
  onSessionEnded?: () => void;
  createSocket?: (url: string) => LiveSocket;
  random?: () => number;
  now?: () => number;
}

/** The live URL on this page's origin: ws(s)://<host>/api/live. */
export function liveUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${LIVE_PATH}`;
}

export class LiveConnection {
  private readonly options: LiveConnectionOptions;
  private readonly createSocket: (url: string) => LiveSocket;
  private readonly random: () => number;
  private readonly now: () => number;
  private socket: LiveSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private attempt = 0;
  private openedAt = 0;
  /** A 1008 was answered with a refresh and no socket has held since. */
  private refreshedForPolicy = false;
  private started = false;
  private status: LiveStatus = 'idle';

  constructor(options: LiveConnectionOptions) {
    this.options = options;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  get currentStatus(): LiveStatus {
    return this.status;
  }

  start() {
    if (this.started) return;
    this.started = true;
    this.attempt = 0;
    this.refreshedForPolicy = false;
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
    this.setStatus('connecting');
    this.open();
  }

  stop() {
    if (!this.started) return;
    this.started = false;
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
    this.clearRetry();
    this.dropSocket();
    this.setStatus('idle');
  }

  private readonly onOnline = () => {
    // The network is back: no reason to sit out the rest of a long backoff.
    if (!this.started || this.socket || !this.retryTimer) return;
    this.clearRetry();
    this.attempt = 0;
    this.open();
  };

  private setStatus(next: LiveStatus) {
    if (this.status === next) return;
    this.status = next;
    this.options.onStatus?.(next);
  }

  private open() {
    let socket: LiveSocket;
    try {
      socket = this.createSocket(this.options.url);
    } catch {
      this.failed();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.openedAt = this.now();
      this.setStatus('live');
      this.pingTimer = setInterval(() => {
        try {
          socket.send('ping');
        } catch {
          // A socket that cannot send is closing; onclose follows.
        }
      }, LIVE_PING_MS);
      this.options.onOpen?.();
    };
    socket.onmessage = (message) => {
      if (this.socket !== socket) return;
      const event = parseLiveEvent(message.data);
      if (event) this.options.onEvent(event);
    };
    socket.onerror = () => {
      // onclose always follows with the code; nothing to do twice.
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.dropSocket();
      if (!this.started) return;
      const heldFor = opened ? this.now() - this.openedAt : 0;
      if (heldFor >= LIVE_STABLE_MS) {
        this.attempt = 0;
        this.refreshedForPolicy = false;
      }
      if (close.code === CLOSE_POLICY) {
        void this.sessionEnded();
        return;
      }
      this.failed();
    };
  }

  /** The server closed the socket because the session ended: refresh once, then try once. */
  private async sessionEnded() {
    this.setStatus('offline');
    if (this.refreshedForPolicy) {
      // Refreshed already and refused again: stop; the 30 s polling (and
      // its own 401 handling) carries on, a sign-in starts a new connection.
      return;
    }
    this.refreshedForPolicy = true;
    let ok = false;
    try {
      ok = await this.options.refresh();
    } catch {
      ok = false;
    }
    if (!this.started) return;
    if (!ok) {
      this.options.onSessionEnded?.();
      return;
    }
    this.open();
  }

  /** The socket failed to open or closed: try again after the backoff. */
  private failed() {
    this.setStatus('offline');
    this.clearRetry();
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.started) this.open();
    }, delay);
  }

  private clearRetry() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private dropSocket() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(1000, 'bye');
    } catch {
      // already closed
    }
  }
}
