import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';

export type PlanStatus = 'draft' | 'presented' | 'accepted' | 'rejected' | 'in_progress' | 'completed';
export type PlanItemStatus = 'planned' | 'completed';

export interface PlanItem {
  id: string;
  code: string;
  description: string;
  category: string;
  tooth?: string | null;
  /** The tooth's FDI name, for clinics that number that way. */
  fdi?: string;
  surfaces?: string[] | null;
  feeCents: number;
  /** 1 highest … 5 */
  priority: number;
  /** 1, 2, … */
  phase: number;
  status: PlanItemStatus;
  completedAt?: string | null;
}

export interface PlanAcceptance {
  signature: string;
  at: string;
  ip?: string;
  userAgent?: string;
  by?: string;
  role?: string;
}

/** An insurance estimate, when billing has made one: the insurance's part in cents (an object read defensively). */
export type PlanEstimate = number | { insuranceCents?: number; patientCents?: number };

export interface Plan {
  id: string;
  patientId: string;
  title: string;
  status: PlanStatus;
  groupId: string;
  items: PlanItem[];
  totalCents: number;
  estimate: PlanEstimate | null;
  estimateStatus: 'not_estimated' | string;
  notes?: string;
  presentedAt?: string | null;
  acceptance: PlanAcceptance | null;
  rejectedAt?: string | null;
  completedAt?: string | null;
  createdAt: string;
  createdBy?: string;
  version?: number;
}

export interface PlanItemInput {
  /** An item of the plan being edited keeps its id (and its fee while its code is unchanged). */
  id?: string;
  code: string;
  tooth?: string;
  surfaces?: string[];
  priority?: number;
  phase?: number;
}

export interface PlanInput {
  title: string;
  items: PlanItemInput[];
  notes?: string;
  /** Creates the plan as another option in that plan's group. */
  alternativeTo?: string;
}

export const PLAN_STATUS_LABELS: Record<PlanStatus, string> = {
  draft: 'Draft',
  presented: 'Presented',
  accepted: 'Accepted',
  rejected: 'Declined',
  in_progress: 'In progress',
  completed: 'Completed',
};

export const planKeys = {
  all: ['treatment-plans'] as const,
  forPatient: (patientId: string) => ['treatment-plans', 'patient', patientId] as const,
};

const enc = encodeURIComponent;

/** A patient's plans, newest first (a patient's own list has no drafts). */
export function usePlans(patientId: string | null | undefined) {
  return useQuery({
    queryKey: planKeys.forPatient(patientId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: Plan[] }>(`/api/patients/${enc(patientId!)}/treatment-plans`, { signal }),
    select: (r) => r.items ?? [],
    enabled: !!patientId,
  });
}

function usePlanMutation<V>(patientId: string, fn: (v: V) => Promise<Plan>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { inlineErrors: true },
    onSuccess: (plan) => {
      // Put the answer in at once (the completed item shows done), then
      // refetch: an acceptance also declines the plan's siblings.
      queryClient.setQueryData<{ items: Plan[] }>(planKeys.forPatient(patientId), (old) => {
        if (!old || !plan?.id) return old;
        const has = old.items.some((p) => p.id === plan.id);
        return { ...old, items: has ? old.items.map((p) => (p.id === plan.id ? plan : p)) : [plan, ...old.items] };
      });
      void queryClient.invalidateQueries({ queryKey: planKeys.forPatient(patientId) });
    },
  });
}

export function useCreatePlan(patientId: string) {
  return usePlanMutation(patientId, (input: PlanInput) =>
    api.post<Plan>(`/api/patients/${enc(patientId)}/treatment-plans`, input),
  );
}

export function useUpdatePlan(patientId: string) {
  return usePlanMutation(patientId, ({ id, ...changes }: Partial<Omit<PlanInput, 'alternativeTo'>> & { id: string; version?: number }) =>
    api.patch<Plan>(`/api/treatment-plans/${enc(id)}`, changes),
  );
}

export function usePresentPlan(patientId: string) {
  return usePlanMutation(patientId, (id: string) => api.post<Plan>(`/api/treatment-plans/${enc(id)}/present`, {}));
}

export function useAcceptPlan(patientId: string) {
  return usePlanMutation(patientId, ({ id, signature }: { id: string; signature: string }) =>
    api.post<Plan>(`/api/treatment-plans/${enc(id)}/accept`, { signature }),
  );
}

export function useRejectPlan(patientId: string) {
  return usePlanMutation(patientId, (id: string) => api.post<Plan>(`/api/treatment-plans/${enc(id)}/reject`, {}));
}

export function useCompletePlanItem(patientId: string) {
  return usePlanMutation(patientId, ({ planId, itemId }: { planId: string; itemId: string }) =>
    api.post<Plan>(`/api/treatment-plans/${enc(planId)}/items/${enc(itemId)}/complete`, {}),
  );
}

// ---------- pure helpers shared by the staff and portal screens ----------

