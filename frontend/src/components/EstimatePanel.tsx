import { useState } from 'react';
import { useEstimate, type Estimate } from '../api/billing';
import { formatMoney, toothLabel, type ToothNumbering } from '../api/plans';
import { ErrorNotice } from './ErrorNotice';
import { Skeleton } from './Skeleton';
import { isApiError } from '../lib/api';
import './billing.css';

/** True when no coverage took part: the desk says "no coverage", not "insurance pays $0". */
export function hasNoCoverage(e: Pick<Estimate, 'coverages'>): boolean {
  return !e.coverages || e.coverages.length === 0;
}

/**
 * The plan's insurance estimate, asked for only when the desk opens it: per
 * procedure the fee, the insurance's and the patient's part, and the rule
 * sentences behind each number so they can be read out to the patient.
 */
export function EstimatePanel({ planId, numbering, currencyFallback = 'USD' }: { planId: string; numbering: ToothNumbering; currencyFallback?: string }) {
  const [open, setOpen] = useState(false);
  const estimate = useEstimate(planId, open);
  const currency = estimate.data?.currency || currencyFallback;
  const money = (c: number) => formatMoney(c, currency);

  return (
    <details className="estimate" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Insurance estimate</summary>
      {!open ? null : estimate.isError ? (
        isApiError(estimate.error) && estimate.error.status === 404 ? (
          <p className="muted">Estimates are not available for this plan.</p>
        ) : (
          <ErrorNotice error={estimate.error} title="Could not work out the estimate" onRetry={() => void estimate.refetch()} />
        )
      ) : estimate.isPending ? (
        <Skeleton lines={3} label="Working out the estimate…" />
      ) : (
        <div className="estimate__body">
          {hasNoCoverage(estimate.data) ? (
            <p className="notice notice--info">No coverage on file: the patient pays the full fee of {money(estimate.data.totalCents)}.</p>
          ) : (
            <p className="muted">
              With {estimate.data.coverages.map((c) => `${c.planName} (${c.priority})`).join(' and ')}, as of {estimate.data.asOf}. Percentages
              are rounded half up to the cent, per line, after the deductible.
            </p>
          )}
          <div className="billing-table-wrap" tabIndex={0} role="region" aria-label="Estimate per procedure">
            <table className="billing-table estimate__table">
              <thead>
                <tr>
                  <th scope="col">Procedure</th>
                  <th scope="col" className="num">
                    Fee
                  </th>
                  <th scope="col" className="num">
                    Insurance
                  </th>
                  <th scope="col" className="num">
                    Patient
                  </th>
                </tr>
              </thead>
              <tbody>
                {estimate.data.lines.map((l) => (
                  <tr key={l.itemId}>
                    <td>
                      <strong>{l.code}</strong>
                      {l.tooth ? ` ${toothLabel(l.tooth, numbering)}` : ''}
                      {l.basis.length > 0 && (
                        <ul className="estimate__basis">
                          {l.basis.map((b, i) => (
                            <li key={i} className={`estimate__rule estimate__rule--${b.rule}`}>
                              {b.coverage && <span className="muted">{b.coverage === 'primary' ? 'Primary: ' : 'Secondary: '}</span>}
                              {b.text}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="num">{money(l.feeCents)}</td>
                    <td className="num">{money(l.insuranceCents)}</td>
                    <td className="num">{money(l.patientCents)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td className="num">{money(estimate.data.totalCents)}</td>
                  <td className="num">{money(estimate.data.insuranceCents)}</td>
                  <td className="num">{money(estimate.data.patientCents)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        </div>
      )}
    </details>
  );
}
