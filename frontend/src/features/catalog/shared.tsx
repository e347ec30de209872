import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { byActiveThenName } from '../../api/catalog';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { fieldNotes } from '../../components/Field';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { toastError, toastSuccess } from '../../lib/toast';

export type Problems = Record<string, string>;

/** What a catalog form takes, for adding a thing or changing one. */
export interface CatalogFormProps<V, I> {
  initial: V;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  /** Saves; true when saved (the form then starts again from initial). */
  onSubmit: (input: I) => Promise<boolean>;
}

/**
 * A catalog form's state and submit: check (the server's rules, before
 * sending), then onSubmit with toInput of the values, then start again from
 * initial once saved.
 */
export function useCatalogForm<V, I>(
  { initial, error, onSubmit }: Pick<CatalogFormProps<V, I>, 'initial' | 'error' | 'onSubmit'>,
  check: (v: V) => Problems,
  toInput: (v: V) => I,
) {
  const [values, setValues] = useState(initial);
  const [local, setLocal] = useState<Problems>({});

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems = check(values);
    setLocal(problems);
    if (Object.keys(problems).length) return;
    if (await onSubmit(toInput(values))) setValues(initial);
  }

  return { values, setValues, fieldError: fieldErrors(local, error), submit: (e: FormEvent) => void submit(e) };
}

/** A field's problem: the form's own check first, else the server's answer. */
export function fieldErrors(local: Problems, err: unknown) {
  return (field: string): string | undefined => local[field] ?? (isApiError(err) ? err.fieldMessage(field) : undefined);
}

/** An error that no field shows (network, 409, 5xx), for the notice under a form. */
export function formLevelError(err: unknown): unknown {
  return err && !(isApiError(err) && err.fields.length > 0) ? err : null;
}

/** A whole number from lo to hi in steps of step, as typed. */
export function wholeIn(value: string, lo: number, hi: number, step = 1): boolean {
  const v = value.trim();
  return /^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi && Number(v) % step === 0;
}

export interface ActiveToggleProps {
  /** What it is, for the words: "provider", "chair", "appointment type". */
  kind: string;
  name: string;
  active: boolean;
  /** What deactivating means for the desk, said in the confirmation. */
  consequence: string;
  setActive: (active: boolean) => Promise<unknown>;
}

/** Activate at once; deactivate after a confirmation. */
export function ActiveToggle({ kind, name, active, consequence, setActive }: ActiveToggleProps) {
  const [asking, setAsking] = useState(false);
  const [pending, setPending] = useState(false);

  async function apply(next: boolean) {
    setPending(true);
    try {
      await setActive(next);
      toastSuccess(next ? `${name} is active again.` : `${name} is deactivated.`);
      setAsking(false);
    } catch (err) {
      toastError(err, `Could not ${next ? 'activate' : 'deactivate'} the ${kind}.`);
    } finally {
      setPending(false);
    }
  }

  // One button either way, so focus stays on it when the state flips.
  return (
    <>
      <button
        type="button"
        className={active ? 'button-danger-outline' : 'button-secondary'}
        disabled={!active && pending}
        onClick={() => (active ? setAsking(true) : void apply(true))}
        aria-label={`${active ? 'Deactivate' : 'Activate'} ${name}`}
      >
        {active ? 'Deactivate' : 'Activate'}
      </button>
      <Dialog open={asking} onClose={() => setAsking(false)} title={`Deactivate ${name}?`} description={consequence} size="sm" role="alertdialog">
        <div className="button-row button-row--end">
          <button type="button" className="button-secondary" onClick={() => setAsking(false)}>
            Cancel
          </button>
          <button type="button" className="button-danger" disabled={pending} onClick={() => void apply(false)}>
            {pending ? 'Deactivating…' : `Deactivate ${kind}`}
          </button>
        </div>
      </Dialog>
    </>
  );
}

export function StatusBadge({ active }: { active: boolean }) {
  return <span className={`catalog-status${active ? '' : ' catalog-status--inactive'}`}>{active ? 'Active' : 'Inactive'}</span>;
}

/**
 * A form's end: what went wrong that no field shows (failTitle over it),
 * and the submit button, saying so while it saves.
 */
