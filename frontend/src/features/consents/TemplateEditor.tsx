import { useId, useRef, useState, type FormEvent } from 'react';
import {
  CONSENT_KINDS,
  CONSENT_KIND_LABELS,
  kindLabel,
  useCreateConsentTemplate,
  useUpdateConsentTemplate,
  type ConsentTemplate,
} from '../../api/consents';
import { isApiError } from '../../lib/api';

type Errors = Partial<Record<'title' | 'kind' | 'body', string>>;

/**
 * Creates a template, or saves a new version of one. A 409 (someone saved a
 * version first) reloads the latest text and keeps the user's own beside it.
 */
export function TemplateEditor({
  template,
  onReload,
  onDone,
  onCancel,
}: {
  template?: ConsentTemplate | undefined;
  /** Refetches the list and answers this template's latest version. */
  onReload?: () => Promise<ConsentTemplate | undefined>;
  onDone: (saved: ConsentTemplate) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const create = useCreateConsentTemplate();
  const update = useUpdateConsentTemplate();
  const [base, setBase] = useState<ConsentTemplate | undefined>(template);
  const [title, setTitle] = useState(template?.title ?? '');
  const [kind, setKind] = useState<string>(template?.kind ?? '');
  const [body, setBody] = useState(template?.body ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<{ message: string; requestId: string } | null>(null);
  const [conflict, setConflict] = useState<{ version: number; title: string; body: string } | null>(null);
  const titleRef = useRef<HTMLInputElement>(null);
  const kindRef = useRef<HTMLSelectElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const editing = !!base;
  const pending = create.isPending || update.isPending;

  function focusFirst(e: Errors) {
    if (e.title) titleRef.current?.focus();
    else if (e.kind) kindRef.current?.focus();
    else if (e.body) bodyRef.current?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    const next: Errors = {};
    if (!title.trim()) next.title = 'Give the template a title.';
    if (!editing && !kind) next.kind = 'Choose the kind of form.';
    if (!body.trim()) next.body = 'Write the text the patient signs.';
    setErrors(next);
    if (Object.keys(next).length > 0) {
      focusFirst(next);
      return;
    }
    try {
      const saved = base
        ? await update.mutateAsync({
            id: base.id,
            patch: { title: title.trim(), body, version: base.version },
          })
        : await create.mutateAsync({ title: title.trim(), kind, body });
      onDone(saved);
    } catch (err) {
      if (isApiError(err) && err.status === 409 && base) {
        const mine = { version: base.version, title, body };
        const latest = onReload ? await onReload().catch(() => undefined) : undefined;
        if (latest) {
          setBase(latest);
          setTitle(latest.title);
          setBody(latest.body);
        }
        setConflict({ ...mine, version: latest?.version ?? base.version + 1 });
        setTimeout(() => alertRef.current?.focus(), 0);
        return;
      }
      if (isApiError(err) && err.fields.length > 0) {
        const fe: Errors = {};
        for (const f of err.fields) if (f.field === 'title' || f.field === 'kind' || f.field === 'body') fe[f.field] = f.message;
        setErrors(fe);
        if (Object.keys(fe).length > 0) {
          focusFirst(fe);
          return;
        }
      }
      setFormError(
        isApiError(err)
          ? { message: err.message, requestId: err.requestId }
          : { message: 'Could not save the template. Please try again.', requestId: '' },
      );
    }
  }

  return (
    <form className="card consent-editor" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="consent-editor-title">
      <h2 id="consent-editor-title" className="section-title" tabIndex={-1}>
        {base ? `Edit “${base.title}”` : 'New consent template'}
      </h2>
      {base && (
        <p className="notice notice--info">
          Saving creates version {base.version + 1}; forms already sent keep their text.
        </p>
      )}
      {conflict && (
        <div ref={alertRef} tabIndex={-1} className="notice notice--error" role="alert">
          <p className="notice__title">Someone else saved this template first</p>
          <p>
            It is now version {conflict.version}, and the form below shows that text. Your changes were not saved: they
            are kept under “Your unsaved text” to copy from. Saving now creates version {conflict.version + 1}.
          </p>
        </div>
      )}
      {formError && (
        <p className="form-error" role="alert">
          {formError.message}
          {formError.requestId && <span className="form-error__ref"> Reference: {formError.requestId}</span>}
        </p>
      )}
      <div className="consent-editor__row">
        <div className="field">
          <label htmlFor={`${id}-title`}>Title</label>
          <input
            ref={titleRef}
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
        {base ? (
          <div className="field">
            <span className="field__label">Kind</span>
            <p className="consent-editor__fixed">{kindLabel(base.kind)}</p>
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-kind`}>Kind</label>
            <select
              ref={kindRef}
              id={`${id}-kind`}
              value={kind}
              onChange={(e) => setKind(e.target.value)}
              aria-invalid={errors.kind ? true : undefined}
              aria-describedby={errors.kind ? `${id}-kind-error` : undefined}
            >
              <option value="">Choose…</option>
              {CONSENT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {CONSENT_KIND_LABELS[k]}
                </option>
              ))}
            </select>
            {errors.kind && (
              <p id={`${id}-kind-error`} className="field__error">
                {errors.kind}
              </p>
            )}
          </div>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-body`}>Text the patient reads and signs</label>
        <textarea
          ref={bodyRef}
          id={`${id}-body`}
          rows={14}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          aria-invalid={errors.body ? true : undefined}
          aria-describedby={`${id}-body-hint${errors.body ? ` ${id}-body-error` : ''}`}
        />
        <p id={`${id}-body-hint`} className="field__hint">
          Plain text. Leave a blank line between paragraphs.
        </p>
        {errors.body && (
          <p id={`${id}-body-error`} className="field__error">
            {errors.body}
          </p>
        )}
      </div>
      {conflict && (
        <details className="consent-preview" open>
          <summary>Your unsaved text</summary>
          <div className="field">
            <label htmlFor={`${id}-mine`}>Your text (not saved)</label>
            <textarea id={`${id}-mine`} rows={8} readOnly value={`${conflict.title}\n\n${conflict.body}`} />
          </div>
        </details>
      )}
      <div className="button-row">
        <button type="submit" className="button-primary" disabled={pending}>
          {pending ? 'Saving…' : base ? `Save version ${base.version + 1}` : 'Create template'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
