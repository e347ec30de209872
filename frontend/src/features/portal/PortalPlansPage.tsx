import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  estimateText,
  formatMoney,
  groupPlans,
  optionLetter,
  planTotals,
  surfacesText,
  toothLabel,
  useAcceptPlan,
  usePlans,
  type Plan,
  type ToothNumbering,
} from '../../api/plans';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { formatDateTime } from '../../lib/time';
import { toastSuccess } from '../../lib/toast';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';

const PATIENT_STATUS: Record<string, string> = {
  presented: 'Waiting for your decision',
  accepted: 'Accepted',
  rejected: 'Declined',
  in_progress: 'In progress',
  completed: 'Completed',
};

/** `/portal/plans`: the patient's presented plans, options side by side, and accepting one with a typed signature. */
export default function PortalPlansPage() {
  const user = useSessionStore((s) => s.user);
  const currency = useSessionStore((s) => s.clinic?.settings.currency ?? 'USD');
  const numbering = useSessionStore((s) => s.clinic?.settings.toothNumbering ?? 'universal');
  const timeZone = useClinicTimeZone();
  const plans = usePlans(user?.patientId);
  const groups = groupPlans((plans.data ?? []).filter((p) => p.status !== 'draft'));
  const fullName = user ? `${user.firstName} ${user.lastName}` : '';

  return (
    <main id="main" className="page portal-plans">
      <h1>Treatment plans</h1>
      <p className="lead">The treatment your dentist has proposed, with its cost. Where there are options, choose one.</p>
      {plans.isError ? (
        <ErrorNotice error={plans.error} title="Could not load your treatment plans" onRetry={() => void plans.refetch()} />
      ) : plans.isPending ? (
        <Skeleton lines={6} label="Loading your treatment plans…" />
      ) : groups.length === 0 ? (
        <div className="empty-state">
          <p>You have no treatment plans yet. When your dentist presents one, it appears here.</p>
        </div>
      ) : (
        <div className="plan-groups">
          {groups.map((group) => {
            const first = group[0]!;
            const names = group.map((_, i) => (group.length > 1 ? `Option ${optionLetter(i)}` : 'Your plan'));
            const decided = group.some((p) => p.status === 'accepted' || p.status === 'in_progress' || p.status === 'completed');
            return (
              <section key={first.groupId || first.id} className="plan-group" aria-labelledby={`pg-${first.id}`}>
                <h2 id={`pg-${first.id}`} className="section-title">
                  {group.length > 1 ? `${group.length} options for your treatment` : first.title}
                </h2>
                {group.length > 1 && !decided && (
                  <p className="muted">Compare the options. Accepting one declines the others.</p>
                )}
                <div className={`plan-compare${group.length > 1 ? ' plan-compare--multi' : ''}`}>
                  {group.map((plan, i) => (
                    <PortalPlanOption
                      key={plan.id}
                      plan={plan}
                      optionName={names[i]!}
                      others={group
                        .map((o, j) => ({ o, j }))
                        .filter(({ o }) => o.id !== plan.id && o.status === 'presented')
                        .map(({ o, j }) => `${names[j]!} (${o.title})`)}
                      canAccept={plan.status === 'presented' && !decided}
                      fullName={fullName}
                      currency={currency}
                      numbering={numbering}
                      timeZone={timeZone}
                    />
                  ))}
                </div>
              </section>
            );
          })}
        </div>
      )}
    </main>
  );
}