export interface PhaseTotal {
  phase: number;
  cents: number;
  count: number;
}

/** Totals per phase (ascending) and overall, from the items' fees. */
export function planTotals(items: readonly Pick<PlanItem, 'phase' | 'feeCents'>[]): {
  phases: PhaseTotal[];
  totalCents: number;
} {
  const byPhase = new Map<number, PhaseTotal>();
  let totalCents = 0;
  for (const item of items) {
    const phase = item.phase || 1;
    const fee = Number.isFinite(item.feeCents) ? item.feeCents : 0;
    const row = byPhase.get(phase) ?? { phase, cents: 0, count: 0 };
    row.cents += fee;
    row.count += 1;
    byPhase.set(phase, row);
    totalCents += fee;
  }
  return { phases: [...byPhase.values()].sort((a, b) => a.phase - b.phase), totalCents };
}

/** Integer cents in the clinic's currency. */
export function formatMoney(cents: number, currency = 'USD'): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
  } catch {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
  }
}

/**
 * The insurance line of a plan: "Not estimated" until billing has an
 * estimate (never a $0 that reads as "insurance pays nothing").
 */
export function estimateText(plan: Pick<Plan, 'estimate' | 'estimateStatus'>, currency = 'USD'): string {
  const est = plan.estimate;
  if (plan.estimateStatus === 'not_estimated' || est === null || est === undefined) return 'Not estimated';
  if (typeof est === 'number') return `Insurance pays about ${formatMoney(est, currency)}`;
  if (typeof est.insuranceCents !== 'number') return 'Not estimated';
  const parts = [`Insurance pays about ${formatMoney(est.insuranceCents, currency)}`];
  if (typeof est.patientCents === 'number') parts.push(`you pay about ${formatMoney(est.patientCents, currency)}`);
  return parts.join('; ');
}

/** Plans by group (options of one decision), newest group first, options oldest first (A, B, …). */
export function groupPlans(plans: readonly Plan[]): Plan[][] {
  const groups = new Map<string, Plan[]>();
  for (const plan of plans) {
    const key = plan.groupId || plan.id;
    const list = groups.get(key) ?? [];
    list.push(plan);
    groups.set(key, list);
  }
  const newest = (list: Plan[]) => list.reduce((m, p) => (p.createdAt > m ? p.createdAt : m), '');
  return [...groups.values()]
    .map((list) => [...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt)))
    .sort((a, b) => newest(b).localeCompare(newest(a)));
}

export function optionLetter(index: number): string {
  return String.fromCharCode(65 + (index % 26));
}

export type ToothNumbering = 'universal' | 'fdi';

/** Universal permanent teeth 1–32 and primary A–T, in chart order. */
export const UNIVERSAL_TEETH: readonly string[] = [
  ...Array.from({ length: 32 }, (_, i) => String(i + 1)),
  ...'ABCDEFGHIJKLMNOPQRST'.split(''),
];

/** The FDI (ISO 3950) number of a Universal tooth; the input back when it is not a tooth. */
export function universalToFdi(tooth: string): string {
  const n = Number(tooth);
  if (Number.isInteger(n) && n >= 1 && n <= 32) {
    if (n <= 8) return String(19 - n); // 1 → 18 … 8 → 11
    if (n <= 16) return String(12 + n); // 9 → 21 … 16 → 28
    if (n <= 24) return String(55 - n); // 17 → 38 … 24 → 31
    return String(16 + n); // 25 → 41 … 32 → 48
  }
  const i = 'ABCDEFGHIJKLMNOPQRST'.indexOf(tooth.toUpperCase());
  if (tooth.length === 1 && i >= 0) {
    if (i < 5) return String(55 - i); // A → 55 … E → 51
    if (i < 10) return String(56 + i); // F → 61 … J → 65
    if (i < 15) return String(85 - i); // K → 75 … O → 71
    return String(66 + i); // P → 81 … T → 85
  }
  return tooth;
}

/** How a tooth reads in this clinic: "#19" (Universal) or "36" (FDI). */
export function toothLabel(tooth: string | null | undefined, numbering: ToothNumbering = 'universal'): string {
  if (!tooth) return '';
  return numbering === 'fdi' ? universalToFdi(tooth) : `#${tooth}`;
}

export const SURFACES = [
  { code: 'M', name: 'Mesial' },
  { code: 'O', name: 'Occlusal' },
  { code: 'D', name: 'Distal' },
  { code: 'B', name: 'Buccal' },
  { code: 'L', name: 'Lingual' },
  { code: 'I', name: 'Incisal' },
  { code: 'F', name: 'Facial' },
] as const;

/** "MOD", in the conventional order. */
export function surfacesText(surfaces: readonly string[] | null | undefined): string {
  if (!surfaces || surfaces.length === 0) return '';
  const order = SURFACES.map((s) => s.code as string);
  return [...surfaces].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join('');
}
