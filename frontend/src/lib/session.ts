import { create } from 'zustand';
import { clearSessionHint, setSessionHint } from './api';
import type { Clinic, MeResponse, User } from './types';

export type SessionStatus = 'unknown' | 'signedOut' | 'signedIn';

export interface SessionState {
  /** `unknown` until the app has asked the server who is signed in. */
  status: SessionStatus;
  user: User | null;
  clinic: Clinic | null;
  mfaEnrollmentRequired: boolean;
  /** Why the last session ended, for the sign-in page to explain. */
  endReason: 'idle' | 'expired' | 'signedOut' | null;
  /**
   * Set while this tab ends the session itself (sign-out, idle logoff): the
   * server ending it meanwhile (the live socket closing, a 401) is that,
   * not an expiry to report.
   */
  endingAs: 'idle' | 'signedOut' | null;
  setSession: (me: MeResponse) => void;
  clear: (reason?: SessionState['endReason']) => void;
}

/** Client-side session state only: who is signed in and the clinic settings the UI needs. */
export const useSessionStore = create<SessionState>()((set) => ({
  status: 'unknown',
  user: null,
  clinic: null,
  mfaEnrollmentRequired: false,
  endReason: null,
  endingAs: null,
  setSession: (me) => {
    setSessionHint();
    set({
      status: 'signedIn',
      user: me.user,
      clinic: me.clinic,
      mfaEnrollmentRequired: me.mfaEnrollmentRequired,
      endReason: null,
      endingAs: null,
    });
  },
  clear: (reason = null) => {
    // A session that ended (sign-out, idle, expired) leaves no hint; a load
    // that failed for another reason (offline) keeps it for the next try.
    if (reason) clearSessionHint();
    set({ status: 'signedOut', user: null, clinic: null, mfaEnrollmentRequired: false, endReason: reason, endingAs: null });
  },
}));

export const DEFAULT_TIME_ZONE = 'America/New_York';

/** The clinic's time zone, or a sensible default before the session loads. */
export function useClinicTimeZone(): string {
  return useSessionStore((s) => s.clinic?.settings.timeZone ?? DEFAULT_TIME_ZONE);
}

/** The clinic's country, in which phones are shown in national form. */
export function useClinicCountry(): string {
  return useSessionStore((s) => s.clinic?.settings.country ?? 'US');
}

export function useSlotMinutes(): number {
  return useSessionStore((s) => s.clinic?.settings.slotMinutes || 15);
}
