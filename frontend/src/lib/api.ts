/**
 * The one TopSmile API client. Every request to /api goes through here so that
 * the CSRF header, the request id, retries, session refresh and error mapping
 * behave the same everywhere.
 *
 * - Same-origin fetch with cookies (`credentials: 'same-origin'`).
 * - `X-CSRF-Token` from the readable CSRF cookie on state-changing requests
 *   (`__Host-csrf_token` over HTTPS; `csrf_token` where the API runs with
 *   COOKIE_SECURE=false, since browsers refuse prefixed cookies that are not Secure).
 * - `X-Request-Id` (crypto.randomUUID) on every attempt; the id ends up on ApiError
 *   so error toasts can show it to the user and support can find the log line.
 * - GET/HEAD are retried with backoff when the network fails (3 tries in all);
 *   POST/PATCH/PUT/DELETE never are, because they may have reached the server.
 * - On 401 the session is refreshed once (`POST /api/auth/refresh`) and the request
 *   replayed once. Concurrent 401s share one refresh. A 409 from the refresh means
 *   another request (another tab) spent the token first and its new cookies are
 *   already in the jar: the request is replayed without a refresh of its own.
 *   If the session cannot be
 *   refreshed, the unauthorized handler clears the session and sends the user to
 *   /sign-in with the current path as `returnTo`.
 */

export interface FieldError {
  field: string;
  message: string;
}

/** Shape of every error the TopSmile API returns. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    requestId?: string;
    fields?: FieldError[];
  };
}

export interface ApiErrorInit {
  status: number;
  code: string;
  message: string;
  requestId: string;
  fields?: FieldError[];
}

/** A failed API call. `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string;
  readonly fields: FieldError[];

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.fields = init.fields ?? [];
  }

  /** The message for one field, if the server flagged it. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message;
  }

  hasField(field: string): boolean {
    return this.fields.some((f) => f.field === field);
  }

  /** True when the route does not exist (yet) on this server. */
  get isMissingRoute(): boolean {
    return this.status === 404 || this.status === 405 || this.status === 501;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

export const NETWORK_ERROR_MESSAGE = 'Could not reach TopSmile. Check your connection and try again.';

function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string' &&
    (error as { message: string }).message.trim() !== ''
  );
}

/**
 * Reads the API's JSON error body from a failed response, if it has one.
 * Returns null when the body is missing, not JSON, or not in the API's shape.
 */
export async function readApiError(response: Response): Promise<ApiErrorBody['error'] | null> {
  try {
    const body: unknown = await response.json();
    return isApiErrorBody(body) ? body.error : null;
  } catch {
    return null;
  }
}

function fallbackMessage(status: number): string {
  switch (status) {
    case 400:
      return 'Some details need attention.';
    case 401:
      return 'Your session has ended. Please sign in again.';
    case 403:
      return 'You do not have permission to do that.';
    case 404:
      return 'Not found. It may have been removed, or this feature is not available yet.';
    case 405:
      return 'This feature is not available yet on this server.';
    case 409:
      return 'Someone else changed this just now. Please reload and try again.';
    case 413:
      return 'That is too large to send.';
    case 422:
      return 'That cannot be done under the practice’s rules.';
    case 429:
      return 'Too many requests. Please wait a moment and try again.';
    case 503:
      return 'TopSmile is temporarily unavailable. Please try again shortly.';
    default:
      return `Something went wrong (error ${status}). Please try again.`;
  }
}

function codeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'conflict';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    default:
      return 'http_error';
  }
}

/** Turns a non-2xx response into an ApiError, whatever its body looks like. */
export async function toApiError(response: Response, sentRequestId: string): Promise<ApiError> {
  const body = await readApiError(response);
  const requestId = body?.requestId || response.headers.get('X-Request-Id') || sentRequestId;
  const fields = Array.isArray(body?.fields)
    ? body.fields.filter(
        (f): f is FieldError => typeof f === 'object' && f !== null && typeof f.field === 'string',
      )
    : [];
  return new ApiError({
    status: response.status,
    code: body?.code || codeFor(response.status),
    message: body?.message || fallbackMessage(response.status),
    requestId,
    fields,
  });
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: HttpMethod;
  /** JSON-encoded as the request body. */
  body?: unknown;
  /** Appended as a query string; null/undefined/'' values are left out. */
  query?: Record<string, QueryValue>;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
  /** Do not try to refresh the session on 401 (set automatically for sign-in endpoints). */
  skipRefresh?: boolean;
  /** When the session cannot be refreshed, only throw: do not clear it or redirect. */
  skipUnauthorizedHandler?: boolean;
  /** Retry GET/HEAD on network failure (default true). */
  retry?: boolean;
}

