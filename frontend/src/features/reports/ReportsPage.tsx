import { useId, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  fetchReportCsv,
  formatReportDate,
  formatReportValue,
  last30Days,
  reportFileName,
  reportInfo,
  REPORTS,
  thisMonth,
  useReport,
  type Period,
  type ReportName,
} from '../../api/reports';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { ReportTable } from '../../components/ReportTable';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { saveBlob } from '../../lib/download';
import { useSessionStore, useClinicTimeZone } from '../../lib/session';
import { isCalendarDate, todayInZone } from '../../lib/time';
import './reports.css';

/** What is wrong with the period before asking the server, per field. */
function periodProblems(p: Period): { from?: string; to?: string } {
  if (!isCalendarDate(p.from)) return { from: 'Enter a date.' };
  if (!isCalendarDate(p.to)) return { to: 'Enter a date.' };
  if (p.to < p.from) return { to: 'Must not be before the start date.' };
  return {};
}

/** `/reports` (admins and dentists): the practice's figures over a period, as a table and as CSV. */
export default function ReportsPage() {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const currency = useSessionStore((s) => s.clinic?.settings.currency);
  const today = todayInZone(timeZone);
  const [params, setParams] = useSearchParams();
  const info = reportInfo(params.get('report') ?? '') ?? REPORTS[0]!;
  const fallback = last30Days(today);
  const period: Period = { from: params.get('from') ?? fallback.from, to: params.get('to') ?? fallback.to };
  const problems = info.needsPeriod ? periodProblems(period) : {};
  const valid = !problems.from && !problems.to;
  const report = useReport(info.name, period, valid);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);

  function update(next: Partial<{ report: ReportName } & Period>) {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) p.set(k, v);
    setParams(p, { replace: true });
    setDownloadError(null);
  }

  async function downloadCsv() {
    setDownloading(true);
    setDownloadError(null);
    try {
      saveBlob(await fetchReportCsv(info.name, period), reportFileName(info.name, period));
    } catch (e) {
      setDownloadError(e);
    } finally {
      setDownloading(false);
    }
  }

  const serverError = report.error;
  const fieldError = (f: 'from' | 'to') =>
    problems[f] ?? (isApiError(serverError) ? serverError.fieldMessage(f) : undefined);
  const hasFieldErrors = isApiError(serverError) && (serverError.hasField('from') || serverError.hasField('to'));
  const data = valid ? report.data : undefined;
  const periodText = info.needsPeriod
    ? `${formatReportDate(period.from)} – ${formatReportDate(period.to)}`
    : `as of ${formatReportDate(today)}`;
  const summary = (info.summary ?? []).filter((c) => data?.totals[c.key] !== undefined);

  return (
    <main id="main" className="page reports">
      <div className="page__header">
        <h1>Reports</h1>
        <p className="lead">The practice’s figures over a period, in the clinic’s time zone ({timeZone}).</p>
      </div>

      <form className="reports__controls" onSubmit={(e) => e.preventDefault()} aria-label="Report and period">
        <div className="field">
          <label htmlFor={`${id}-report`}>Report</label>
          <select id={`${id}-report`} value={info.name} onChange={(e) => update({ report: e.target.value as ReportName })}>
            {REPORTS.map((r) => (
              <option key={r.name} value={r.name}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {info.needsPeriod && (
          <>
            <Field label="From" type="date" value={period.from} max={period.to || undefined} error={fieldError('from')} onChange={(e) => update({ from: e.target.value })} />
            <Field label="To" type="date" value={period.to} min={period.from || undefined} error={fieldError('to')} onChange={(e) => update({ to: e.target.value })} />
            <div className="reports__presets" role="group" aria-label="Period presets">
              <button type="button" className="button-secondary" onClick={() => update(last30Days(today))}>
                Last 30 days
              </button>
              <button type="button" className="button-secondary" onClick={() => update(thisMonth(today))}>
                This month
              </button>
            </div>
          </>
        )}
      </form>
      <p className="muted reports__description">{info.description}</p>

      {!valid ? null : report.isError && !hasFieldErrors ? (
        <ErrorNotice error={report.error} title="Could not load the report" onRetry={() => void report.refetch()} />
      ) : report.isError ? null : !data ? (
        <Skeleton lines={6} label="Loading the report…" />
      ) : (
        <section aria-labelledby={`${id}-result`} className="reports__result">
          <div className="reports__result-head">
            <h2 id={`${id}-result`}>
              {info.label} <span className="muted">{periodText}</span>
            </h2>
            <button type="button" className="button-secondary" onClick={() => void downloadCsv()} disabled={downloading}>
              {downloading ? 'Preparing CSV…' : 'Download CSV'}
            </button>
          </div>
          {downloadError !== null && <ErrorNotice error={downloadError} title="Could not download the CSV" />}
          {summary.length > 0 && (
            <dl className="reports__summary">
              {summary.map((c) => (
                <div key={c.key}>
                  <dt>{c.label}</dt>
                  <dd>{formatReportValue(c.kind, data.totals[c.key], currency)}</dd>
                </div>
              ))}
            </dl>
          )}
          {data.rows.length === 0 ? (
            <p className="notice notice--info">Nothing to report for this period.</p>
          ) : (
            <ReportTable
              caption={`${info.label}, ${periodText}`}
              columns={info.columns}
              rows={data.rows}
              totals={data.totals}
              currency={currency}
            />
          )}
          <p className="visually-hidden" role="status">
            {report.isFetching ? 'Updating the report…' : `${data.rows.length} rows`}
          </p>
        </section>
      )}
    </main>
  );
}
