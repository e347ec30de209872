import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  isNoteEmpty,
  NOTE_TYPE_LABELS,
  noteFieldsFor,
  SOAP_FIELDS,
  useAmendNote,
  useCreateNote,
  useNoteTemplates,
  useSignNote,
  useUpdateNote,
  type Note,
  type NoteFields,
  type NoteType,
} from '../../api/notes';
import { Dialog } from '../../components/Dialog';
import { isApiError } from '../../lib/api';
import { toastSuccess } from '../../lib/toast';

export type EditorMode = { kind: 'new' } | { kind: 'edit'; note: Note } | { kind: 'amend'; note: Note };

const TYPES: NoteType[] = ['soap', 'procedure', 'progress'];

type Values = Required<NoteFields>;
const EMPTY: Values = { subjective: '', objective: '', assessment: '', plan: '', body: '' };

function valuesOf(from: NoteFields): Values {
  return {
    subjective: from.subjective ?? '',
    objective: from.objective ?? '',
    assessment: from.assessment ?? '',
    plan: from.plan ?? '',
    body: from.body ?? '',
  };
}

/**
 * Writes a note: a template prefills it, SOAP notes have four labelled
 * fields and procedure/progress notes one body. Nothing saves by itself:
 * "Save draft" keeps a draft, "Sign" (dentists and hygienists) asks first,
 * since signed notes cannot be changed. In amend mode it writes the signed
 * amendment of a signed note.
 */
