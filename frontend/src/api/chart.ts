import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { Numbering } from '../lib/teeth';

/* ---------- the chart (odontogram) ---------- */

export const CONDITION_KINDS = ['caries', 'fracture', 'missing', 'impacted', 'abscess', 'erosion', 'watch'] as const;
export const WORK_KINDS = [
  'filling',
  'crown',
  'bridge',
  'implant',
  'root_canal',
  'sealant',
  'veneer',
  'extraction',
  'procedure',
] as const;

export type ConditionKind = (typeof CONDITION_KINDS)[number];
export type WorkKind = (typeof WORK_KINDS)[number];
export type ChartKind = ConditionKind | WorkKind;
export type ChartStatus = 'condition' | 'existing' | 'planned' | 'completed';

export const CHART_STATUSES: readonly ChartStatus[] = ['condition', 'existing', 'planned', 'completed'];

export const KIND_LABELS: Record<ChartKind, string> = {
  caries: 'Caries',
  fracture: 'Fracture',
  missing: 'Missing',
  impacted: 'Impacted',
  abscess: 'Abscess',
  erosion: 'Erosion',
  watch: 'Watch',
  filling: 'Filling',
  crown: 'Crown',
  bridge: 'Bridge',
  implant: 'Implant',
  root_canal: 'Root canal',
  sealant: 'Sealant',
  veneer: 'Veneer',
  extraction: 'Extraction',
  procedure: 'Procedure',
};

export const STATUS_LABELS: Record<ChartStatus, string> = {
  condition: 'Condition',
  existing: 'Existing',
  planned: 'Planned',
  completed: 'Completed',
};

export function isConditionKind(kind: string): kind is ConditionKind {
  return (CONDITION_KINDS as readonly string[]).includes(kind);
}

/** The statuses the server accepts for a kind (conditions are `condition`; extraction and procedure are never `existing`). */
export function statusesFor(kind: ChartKind | ''): readonly ChartStatus[] {
  if (!kind) return [];
  if (isConditionKind(kind)) return ['condition'];
  if (kind === 'extraction' || kind === 'procedure') return ['planned', 'completed'];
  return ['existing', 'planned', 'completed'];
}

export interface ChartEntry {
  id: string;
  patientId: string;
  /** Universal ("3", "A"). */
  tooth: string;
  fdi: string;
  surfaces: string[] | null;
  kind: ChartKind;
  status: ChartStatus;
  code?: string;
  providerId?: string;
  recordedBy?: string;
  recordedAt: string;
  note?: string;
  supersedes: string | null;
  supersededBy: string | null;
}

export interface ChartResponse {
  entries: ChartEntry[];
  asOf: string | null;
  numbering: Numbering;
}

export interface ChartEntryInput {
  tooth: string;
  surfaces: string[];
  kind: ChartKind;
  status: ChartStatus;
  code?: string;
  note?: string;
  supersedes?: string;
}

export interface ChartView {
  /** YYYY-MM-DD (the end of that day in the clinic's zone) or an RFC 3339 instant; absent for now. */
  asOf?: string | null;
  /** Also the superseded entries. */
  history?: boolean;
}

const enc = encodeURIComponent;

export const chartKeys = {
  /** Every view of one patient's chart: invalidate this after charting anything. */
  all: (patientId: string) => ['chart', patientId] as const,
  view: (patientId: string, view: ChartView) =>
    ['chart', patientId, { asOf: view.asOf || null, history: !!view.history }] as const,
};

export function fetchChart(patientId: string, view: ChartView = {}, signal?: AbortSignal) {
  return api.get<ChartResponse>(`/api/patients/${enc(patientId)}/chart`, {
    query: { asOf: view.asOf || undefined, history: view.history ? 'true' : undefined },
    signal,
  });
}

