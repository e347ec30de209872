import { create } from 'zustand';
import type { PerioSiteName } from '../../api/chart';
import type { PerioDraft, SiteDraft } from './perioModel';

interface PerioDraftState {
  /** Unsaved readings per patient: kept while the hygienist looks at another tab of the record. */
  drafts: Record<string, PerioDraft>;
  setSite: (patientId: string, tooth: string, site: PerioSiteName, change: Partial<SiteDraft>) => void;
  setTooth: (patientId: string, tooth: string, change: { mobility?: number | undefined; furcation?: number | undefined }) => void;
  clear: (patientId: string) => void;
}

/** Client state (an exam being typed), so zustand; the saved exams are server state in api/chart. */
export const usePerioDraftStore = create<PerioDraftState>()((set) => ({
  drafts: {},
  setSite: (patientId, tooth, site, change) =>
    set((s) => {
      const draft = s.drafts[patientId] ?? {};
      const t = draft[tooth] ?? { sites: {} };
      const next = { ...t.sites[site], ...change };
      return { drafts: { ...s.drafts, [patientId]: { ...draft, [tooth]: { ...t, sites: { ...t.sites, [site]: next } } } } };
    }),
  setTooth: (patientId, tooth, change) =>
    set((s) => {
      const draft = s.drafts[patientId] ?? {};
      const t = draft[tooth] ?? { sites: {} };
      const next = { ...t };
      for (const key of ['mobility', 'furcation'] as const) {
        if (!(key in change)) continue;
        const value = change[key];
        if (value === undefined) delete next[key];
        else next[key] = value;
      }
      return { drafts: { ...s.drafts, [patientId]: { ...draft, [tooth]: next } } };
    }),
  clear: (patientId) =>
    set((s) => {
      const drafts = { ...s.drafts };
      delete drafts[patientId];
      return { drafts };
    }),
}));
