import { useInfiniteQuery, useMutation, type InfiniteData } from '@tanstack/react-query';
import { api, type ListResponse } from '../lib/api';

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
export function useAuditLogs(filter: AuditFilter) {
  const query = useInfiniteQuery({
    queryKey: auditKeys.list(filter),
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
