import type { MeResponse, User } from '../lib/types';
import { jsonResponse } from './render';

export const CLINIC = {
  id: 'clinic-1',
  name: 'Riverside Family Dental',
  settings: { timeZone: 'America/New_York', slotMinutes: 15, cancelNoticeHours: 24, idleLogoffMinutes: 15 },
};

export function makeUser(role: User['role'], extra: Partial<User> = {}): User {
  return {
    id: `u-${role}`,
    email: `${role}@topsmile.test`,
    role,
    clinicId: CLINIC.id,
    firstName: 'Grace',
    lastName: 'Kim',
    mfaEnabled: false,
    ...(role === 'patient' ? { patientId: 'p-1' } : {}),
    ...extra,
  };
}

export function me(role: User['role']): MeResponse {
  return { user: makeUser(role), clinic: CLINIC, mfaEnrollmentRequired: false };
}

export const unauthorized = () =>
  jsonResponse({ error: { code: 'unauthorized', message: 'not signed in', requestId: 'r-401' } }, 401);

type Handler = (url: URL, init: RequestInit | undefined) => Response | Promise<Response>;

/**
 * A fetch stand-in that routes by "METHOD /path" (query ignored). Unknown
 * routes answer 404 in the API's error shape.
 */
export function routeFetch(routes: Record<string, Handler | unknown>) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://localhost');
    const key = `${(init?.method ?? 'GET').toUpperCase()} ${url.pathname}`;
    const route = routes[key];
    if (route === undefined) {
      return jsonResponse({ error: { code: 'not_found', message: `no route for ${key}`, requestId: 'r-404' } }, 404);
    }
    if (typeof route === 'function') return (route as Handler)(url, init);
    return jsonResponse(route);
  };
}
