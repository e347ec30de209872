import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  formatMoney,
  planTotals,
  SURFACES,
  toothLabel,
  UNIVERSAL_TEETH,
  useCreatePlan,
  useUpdatePlan,
  type Plan,
  type PlanInput,
  type ToothNumbering,
} from '../../api/plans';
import type { ProcedureCode } from '../../api/procedureCodes';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';
import { CodePicker } from '../../components/CodePicker';

export interface DraftItem {
  key: string;
  /** The saved item's id, when editing a draft. */
  id?: string;
  code: string;
  description: string;
  feeCents: number;
  tooth: string;
  surfaces: string[];
  priority: number;
  phase: number;
}

export type BuilderMode =
  | { kind: 'new' }
  | { kind: 'alternative'; of: Plan; optionName: string }
  | { kind: 'edit'; plan: Plan; optionName: string };

export const PRIORITIES = [
  { value: 1, label: '1 — highest' },
  { value: 2, label: '2 — high' },
  { value: 3, label: '3 — medium' },
  { value: 4, label: '4 — low' },
  { value: 5, label: '5 — lowest' },
];
export const PHASES = [1, 2, 3, 4, 5];

let nextKey = 1;
const newKey = () => `item-${nextKey++}`;

/** The body the server wants: only what was chosen, empty parts left out. */
export function toPlanItems(items: DraftItem[]): PlanInput['items'] {
  return items.map((i) => ({
    ...(i.id ? { id: i.id } : {}),
    code: i.code,
    ...(i.tooth ? { tooth: i.tooth } : {}),
    ...(i.surfaces.length ? { surfaces: i.surfaces } : {}),
    priority: i.priority,
    phase: i.phase,
  }));
}

function itemsOf(plan: Plan): DraftItem[] {
  return plan.items.map((i) => ({
    key: newKey(),
    id: i.id,
    code: i.code,
    description: i.description,
    feeCents: i.feeCents,
    tooth: i.tooth ?? '',
    surfaces: i.surfaces ?? [],
    priority: i.priority || 3,
    phase: i.phase || 1,
  }));
}

/**
 * Builds a plan from the fee schedule: procedures picked by search, each
 * with tooth, surfaces, priority and phase, and totals per phase and overall
 * as it is typed. Creates a plan, an alternative in the same group, or
 * saves a draft's changes.
 */
