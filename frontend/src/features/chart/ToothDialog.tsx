import { useId, useRef, useState, type FormEvent, type MutableRefObject } from 'react';
import { Dialog } from '../../components/Dialog';
import {
  CONDITION_KINDS,
  KIND_LABELS,
  STATUS_LABELS,
  statusesFor,
  useRecordChartEntry,
  WORK_KINDS,
  type ChartEntry,
  type ChartEntryInput,
  type ChartKind,
  type ChartStatus,
} from '../../api/chart';
import { isApiError } from '../../lib/api';
import { formatSurfaces, SURFACE_NAMES, surfacesFor, toothInfo, toothTitle, type Numbering, type Surface } from '../../lib/teeth';
import { toastSuccess } from '../../lib/toast';
import { entryPhrase } from './model';

const FIELD_LABELS: Record<string, string> = {
  tooth: 'Tooth',
  surfaces: 'Surfaces',
  kind: 'Kind',
  status: 'Status',
  code: 'Procedure code',
  note: 'Note',
  supersedes: 'Replaces',
};

export interface ToothDialogProps {
  patientId: string;
  tooth: string | null;
  numbering: Numbering;
  /** The tooth's entries in effect. */
  entries: readonly ChartEntry[];
  /** Surfaces picked already (a click on a surface). */
  initialSurfaces?: readonly Surface[];
  /** Viewing the chart as of a past date: show, do not record. */
  readOnly?: string | null;
  onClose: () => void;
}

/** One tooth: what is charted on it, and a form to chart more (surfaces → kind + status → save). */
export function ToothDialog(props: ToothDialogProps) {
  const { tooth, numbering, onClose } = props;
  const info = tooth ? toothInfo(tooth) : undefined;
  // Focus starts on the first surface, or on "What" when a surface was clicked.
  const focusRef = useRef<HTMLElement | null>(null);
  return (
    <Dialog
      open={!!tooth && !!info}
      onClose={onClose}
      initialFocusRef={focusRef}
      title={tooth && info ? `${toothTitle(tooth, numbering)} — ${info.name}` : ''}
      size="md"
      className="tooth-dialog"
    >
      {/* Keyed so every opening starts from a fresh form. */}
      {tooth && info && <ToothForm key={tooth} {...props} tooth={tooth} focusRef={focusRef} />}
    </Dialog>
  );
}