export function NoteEditor({
  patientId,
  mode,
  canSign,
  onDone,
  onCancel,
}: {
  patientId: string;
  mode: EditorMode;
  canSign: boolean;
  onDone: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const templates = useNoteTemplates();
  const create = useCreateNote(patientId);
  const update = useUpdateNote(patientId);
  const sign = useSignNote(patientId);
  const amend = useAmendNote(patientId);
  const original = mode.kind === 'new' ? null : mode.note;
  const [type, setType] = useState<NoteType>(original?.type ?? 'soap');
  const [templateId, setTemplateId] = useState(original?.templateId ?? '');
  const [values, setValues] = useState<Values>(() => (original ? valuesOf(original) : EMPTY));
  const [dirty, setDirty] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<{ message: string; requestId: string; fields: string[] } | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const firstFieldRef = useRef<HTMLTextAreaElement>(null);
  const createdId = useRef<string | null>(null);
  const busy = create.isPending || update.isPending || sign.isPending || amend.isPending;

  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const heading =
    mode.kind === 'amend'
      ? `Amend this ${NOTE_TYPE_LABELS[mode.note.type]}`
      : mode.kind === 'edit'
        ? `Edit draft: ${NOTE_TYPE_LABELS[type]}`
        : 'New note';

  function setField(key: keyof Values, value: string) {
    setValues((v) => ({ ...v, [key]: value }));
    setDirty(true);
  }

  function applyTemplate(nextId: string) {
    setTemplateId(nextId);
    const t = templates.data?.find((x) => x.id === nextId);
    if (!t) return;
    setType(t.type);
    setValues(valuesOf(t));
    setDirty(true);
  }

  function fail(err: unknown, fallback: string) {
    if (isApiError(err)) {
      setError({ message: err.message, requestId: err.requestId, fields: err.fields.map((f) => `${f.field}: ${f.message}`) });
    } else {
      setError({ message: fallback, requestId: '', fields: [] });
    }
  }

  function checkNotEmpty(): boolean {
    if (!isNoteEmpty(type, values)) return true;
    setError({ message: 'Write the note first: it is empty.', requestId: '', fields: [] });
    firstFieldRef.current?.focus();
    return false;
  }

  /** Creates or updates the draft; returns its id. */
  async function saveDraft(): Promise<string> {
    const fields = noteFieldsFor(type, values);
    // A new note that was already created (say, signing failed after the
    // save) is updated, not created twice.
    const existing = mode.kind === 'edit' ? mode.note : null;
    const draftId = existing?.id ?? createdId.current;
    if (draftId) {
      if (!dirty) return draftId;
      // A draft keeps its type: only its text changes.
      const saved = await update.mutateAsync({ id: draftId, ...fields });
      setDirty(false);
      return saved.id;
    }
    const created = await create.mutateAsync({ type, ...(templateId ? { templateId } : {}), ...fields });
    createdId.current = created.id;
    setDirty(false);
    return created.id;
  }

  async function onSave(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (mode.kind === 'amend') {
      openConfirm();
      return;
    }
    if (!checkNotEmpty()) return;
    try {
      await saveDraft();
      toastSuccess('Draft saved. Only you can change it until it is signed.');
      onDone();
    } catch (err) {
      fail(err, 'Could not save the draft. Please try again.');
    }
  }

  function openConfirm() {
    setError(null);
    if (!checkNotEmpty()) return;
    setConfirming(true);
  }

  async function onConfirmSign() {
    try {
      if (mode.kind === 'amend') {
        await amend.mutateAsync({ id: mode.note.id, ...noteFieldsFor(mode.note.type, values) });
        toastSuccess('Amendment signed and added under the original note.');
      } else {
        const noteId = await saveDraft();
        await sign.mutateAsync(noteId);
        toastSuccess('Note signed.');
      }
      setConfirming(false);
      onDone();
    } catch (err) {
      setConfirming(false);
      fail(err, 'Could not sign the note. Please try again.');
    }
  }

  const fieldsFor = type === 'soap' ? SOAP_FIELDS.map((f) => ({ key: f.key as keyof Values, label: f.label })) : [{ key: 'body' as const, label: 'Note' }];

  return (
    <section className="card note-editor" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="section-title">
        {heading}
      </h2>
      {mode.kind === 'amend' && (
        <p className="muted">
          The original stays as it was signed. Your amendment is signed when you save it and shows under the original.
        </p>
      )}
      <form onSubmit={(e) => void onSave(e)} noValidate className="note-editor__form">
        {error && (
          <div ref={errorRef} tabIndex={-1} className="form-error" role="alert">
            <p>
              {error.message}
              {error.requestId && <span className="form-error__ref"> Reference: {error.requestId}</span>}
            </p>
            {error.fields.length > 0 && (
              <ul>
                {error.fields.map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {mode.kind === 'new' && (
          <div className="note-editor__pickers">
            <div className="field">
              <label htmlFor={`${id}-template`}>Template</label>
              <select
                id={`${id}-template`}
                value={templateId}
                onChange={(e) => applyTemplate(e.target.value)}
                aria-describedby={`${id}-template-hint`}
              >
                <option value="">No template</option>
                {(templates.data ?? []).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
              <p id={`${id}-template-hint`} className="field__hint">
                {templates.isError ? 'Templates could not be loaded; you can still write the note.' : 'Choosing a template fills in the note; edit it as needed.'}
              </p>
            </div>
            <div className="field">
              <label htmlFor={`${id}-type`}>Type of note</label>
              <select
                id={`${id}-type`}
                value={type}
                onChange={(e) => {
                  setType(e.target.value as NoteType);
                  setDirty(true);
                }}
              >
                {TYPES.map((t) => (
                  <option key={t} value={t}>
                    {NOTE_TYPE_LABELS[t]}
                  </option>
                ))}
              </select>
            </div>
          </div>
        )}
        {fieldsFor.map((f, i) => (
          <div className="field" key={f.key}>
            <label htmlFor={`${id}-${f.key}`}>{f.label}</label>
            <textarea
              id={`${id}-${f.key}`}
              ref={i === 0 ? firstFieldRef : undefined}
              rows={type === 'soap' ? 3 : 6}
              value={values[f.key]}
              maxLength={20000}
              onChange={(e) => setField(f.key, e.target.value)}
            />
          </div>
        ))}
        <div className="button-row">
          {mode.kind === 'amend' ? (
            <button type="submit" className="button-primary" disabled={busy}>
              Sign amendment
            </button>
          ) : (
            <>
              <button type="submit" className="button-secondary" disabled={busy}>
                {create.isPending || update.isPending ? 'Saving…' : 'Save draft'}
              </button>
              {canSign && (
                <button type="button" className="button-primary" disabled={busy} onClick={openConfirm}>
                  Sign
                </button>
              )}
            </>
          )}
          <button type="button" className="button-ghost" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
        {!canSign && mode.kind !== 'amend' && (
          <p className="field__hint">A dentist or hygienist signs the note; you can save it as a draft.</p>
        )}
      </form>
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        role="alertdialog"
        size="sm"
        title={mode.kind === 'amend' ? 'Sign this amendment?' : 'Sign this note?'}
        description={
          <p>
            <strong>Signed notes cannot be changed.</strong> Corrections are made later as amendments, which keep the original.
          </p>
        }
      >
        <div className="button-row">
          <button type="button" className="button-primary" onClick={() => void onConfirmSign()} disabled={busy}>
            {busy ? 'Signing…' : mode.kind === 'amend' ? 'Sign amendment' : 'Sign note'}
          </button>
          <button type="button" className="button-secondary" onClick={() => setConfirming(false)} disabled={busy}>
            Keep editing
          </button>
        </div>
      </Dialog>
    </section>
  );
}
