import { useEffect, useRef, useState } from 'react';
import {
  kindLabel,
  useConsentTemplates,
  useUpdateConsentTemplate,
  type ConsentTemplate,
} from '../../api/consents';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Skeleton } from '../../components/Skeleton';
import { isApiError } from '../../lib/api';
import { formatDateTime } from '../../lib/time';
import { toastError, toastSuccess } from '../../lib/toast';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { ConsentText } from './ConsentText';
import { TemplateEditor } from './TemplateEditor';

type Editing = { mode: 'create' } | { mode: 'edit'; id: string } | null;

/** `/consent-templates`: the clinic's consent forms (admins write them; every edit is a new version). */
export default function ConsentTemplatesPage() {
  const role = useSessionStore((s) => s.user?.role);
  const timeZone = useClinicTimeZone();
  const isAdmin = role === 'admin';
  const templates = useConsentTemplates(true);
  const update = useUpdateConsentTemplate();
  const [editing, setEditing] = useState<Editing>(null);
  const newButtonRef = useRef<HTMLButtonElement>(null);
  const listHeadingRef = useRef<HTMLHeadingElement>(null);

  const items = [...(templates.data ?? [])].sort(
    (a, b) => Number(b.active) - Number(a.active) || a.title.localeCompare(b.title),
  );
  const editingTemplate = editing?.mode === 'edit' ? items.find((t) => t.id === editing.id) : undefined;

  const editingKey = editing === null ? '' : editing.mode === 'create' ? 'create' : editing.id;
  useEffect(() => {
    if (editingKey) document.getElementById('consent-editor-title')?.focus();
  }, [editingKey]);

  function closeEditor() {
    const wasCreate = editing?.mode === 'create';
    setEditing(null);
    // Focus goes back where the editor was opened from.
    setTimeout(() => (wasCreate ? newButtonRef.current : listHeadingRef.current)?.focus(), 0);
  }

  async function toggle(t: ConsentTemplate) {
    try {
      await update.mutateAsync({ id: t.id, patch: { active: !t.active, version: t.version } });
      toastSuccess(
        t.active
          ? `“${t.title}” deactivated: it can no longer be sent. Forms already sent are unchanged.`
          : `“${t.title}” activated: staff can send it again.`,
      );
    } catch (err) {
      if (isApiError(err) && err.status === 409) {
        toastError(new Error(`Someone else changed “${t.title}” just now. The list has been reloaded: check it and try again.`));
      } else {
        toastError(err);
      }
    }
  }

  return (
    <main id="main" className="page consent-templates">
      <div className="page__header page__header--row">
        <div>
          <h1>Consent templates</h1>
          <p className="lead">
            The forms staff send patients to sign. Editing a template saves a new version; forms already sent keep
            the text the patient saw.
          </p>
        </div>
        {isAdmin && editing?.mode !== 'create' && (
          <div className="button-row">
            <button ref={newButtonRef} type="button" className="button-primary" onClick={() => setEditing({ mode: 'create' })}>
              New template
            </button>
          </div>
        )}
      </div>
      {!isAdmin && (
        <p className="notice notice--info">Consent templates are written by your clinic’s admins. You can read them here.</p>
      )}

      {isAdmin && editing?.mode === 'create' && (
        <TemplateEditor
          key="create"
          onDone={(saved) => {
            toastSuccess(`“${saved.title}” created (version ${saved.version}).`);
            closeEditor();
          }}
          onCancel={closeEditor}
        />
      )}

      {templates.isError ? (
        <ErrorNotice error={templates.error} title="Could not load the consent templates" onRetry={() => void templates.refetch()} />
      ) : templates.isPending ? (
        <Skeleton lines={6} label="Loading consent templates…" />
      ) : (
        <section aria-labelledby="consent-templates-list">
          <h2 id="consent-templates-list" ref={listHeadingRef} tabIndex={-1} className="section-title">
            Templates ({items.length})
          </h2>
          {items.length === 0 ? (
            <div className="empty-state">
              <p>No consent templates yet.{isAdmin ? ' Create the first one with “New template”.' : ''}</p>
            </div>
          ) : (
            <ul className="consent-list">
              {items.map((t) =>
                isAdmin && editingTemplate?.id === t.id ? (
                  <li key={t.id} className="consent-item consent-item--editing">
                    <TemplateEditor
                      key={t.id}
                      template={editingTemplate}
                      onReload={() => templates.refetch().then((r) => r.data?.find((x) => x.id === t.id))}
                      onDone={(saved) => {
                        toastSuccess(`“${saved.title}” saved as version ${saved.version}.`);
                        closeEditor();
                      }}
                      onCancel={closeEditor}
                    />
                  </li>
                ) : (
                  <li key={t.id} className={`consent-item${t.active ? '' : ' consent-item--inactive'}`}>
                    <div className="consent-item__main">
                      <h3 className="consent-item__title">
                        {t.title}{' '}
                        <span className={`consent-status consent-status--${t.active ? 'active' : 'inactive'}`}>
                          {t.active ? 'Active' : 'Inactive'}
                        </span>
                      </h3>
                      <p className="consent-item__meta">
                        {kindLabel(t.kind)} · version {t.version} · saved {formatDateTime(t.createdAt, timeZone)}
                      </p>
                      <details className="consent-preview">
                        <summary>
                          Read the text{' '}<span className="visually-hidden">of {t.title}</span>
                        </summary>
                        <ConsentText body={t.body} />
                      </details>
                    </div>
                    {isAdmin && (
                      <div className="button-row consent-item__actions">
                        <button type="button" className="button-secondary" onClick={() => setEditing({ mode: 'edit', id: t.id })}>
                          Edit{' '}<span className="visually-hidden">{t.title}</span>
                        </button>
                        <button
                          type="button"
                          className={t.active ? 'button-danger-outline' : 'button-secondary'}
                          disabled={update.isPending && update.variables?.id === t.id}
                          onClick={() => void toggle(t)}
                        >
                          {t.active ? 'Deactivate' : 'Activate'}
                          {' '}<span className="visually-hidden">{t.title}</span>
                        </button>
                      </div>
                    )}
                  </li>
                ),
              )}
            </ul>
          )}
        </section>
      )}
    </main>
  );
}
