import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../lib/api';
import { fetchBlob } from '../lib/download';
import { addDays, formatCalendarDate, parseDate } from '../lib/time';
import { formatMoney } from './plans';

// ---------- shapes (GET /api/reports/{name}?from=&to=; issue 14 item 2) ----------

export type ReportName = 'production' | 'production-daily' | 'appointments' | 'utilization' | 'ar-aging' | 'recall' | 'new-patients';

/** A report's value: a string, a count, cents, minutes, a rate (0–1, 4 decimals) or null (a rate over nothing). */
export type ReportValue = string | number | null;

/** `{"rows":[{column: value}],"totals":{…}}`, columns in the report's order. */
export interface ReportResult {
  rows: Record<string, ReportValue>[];
  totals: Record<string, unknown>;
}

/** Local dates (YYYY-MM-DD) in the clinic's zone, both inclusive. */
export interface Period {
  from: string;
  to: string;
}

export type ColumnKind = 'text' | 'date' | 'count' | 'cents' | 'minutes' | 'rate';

export interface ReportColumn {
  key: string;
  label: string;
  kind: ColumnKind;
}

export interface ReportInfo {
  name: ReportName;
  label: string;
  description: string;
  /** False for the aging, which is as of now. */
  needsPeriod: boolean;
  columns: ReportColumn[];
  /** Totals that are not a column's (e.g. the recall's counts by status). */
  summary?: ReportColumn[];
}

const c = (key: string, label: string, kind: ColumnKind): ReportColumn => ({ key, label, kind });

/** The reports in the order a practice reads them (ids like providerId are not shown). */
export const REPORTS: ReportInfo[] = [
  {
    name: 'production',
    label: 'Production',
    description: 'Completed procedures and their charges by provider and procedure category.',
    needsPeriod: true,
    columns: [c('provider', 'Provider', 'text'), c('category', 'Category', 'text'), c('procedures', 'Procedures', 'count'), c('amountCents', 'Amount', 'cents')],
  },
  {
    name: 'production-daily',
    label: 'Production by day',
    description: 'Completed procedures and their charges per day.',
    needsPeriod: true,
    columns: [c('date', 'Date', 'date'), c('procedures', 'Procedures', 'count'), c('amountCents', 'Amount', 'cents')],
  },
  {
    name: 'appointments',
    label: 'Appointments',
    description: 'Bookings per day with completion, no-show and late-cancel rates.',
    needsPeriod: true,
    columns: [
      c('date', 'Date', 'date'),
      c('booked', 'Booked', 'count'),
      c('completed', 'Completed', 'count'),
      c('noShows', 'No-shows', 'count'),
      c('cancelled', 'Cancelled', 'count'),
      c('lateCancels', 'Late cancels', 'count'),
      c('completionRate', 'Completion rate', 'rate'),
      c('noShowRate', 'No-show rate', 'rate'),
      c('lateCancelRate', 'Late-cancel rate', 'rate'),
    ],
  },
  {
    name: 'utilization',
    label: 'Chair utilisation',
    description: 'Booked minutes ÷ open minutes per chair.',
    needsPeriod: true,
    columns: [c('operatory', 'Chair', 'text'), c('openMinutes', 'Open', 'minutes'), c('bookedMinutes', 'Booked', 'minutes'), c('utilization', 'Utilisation', 'rate')],
  },
  {
    name: 'ar-aging',
    label: 'Receivables aging',
    description: 'Every open patient balance by age, as of now.',
    needsPeriod: false,
    columns: [
      c('patient', 'Patient', 'text'),
      c('0-30', '0–30 days', 'cents'),
      c('31-60', '31–60 days', 'cents'),
      c('61-90', '61–90 days', 'cents'),
      c('90+', 'Over 90 days', 'cents'),
      c('totalCents', 'Total', 'cents'),
    ],
    summary: [c('patients', 'Patients with a balance', 'count')],
  },
  {
    name: 'recall',
    label: 'Recall',
    description: 'Patients whose recall falls due in the period: scheduled, due or overdue.',
    needsPeriod: true,
    columns: [c('patient', 'Patient', 'text'), c('dueDate', 'Due', 'date'), c('status', 'Status', 'text'), c('nextVisit', 'Next visit', 'date')],
    summary: [
      c('patients', 'Patients due', 'count'),
      c('scheduled', 'Scheduled', 'count'),
      c('due', 'Due', 'count'),
      c('overdue', 'Overdue', 'count'),
      c('scheduledRate', 'Scheduled rate', 'rate'),
    ],
  },
  {
    name: 'new-patients',
    label: 'New patients',
    description: 'Patient records created per day.',
    needsPeriod: true,
    columns: [c('date', 'Date', 'date'), c('newPatients', 'New patients', 'count')],
  },
];