export function SubmitRow({
  pending,
  label,
  pendingLabel = 'Saving…',
  error,
  failTitle,
}: {
  pending: boolean;
  label: string;
  pendingLabel?: string;
  error: unknown;
  failTitle: string;
}) {
  const other = formLevelError(error);
  return (
    <>
      {other !== null && <ErrorNotice error={other} title={failTitle} />}
      <div className="button-row">
        <button type="submit" className="button-primary" disabled={pending}>
          {pending ? pendingLabel : label}
        </button>
      </div>
    </>
  );
}

/** The fold a catalog list's "add" form opens from. */
export function AddPanel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <details className="form-card catalog-add">
      <summary>{title}</summary>
      {children}
    </details>
  );
}

/**
 * Runs a save, then toasts message and runs then: true when saved, false
 * when refused (the form shows why at its fields or under it).
 */
export async function saved(run: () => Promise<unknown>, message: string, then?: () => void): Promise<boolean> {
  try {
    await run();
  } catch {
    return false;
  }
  toastSuccess(message);
  then?.();
  return true;
}

/** A button ("Edit", "Rename") that opens its form in a dialog; the form gets close. */
export function EditInDialog({
  text,
  label,
  title,
  size,
  onOpen,
  children,
}: {
  text: string;
  /** The button's accessible name: its text and what it is for. */
  label: string;
  title: string;
  size?: 'sm' | 'md' | 'lg';
  onOpen?: () => void;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const close = () => setOpen(false);
  return (
    <>
      <button type="button" className="button-secondary" aria-label={label} onClick={() => (onOpen?.(), setOpen(true))}>
        {text}
      </button>
      <Dialog open={open} onClose={close} title={title} size={size ?? 'md'}>
        {open && children(close)}
      </Dialog>
    </>
  );
}

interface Listable {
  id: string;
  name: string;
  active?: boolean;
}

/** One part of the catalog: its list (active first), its states, and the form that adds to it. */
export function CatalogSection<T extends Listable>({
  id,
  title,
  query,
  noun,
  empty,
  item,
  children,
}: {
  id: string;
  title: string;
  query: { isError: boolean; isPending: boolean; error: unknown; data: T[] | undefined; refetch: () => unknown };
  /** Plural, lower case: "providers". */
  noun: string;
  empty: string;
  item: (x: T) => ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="catalog-section">
      <h2 id={id}>{title}</h2>
      {query.isError ? (
        <ErrorNotice error={query.error} title={`Could not load the ${noun}`} onRetry={() => void query.refetch()} />
      ) : query.isPending || !query.data ? (
        <Skeleton lines={4} label={`Loading the ${noun}…`} />
      ) : query.data.length === 0 ? (
        <p className="notice notice--info">{empty}</p>
      ) : (
        <ul className="catalog-list" aria-label={title}>
          {byActiveThenName(query.data).map((x) => (
            <li key={x.id} className={`catalog-item${x.active === false ? ' catalog-item--inactive' : ''}`}>
              {item(x)}
            </li>
          ))}
        </ul>
      )}
      {children}
    </section>
  );
}

/** Several of a list ticked (a provider's chairs, a type's provider kinds), with its hint and error. */
export function CheckboxGroup({
  legend,
  hint,
  options,
  selected,
  onChange,
  error,
}: {
  legend: string;
  hint?: string | undefined;
  options: readonly { value: string; label: string }[];
  selected: string[];
  onChange: (selected: string[]) => void;
  error: string | undefined;
}) {
  const notes = fieldNotes(useId(), hint, error);
  return (
    <fieldset className="fieldset" aria-describedby={notes.describedBy}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="checkbox">
          <input
            type="checkbox"
            checked={selected.includes(o.value)}
            onChange={(e) => onChange(e.target.checked ? [...selected, o.value] : selected.filter((x) => x !== o.value))}
          />
          {o.label}
        </label>
      ))}
      {notes.element}
    </fieldset>
  );
}

/** A chair's name by id, for the lists that name chairs. */
export function chairNamer(chairs: readonly { id: string; name: string }[]) {
  return (id: string) => chairs.find((c) => c.id === id)?.name ?? 'a removed chair';
}
