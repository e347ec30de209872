import { useId, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  AUDIT_ACTIONS,
  auditActionLabel,
  auditCsv,
  auditRange,
  useAuditLogs,
  useVerifyAuditChain,
  type AuditFilter,
  type AuditRecord,
  type AuditVerification,
} from '../../api/audit';
import { usePatient, usePatientNames, usePatientSearch } from '../../api/patients';
import { ROLE_LABELS, userName, useStaffUsers, type StaffUser } from '../../api/users';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { saveBlob } from '../../lib/download';
import { useClinicTimeZone } from '../../lib/session';
import { dateInZone, formatTime, isCalendarDate, todayInZone } from '../../lib/time';
import { patientDisplayName, type Role } from '../../lib/types';
import { useDebouncedValue } from '../../lib/useDebouncedValue';
import '../../components/reportTable.css';
import './audit.css';

type Param = 'patientId' | 'userId' | 'action' | 'from' | 'to';

/** What is wrong with the date range before asking the server. */
function rangeProblems(from: string, to: string): { from?: string; to?: string } {
  if (from && !isCalendarDate(from)) return { from: 'Enter a date.' };
  if (to && !isCalendarDate(to)) return { to: 'Enter a date.' };
  if (from && to && to < from) return { to: 'Must not be before the start date.' };
  return {};
}

/**
 * `/admin/audit` (admins): the clinic's audit trail filtered by patient, user,
 * action and dates (kept in the URL), a page at a time, with the chain's
 * check and the loaded rows as CSV. Every listing and check is itself audited.
 */
