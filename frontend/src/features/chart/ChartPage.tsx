import { useId, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PatientHeader } from '../../components/PatientHeader';
import { Skeleton } from '../../components/Skeleton';
import { KIND_LABELS, STATUS_LABELS, useChart, type ChartEntry } from '../../api/chart';
import { usePatient } from '../../api/patients';
import { PERMANENT_TEETH, PRIMARY_TEETH, formatSurfaces, toothInfo, toothLabel, type Dentition, type Numbering, type Surface } from '../../lib/teeth';
import { formatDateTime, formatLongDate, todayInZone } from '../../lib/time';
import type { Role } from '../../lib/types';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { groupByTooth, STATUS_STYLE } from './model';
import { Odontogram } from './Odontogram';
import { ToothDialog } from './ToothDialog';
import { patientPending } from '../../components/PatientPending';

export const CHART_ROLES: readonly Role[] = ['admin', 'dentist', 'hygienist', 'assistant'];

const TOOTH_ORDER = [...PERMANENT_TEETH, ...PRIMARY_TEETH];

/** `/patients/:id/chart`: the odontogram, the chart as of a date, and the entries as a table. */
export default function ChartPage() {
  const { id = '' } = useParams();
  const role = useSessionStore((s) => s.user?.role);
  const patient = usePatient(id);

  if (role && !CHART_ROLES.includes(role)) {
    return (
      <main id="main" className="page">
        <h1>Chart</h1>
        <p>The clinical chart is for the dentists, hygienists and assistants.</p>
        <p>
          <Link to={`/patients/${encodeURIComponent(id)}`}>Back to the patient’s profile</Link>
        </p>
      </main>
    );
  }
  if (patient.isError) return patientPending(patient, 'Chart');
  return (
    <main id="main" className="page chart-page">
      {patient.data ? (
        <PatientHeader patient={patient.data} role={role} section="Chart" />
      ) : (
        <>
          <h1 className="visually-hidden">Chart</h1>
          <Skeleton lines={3} label="Loading the patient…" />
        </>
      )}
      <Chart patientId={id} />
    </main>
  );
}

function Chart({ patientId }: { patientId: string }) {
  const id = useId();
  const timeZone = useClinicTimeZone();
  const clinicNumbering = useSessionStore((s) => s.clinic?.settings.toothNumbering);
  const today = todayInZone(timeZone);
  const [asOf, setAsOf] = useState('');
  const [dentition, setDentition] = useState<Dentition | null>(null);
  const [open, setOpen] = useState<{ tooth: string; surface?: Surface } | null>(null);
  const pastDate = asOf && asOf < today ? asOf : '';
  const chart = useChart(patientId, { asOf: pastDate || null });
  const numbering: Numbering = chart.data?.numbering ?? clinicNumbering ?? 'universal';
  const entries = chart.data?.entries ?? [];
  const byTooth = groupByTooth(entries);
  // Primary teeth when the chart only has primary teeth on it (a child); the toggle decides after that.
  const shown: Dentition =
    dentition ?? (entries.length > 0 && entries.every((e) => toothInfo(e.tooth)?.dentition === 'primary') ? 'primary' : 'permanent');

  return (
    <>
      <div className="chart-toolbar">
        <div className="chart-toolbar__group" role="group" aria-labelledby={`${id}-dentition`}>
          <span id={`${id}-dentition`} className="chart-toolbar__label">
            Teeth
          </span>
          <div className="segmented">
            {(['permanent', 'primary'] as const).map((d) => (
              <button key={d} type="button" className="button-secondary" aria-pressed={shown === d} onClick={() => setDentition(d)}>
                {d === 'permanent' ? 'Permanent' : 'Primary'}
              </button>
            ))}
          </div>
        </div>
        <div className="chart-toolbar__group">
          <div className="field field--inline">
            <label htmlFor={`${id}-asof`}>Chart as of</label>
            <input
              id={`${id}-asof`}
              type="date"
              value={asOf || today}
              max={today}
              onChange={(e) => setAsOf(e.target.value)}
              aria-describedby={`${id}-asof-status`}
            />
          </div>
          {pastDate && (
            <button type="button" className="button-secondary" onClick={() => setAsOf('')}>
              Back to today
            </button>
          )}
        </div>
      </div>
      <p id={`${id}-asof-status`} className={pastDate ? 'notice notice--info chart-asof' : 'visually-hidden'} aria-live="polite">
        {pastDate
          ? `Showing the chart as it was at the end of ${formatLongDate(pastDate)}. Nothing can be charted on a past date.`
          : 'Showing the chart as of today.'}
      </p>

      <section className="card chart-card" aria-labelledby={`${id}-mouth`}>
        <h2 id={`${id}-mouth`} className="section-title">
          Odontogram{pastDate ? ` as of ${formatLongDate(pastDate)}` : ''}
        </h2>
        {chart.isError ? (
          <ErrorNotice error={chart.error} title="Could not load the chart" onRetry={() => void chart.refetch()} />
        ) : chart.isPending ? (
          <Skeleton lines={5} label="Loading the chart…" />
        ) : (
          <>
            <p className="muted small chart-card__hint">
              Click a tooth or one of its surfaces, or Tab to the mouth and use the arrow keys, then Enter.
            </p>
            <Odontogram
              entries={entries}
              dentition={shown}
              numbering={numbering}
              onOpen={(tooth, surface) => setOpen(surface ? { tooth, surface } : { tooth })}
              label={`Odontogram, ${shown} teeth${pastDate ? `, as of ${formatLongDate(pastDate)}` : ''}`}
            />
          </>
        )}
      </section>

      <EntriesTable patientId={patientId} asOf={pastDate} numbering={numbering} timeZone={timeZone} />

      <ToothDialog
        patientId={patientId}
        tooth={open?.tooth ?? null}
        numbering={numbering}
        entries={open ? (byTooth.get(open.tooth) ?? []) : []}
        initialSurfaces={open?.surface ? [open.surface] : []}
        readOnly={pastDate ? formatLongDate(pastDate) : null}
        onClose={() => setOpen(null)}
      />
    </>
  );
}