function PortalPlanOption({
  plan,
  optionName,
  others,
  canAccept,
  fullName,
  currency,
  numbering,
  timeZone,
}: {
  plan: Plan;
  optionName: string;
  others: string[];
  canAccept: boolean;
  fullName: string;
  currency: string;
  numbering: ToothNumbering;
  timeZone: string;
}) {
  const id = useId();
  const accept = useAcceptPlan(plan.patientId);
  const [signing, setSigning] = useState(false);
  const [signature, setSignature] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<{ message: string; requestId: string } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const totals = planTotals(plan.items);

  useEffect(() => {
    if (signing) inputRef.current?.focus();
  }, [signing]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!signature.trim()) {
      setFieldError('Type your full name to sign.');
      inputRef.current?.focus();
      return;
    }
    setFieldError(undefined);
    try {
      await accept.mutateAsync({ id: plan.id, signature: signature.trim() });
      toastSuccess(`Thank you. You accepted ${optionName === 'Your plan' ? 'your plan' : optionName}.`);
      setSigning(false);
    } catch (err) {
      if (isApiError(err) && err.hasField('signature')) {
        setFieldError(err.fieldMessage('signature'));
        inputRef.current?.focus();
      } else {
        setError(
          isApiError(err)
            ? { message: err.message, requestId: err.requestId }
            : { message: 'Could not accept the plan. Please try again.', requestId: '' },
        );
      }
    }
  }

  return (
    <article className={`plan-option plan-option--${plan.status}`} aria-labelledby={`${id}-title`}>
      <header className="plan-option__header">
        <h3 id={`${id}-title`}>
          {optionName !== 'Your plan' && <span className="plan-option__letter">{optionName}:</span>} {plan.title}
        </h3>
        <span className={`plan-status plan-status--${plan.status}`}>{PATIENT_STATUS[plan.status] ?? plan.status}</span>
      </header>
      {plan.acceptance && (
        <p className="plan-option__meta">
          Accepted {formatDateTime(plan.acceptance.at, timeZone)}, signed “{plan.acceptance.signature}”.
        </p>
      )}
      {plan.status === 'rejected' && <p className="plan-option__meta">This option was declined.</p>}
      <ul className="plan-items" aria-label={`Treatment in ${optionName}`}>
        {plan.items.map((item) => (
          <li key={item.id} className={`plan-item${item.status === 'completed' ? ' plan-item--done' : ''}`}>
            <div className="plan-item__main">
              <p className="plan-item__name">{item.description}</p>
              <p className="plan-item__where">
                {[
                  item.tooth && `Tooth ${toothLabel(item.tooth, numbering)}`,
                  item.surfaces?.length && `Surfaces ${surfacesText(item.surfaces)}`,
                  totals.phases.length > 1 && `Phase ${item.phase}`,
                  item.code,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </p>
              {item.status === 'completed' && (
                <p className="plan-item__done">
                  <span aria-hidden="true">✓ </span>Done
                </p>
              )}
            </div>
            <div className="plan-item__side">
              <span className="plan-item__fee">{formatMoney(item.feeCents, currency)}</span>
            </div>
          </li>
        ))}
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
        <div>
          <dt>Insurance estimate</dt>
          <dd>{estimateText(plan, currency)}</dd>
        </div>
      </dl>
      {plan.estimateStatus === 'not_estimated' && (
        <p className="field__hint">Your insurance has not been estimated yet; the total is before any insurance.</p>
      )}

      {canAccept && !signing && (
        <div className="button-row plan-option__actions">
          <button type="button" className="button-primary" onClick={() => setSigning(true)}>
            Accept this option{optionName !== 'Your plan' && <span className="visually-hidden">: {optionName}</span>}
          </button>
        </div>
      )}
      {canAccept && signing && (
        <form className="portal-plan-sign" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id}-sign`}>
          <h4 id={`${id}-sign`} className="portal-plan-sign__title">
            Accept {optionName === 'Your plan' ? 'this plan' : optionName}
          </h4>
          {others.length > 0 && (
            <p className="notice notice--info">
              Accepting this option declines the other option{others.length === 1 ? '' : 's'}: {others.join(', ')}.
            </p>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error.message}
              {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
            </p>
          )}
          <div className="field">
            <label htmlFor={`${id}-signature`}>Type your full name to sign</label>
            <input
              ref={inputRef}
              id={`${id}-signature`}
              value={signature}
              autoComplete="name"
              onChange={(e) => setSignature(e.target.value)}
              aria-invalid={fieldError ? true : undefined}
              aria-describedby={`${id}-hint${fieldError ? ` ${id}-error` : ''}`}
            />
            <p id={`${id}-hint`} className="field__hint">
              Your typed name is your signature.{fullName ? ` Type it as on your record: ${fullName}.` : ''}
            </p>
            {fieldError && (
              <p id={`${id}-error`} className="field__error">
                {fieldError}
              </p>
            )}
          </div>
          <div className="button-row">
            <button type="submit" className="button-primary" disabled={accept.isPending}>
              {accept.isPending ? 'Accepting…' : 'Accept and sign'}
            </button>
            <button type="button" className="button-secondary" onClick={() => setSigning(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </article>
  );
}
