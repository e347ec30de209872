import { create } from 'zustand';

interface SessionState {
  /** Email of the signed-in user, or null when signed out. */
  email: string | null;
  signedIn: (email: string) => void;
  signOut: () => void;
}

export const useSessionStore = create<SessionState>()((set) => ({
  email: null,
  signedIn: (email) => set({ email }),
  signOut: () => set({ email: null }),
}));
