import { useEffect, useId, useRef, useState } from 'react';
import { formatReportValue, type ColumnKind, type ReportColumn } from '../../api/reports';
import { ReportTable } from '../../components/ReportTable';
import { formatShortDate } from '../../lib/time';
import { drawLineChart } from './drawChart';

export interface TrendPoint {
  date: string;
  value: number;
}

export interface TrendChartProps {
  title: string;
  points: TrendPoint[];
  kind: ColumnKind;
  currency?: string | undefined;
}

/**
 * A 30-day line drawn by Chart.js, which is imported here only when a chart
 * is shown (its own chunk, never the first page's bundle), with the same
 * figures as a table under "Show data" for screen readers and for anyone
 * who wants the numbers.
 */
export function TrendChart({ title, points, kind, currency }: TrendChartProps) {
  const id = useId();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let chart: { destroy(): void } | undefined;
    let cancelled = false;
    if (canvas.current) {
      drawLineChart(canvas.current, { title, labels: points.map((p) => formatShortDate(p.date)), values: points.map((p) => p.value), kind, currency })
        .then((c) => {
          if (cancelled) c.destroy();
          else chart = c;
        })
        .catch(() => {
          if (!cancelled) setFailed(true);
        });
    }
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [points, kind, title, currency]);

  const total = points.reduce((sum, p) => sum + p.value, 0);
  const columns: ReportColumn[] = [
    { key: 'date', label: 'Date', kind: 'date' },
    { key: 'value', label: title, kind },
  ];
  const summary = `${title}, last ${points.length} days: ${formatReportValue(kind, total, currency)} in all.`;

  return (
    <figure className="trend" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="trend__title">
        {title}
        <span className="trend__total">{formatReportValue(kind, total, currency)} in {points.length} days</span>
      </figcaption>
      <div className="trend__canvas">
        {failed ? (
          <p className="muted">The chart could not be drawn; the figures are in the table below.</p>
        ) : (
          <canvas ref={canvas} role="img" aria-label={summary} />
        )}
      </div>
      <details className="trend__data">
        <summary>Show data</summary>
        <ReportTable
          caption={`${title} per day`}
          hideCaption
          columns={columns}
          rows={points.map((p) => ({ date: p.date, value: p.value }))}
          totals={{ value: total }}
          currency={currency}
        />
      </details>
    </figure>
  );
}