export interface ApiConfig {
  /** Called once the session is gone for good (refresh failed). */
  onUnauthorized: (returnTo: string) => void;
  /** Milliseconds to wait before the 2nd and 3rd try of a GET/HEAD that failed on the network. */
  retryDelaysMs: number[];
  /** Overridable for tests. */
  sleep: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function defaultOnUnauthorized(returnTo: string) {
  if (typeof window === 'undefined') return;
  window.location.assign(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
}

const defaults: ApiConfig = {
  onUnauthorized: defaultOnUnauthorized,
  retryDelaysMs: [300, 900],
  sleep: defaultSleep,
};

let config: ApiConfig = { ...defaults };

/** Wires the client to the app (session store, router). Returns a function that undoes it. */
export function configureApi(next: Partial<ApiConfig>): () => void {
  const previous = config;
  config = { ...config, ...next };
  return () => {
    config = previous;
  };
}

/**
 * Restores the default configuration and forgets any refresh in flight (tests).
 * Tests start from a browser that has signed in before (the session hint is
 * set), so a 401 still refreshes; a first-visit test calls clearSessionHint().
 */
export function resetApiClient() {
  config = { ...defaults };
  try {
    window.localStorage.removeItem(LAST_REFRESH_KEY);
  } catch {
    // ignore
  }
  setSessionHint();
  refreshInFlight = null;
  refreshGeneration = 0;
}

export const REFRESH_URL = '/api/auth/refresh';

/**
 * A non-secret marker this SPA keeps while it believes a session exists: set
 * when a session loads, removed on sign-out and when a refresh fails. The
 * session cookies are HttpOnly, so without it a signed-out visitor would cost
 * a failing `auth/me` and a failing refresh (two red console errors) on every
 * page load.
 */
export const SESSION_HINT_KEY = 'topsmile.session';

export function hasSessionHint(): boolean {
  try {
    return window.localStorage.getItem(SESSION_HINT_KEY) === '1';
  } catch {
    // Storage off (private mode): assume a session may exist, as before.
    return true;
  }
}

export function setSessionHint() {
  try {
    window.localStorage.setItem(SESSION_HINT_KEY, '1');
  } catch {
    // ignore
  }
}

export function clearSessionHint() {
  try {
    window.localStorage.removeItem(SESSION_HINT_KEY);
  } catch {
    // ignore
  }
}

/**
 * Endpoints whose 401 means "wrong credentials", not "session expired".
 * (Logout is not one: after an idle period its access token has lapsed, and
 * it must refresh to reach the server and revoke the session.)
 */
const NO_REFRESH_PATHS = [
  '/api/auth/login',
  '/api/auth/refresh',
  '/api/auth/register',
  '/api/auth/verify-email',
  '/api/auth/password/forgot',
  '/api/auth/password/reset',
];

/** The CSRF cookie over HTTPS, and its bare name from a COOKIE_SECURE=false API. */
export const CSRF_COOKIE = '__Host-csrf_token';
const PLAIN_CSRF_COOKIE = 'csrf_token';

export function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return null;
}

export function newRequestId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  // Fallback for very old browsers: still unique enough to find a log line.
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.append(key, String(value));
  }
  const qs = params.toString();
  if (!qs) return path;
  return path + (path.includes('?') ? '&' : '?') + qs;
}

function isAbort(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AbortError'
  );
}

function currentLocation(): string {
  if (typeof window === 'undefined') return '/';
  return window.location.pathname + window.location.search;
}

let refreshInFlight: Promise<boolean> | null = null;
/** Increases with every successful refresh, so a request that was sent with an
 * old token can be replayed without refreshing again. */
let refreshGeneration = 0;

/**
 * Refreshes the session. Every caller that arrives while a refresh is running
 * gets the same promise: one refresh call, however many 401s there were.
 */
export function refreshSession(): Promise<boolean> {
  if (!refreshInFlight) {
    const askedAt = Date.now();
    refreshInFlight = withCrossTabLock(async () => {
      // Another tab of this browser refreshed while we waited for the lock:
      // the cookies are new already, and spending the old token again would
      // look like token reuse to the server.
      if (lastRefreshElsewhere() >= askedAt) return true;
      const response = await send(REFRESH_URL, 'POST', {}, undefined, undefined);
      // 409: a concurrent refresh won; the session lives and its cookies are set.
      if (response.status === 409) return true;
      if (!response.ok) {
        // 401: the session is gone; later page loads go straight to signed out.
        if (response.status === 401) clearSessionHint();
        return false;
      }
      markRefreshed();
      return true;
    })
      .then((ok) => {
        if (ok) refreshGeneration += 1;
        return ok;
      })
      .catch(() => false)
      .finally(() => {
        refreshInFlight = null;
      });
  }
  return refreshInFlight;
}

