import { useId, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PatientHeader } from '../../components/PatientHeader';
import { Skeleton } from '../../components/Skeleton';
import {
  missingTeeth,
  useChart,
  usePerioExam,
  usePerioExams,
  useRecordPerioExam,
  type PerioExam,
  type PerioExamListItem,
  type PerioSummary,
} from '../../api/chart';
import { usePatient } from '../../api/patients';
import { isApiError } from '../../lib/api';
import { toothLabel, type Numbering } from '../../lib/teeth';
import { formatDateTime } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { CHART_ROLES } from './ChartPage';
import { usePerioDraftStore } from './perioDraft';
import { cellKey, DEEP_MM, examInput } from './perioModel';
import { PerioGrid } from './PerioGrid';
import { patientPending } from '../../components/PatientPending';

const NO_TEETH: ReadonlySet<string> = new Set();

/** `/patients/:id/perio`: chairside probing, the exams so far, and what got worse. */
export default function PerioPage() {
  const { id = '' } = useParams();
  const role = useSessionStore((s) => s.user?.role);
  const patient = usePatient(id);

  if (role && !CHART_ROLES.includes(role)) {
    return (
      <main id="main" className="page">
        <h1>Perio</h1>
        <p>Perio charting is for the dentists, hygienists and assistants.</p>
        <p>
          <Link to={`/patients/${encodeURIComponent(id)}`}>Back to the patient’s profile</Link>
        </p>
      </main>
    );
  }
  if (patient.isError) return patientPending(patient, 'Perio');
  return (
    <main id="main" className="page page--wide perio-page">
      {patient.data ? (
        <PatientHeader patient={patient.data} role={role} section="Perio" />
      ) : (
        <>
          <h1 className="visually-hidden">Perio</h1>
          <Skeleton lines={3} label="Loading the patient…" />
        </>
      )}
      <Perio patientId={id} />
    </main>
  );
}

function summaryText(s: PerioSummary): string {
  return `${s.teeth} ${s.teeth === 1 ? 'tooth' : 'teeth'}, ${s.sites} ${s.sites === 1 ? 'site' : 'sites'}, ${s.bleedingSites} bleeding, ${s.deepSites} at ${DEEP_MM} mm or deeper`;
}

