import { useInfiniteQuery, useMutation, type InfiniteData } from '@tanstack/react-query';
import { api, type ListResponse } from '../lib/api';
import { addDays, isCalendarDate, zonedTimeToUtc } from '../lib/time';

/** One record of the clinic's audit trail (shared/audit.Record). */
export interface AuditRecord {
  id: string;
  seq: number;
  actorId: string;
  actorRole: string;
  action: string;
  resource: string;
  patientId: string;
  requestId: string;
  ip: string;
  outcome: string;
  detail: string;
  at: string;
  patientIds?: string[];
}

/** GET /api/audit-logs filters: equality on patient, user and action; from inclusive, to exclusive (RFC 3339). */
export interface AuditFilter {
  patientId?: string;
  userId?: string;
  action?: string;
  from?: string;
  to?: string;
}

/** GET /api/audit-logs?verify=true (audit.Verification). */
export interface AuditVerification {
  ok: boolean;
  checked: number;
  unkeyed?: number;
  brokenAtSeq?: number;
  problem?: string;
}

export const AUDIT_PAGE_SIZE = 50;

export const auditKeys = {
  all: ['audit-logs'] as const,
  list: (f: AuditFilter) =>
    ['audit-logs', 'list', f.patientId ?? '', f.userId ?? '', f.action ?? '', f.from ?? '', f.to ?? ''] as const,
};

function allItems<T>(data: InfiniteData<ListResponse<T>> | undefined): T[] {
  return data?.pages.flatMap((p) => p.items ?? []) ?? [];
}

/** The trail newest first, a page at a time ("Load more" follows the cursor). */
export function useAuditLogs(filter: AuditFilter, enabled = true) {
  const query = useInfiniteQuery({
    queryKey: auditKeys.list(filter),
    enabled,
    queryFn: ({ signal, pageParam }) =>
      api.get<ListResponse<AuditRecord>>('/api/audit-logs', {
        signal,
        query: { ...filter, cursor: pageParam || undefined, limit: AUDIT_PAGE_SIZE },
      }),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.nextCursor || undefined,
    // Every read is itself audited: no refetch on focus adding records.
    refetchOnWindowFocus: false,
    staleTime: 30_000,
  });
  return { ...query, items: allItems(query.data) };
}

/** Checks the whole chain; the check is recorded in the trail too. */
export function useVerifyAuditChain() {
  return useMutation({
    meta: { inlineErrors: true },
    mutationFn: () => api.get<AuditVerification>('/api/audit-logs', { query: { verify: true } }),
  });
}

export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'actorId',
  'actorRole',
  'action',
  'resource',
  'patientId',
  'outcome',
  'detail',
  'requestId',
  'ip',
] as const;

function csvCell(value: unknown): string {
  const s = value == null ? '' : String(value);
  // A leading = + - @ would be a formula in a spreadsheet: quote it with a '.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The records as CSV (RFC 4180, CRLF), one header row. */
export function auditCsv(records: AuditRecord[]): string {
  const rows = [AUDIT_CSV_COLUMNS.join(',')];
  for (const r of records) rows.push(AUDIT_CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return rows.join('\r\n') + '\r\n';
}

/** Actions the trail records, for the filter's suggestions (any other action can be typed). */
export const AUDIT_ACTIONS: readonly { value: string; label: string }[] = [
  { value: 'auth.login', label: 'Sign-in' },
  { value: 'auth.logout', label: 'Sign-out' },
  { value: 'auth.refresh_reuse', label: 'Stolen session token refused' },
  { value: 'auth.password_forgot', label: 'Password reset asked' },
  { value: 'auth.password_reset', label: 'Password reset' },
  { value: 'auth.password_change', label: 'Password changed' },
  { value: 'auth.mfa_enabled', label: 'Two-step sign-in turned on' },
  { value: 'auth.session_revoke', label: 'Own session ended' },
  { value: 'authz.denied', label: 'Access refused' },
  { value: 'user.create', label: 'User created or invited' },
  { value: 'user.update', label: 'User role or status changed' },
  { value: 'user.mfa_reset', label: 'Two-step sign-in reset' },
  { value: 'user.sessions_revoke', label: 'User signed out everywhere' },
  { value: 'clinic.update', label: 'Clinic settings changed' },
  { value: 'provider.create', label: 'Provider added' },
  { value: 'provider.update', label: 'Provider changed' },
  { value: 'provider.hours', label: 'Provider’s hours changed' },
  { value: 'provider.time_off', label: 'Provider’s time off added' },
  { value: 'operatory.create', label: 'Chair added' },
  { value: 'operatory.update', label: 'Chair changed' },
  { value: 'appointment_type.create', label: 'Appointment type added' },
  { value: 'appointment_type.update', label: 'Appointment type changed' },
  { value: 'patient.read', label: 'Patient record viewed' },
  { value: 'patient.search', label: 'Patients searched' },
  { value: 'patient.update', label: 'Patient record changed' },
  { value: 'chart.read', label: 'Chart viewed' },
  { value: 'chart.write', label: 'Chart changed' },
  { value: 'consent.sign', label: 'Consent signed' },
  { value: 'fhir.export', label: 'Record exported (FHIR)' },
  { value: 'report.read', label: 'Report viewed' },
  { value: 'audit.read', label: 'Audit trail viewed' },
  { value: 'audit.verify', label: 'Audit chain verified' },
];

/** The label of a known action, else the action itself. */
export function auditActionLabel(action: string): string {
  return AUDIT_ACTIONS.find((a) => a.value === action)?.label ?? action;
}

/**
 * The clinic-local calendar days `fromDate`..`toDate` (both included, either
 * may be empty) as the API's RFC 3339 `from` (inclusive) and `to`
 * (exclusive: the next local midnight), right across DST changes.
 */
export function auditRange(fromDate: string, toDate: string, timeZone: string): Pick<AuditFilter, 'from' | 'to'> {
  const out: Pick<AuditFilter, 'from' | 'to'> = {};
  if (isCalendarDate(fromDate)) out.from = zonedTimeToUtc(fromDate, 0, timeZone).toISOString();
  if (isCalendarDate(toDate)) out.to = zonedTimeToUtc(addDays(toDate, 1), 0, timeZone).toISOString();
  return out;
}