function ToothForm({
  patientId,
  tooth,
  entries,
  initialSurfaces,
  readOnly,
  onClose,
  numbering,
  focusRef,
}: ToothDialogProps & { tooth: string; focusRef: MutableRefObject<HTMLElement | null> }) {
  const id = useId();
  const valid = surfacesFor(tooth);
  const [surfaces, setSurfaces] = useState<Surface[]>(() => (initialSurfaces ?? []).filter((s) => valid.includes(s)));
  const [kind, setKind] = useState<ChartKind | ''>('');
  const [status, setStatus] = useState<ChartStatus | ''>('');
  const [code, setCode] = useState('');
  const [note, setNote] = useState('');
  const [supersedes, setSupersedes] = useState('');
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<{ message: string; fields: Record<string, string>; ref?: string | undefined } | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const record = useRecordChartEntry(patientId);
  const allowed = statusesFor(kind);
  const effectiveStatus: ChartStatus | '' = allowed.length === 1 ? allowed[0]! : status && allowed.includes(status) ? status : '';

  const fieldError = (name: string) => serverError?.fields[name] ?? missing[name];

  function toggle(surface: Surface, on: boolean) {
    setSurfaces((prev) => (on ? [...prev, surface] : prev.filter((s) => s !== surface)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!kind) problems.kind = 'Choose what to chart.';
    if (!effectiveStatus) problems.status = 'Choose a status.';
    setMissing(problems);
    setServerError(null);
    if (Object.keys(problems).length) return;
    const input: ChartEntryInput = { tooth, surfaces: formatSurfaces(surfaces).split('').filter(Boolean), kind: kind as ChartKind, status: effectiveStatus as ChartStatus };
    if (code.trim()) input.code = code.trim();
    if (note.trim()) input.note = note.trim();
    if (supersedes) input.supersedes = supersedes;
    try {
      const saved = await record.mutateAsync(input);
      toastSuccess(`Charted ${entryPhrase(saved ?? input)} on ${toothTitle(tooth, numbering).toLowerCase()}.`);
      onClose();
    } catch (err) {
      const fields: Record<string, string> = {};
      if (isApiError(err)) for (const f of err.fields) fields[f.field] = f.message;
      setServerError({
        message: err instanceof Error ? err.message : 'Could not save. Please try again.',
        fields,
        ref: isApiError(err) ? err.requestId : undefined,
      });
      // Moved to the message so it is read out; the fields below carry their own.
      requestAnimationFrame(() => errorRef.current?.focus());
    }
  }

  const existing = (
    <section aria-labelledby={`${id}-existing`} className="tooth-dialog__existing">
      <h3 id={`${id}-existing`} className="section-title">
        Charted on this tooth
      </h3>
      {entries.length === 0 ? (
        <p className="muted">Nothing charted.</p>
      ) : (
        <ul className="plain-list">
          {entries.map((e) => (
            <li key={e.id}>
              {entryPhrase(e)}
              {e.code && <span className="muted"> · {e.code}</span>}
              {e.note && <span className="muted"> · {e.note}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );

  if (readOnly) {
    return (
      <>
        <p className="notice notice--info">
          You are viewing the chart as of {readOnly}. Go back to today’s chart to record anything.
        </p>
        {existing}
        <div className="button-row">
          <button type="button" className="button-secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </>
    );
  }

  const unplaced = serverError
    ? Object.entries(serverError.fields).filter(([f]) => !['surfaces', 'kind', 'status', 'code', 'note', 'supersedes'].includes(f))
    : [];

  return (
    <form className="tooth-form" onSubmit={(e) => void submit(e)} noValidate>
      {existing}
      {serverError && (
        <div className="form-error" role="alert" tabIndex={-1} ref={errorRef}>
          <p>{serverError.message}</p>
          {unplaced.length > 0 && (
            <ul>
              {unplaced.map(([f, m]) => (
                <li key={f}>
                  {FIELD_LABELS[f] ?? f}: {m}
                </li>
              ))}
            </ul>
          )}
          {serverError.ref && <span className="form-error__ref">Reference: {serverError.ref}</span>}
        </div>
      )}

      <fieldset className="fieldset tooth-form__surfaces" aria-describedby={fieldError('surfaces') ? `${id}-surfaces-error` : `${id}-surfaces-hint`}>
        <legend>Surfaces</legend>
        <p id={`${id}-surfaces-hint`} className="field__hint">
          Leave all unticked for the whole tooth (a crown, a missing tooth, a root canal).
        </p>
        <div className="tooth-form__surface-list">
          {valid.map((s, index) => {
            const on = entries.filter((e) => e.surfaces?.includes(s));
            return (
              <label key={s} className="checkbox tooth-form__surface">
                <input
                  ref={(el) => {
                    if (index === 0 && !surfaces.length) focusRef.current = el;
                  }}
                  type="checkbox"
                  name="surface"
                  value={s}
                  checked={surfaces.includes(s)} onChange={(e) => toggle(s, e.target.checked)} />
                <span>
                  <strong>{s}</strong> {SURFACE_NAMES[s]}
                  {on.length > 0 && <span className="muted small"> — {on.map(entryPhrase).join(', ')}</span>}
                </span>
              </label>
            );
          })}
        </div>
        {fieldError('surfaces') && (
          <p id={`${id}-surfaces-error`} className="field__error">
            {fieldError('surfaces')}
          </p>
        )}
      </fieldset>

      <div className="field">
        <label htmlFor={`${id}-kind`}>What</label>
        <select
          id={`${id}-kind`}
          ref={(el) => {
            if (surfaces.length && initialSurfaces?.length) focusRef.current = el;
          }}
          value={kind}
          onChange={(e) => setKind(e.target.value as ChartKind | '')}
          aria-invalid={fieldError('kind') ? true : undefined}
          aria-describedby={fieldError('kind') ? `${id}-kind-error` : undefined}
          required
        >
          <option value="">Choose…</option>
          <optgroup label="Conditions">
            {CONDITION_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </optgroup>
          <optgroup label="Work">
            {WORK_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </optgroup>
        </select>
        {fieldError('kind') && (
          <p id={`${id}-kind-error`} className="field__error">
            {fieldError('kind')}
          </p>
        )}
      </div>

      <fieldset
        className="fieldset tooth-form__status"
        aria-describedby={fieldError('status') ? `${id}-status-error` : undefined}
      >
        <legend>Status</legend>
        {!kind ? (
          <p className="field__hint">Choose what to chart first.</p>
        ) : (
          <div className="tooth-form__status-list">
            {allowed.map((s) => (
              <label key={s} className="checkbox">
                <input
                  type="radio"
                  name={`${id}-status`}
                  value={s}
                  checked={effectiveStatus === s}
                  onChange={() => setStatus(s)}
                />
                <span>{STATUS_LABELS[s]}</span>
              </label>
            ))}
          </div>
        )}
        {fieldError('status') && (
          <p id={`${id}-status-error`} className="field__error">
            {fieldError('status')}
          </p>
        )}
      </fieldset>

      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-code`}>Procedure code (optional)</label>
          <input
            id={`${id}-code`}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder="D2391"
            aria-invalid={fieldError('code') ? true : undefined}
            aria-describedby={fieldError('code') ? `${id}-code-error` : undefined}
          />
          {fieldError('code') && (
            <p id={`${id}-code-error`} className="field__error">
              {fieldError('code')}
            </p>
          )}
        </div>
        {entries.length > 0 && (
          <div className="field">
            <label htmlFor={`${id}-supersedes`}>Replaces (optional)</label>
            <select
              id={`${id}-supersedes`}
              value={supersedes}
              onChange={(e) => setSupersedes(e.target.value)}
              aria-invalid={fieldError('supersedes') ? true : undefined}
              aria-describedby={fieldError('supersedes') ? `${id}-supersedes-error` : undefined}
            >
              <option value="">Nothing: a new finding</option>
              {entries.map((e) => (
                <option key={e.id} value={e.id}>
                  {entryPhrase(e)}
                </option>
              ))}
            </select>
            {fieldError('supersedes') && (
              <p id={`${id}-supersedes-error`} className="field__error">
                {fieldError('supersedes')}
              </p>
            )}
          </div>
        )}
      </div>

      <div className="field">
        <label htmlFor={`${id}-note`}>Note (optional)</label>
        <textarea
          id={`${id}-note`}
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          aria-invalid={fieldError('note') ? true : undefined}
          aria-describedby={fieldError('note') ? `${id}-note-error` : undefined}
        />
        {fieldError('note') && (
          <p id={`${id}-note-error`} className="field__error">
            {fieldError('note')}
          </p>
        )}
      </div>

      <div className="button-row">
        <button type="submit" className="button-primary" disabled={record.isPending}>
          {record.isPending ? 'Saving…' : 'Save to chart'}
        </button>
        <button type="button" className="button-secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
