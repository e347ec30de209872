import { api, clearSessionHint, hasSessionHint, refreshSession, setSessionHint, type ApiError } from '../lib/api';
import type { MeResponse, SessionResponse } from '../lib/types';
import { useSessionStore } from '../lib/session';

export interface Credentials {
  email: string;
  password: string;
  totp?: string;
}

export function login(credentials: Credentials): Promise<SessionResponse> {
  const body: Credentials = { email: credentials.email, password: credentials.password };
  if (credentials.totp) body.totp = credentials.totp;
  return api.post<SessionResponse>('/api/auth/login', body).then(withSessionHint);
}

/** The server just set session cookies: from now on a page load asks who is signed in. */
function withSessionHint<T>(response: T): T {
  setSessionHint();
  return response;
}

export interface RegisterInput {
  /** The practice by its public slug (the sign-up link's or the search's)… */
  clinicSlug?: string;
  /** …or by its id (sign-up links made before slugs). */
  clinicId?: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  phone: string;
}

/**
 * Patient self sign-up. The API answers 202 the same way whether or not the
 * email already has an account; what happens next arrives by email.
 */
export async function register(input: RegisterInput): Promise<void> {
  await api.post<unknown>('/api/auth/register', input);
}

/** Spends the emailed sign-up link's token: confirms the email and signs in. */
export function verifyEmail(token: string): Promise<SessionResponse> {
  return api.post<SessionResponse>('/api/auth/verify-email', { token }).then(withSessionHint);
}

/** Who is signed in, or an ApiError 401 when nobody is (no redirect). */
export function fetchMe(): Promise<MeResponse> {
  return api.get<MeResponse>('/api/auth/me', { skipUnauthorizedHandler: true });
}

/**
 * Loads `/api/auth/me` into the session store; signed out when it fails with 401.
 * Without a session hint (a first visit, or after signing out) nobody can be
 * signed in, so the request is not made at all (login and verifyEmail set the
 * hint as their cookies arrive).
 */
export async function loadSession(): Promise<MeResponse | null> {
  if (!hasSessionHint()) {
    useSessionStore.getState().clear();
    return null;
  }
  try {
    const me = await fetchMe();
    useSessionStore.getState().setSession(me);
    return me;
  } catch (error) {
    useSessionStore.getState().clear();
    if ((error as ApiError | undefined)?.status === 401) {
      clearSessionHint();
      return null;
    }
    throw error;
  }
}

/** Ends the session on the server (best effort) and locally. */
export async function signOut(reason: 'idle' | 'signedOut' = 'signedOut'): Promise<void> {
  // The server ends the session while we wait: what it tells the tab
  // meanwhile (the live socket closing) is this sign-out.
  useSessionStore.setState({ endingAs: reason });
  try {
    await api.post('/api/auth/logout', {}, { skipUnauthorizedHandler: true });
  } catch {
    // Already signed out on the server, or offline: the local session ends anyway.
  }
  useSessionStore.getState().clear(reason);
}

/** Keeps the session alive ("Stay signed in"). */
export function keepAlive(): Promise<boolean> {
  // Through the client's shared refresh: two refreshes racing with the same
  // token would look like token reuse to the server and end the session.
  return refreshSession();
}
