import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { formatReportValue, last30Days, useReport, type ColumnKind, type ReportResult } from '../../api/reports';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { formatLongDate, todayInZone } from '../../lib/time';
import { TrendChart, type TrendPoint } from './TrendChart';
import './dashboard.css';

interface Metric {
  key: string;
  title: string;
  kind: ColumnKind;
  points: TrendPoint[];
}

/** One column of a per-day report as points (a missing or null value is 0: nothing happened that day). */
function series(result: ReportResult | undefined, column: string): TrendPoint[] {
  return (result?.rows ?? []).map((r) => ({ date: String(r.date), value: typeof r[column] === 'number' ? r[column] : 0 }));
}

/** `/dashboard` (admins and dentists): today's numbers and the last 30 days' trends, from the per-day reports. */
export default function DashboardPage() {
  const timeZone = useClinicTimeZone();
  const currency = useSessionStore((s) => s.clinic?.settings.currency);
  const today = todayInZone(timeZone);
  const period = useMemo(() => last30Days(today), [today]);
  const appointments = useReport('appointments', period);
  const production = useReport('production-daily', period);
  const newPatients = useReport('new-patients', period);
  const queries = [appointments, production, newPatients];

  const metrics: Metric[] = useMemo(
    () => [
      { key: 'booked', title: 'Appointments', kind: 'count', points: series(appointments.data, 'booked') },
      { key: 'noShows', title: 'No-shows', kind: 'count', points: series(appointments.data, 'noShows') },
      { key: 'production', title: 'Production', kind: 'cents', points: series(production.data, 'amountCents') },
      { key: 'newPatients', title: 'New patients', kind: 'count', points: series(newPatients.data, 'newPatients') },
    ],
    [appointments.data, production.data, newPatients.data],
  );

  const failed = queries.find((q) => q.isError);
  const loading = queries.some((q) => q.isPending);

  return (
    <main id="main" className="page dashboard">
      <div className="page__header page__header--row">
        <div>
          <h1>Dashboard</h1>
          <p className="lead">{formatLongDate(today)}, and the 30 days to today.</p>
        </div>
        <Link className="button-secondary" to="/reports">
          All reports
        </Link>
      </div>

      {failed ? (
        <ErrorNotice error={failed.error} title="Could not load the practice’s figures" onRetry={() => queries.forEach((q) => void q.refetch())} />
      ) : loading ? (
        <Skeleton lines={6} label="Loading the dashboard…" />
      ) : (
        <>
          <section aria-labelledby="dashboard-today">
            <h2 id="dashboard-today">Today</h2>
            <dl className="dashboard__tiles">
              {metrics.map((m) => {
                const point = m.points.find((p) => p.date === today);
                return (
                  <div key={m.key} className="dashboard__tile">
                    <dt>{m.key === 'booked' ? 'Appointments today' : m.title}</dt>
                    <dd>{formatReportValue(m.kind, point?.value ?? 0, currency)}</dd>
                  </div>
                );
              })}
            </dl>
          </section>
          <section aria-labelledby="dashboard-trends">
            <h2 id="dashboard-trends">Last 30 days</h2>
            <div className="dashboard__charts">
              {metrics.map((m) => (
                <TrendChart key={m.key} title={m.title} points={m.points} kind={m.kind} currency={currency} />
              ))}
            </div>
          </section>
        </>
      )}
    </main>
  );
}