function sortEntries(entries: readonly ChartEntry[]): ChartEntry[] {
  return [...entries].sort(
    (a, b) => TOOTH_ORDER.indexOf(a.tooth) - TOOTH_ORDER.indexOf(b.tooth) || a.recordedAt.localeCompare(b.recordedAt),
  );
}

/** The chart as a table (screen readers, print), with superseded entries on request. */
function EntriesTable({
  patientId,
  asOf,
  numbering,
  timeZone,
}: {
  patientId: string;
  asOf: string;
  numbering: Numbering;
  timeZone: string;
}) {
  const id = useId();
  const [history, setHistory] = useState(false);
  const chart = useChart(patientId, { asOf: asOf || null, history });
  const entries = sortEntries(chart.data?.entries ?? []);
  const superseded = entries.filter((e) => e.supersededBy).length;

  return (
    <section className="card chart-entries" aria-labelledby={`${id}-title`}>
      <div className="chart-entries__head">
        <h2 id={`${id}-title`} className="section-title">
          Chart entries{asOf ? ` as of ${formatLongDate(asOf)}` : ''}
        </h2>
        <label className="checkbox">
          <input type="checkbox" checked={history} onChange={(e) => setHistory(e.target.checked)} />
          <span>Show history (replaced entries)</span>
        </label>
      </div>
      {chart.isError ? (
        <ErrorNotice error={chart.error} title="Could not load the entries" onRetry={() => void chart.refetch()} />
      ) : chart.isPending ? (
        <Skeleton lines={3} label="Loading the entries…" />
      ) : entries.length === 0 ? (
        <p className="muted">{asOf ? `Nothing was charted by the end of ${formatLongDate(asOf)}.` : 'Nothing charted yet.'}</p>
      ) : (
        <div className="chart-entries__scroll" role="region" aria-label="Chart entries table (scrolls sideways)" tabIndex={0}>
          <table className="chart-table">
            <caption className="visually-hidden">
              {entries.length} {entries.length === 1 ? 'entry' : 'entries'}
              {history ? `, ${superseded} replaced` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Tooth</th>
                <th scope="col">Surfaces</th>
                <th scope="col">What</th>
                <th scope="col">Status</th>
                <th scope="col">Code</th>
                <th scope="col">Note</th>
                <th scope="col">Recorded</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} className={e.supersededBy ? 'chart-table__row--old' : undefined}>
                  <th scope="row">
                    {toothLabel(e.tooth, numbering)}
                    <span className="visually-hidden">, {toothInfo(e.tooth)?.name}</span>
                  </th>
                  <td>{e.surfaces?.length ? formatSurfaces(e.surfaces) : <span className="muted">Whole tooth</span>}</td>
                  <td>{KIND_LABELS[e.kind] ?? e.kind}</td>
                  <td>
                    <span className={`chart-status chart-status--${e.status}`}>
                      <span aria-hidden="true">{STATUS_STYLE[e.status]?.symbol} </span>
                      {STATUS_LABELS[e.status] ?? e.status}
                    </span>
                    {e.supersededBy && <span className="chart-table__old"> · replaced</span>}
                  </td>
                  <td>{e.code || <span className="muted">—</span>}</td>
                  <td className="break-anywhere">{e.note || <span className="muted">—</span>}</td>
                  <td>
                    <time dateTime={e.recordedAt}>{formatDateTime(e.recordedAt, timeZone)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
