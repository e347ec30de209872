import { useId } from 'react';
import {
  estimateText,
  formatMoney,
  PLAN_STATUS_LABELS,
  planTotals,
  surfacesText,
  toothLabel,
  type Plan,
  type PlanItem,
  type ToothNumbering,
} from '../../api/plans';
import { formatDateTime } from '../../lib/time';
import { EstimatePanel } from '../../components/EstimatePanel';

export interface PlanActions {
  canBuild: boolean;
  canAccept: boolean;
  onEdit: () => void;
  onPresent: () => void;
  onAccept: () => void;
  onReject: () => void;
  onAlternative: () => void;
  onComplete: (item: PlanItem) => void;
  busyItemId: string | null;
  presenting: boolean;
}

/** One option of a group: its procedures, totals per phase, insurance, status, and what this role may do with it. */
export function PlanOption({
  plan,
  optionName,
  currency,
  numbering,
  timeZone,
  actions,
}: {
  plan: Plan;
  optionName: string;
  currency: string;
  numbering: ToothNumbering;
  timeZone: string;
  actions: PlanActions;
}) {
  const id = useId();
  const totals = planTotals(plan.items);
  const canComplete = actions.canBuild && (plan.status === 'accepted' || plan.status === 'in_progress');
  const done = plan.items.filter((i) => i.status === 'completed').length;

  return (
    <article className={`plan-option plan-option--${plan.status}`} aria-labelledby={`${id}-title`}>
      <header className="plan-option__header">
        <h3 id={`${id}-title`}>
          <span className="plan-option__letter">{optionName}:</span> {plan.title}
        </h3>
        <span className={`plan-status plan-status--${plan.status}`}>{PLAN_STATUS_LABELS[plan.status] ?? plan.status}</span>
      </header>
      <p className="plan-option__meta">
        {plan.status === 'draft' && <>Draft, not yet shown to the patient.</>}
        {plan.presentedAt && plan.status === 'presented' && <>Presented {formatDateTime(plan.presentedAt, timeZone)}.</>}
        {plan.acceptance && (
          <>
            Accepted {formatDateTime(plan.acceptance.at, timeZone)}, signed “{plan.acceptance.signature}”
            {plan.acceptance.role === 'patient' ? ' in the portal' : plan.acceptance.role ? ' in the office' : ''}.
          </>
        )}
        {plan.status === 'rejected' && <>Declined{plan.rejectedAt ? ` ${formatDateTime(plan.rejectedAt, timeZone)}` : ''}.</>}
        {plan.status === 'in_progress' && (
          <>
            {' '}
            {done} of {plan.items.length} procedures done.
          </>
        )}
        {plan.status === 'completed' && plan.completedAt && <> All done {formatDateTime(plan.completedAt, timeZone)}.</>}
      </p>

      <ul className="plan-items" aria-label={`Procedures in ${optionName}`}>
        {plan.items.map((item) => {
          const where = [
            item.tooth && `Tooth ${toothLabel(item.tooth, numbering)}`,
            item.surfaces?.length && `Surfaces ${surfacesText(item.surfaces)}`,
            `Phase ${item.phase}`,
            `Priority ${item.priority}`,
          ]
            .filter(Boolean)
            .join(' · ');
          const isDone = item.status === 'completed';
          return (
            <li key={item.id} className={`plan-item${isDone ? ' plan-item--done' : ''}`}>
              <div className="plan-item__main">
                <p className="plan-item__name">
                  <strong>{item.code}</strong> {item.description}
                </p>
                <p className="plan-item__where">{where}</p>
                {isDone && (
                  <p className="plan-item__done">
                    <span aria-hidden="true">✓ </span>Done{item.completedAt ? ` ${formatDateTime(item.completedAt, timeZone)}` : ''}
                  </p>
                )}
              </div>
              <div className="plan-item__side">
                <span className="plan-item__fee">{formatMoney(item.feeCents, currency)}</span>
                {canComplete && !isDone && (
                  <button
                    type="button"
                    className="button-secondary"
                    disabled={actions.busyItemId === item.id}
                    onClick={() => actions.onComplete(item)}
                  >
                    {actions.busyItemId === item.id ? 'Saving…' : 'Mark done'}
                    <span className="visually-hidden">
                      : {item.code} {item.description}
                      {item.tooth ? ` on tooth ${toothLabel(item.tooth, numbering)}` : ''}
                    </span>
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>

      <dl className="plan-totals plan-totals--compact">
        {totals.phases.length > 1 &&
          totals.phases.map((p) => (
            <div key={p.phase}>
              <dt>Phase {p.phase}</dt>
              <dd>{formatMoney(p.cents, currency)}</dd>
            </div>
          ))}
        <div className="plan-totals__total">
          <dt>Total</dt>
          <dd>{formatMoney(plan.totalCents ?? totals.totalCents, currency)}</dd>
        </div>
        {plan.status === 'rejected' && (
          // A live plan's estimate is the panel below (billing's, with its basis).
          <div>
            <dt>Insurance estimate</dt>
            <dd>{estimateText(plan, currency)}</dd>
          </div>
        )}
      </dl>
      {plan.status !== 'rejected' && <EstimatePanel planId={plan.id} numbering={numbering} currencyFallback={currency} />}
      {plan.notes && <p className="plan-option__notes">{plan.notes}</p>}

      <div className="button-row plan-option__actions">
        {plan.status === 'draft' && actions.canBuild && (
          <>
            <button type="button" className="button-primary" onClick={actions.onPresent} disabled={actions.presenting}>
              {actions.presenting ? 'Presenting…' : 'Present to patient'}
              <span className="visually-hidden">: {optionName}</span>
            </button>
            <button type="button" className="button-secondary" onClick={actions.onEdit}>
              Edit{' '}<span className="visually-hidden">{optionName}</span>
            </button>
          </>
        )}
        {plan.status === 'presented' && actions.canAccept && (
          <button type="button" className="button-primary" onClick={actions.onAccept}>
            Record acceptance<span className="visually-hidden">: {optionName}</span>
          </button>
        )}
        {plan.status === 'presented' && actions.canBuild && (
          <button type="button" className="button-danger-outline" onClick={actions.onReject}>
            Mark declined<span className="visually-hidden">: {optionName}</span>
          </button>
        )}
        {(plan.status === 'draft' || plan.status === 'presented') && actions.canBuild && (
          <button type="button" className="button-secondary" onClick={actions.onAlternative}>
            Add an alternative{' '}<span className="visually-hidden">to {optionName}</span>
          </button>
        )}
      </div>
    </article>
  );
}
