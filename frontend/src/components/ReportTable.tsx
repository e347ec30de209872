import type { ReactNode } from 'react';
import { formatReportValue, type ReportColumn, type ReportValue } from '../api/reports';
import './reportTable.css';

export interface ReportTableProps {
  caption: ReactNode;
  columns: ReportColumn[];
  rows: Record<string, ReportValue>[];
  /** A totals row under the body: each column's total when there is one. */
  totals?: Record<string, unknown> | undefined;
  currency?: string | undefined;
  /** Hide the caption visually (it still names the table). */
  hideCaption?: boolean;
}

const isNumeric = (c: ReportColumn) => c.kind !== 'text' && c.kind !== 'date';

/** A report's rows as a table: a caption, column headers, numbers right-aligned, and the totals in a footer. */
export function ReportTable({ caption, columns, rows, totals, currency, hideCaption = false }: ReportTableProps) {
  const hasTotals = !!totals && columns.some((c) => totals[c.key] !== undefined);
  return (
    <div className="report-table-wrap" tabIndex={0} role="region" aria-label={typeof caption === 'string' ? caption : 'Report'}>
      <table className="report-table">
        <caption className={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={isNumeric(c) ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c, j) => {
                const text = formatReportValue(c.kind, row[c.key], currency);
                return j === 0 ? (
                  <th key={c.key} scope="row" className={isNumeric(c) ? 'num' : undefined}>
                    {text}
                  </th>
                ) : (
                  <td key={c.key} className={isNumeric(c) ? 'num' : undefined}>
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
        {hasTotals && (
          <tfoot>
            <tr>
              {columns.map((c, j) =>
                j === 0 ? (
                  <th key={c.key} scope="row">
                    {totals[c.key] === undefined ? 'Total' : `Total ${formatReportValue(c.kind, totals[c.key], currency)}`}
                  </th>
                ) : (
                  <td key={c.key} className={isNumeric(c) ? 'num' : undefined}>
                    {totals[c.key] === undefined ? '' : formatReportValue(c.kind, totals[c.key], currency)}
                  </td>
                ),
              )}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