export function reportInfo(name: string): ReportInfo | undefined {
  return REPORTS.find((r) => r.name === name);
}

export const RECALL_STATUS_LABELS: Record<string, string> = { scheduled: 'Scheduled', due: 'Due', overdue: 'Overdue' };

// ---------- periods ----------

/** The 30 days ending today (clinic-local). */
export function last30Days(today: string): Period {
  return { from: addDays(today, -29), to: today };
}

/** From the 1st of today's month to today. */
export function thisMonth(today: string): Period {
  const [y, m] = parseDate(today);
  return { from: formatCalendarDate(y, m, 1), to: today };
}

// ---------- requests ----------

const reportPath = (name: ReportName) => `/api/reports/${encodeURIComponent(name)}`;

function periodQuery(name: ReportName, period: Period) {
  return reportInfo(name)?.needsPeriod === false ? {} : { from: period.from, to: period.to };
}

export const reportKeys = {
  all: ['reports'] as const,
  report: (name: ReportName, period: Period) => ['reports', name, periodQuery(name, period)] as const,
};

export function fetchReport(name: ReportName, period: Period, signal?: AbortSignal): Promise<ReportResult> {
  return api.get<ReportResult>(reportPath(name), { query: periodQuery(name, period), signal });
}

/** One report over one period; the previous table stays while the next loads. */
export function useReport(name: ReportName, period: Period, enabled = true) {
  return useQuery({
    queryKey: reportKeys.report(name, period),
    queryFn: ({ signal }) => fetchReport(name, period, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** The report as the server's CSV (Accept: text/csv). */
export function fetchReportCsv(name: ReportName, period: Period): Promise<Blob> {
  const q = new URLSearchParams(periodQuery(name, period)).toString();
  return fetchBlob(reportPath(name) + (q ? `?${q}` : ''), 'text/csv');
}

/** `<name>-<from>-<to>.csv` as the server names it (`ar-aging.csv` without a period). */
export function reportFileName(name: ReportName, period: Period): string {
  return reportInfo(name)?.needsPeriod === false ? `${name}.csv` : `${name}-${period.from}-${period.to}.csv`;
}

// ---------- words ----------

/** A report value as a table cell shows it ('—' for a rate over nothing). */
export function formatReportValue(kind: ColumnKind, value: unknown, currency = 'USD'): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value !== 'number') return kind === 'text' ? (RECALL_STATUS_LABELS[String(value)] ?? String(value)) : String(value);
  switch (kind) {
    case 'cents':
      return formatMoney(value, currency);
    case 'rate':
      return `${(value * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;
    case 'minutes':
      return `${value.toLocaleString('en-US')} min`;
    default:
      return value.toLocaleString('en-US');
  }
}

const dateFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });

/** A local date with its year: `"Jan 6, 2031"`. */
export function formatReportDate(date: string): string {
  const [y, m, d] = parseDate(date);
  return dateFormat.format(new Date(Date.UTC(y, m - 1, d, 12)));
}
