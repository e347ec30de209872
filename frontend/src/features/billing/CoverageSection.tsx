import { useState, type FormEvent } from 'react';
import {
  COVERAGE_CATEGORIES,
  coverageActive,
  parseCents,
  useAddCoverage,
  useCoverages,
  useCreateInsurancePlan,
  useEndCoverage,
  useInsurancePlans,
  type Coverage,
  type CoveragePriority,
  type CoverageCategory,
  type Relationship,
} from '../../api/billing';
import { formatMoney } from '../../api/plans';
import { CATEGORY_LABELS } from '../../api/procedureCodes';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import { FormButtons, SaveError } from './MoneyDialogs';

const RELATIONSHIPS: { value: Relationship; label: string }[] = [
  { value: 'self', label: 'Self' },
  { value: 'spouse', label: 'Spouse' },
  { value: 'child', label: 'Child' },
  { value: 'other', label: 'Other' },
];

const fieldMessage = (error: unknown, field: string) => (isApiError(error) ? error.fieldMessage(field) : undefined);

/** The patient's insurance: coverages with their benefit-year usage, add one, end one. */
export function CoverageSection({
  patientId,
  patientName,
  patientDob,
  currency,
  today,
  canPost,
}: {
  patientId: string;
  patientName: string;
  patientDob: string;
  currency: string;
  today: string;
  canPost: boolean;
}) {
  const coverages = useCoverages(patientId);
  const [adding, setAdding] = useState(false);
  const [ending, setEnding] = useState<Coverage | null>(null);
  const [newPlan, setNewPlan] = useState(false);

  return (
    <section className="billing-section" aria-labelledby="coverage-title">
      <div className="billing-section__head">
        <h2 id="coverage-title" className="section-title">
          Insurance coverage
        </h2>
        {canPost && (
          <div className="button-row">
            <button type="button" className="button-secondary" onClick={() => setAdding(true)}>
              Add coverage
            </button>
            <button type="button" className="button-secondary" onClick={() => setNewPlan(true)}>
              New insurance plan
            </button>
          </div>
        )}
      </div>
      {coverages.isError ? (
        <ErrorNotice error={coverages.error} title="Could not load the coverage" onRetry={() => void coverages.refetch()} />
      ) : coverages.isPending ? (
        <Skeleton lines={2} label="Loading the coverage…" />
      ) : coverages.data.length === 0 ? (
        <p className="empty-state empty-state--inline">No insurance on file: estimates show the full fee as the patient’s.</p>
      ) : (
        <ul className="coverage-list">
          {coverages.data.map((c) => {
            const active = coverageActive(c, today);
            return (
              <li key={c.id} className={`coverage-card${active ? '' : ' coverage-card--ended'}`}>
                <h3 className="coverage-card__title">
                  {c.priority === 'primary' ? 'Primary' : 'Secondary'}: {c.plan.carrier.name} — {c.plan.name}{' '}
                  <span className={`billing-status billing-status--${active ? 'open' : 'void'}`}>{active ? 'Active' : 'Ended'}</span>
                </h3>
                <dl className="billing-facts billing-facts--inline">
                  <div>
                    <dt>Member ID</dt>
                    <dd>{c.memberId}</dd>
                  </div>
                  <div>
                    <dt>Subscriber</dt>
                    <dd>
                      {c.subscriber.name} ({RELATIONSHIPS.find((r) => r.value === c.relationship)?.label ?? c.relationship})
                    </dd>
                  </div>
                  <div>
                    <dt>Dates</dt>
                    <dd>
                      From {c.effectiveDate}
                      {c.terminationDate ? ` to ${c.terminationDate}` : ''}
                    </dd>
                  </div>
                  {c.usage && (
                    <>
                      <div>
                        <dt>Deductible met</dt>
                        <dd>{formatMoney(c.usage.deductibleMetCents, currency)}</dd>
                      </div>
                      <div>
                        <dt>Maximum used</dt>
                        <dd>
                          {formatMoney(c.usage.maximumUsedCents, currency)}
                          <span className="muted">
                            {' '}
                            ({c.usage.benefitYear.from} to {c.usage.benefitYear.to})
                          </span>
                        </dd>
                      </div>
                    </>
                  )}
                </dl>
                {canPost && active && !c.terminationDate && (
                  <button type="button" className="button-secondary" onClick={() => setEnding(c)}>
                    End coverage<span className="visually-hidden">: {c.plan.name}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {adding && (
        <AddCoverageDialog
          patientId={patientId}
          patientName={patientName}
          patientDob={patientDob}
          today={today}
          hasPrimary={(coverages.data ?? []).some((c) => c.priority === 'primary' && coverageActive(c, today))}
          onNewPlan={() => setNewPlan(true)}
          onClose={() => setAdding(false)}
        />
      )}
      {ending && <EndCoverageDialog patientId={patientId} coverage={ending} today={today} onClose={() => setEnding(null)} />}
      {newPlan && <InsurancePlanDialog onClose={() => setNewPlan(false)} />}
    </section>
  );
}

function AddCoverageDialog({
  patientId,
  patientName,
  patientDob,
  today,
  hasPrimary,
  onNewPlan,
  onClose,
}: {
  patientId: string;
  patientName: string;
  patientDob: string;
  today: string;
  hasPrimary: boolean;
  onNewPlan: () => void;
  onClose: () => void;
}) {
  const plans = useInsurancePlans();
  const add = useAddCoverage(patientId);
  const [planId, setPlanId] = useState('');
  const [priority, setPriority] = useState<CoveragePriority>(hasPrimary ? 'secondary' : 'primary');
  const [relationship, setRelationship] = useState<Relationship>('self');
  const [subscriber, setSubscriber] = useState(patientName);
  const [subscriberDob, setSubscriberDob] = useState(patientDob);
  const [memberId, setMemberId] = useState('');
  const [effectiveDate, setEffectiveDate] = useState(today);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const chosen = planId || plans.data?.[0]?.id || '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const next: Record<string, string> = {};
    if (!chosen) next.planId = 'Choose a plan (or add one first)';
    if (!memberId.trim()) next.memberId = 'Enter the member ID from the insurance card';
    if (!subscriber.trim()) next.subscriber = 'Enter the subscriber’s name';
    setErrors(next);
    if (Object.keys(next).length) return;
    try {
      await add.mutateAsync({
        planId: chosen,
        priority,
        relationship,
        subscriber: { name: subscriber.trim(), dateOfBirth: subscriberDob, ...(relationship === 'self' ? { patientId } : {}) },
        memberId: memberId.trim(),
        effectiveDate,
      });
      toastSuccess('Coverage added.');
      onClose();
    } catch {
      // shown below
    }
  }

  const conflict = isApiError(add.error) && add.error.status === 409;
  return (
    <Dialog open onClose={onClose} title="Add insurance coverage">
      <form className="billing-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="cov-plan">Insurance plan</label>
          <select id="cov-plan" value={chosen} onChange={(e) => setPlanId(e.target.value)} aria-invalid={errors.planId ? true : undefined}>
            {plans.isPending && <option value="">Loading plans…</option>}
            {plans.data?.length === 0 && <option value="">No plans yet</option>}
            {(plans.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.carrier.name} — {p.name}
              </option>
            ))}
          </select>
          {(errors.planId ?? fieldMessage(add.error, 'planId')) && <p className="field__error">{errors.planId ?? fieldMessage(add.error, 'planId')}</p>}
          <p className="field__hint">
            Not listed?{' '}
            <button type="button" className="button-link" onClick={onNewPlan}>
              Add an insurance plan
            </button>
          </p>
        </div>
        <div className="billing-form__row">
          <div className="field">
            <label htmlFor="cov-priority">Order</label>
            <select id="cov-priority" value={priority} onChange={(e) => setPriority(e.target.value as CoveragePriority)}>
              <option value="primary">Primary</option>
              <option value="secondary">Secondary</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="cov-rel">Patient is the subscriber’s</label>
            <select
              id="cov-rel"
              value={relationship}
              onChange={(e) => {
                const r = e.target.value as Relationship;
                setRelationship(r);
                if (r === 'self') {
                  setSubscriber(patientName);
                  setSubscriberDob(patientDob);
                }
              }}
            >
              {RELATIONSHIPS.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.value === 'self' ? 'Self (the patient)' : r.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <Field label="Subscriber’s name" value={subscriber} onChange={(e) => setSubscriber(e.target.value)} error={errors.subscriber ?? fieldMessage(add.error, 'subscriber.name')} />
        <Field
          label="Subscriber’s date of birth"
          type="date"
          value={subscriberDob}
          onChange={(e) => setSubscriberDob(e.target.value)}
          error={fieldMessage(add.error, 'subscriber.dateOfBirth')}
        />
        <Field label="Member ID" autoComplete="off" value={memberId} onChange={(e) => setMemberId(e.target.value)} error={errors.memberId ?? fieldMessage(add.error, 'memberId')} />
        <Field label="Effective date" type="date" value={effectiveDate} onChange={(e) => setEffectiveDate(e.target.value)} error={fieldMessage(add.error, 'effectiveDate')} />
        {conflict ? (
          <p className="notice notice--error" role="alert">
            The patient already has an active {priority} coverage. End it first, or add this one as {priority === 'primary' ? 'secondary' : 'primary'}.
          </p>
        ) : (
          <SaveError error={add.error} fields={['planId', 'memberId', 'subscriber.name', 'subscriber.dateOfBirth', 'effectiveDate']} />
        )}
        <FormButtons busy={add.isPending} label="Add coverage" busyLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function EndCoverageDialog({ patientId, coverage, today, onClose }: { patientId: string; coverage: Coverage; today: string; onClose: () => void }) {
  const end = useEndCoverage(patientId);
  const [date, setDate] = useState(today);
  const stale = isApiError(end.error) && end.error.status === 409;

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await end.mutateAsync({ id: coverage.id, terminationDate: date, version: coverage.version });
      toastSuccess('Coverage ended.');
      onClose();
    } catch {
      // shown below
    }
  }

  return (
    <Dialog open onClose={onClose} title="End coverage" size="sm" description={<p>{coverage.plan.carrier.name} — {coverage.plan.name}</p>}>
      <form className="billing-form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Last day covered" type="date" value={date} onChange={(e) => setDate(e.target.value)} error={fieldMessage(end.error, 'terminationDate')} />
        {stale ? (
          <p className="notice notice--error" role="alert">
            Someone else changed this coverage just now. Close this dialog; the list has been reloaded, so check it and try again.
          </p>
        ) : (
          <SaveError error={end.error} fields={['terminationDate']} />
        )}
        <FormButtons busy={end.isPending} label="End coverage" busyLabel="Saving…" onCancel={onClose} danger disabled={stale} />
      </form>
    </Dialog>
  );
}

/** Default percentages a typical PPO pays, as a starting point the desk edits. */
const DEFAULT_COVERAGE: Record<CoverageCategory, number> = {
  diagnostic: 100,
  preventive: 100,
  basic: 80,
  major: 50,
  endo: 80,
  perio: 80,
  prosth: 50,
  ortho: 50,
  surgery: 80,
};

/** A new insurance plan: carrier, percentages per category, deductible, annual maximum, one frequency rule. */
export function InsurancePlanDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateInsurancePlan();
  const [carrier, setCarrier] = useState('');
  const [name, setName] = useState('');
  const [pct, setPct] = useState<Record<CoverageCategory, string>>(
    Object.fromEntries(COVERAGE_CATEGORIES.map((c) => [c, String(DEFAULT_COVERAGE[c])])) as Record<CoverageCategory, string>,
  );
  const [deductible, setDeductible] = useState('50.00');
  const [maximum, setMaximum] = useState('1500.00');
  const [startMonth, setStartMonth] = useState('1');
  const [freqCodes, setFreqCodes] = useState('');
  const [freqCount, setFreqCount] = useState('2');
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const next: Record<string, string> = {};
    if (!carrier.trim()) next.carrier = 'Enter the carrier';
    if (!name.trim()) next.name = 'Enter the plan’s name';
    const ded = parseCents(deductible);
    const max = parseCents(maximum);
    if (ded === null) next.deductible = 'Enter an amount such as 50.00';
    if (max === null) next.maximum = 'Enter an amount such as 1500.00';
    const coverage: Partial<Record<CoverageCategory, number>> = {};
    for (const c of COVERAGE_CATEGORIES) {
      const n = Number(pct[c]);
      if (!/^\d{1,3}$/.test(pct[c].trim()) || n > 100) next[`coverage.${c}`] = '0 to 100';
      else coverage[c] = n;
    }
    const codes = freqCodes
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    setErrors(next);
    if (Object.keys(next).length || ded === null || max === null) return;
    try {
      const plan = await create.mutateAsync({
        carrier: { name: carrier.trim() },
        name: name.trim(),
        benefitYearStartMonth: Number(startMonth),
        coverage,
        deductible: { individualCents: ded, familyCents: ded * 3, waivedFor: ['diagnostic', 'preventive'] },
        annualMaximumCents: max,
        frequencies: codes.length ? [{ codes, count: Math.max(1, Number(freqCount) || 1), per: 'benefit_year' }] : [],
        waitingPeriods: [],
      });
      toastSuccess(`Insurance plan ${plan.carrier.name} — ${plan.name} added.`);
      onClose();
    } catch {
      // shown below
    }
  }

  const err = (f: string) => errors[f] ?? fieldMessage(create.error, f);
  return (
    <Dialog open onClose={onClose} title="New insurance plan" size="lg">
      <form className="billing-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="billing-form__row">
          <Field label="Carrier" value={carrier} onChange={(e) => setCarrier(e.target.value)} error={errors.carrier ?? fieldMessage(create.error, 'carrier.name')} />
          <Field label="Plan name" value={name} onChange={(e) => setName(e.target.value)} error={err('name')} />
        </div>
        <fieldset className="billing-form__grid">
          <legend>Insurance pays (%)</legend>
          {COVERAGE_CATEGORIES.map((c) => (
            <Field
              key={c}
              label={CATEGORY_LABELS[c] ?? c}
              inputMode="numeric"
              value={pct[c]}
              onChange={(e) => setPct((p) => ({ ...p, [c]: e.target.value }))}
              error={err(`coverage.${c}`)}
            />
          ))}
        </fieldset>
        <div className="billing-form__row">
          <Field
            label="Deductible ($, per person)"
            inputMode="decimal"
            value={deductible}
            onChange={(e) => setDeductible(e.target.value)}
            error={errors.deductible ?? fieldMessage(create.error, 'deductible.individualCents')}
            hint="Waived for diagnostic and preventive; the family deductible is three times it."
          />
          <Field label="Annual maximum ($)" inputMode="decimal" value={maximum} onChange={(e) => setMaximum(e.target.value)} error={errors.maximum ?? fieldMessage(create.error, 'annualMaximumCents')} />
          <div className="field">
            <label htmlFor="plan-start">Benefit year starts</label>
            <select id="plan-start" value={startMonth} onChange={(e) => setStartMonth(e.target.value)}>
              {Array.from({ length: 12 }, (_, i) => (
                <option key={i + 1} value={String(i + 1)}>
                  {new Date(Date.UTC(2030, i, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })}
                </option>
              ))}
            </select>
          </div>
        </div>
        <fieldset className="billing-form__row">
          <legend>Frequency limit (optional)</legend>
          <Field label="Codes" placeholder="e.g. CLN-AD, EXAM" value={freqCodes} onChange={(e) => setFreqCodes(e.target.value)} error={err('frequencies')} />
          <Field label="Times per benefit year" inputMode="numeric" value={freqCount} onChange={(e) => setFreqCount(e.target.value)} />
        </fieldset>
        <SaveError
          error={create.error}
          fields={['carrier.name', 'name', 'deductible.individualCents', 'annualMaximumCents', 'frequencies', ...COVERAGE_CATEGORIES.map((c) => `coverage.${c}`)]}
        />
        <FormButtons busy={create.isPending} label="Add plan" busyLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
