import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../lib/api';

/** The fee schedule's categories, in the order a dentist reads them. */
export const PROCEDURE_CATEGORIES = [
  'diagnostic',
  'preventive',
  'basic',
  'major',
  'endo',
  'perio',
  'prosth',
  'ortho',
  'surgery',
] as const;
export type ProcedureCategory = (typeof PROCEDURE_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<string, string> = {
  diagnostic: 'Diagnostic',
  preventive: 'Preventive',
  basic: 'Basic restorative',
  major: 'Major restorative',
  endo: 'Endodontics',
  perio: 'Periodontics',
  prosth: 'Prosthodontics',
  ortho: 'Orthodontics',
  surgery: 'Oral surgery',
};

export interface ProcedureCode {
  id: string;
  code: string;
  description: string;
  category: ProcedureCategory | string;
  feeCents: number;
  active: boolean;
}

export const procedureCodeKeys = {
  all: ['procedure-codes'] as const,
  search: (q: string, category: string) => ['procedure-codes', 'search', q, category] as const,
};

/** The fee schedule, searched by code or description (`q`) and narrowed by category; active codes only. */
export function useProcedureCodes(q: string, category = '') {
  const term = q.trim();
  return useQuery({
    queryKey: procedureCodeKeys.search(term, category),
    queryFn: ({ signal }) =>
      api.get<{ items: ProcedureCode[] }>('/api/procedure-codes', { signal, query: { q: term, category } }),
    select: (r) => (r.items ?? []).filter((c) => c.active !== false),
    staleTime: 5 * 60_000,
    placeholderData: keepPreviousData,
  });
}