/** A patient's chart: the entries in effect (now, or as of a date), with superseded ones when `history`. */
export function useChart(patientId: string, view: ChartView = {}) {
  return useQuery({
    queryKey: chartKeys.view(patientId, view),
    queryFn: ({ signal }) => fetchChart(patientId, view, signal),
    enabled: !!patientId,
    // Moving the history date keeps the last chart on screen until the next one arrives.
    placeholderData: keepPreviousData,
  });
}

/** Charts one entry (201 → the entry); every view of the patient's chart is refetched. */
export function useRecordChartEntry(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ChartEntryInput) =>
      api.post<ChartEntry>(`/api/patients/${enc(patientId)}/chart/entries`, input),
    onSuccess: () => client.invalidateQueries({ queryKey: chartKeys.all(patientId) }),
  });
}

/** Teeth the chart says are gone (missing, or extracted): perio skips them. */
export function missingTeeth(entries: readonly ChartEntry[]): Set<string> {
  return new Set(
    entries
      .filter((e) => !e.supersededBy && (e.kind === 'missing' || (e.kind === 'extraction' && e.status === 'completed')))
      .map((e) => e.tooth),
  );
}

/* ---------- perio exams ---------- */

export const PERIO_SITES = ['MB', 'B', 'DB', 'ML', 'L', 'DL'] as const;
export type PerioSiteName = (typeof PERIO_SITES)[number];

export interface PerioSiteInput {
  site: PerioSiteName;
  depth: number;
  margin: number;
  bleeding: boolean;
  suppuration: boolean;
}

export interface PerioSite extends PerioSiteInput {
  /** Clinical attachment level: depth + margin. */
  cal: number;
}

export interface PerioToothInput {
  tooth: string;
  /** Grade 0–3; left out when not assessed. */
  mobility?: number;
  /** Grade 0–3 (posterior teeth); left out when not assessed. */
  furcation?: number;
  sites: PerioSiteInput[];
}

export interface PerioTooth extends Omit<PerioToothInput, 'sites'> {
  sites: PerioSite[];
}

export interface PerioSummary {
  teeth: number;
  sites: number;
  bleedingSites: number;
  deepSites: number;
}

export interface PerioExamListItem {
  id: string;
  patientId: string;
  recordedAt: string;
  examinerId?: string;
  summary: PerioSummary;
}

export interface PerioExam extends PerioExamListItem {
  teeth: PerioTooth[];
}

export interface PerioWorseSite {
  tooth: string;
  site: PerioSiteName;
  before: number;
  after: number;
  change: number;
}

export interface PerioComparison {
  againstId: string;
  worse: PerioWorseSite[];
}

export interface PerioExamWithComparison extends PerioExam {
  comparison?: PerioComparison;
}

export const perioKeys = {
  list: (patientId: string) => ['perio-exams', 'patient', patientId] as const,
  exam: (examId: string, compare: string | null) => ['perio-exams', 'exam', examId, { compare }] as const,
};

/** A patient's perio exams, newest first. */
export function usePerioExams(patientId: string) {
  return useQuery({
    queryKey: perioKeys.list(patientId),
    queryFn: ({ signal }) =>
      api.get<{ items: PerioExamListItem[] }>(`/api/patients/${enc(patientId)}/perio-exams`, { signal }),
    select: (r) => r.items ?? [],
    enabled: !!patientId,
  });
}

/** One exam; with `compare`, the sites that got worse by 2 mm or more since that older exam. */
export function usePerioExam(examId: string | null, compare: string | null = null) {
  return useQuery({
    queryKey: perioKeys.exam(examId ?? '', compare),
    queryFn: ({ signal }) =>
      api.get<PerioExamWithComparison>(`/api/perio-exams/${enc(examId!)}`, {
        query: { compare: compare || undefined },
        signal,
      }),
    enabled: !!examId,
  });
}

export function useRecordPerioExam(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { teeth: PerioToothInput[] }) =>
      api.post<PerioExam>(`/api/patients/${enc(patientId)}/perio-exams`, input),
    onSuccess: () => client.invalidateQueries({ queryKey: perioKeys.list(patientId) }),
  });
}