export function PlanBuilder({
  patientId,
  mode,
  currency,
  numbering,
  onDone,
  onCancel,
}: {
  patientId: string;
  mode: BuilderMode;
  currency: string;
  numbering: ToothNumbering;
  onDone: (plan: Plan) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const create = useCreatePlan(patientId);
  const update = useUpdatePlan(patientId);
  const [title, setTitle] = useState(() => (mode.kind === 'edit' ? mode.plan.title : ''));
  const [notes, setNotes] = useState(() => (mode.kind === 'edit' ? (mode.plan.notes ?? '') : ''));
  const [items, setItems] = useState<DraftItem[]>(() => (mode.kind === 'edit' ? itemsOf(mode.plan) : []));
  const [errors, setErrors] = useState<{ title?: string | undefined; items?: string | undefined }>({});
  const [serverError, setServerError] = useState<{ message: string; requestId: string; fields: string[] } | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const focusNext = useRef<string | null>(null);
  const pending = create.isPending || update.isPending;

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  useEffect(() => {
    if (focusNext.current) {
      document.getElementById(focusNext.current)?.focus();
      focusNext.current = null;
    }
  });

  useEffect(() => {
    if (serverError) errorRef.current?.focus();
  }, [serverError]);

  const totals = planTotals(items);
  const heading =
    mode.kind === 'edit'
      ? `Edit ${mode.optionName}`
      : mode.kind === 'alternative'
        ? `Add an alternative to ${mode.optionName}`
        : 'New treatment plan';

  function add(code: ProcedureCode) {
    const key = newKey();
    focusNext.current = `${id}-${key}-tooth`;
    const lastPhase = items[items.length - 1]?.phase ?? 1;
    setItems((list) => [
      ...list,
      { key, code: code.code, description: code.description, feeCents: code.feeCents, tooth: '', surfaces: [], priority: 3, phase: lastPhase },
    ]);
    setErrors((e) => ({ ...e, items: undefined }));
  }

  function change(key: string, patch: Partial<DraftItem>) {
    setItems((list) => list.map((i) => (i.key === key ? { ...i, ...patch } : i)));
  }

  function remove(index: number) {
    const next = items[index + 1] ?? items[index - 1];
    focusNext.current = next ? `${id}-${next.key}-remove` : `${id}-title`;
    setItems((list) => list.filter((_, i) => i !== index));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setServerError(null);
    const found: typeof errors = {};
    if (!title.trim()) found.title = 'Give the plan a title, for example “Crown on #19”.';
    if (items.length === 0) found.items = 'Add at least one procedure.';
    setErrors(found);
    if (found.title) {
      document.getElementById(`${id}-title`)?.focus();
      return;
    }
    if (found.items) {
      document.getElementById(`${id}-picker`)?.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
      return;
    }
    const body: PlanInput = { title: title.trim(), items: toPlanItems(items), ...(notes.trim() ? { notes: notes.trim() } : {}) };
    try {
      let plan: Plan;
      if (mode.kind === 'edit') {
        plan = await update.mutateAsync({
          id: mode.plan.id,
          ...body,
          notes: notes.trim(),
          ...(mode.plan.version !== undefined ? { version: mode.plan.version } : {}),
        });
        toastSuccess('Plan saved.');
      } else {
        plan = await create.mutateAsync(mode.kind === 'alternative' ? { ...body, alternativeTo: mode.of.id } : body);
        toastSuccess(mode.kind === 'alternative' ? 'Alternative added.' : 'Plan created as a draft.');
      }
      onDone(plan);
    } catch (err) {
      if (isApiError(err)) {
        if (err.fieldMessage('title')) setErrors((e) => ({ ...e, title: err.fieldMessage('title') }));
        setServerError({
          message: err.message,
          requestId: err.requestId,
          fields: err.fields.map((f) => `${f.field}: ${f.message}`),
        });
      } else {
        setServerError({ message: 'Could not save the plan. Please try again.', requestId: '', fields: [] });
      }
    }
  }

  return (
    <section className="card plan-builder" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="section-title">
        {heading}
      </h2>
      {mode.kind === 'alternative' && (
        <p className="muted">
          The alternative joins “{mode.of.title}” as another option; the patient accepts one option and the others are declined.
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate className="plan-builder__form">
        {serverError && (
          <div ref={errorRef} tabIndex={-1} className="form-error" role="alert">
            <p>
              {serverError.message}
              {serverError.requestId && <span className="form-error__ref"> Reference: {serverError.requestId}</span>}
            </p>
            {serverError.fields.length > 0 && (
              <ul>
                {serverError.fields.map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-title`}>Title</label>
          <input
            id={`${id}-title`}
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            aria-invalid={errors.title ? true : undefined}
            aria-describedby={errors.title ? `${id}-title-error` : undefined}
          />
          {errors.title && (
            <p id={`${id}-title-error`} className="field__error">
              {errors.title}
            </p>
          )}
        </div>

        <fieldset className="fieldset">
          <legend>Procedures</legend>
          <div id={`${id}-picker`}>
            <CodePicker onPick={add} currency={currency} />
          </div>
          {errors.items && <p className="field__error">{errors.items}</p>}
          {items.length === 0 ? (
            <p className="muted">No procedures yet. Search the fee schedule above to add one.</p>
          ) : (
            <ol className="plan-builder__items">
              {items.map((item, index) => (
                <BuilderItem
                  key={item.key}
                  baseId={`${id}-${item.key}`}
                  item={item}
                  index={index}
                  currency={currency}
                  numbering={numbering}
                  onChange={(patch) => change(item.key, patch)}
                  onRemove={() => remove(index)}
                />
              ))}
            </ol>
          )}
        </fieldset>

        <div className="field">
          <label htmlFor={`${id}-notes`}>Notes for the plan (optional)</label>
          <textarea id={`${id}-notes`} rows={2} value={notes} maxLength={2000} onChange={(e) => setNotes(e.target.value)} />
        </div>

        <section className="plan-totals" aria-labelledby={`${id}-totals`}>
          <h3 id={`${id}-totals`} className="plan-totals__title">
            Totals
          </h3>
          <dl aria-live="polite">
            {totals.phases.map((p) => (
              <div key={p.phase}>
                <dt>
                  Phase {p.phase} ({p.count} procedure{p.count === 1 ? '' : 's'})
                </dt>
                <dd>{formatMoney(p.cents, currency)}</dd>
              </div>
            ))}
            <div className="plan-totals__total">
              <dt>Total</dt>
              <dd>{formatMoney(totals.totalCents, currency)}</dd>
            </div>
            <div>
              <dt>Insurance estimate</dt>
              <dd>Not estimated</dd>
            </div>
          </dl>
          <p className="field__hint">Fees come from the fee schedule; the saved plan shows the practice’s fees.</p>
        </section>

        <div className="button-row">
          <button type="submit" className="button-primary" disabled={pending}>
            {pending
              ? 'Saving…'
              : mode.kind === 'edit'
                ? 'Save changes'
                : mode.kind === 'alternative'
                  ? 'Create alternative'
                  : 'Create plan'}
          </button>
          <button type="button" className="button-secondary" onClick={onCancel} disabled={pending}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function BuilderItem({
  baseId,
  item,
  index,
  currency,
  numbering,
  onChange,
  onRemove,
}: {
  baseId: string;
  item: DraftItem;
  index: number;
  currency: string;
  numbering: ToothNumbering;
  onChange: (patch: Partial<DraftItem>) => void;
  onRemove: () => void;
}) {
  const which = `${item.code} (procedure ${index + 1})`;
  const numberingName = numbering === 'fdi' ? 'FDI' : 'Universal';
  return (
    <li className="plan-builder__item">
      <p className="plan-builder__item-title">
        <strong>{item.code}</strong> {item.description}
        <span className="plan-builder__fee">{formatMoney(item.feeCents, currency)}</span>
      </p>
      <div className="plan-builder__controls">
        <div className="field">
          <label htmlFor={`${baseId}-tooth`}>
            Tooth ({numberingName}){' '}<span className="visually-hidden">for {which}</span>
          </label>
          <select id={`${baseId}-tooth`} value={item.tooth} onChange={(e) => onChange({ tooth: e.target.value })}>
            <option value="">No tooth</option>
            {UNIVERSAL_TEETH.map((t) => (
              <option key={t} value={t}>
                {toothLabel(t, numbering).replace('#', '')}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="plan-surfaces">
          <legend>
            Surfaces{' '}<span className="visually-hidden">for {which}</span>
          </legend>
          <div className="plan-surfaces__list">
            {SURFACES.map((s) => (
              <label key={s.code} className="plan-surfaces__option">
                <input
                  type="checkbox"
                  checked={item.surfaces.includes(s.code)}
                  onChange={(e) =>
                    onChange({
                      surfaces: e.target.checked ? [...item.surfaces, s.code] : item.surfaces.filter((x) => x !== s.code),
                    })
                  }
                />
                <span>{s.code}</span>
                {' '}<span className="visually-hidden">({s.name})</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor={`${baseId}-priority`}>
            Priority{' '}<span className="visually-hidden">for {which}</span>
          </label>
          <select
            id={`${baseId}-priority`}
            value={item.priority}
            onChange={(e) => onChange({ priority: Number(e.target.value) })}
          >
            {PRIORITIES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${baseId}-phase`}>
            Phase{' '}<span className="visually-hidden">for {which}</span>
          </label>
          <select id={`${baseId}-phase`} value={item.phase} onChange={(e) => onChange({ phase: Number(e.target.value) })}>
            {PHASES.map((p) => (
              <option key={p} value={p}>
                Phase {p}
              </option>
            ))}
          </select>
        </div>
        <button id={`${baseId}-remove`} type="button" className="button-ghost plan-builder__remove" onClick={onRemove}>
          Remove{' '}<span className="visually-hidden">{which}</span>
        </button>
      </div>
    </li>
  );
}
