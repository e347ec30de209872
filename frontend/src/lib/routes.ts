import { isStaffRole, type Role } from './types';

/** Where each role lands after signing in. */
export function homeFor(role: Role | string | undefined | null): string {
  if (role === 'patient') return '/portal';
  if (isStaffRole(role)) return '/schedule';
  return '/';
}

/**
 * A `returnTo` is honoured only when it is a path of this app that the role may
 * open; anything else (another origin, `//evil`, the other role's area) goes home.
 */
export function safeReturnTo(returnTo: string | null | undefined, role: Role | string): string {
  const home = homeFor(role);
  if (!returnTo || !returnTo.startsWith('/') || returnTo.startsWith('//') || returnTo.startsWith('/\\')) return home;
  const path = returnTo.split(/[?#]/)[0] ?? '';
  if (path === '/' || path.startsWith('/sign-in') || path.startsWith('/sign-up')) return home;
  const patientArea = path === '/portal' || path.startsWith('/portal/');
  if (role === 'patient' ? !patientArea : patientArea) return home;
  return returnTo;
}

export function signInPath(returnTo?: string, reason?: string): string {
  const params = new URLSearchParams();
  if (returnTo && returnTo !== '/') params.set('returnTo', returnTo);
  if (reason) params.set('reason', reason);
  const qs = params.toString();
  return qs ? `/sign-in?${qs}` : '/sign-in';
}