const LAST_REFRESH_KEY = 'topsmile.lastRefresh';

function lastRefreshElsewhere(): number {
  try {
    return Number(window.localStorage.getItem(LAST_REFRESH_KEY)) || 0;
  } catch {
    return 0;
  }
}

function markRefreshed() {
  try {
    window.localStorage.setItem(LAST_REFRESH_KEY, String(Date.now()));
  } catch {
    // Storage may be off (private mode); the lock still serialises refreshes.
  }
}

/** Serialises refreshes across the tabs of this browser where Web Locks exist. */
function withCrossTabLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks || typeof locks.request !== 'function') return fn();
  return locks.request('topsmile-refresh', fn) as Promise<T>;
}

async function send(
  url: string,
  method: HttpMethod,
  body: unknown,
  signal: AbortSignal | undefined,
  extraHeaders: Record<string, string> | undefined,
  requestId: string = newRequestId(),
): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Request-Id': requestId, ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = readCookie(CSRF_COOKIE) ?? readCookie(PLAIN_CSRF_COOKIE);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;
  return fetch(url, init);
}

/** One attempt per try, retrying network failures for safe methods only. */
async function sendWithRetry(
  url: string,
  method: HttpMethod,
  options: RequestOptions,
): Promise<{ response: Response; requestId: string }> {
  const safe = method === 'GET' || method === 'HEAD';
  const tries = safe && options.retry !== false ? config.retryDelaysMs.length + 1 : 1;
  let lastRequestId = '';
  for (let attempt = 0; ; attempt += 1) {
    lastRequestId = newRequestId();
    try {
      const response = await send(url, method, options.body, options.signal, options.headers, lastRequestId);
      return { response, requestId: lastRequestId };
    } catch (error) {
      if (isAbort(error)) throw error;
      if (attempt + 1 >= tries) {
        throw new ApiError({
          status: 0,
          code: 'network_error',
          message: NETWORK_ERROR_MESSAGE,
          requestId: lastRequestId,
        });
      }
      await config.sleep(config.retryDelaysMs[attempt] ?? 1000);
    }
  }
}

async function parseBody<T>(response: Response): Promise<T> {
  if (response.status === 204 || response.status === 205) return undefined as T;
  const text = await response.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as unknown as T;
  }
}

/** Sends a request to the API and returns the decoded JSON body, or throws ApiError. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const url = buildUrl(path, options.query);
  const pathOnly = path.split('?')[0] ?? path;
  // No hint of a session: a 401 is just "signed out", and a refresh would
  // only fail too.
  const mayRefresh = !options.skipRefresh && !NO_REFRESH_PATHS.includes(pathOnly) && hasSessionHint();

  const generationAtSend = refreshGeneration;
  let { response, requestId } = await sendWithRetry(url, method, options);

  // Signed out while the request was out (its 401 is the sign-out's doing):
  // no refresh, which could only fail.
  if (response.status === 401 && mayRefresh && hasSessionHint()) {
    // A refresh that finished after this request left means the token it
    // carried is already stale: just replay.
    const refreshed = refreshGeneration > generationAtSend ? true : await refreshSession();
    if (refreshed) {
      ({ response, requestId } = await sendWithRetry(url, method, options));
    }
    if (response.status === 401) {
      const error = await toApiError(response, requestId);
      if (!options.skipUnauthorizedHandler) config.onUnauthorized(currentLocation());
      throw error;
    }
  }

  if (!response.ok) throw await toApiError(response, requestId);
  return parseBody<T>(response);
}

type BodyOptions = Omit<RequestOptions, 'method' | 'body'>;

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'GET' }),
  post: <T>(path: string, body?: unknown, options?: BodyOptions) =>
    apiRequest<T>(path, { ...options, method: 'POST', body: body ?? {} }),
  patch: <T>(path: string, body: unknown, options?: BodyOptions) =>
    apiRequest<T>(path, { ...options, method: 'PATCH', body }),
  put: <T>(path: string, body: unknown, options?: BodyOptions) =>
    apiRequest<T>(path, { ...options, method: 'PUT', body }),
  delete: <T>(path: string, options?: BodyOptions) => apiRequest<T>(path, { ...options, method: 'DELETE' }),
};

/** The API's list envelope. */
export interface ListResponse<T> {
  items: T[];
  nextCursor: string | null;
}