export default function AuditPage() {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const [params, setParams] = useSearchParams();
  const get = (k: Param) => params.get(k) ?? '';
  const [fromDate, toDate] = [get('from'), get('to')];
  const problems = rangeProblems(fromDate, toDate);
  const valid = !problems.from && !problems.to;
  const filter: AuditFilter = {
    ...(get('patientId') && { patientId: get('patientId') }),
    ...(get('userId') && { userId: get('userId') }),
    ...(get('action') && { action: get('action') }),
    ...(valid ? auditRange(fromDate, toDate, timeZone) : {}),
  };
  const logs = useAuditLogs(filter, valid);
  const staff = useStaffUsers();
  const [actionText, setActionText] = useState(get('action'));

  function update(next: Partial<Record<Param, string>>) {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    setParams(p, { replace: true });
  }

  function downloadCsv() {
    saveBlob(new Blob([auditCsv(logs.items)], { type: 'text/csv;charset=utf-8' }), `audit-log-${todayInZone(timeZone)}.csv`);
  }

  const serverError = logs.error;
  const fieldError = (f: 'from' | 'to') => problems[f] ?? (isApiError(serverError) ? serverError.fieldMessage(f) : undefined);
  const hasFieldErrors = isApiError(serverError) && (serverError.hasField('from') || serverError.hasField('to'));
  const anyFilter = (['patientId', 'userId', 'action', 'from', 'to'] as const).some((k) => get(k));

  return (
    <main id="main" className="page page--wide audit">
      <div className="page__header">
        <h1>Audit log</h1>
        <p className="lead">
          Who did what, and when: every sign-in, every record read or changed, every refusal. Times are in the clinic’s time zone (
          {timeZone}). Viewing this log is recorded in it too.
        </p>
      </div>

      <VerifyChain />

      <form className="audit__filters form-card" onSubmit={(e) => e.preventDefault()} aria-labelledby={`${id}-filters`}>
        <h2 id={`${id}-filters`} className="section-title">
          Filters
        </h2>
        <div className="audit__filter-grid">
          <PatientFilter patientId={get('patientId')} onChange={(patientId) => update({ patientId })} />
          <div className="field">
            <label htmlFor={`${id}-user`}>User</label>
            <select id={`${id}-user`} value={get('userId')} onChange={(e) => update({ userId: e.target.value })}>
              <option value="">Anyone</option>
              {(staff.data ?? []).map((u) => (
                <option key={u.id} value={u.id}>
                  {userName(u)} ({ROLE_LABELS[u.role]})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-action`}>Action</label>
            <input
              id={`${id}-action`}
              list={`${id}-actions`}
              value={actionText}
              spellCheck={false}
              autoComplete="off"
              placeholder="Any action"
              aria-describedby={`${id}-action-hint`}
              onChange={(e) => {
                setActionText(e.target.value);
                const known = AUDIT_ACTIONS.some((a) => a.value === e.target.value);
                if (known || e.target.value === '') update({ action: e.target.value });
              }}
              onBlur={() => update({ action: actionText.trim() })}
              onKeyDown={(e) => {
                if (e.key === 'Enter') update({ action: actionText.trim() });
              }}
            />
            <datalist id={`${id}-actions`}>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </datalist>
            <p id={`${id}-action-hint`} className="field__hint">
              Pick one, or type an exact action such as <code>patient.read</code>.
            </p>
          </div>
          <Field label="From" type="date" value={fromDate} max={toDate || undefined} error={fieldError('from')} onChange={(e) => update({ from: e.target.value })} />
          <Field label="To" type="date" value={toDate} min={fromDate || undefined} error={fieldError('to')} onChange={(e) => update({ to: e.target.value })} />
        </div>
        {anyFilter && (
          <div className="button-row">
            <button
              type="button"
              className="button-ghost"
              onClick={() => {
                setActionText('');
                setParams(new URLSearchParams(), { replace: true });
              }}
            >
              Clear filters
            </button>
          </div>
        )}
      </form>

      <section aria-labelledby={`${id}-records`} className="audit__records">
        <div className="audit__records-head">
          <h2 id={`${id}-records`}>Records</h2>
          <button type="button" className="button-secondary" onClick={downloadCsv} disabled={logs.items.length === 0}>
            Download CSV{logs.items.length > 0 ? ` (${logs.items.length} ${logs.items.length === 1 ? 'row' : 'rows'})` : ''}
          </button>
        </div>
        {!valid ? null : logs.isPending ? (
          <Skeleton lines={6} label="Loading the audit log…" />
        ) : logs.items.length === 0 && logs.isError ? (
          hasFieldErrors ? null : <ErrorNotice error={logs.error} title="Could not load the audit log" onRetry={() => void logs.refetch()} />
        ) : logs.items.length === 0 ? (
          <p className="notice notice--info">No records match these filters.</p>
        ) : (
          <>
            <RecordsTable records={logs.items} staff={staff.data ?? []} timeZone={timeZone} />
            {logs.isFetchNextPageError && <ErrorNotice error={logs.error} title="Could not load more records" />}
            <div className="button-row">
              {logs.hasNextPage ? (
                <button type="button" className="button-secondary" onClick={() => void logs.fetchNextPage()} disabled={logs.isFetchingNextPage}>
                  {logs.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              ) : (
                <p className="muted">That is every matching record.</p>
              )}
            </div>
          </>
        )}
        <p className="visually-hidden" role="status">
          {logs.isFetching ? 'Loading records…' : valid && !logs.isError ? `${logs.items.length} records shown` : ''}
        </p>
      </section>
    </main>
  );
}

/** Search a patient by name and pick one; the picked patient is shown by name with a way to clear it. */
function PatientFilter({ patientId, onChange }: { patientId: string; onChange: (id: string) => void }) {
  const id = useId();
  const [q, setQ] = useState('');
  const term = useDebouncedValue(q, 250);
  const search = usePatientSearch(term);
  const picked = usePatient(patientId || null);

  if (patientId) {
    const name = picked.data ? patientDisplayName(picked.data) : picked.isPending ? 'Loading…' : patientId;
    return (
      <div className="field audit__patient">
        <span className="field__label" id={`${id}-label`}>
          Patient
        </span>
        <p className="audit__picked" aria-labelledby={`${id}-label`}>
          <span>{name}</span>
          <button type="button" className="button-ghost" onClick={() => onChange('')} aria-label={`Clear the patient filter (${name})`}>
            Clear
          </button>
        </p>
      </div>
    );
  }
  const results = term.trim().length >= 2 ? (search.data ?? []) : [];
  return (
    <div className="field audit__patient">
      <label htmlFor={`${id}-q`}>Patient</label>
      <input
        id={`${id}-q`}
        type="search"
        value={q}
        autoComplete="off"
        placeholder="Search by name"
        aria-describedby={`${id}-results`}
        onChange={(e) => setQ(e.target.value)}
      />
      <div id={`${id}-results`} aria-live="polite">
        {term.trim().length >= 2 && search.isSuccess && results.length === 0 && <p className="field__hint">No patient matches “{term.trim()}”.</p>}
        {search.isError && <p className="field__error">Could not search the patients.</p>}
      </div>
      {results.length > 0 && (
        <ul className="audit__results" aria-label="Matching patients">
          {results.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="button-ghost"
                onClick={() => {
                  setQ('');
                  onChange(p.id);
                }}
              >
                {patientDisplayName(p)}
                {p.dateOfBirth && <span className="muted"> · born {p.dateOfBirth}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function who(r: AuditRecord, byId: Map<string, StaffUser>): string {
  const u = byId.get(r.actorId);
  if (u) return userName(u);
  const role = ROLE_LABELS[r.actorRole as Role];
  if (!r.actorId) return role ?? 'System';
  return role ? `${role} ${r.actorId}` : r.actorId;
}

function RecordsTable({ records, staff, timeZone }: { records: AuditRecord[]; staff: StaffUser[]; timeZone: string }) {
  const byId = new Map(staff.map((u) => [u.id, u]));
  const patientIds = [...new Set(records.map((r) => r.patientId).filter(Boolean))];
  const names = usePatientNames(patientIds);
  const patientName = (pid: string) => {
    const p = names.byId.get(pid);
    return p ? patientDisplayName(p) : pid;
  };
  return (
    <div className="report-table-wrap audit__table" tabIndex={0} role="region" aria-label="Audit records">
      <table className="report-table">
        <caption className="visually-hidden">Audit records, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Resource</th>
            <th scope="col">Patient</th>
            <th scope="col">Outcome</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.id || r.seq}>
              <td className="audit__when">
                <time dateTime={r.at}>
                  {dateInZone(r.at, timeZone)} {formatTime(r.at, timeZone)}
                </time>
              </td>
              <td>{who(r, byId)}</td>
              <td>
                {auditActionLabel(r.action)}
                {auditActionLabel(r.action) !== r.action && <code className="audit__code">{r.action}</code>}
              </td>
              <td className="break-anywhere">{r.resource}</td>
              <td>{r.patientId ? patientName(r.patientId) : '—'}</td>
              <td>
                <span className={`audit__outcome audit__outcome--${r.outcome}`}>{r.outcome}</span>
              </td>
              <td className="break-anywhere audit__detail">{r.detail || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function verificationText(v: AuditVerification): string {
  if (v.ok) return `The chain is intact: ${v.checked} records checked.`;
  return `The chain is broken at record ${v.brokenAtSeq ?? '?'}${v.problem ? ` (${v.problem})` : ''}; ${v.checked} records before it check out.`;
}

/** "Verify chain": checks every record's hash link and signature; the result is announced. */
function VerifyChain() {
  const verify = useVerifyAuditChain();
  const result = verify.data;
  return (
    <section className="audit__verify form-card" aria-labelledby="audit-verify">
      <div className="audit__records-head">
        <h2 id="audit-verify" className="section-title">
          Integrity
        </h2>
        <button type="button" className="button-secondary" onClick={() => verify.mutate()} disabled={verify.isPending}>
          {verify.isPending ? 'Verifying…' : 'Verify chain'}
        </button>
      </div>
      <p className="muted">Each record is chained to the one before it and signed; an edited or deleted record breaks the chain.</p>
      <div aria-live="polite" role="status">
        {verify.isPending ? (
          <p>Checking every record…</p>
        ) : result ? (
          <p className={`notice ${result.ok ? 'notice--info' : 'notice--error'}`}>{verificationText(result)}</p>
        ) : null}
      </div>
      {verify.error !== null && <ErrorNotice error={verify.error} title="Could not verify the chain" />}
    </section>
  );
}