function Perio({ patientId }: { patientId: string }) {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const clinicNumbering = useSessionStore((s) => s.clinic?.settings.toothNumbering);
  const chart = useChart(patientId);
  const exams = usePerioExams(patientId);
  const record = useRecordPerioExam(patientId);
  const draft = usePerioDraftStore((s) => s.drafts[patientId]);
  const clearDraft = usePerioDraftStore((s) => s.clear);
  const numbering: Numbering = chart.data?.numbering ?? clinicNumbering ?? 'universal';
  const missing = useMemo(() => (chart.data ? missingTeeth(chart.data.entries) : NO_TEETH), [chart.data]);
  const [saved, setSaved] = useState<{ exam: PerioExam; draft: unknown } | null>(null);
  const [error, setError] = useState<{ message: string; items: string[]; ref?: string | undefined } | null>(null);
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const [compare, setCompare] = useState<{ examId: string; againstId: string } | null>(null);
  const saveRef = useRef<HTMLButtonElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const body = examInput(draft ?? {}, missing);
  const unchanged = saved !== null && saved.draft === draft;

  async function save() {
    setError(null);
    setInvalid(new Set());
    if (body.teeth.length === 0) {
      setError({ message: 'Nothing to save yet: type a probing depth in at least one site.', items: [] });
      return;
    }
    try {
      const exam = await record.mutateAsync(body);
      setSaved({ exam, draft });
      toastSuccess(`Perio exam saved: ${summaryText(exam.summary)}.`);
    } catch (err) {
      const items: string[] = [];
      const bad = new Set<string>();
      if (isApiError(err)) {
        for (const f of err.fields) {
          // "teeth[3].sites[1].depth" → the tooth and site that were sent there.
          const m = /^teeth\[(\d+)\](?:\.sites\[(\d+)\])?\.?(\w+)?/.exec(f.field);
          const tooth = m ? body.teeth[Number(m[1])] : undefined;
          const site = tooth && m?.[2] !== undefined ? tooth.sites[Number(m[2])] : undefined;
          if (tooth && site && (m?.[3] === 'depth' || m?.[3] === 'margin')) bad.add(cellKey(m[3], { tooth: tooth.tooth, site: site.site }));
          const where = tooth ? `Tooth ${toothLabel(tooth.tooth, numbering)}${site ? ` ${site.site}` : ''}${m?.[3] ? ` ${m[3]}` : ''}` : f.field;
          items.push(`${where}: ${f.message}`);
        }
      }
      setInvalid(bad);
      setError({
        message: err instanceof Error ? err.message : 'Could not save the exam.',
        items,
        ref: isApiError(err) ? err.requestId : undefined,
      });
      requestAnimationFrame(() => errorRef.current?.focus());
    }
  }

  function startNew() {
    clearDraft(patientId);
    setSaved(null);
    setCompare(null);
    setError(null);
  }

  const list = exams.data ?? [];
  const previousOf = (examId: string, recordedAt: string): PerioExamListItem | undefined =>
    list.find((e) => e.id !== examId && e.recordedAt < recordedAt);
  const previousOfSaved = saved ? previousOf(saved.exam.id, saved.exam.recordedAt) : undefined;

  return (
    <>
      <details className="perio-help">
        <summary>How to chart (keys and order)</summary>
        <ul>
          <li>
            Type one digit per site (0–9 mm): it is stored and the next site is focused. For 10–15 mm type <kbd>+</kbd> then
            the second digit (<kbd>+</kbd><kbd>2</kbd> = 12 mm).
          </li>
          <li>
            <kbd>b</kbd> bleeding, <kbd>s</kbd> suppuration on the current site. <kbd>Backspace</kbd> goes back a site,{' '}
            <kbd>Delete</kbd> clears it, <kbd>Enter</kbd> or <kbd>Space</kbd> skips it. Arrow keys move around the grid.
          </li>
          <li>
            Order: facial of the upper arch from tooth {toothLabel('1', numbering)} to {toothLabel('16', numbering)}, then its
            lingual back; facial of the lower arch from {toothLabel('17', numbering)} to {toothLabel('32', numbering)}, then its
            lingual back. Each tooth’s three sites in the direction of travel. Missing teeth are skipped.
          </li>
          <li>
            After the last depth the margins follow in the same order (recession positive, overgrowth with <kbd>-</kbd> first).
            Sites at {DEEP_MM} mm or deeper are marked ▲; bleeding B, suppuration S. CAL = depth + margin.
          </li>
        </ul>
      </details>

      {chart.isError && (
        <ErrorNotice
          error={chart.error}
          title="Could not load the chart, so missing teeth are not skipped"
          onRetry={() => void chart.refetch()}
        />
      )}
      {chart.isPending ? (
        <Skeleton lines={6} label="Loading the chart…" />
      ) : (
        <section className="card perio-card" aria-labelledby={`${id}-grid`}>
          <h2 id={`${id}-grid`} className="section-title">
            New exam
          </h2>
          <PerioGrid patientId={patientId} numbering={numbering} missing={missing} invalid={invalid} onDone={() => saveRef.current?.focus()} />
          {error && (
            <div className="form-error" role="alert" tabIndex={-1} ref={errorRef}>
              <p>{error.message}</p>
              {error.items.length > 0 && (
                <ul>
                  {error.items.map((m) => (
                    <li key={m}>{m}</li>
                  ))}
                </ul>
              )}
              {error.ref && <span className="form-error__ref">Reference: {error.ref}</span>}
            </div>
          )}
          <div className="button-row perio-actions">
            <button ref={saveRef} type="button" className="button-primary" onClick={() => void save()} disabled={record.isPending || unchanged}>
              {record.isPending ? 'Saving…' : unchanged ? 'Saved' : 'Save exam'}
            </button>
            <span className="muted">
              {body.teeth.length} {body.teeth.length === 1 ? 'tooth' : 'teeth'},{' '}
              {body.teeth.reduce((n, t) => n + t.sites.length, 0)} sites entered
            </span>
            {draft && (
              <button type="button" className="button-secondary" onClick={startNew}>
                {saved ? 'Start a new exam' : 'Clear'}
              </button>
            )}
          </div>
          {saved && (
            <div className="notice notice--info perio-summary" role="status">
              <p className="notice__title">Exam saved {formatDateTime(saved.exam.recordedAt, timeZone)}</p>
              <p>{summaryText(saved.exam.summary)}.</p>
              {previousOfSaved ? (
                <button
                  type="button"
                  className="button-secondary"
                  onClick={() => setCompare({ examId: saved.exam.id, againstId: previousOfSaved.id })}
                >
                  Compare with previous exam
                </button>
              ) : (
                <p className="muted">This is the patient’s first perio exam: nothing to compare with.</p>
              )}
            </div>
          )}
        </section>
      )}

      {compare && <Comparison examId={compare.examId} againstId={compare.againstId} numbering={numbering} timeZone={timeZone} list={list} />}

      <section className="card perio-exams" aria-labelledby={`${id}-exams`}>
        <h2 id={`${id}-exams`} className="section-title">
          Exams
        </h2>
        {exams.isError ? (
          <ErrorNotice error={exams.error} title="Could not load the exams" onRetry={() => void exams.refetch()} />
        ) : exams.isPending ? (
          <Skeleton lines={2} label="Loading the exams…" />
        ) : list.length === 0 ? (
          <p className="muted">No perio exams yet.</p>
        ) : (
          <div className="chart-entries__scroll">
            <table className="chart-table">
              <thead>
                <tr>
                  <th scope="col">Recorded</th>
                  <th scope="col">Teeth</th>
                  <th scope="col">Sites</th>
                  <th scope="col">Bleeding</th>
                  <th scope="col">≥ {DEEP_MM} mm</th>
                  <th scope="col">
                    <span className="visually-hidden">Compare</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => {
                  const previous = previousOf(e.id, e.recordedAt);
                  const when = formatDateTime(e.recordedAt, timeZone);
                  return (
                    <tr key={e.id}>
                      <th scope="row">
                        <time dateTime={e.recordedAt}>{when}</time>
                      </th>
                      <td>{e.summary.teeth}</td>
                      <td>{e.summary.sites}</td>
                      <td>{e.summary.bleedingSites}</td>
                      <td>{e.summary.deepSites}</td>
                      <td>
                        {previous && (
                          <button type="button" className="button-ghost" onClick={() => setCompare({ examId: e.id, againstId: previous.id })}>
                            Compare with previous<span className="visually-hidden"> (exam of {when})</span>
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** The sites whose attachment got worse by 2 mm or more since the older exam. */
function Comparison({
  examId,
  againstId,
  numbering,
  timeZone,
  list,
}: {
  examId: string;
  againstId: string;
  numbering: Numbering;
  timeZone: string;
  list: PerioExamListItem[];
}) {
  const id = useId();
  const exam = usePerioExam(examId, againstId);
  const against = list.find((e) => e.id === againstId);
  const worse = exam.data?.comparison?.worse ?? [];
  const since = against ? formatDateTime(against.recordedAt, timeZone) : 'the previous exam';
  return (
    <section className="card perio-compare" aria-labelledby={`${id}-title`} aria-live="polite">
      <h2 id={`${id}-title`} className="section-title">
        Worse by 2 mm or more since {since}
      </h2>
      {exam.isError ? (
        <ErrorNotice error={exam.error} title="Could not compare the exams" onRetry={() => void exam.refetch()} />
      ) : exam.isPending ? (
        <Skeleton lines={2} label="Comparing…" />
      ) : worse.length === 0 ? (
        <p>No site lost 2 mm or more of attachment.</p>
      ) : (
        <table className="chart-table">
          <caption className="visually-hidden">
            {worse.length} {worse.length === 1 ? 'site' : 'sites'} worse (clinical attachment level, mm)
          </caption>
          <thead>
            <tr>
              <th scope="col">Tooth</th>
              <th scope="col">Site</th>
              <th scope="col">Before (CAL)</th>
              <th scope="col">Now (CAL)</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {worse.map((w) => (
              <tr key={`${w.tooth}-${w.site}`}>
                <th scope="row">{toothLabel(w.tooth, numbering)}</th>
                <td>{w.site}</td>
                <td>{w.before} mm</td>
                <td>{w.after} mm</td>
                <td>
                  <strong>
                    <span aria-hidden="true">▲ </span>+{w.change} mm
                  </strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
