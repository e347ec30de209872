import { useId, useState } from 'react';
import { useParams } from 'react-router-dom';
import { usePatient } from '../../api/patients';
import { NOTE_TYPE_LABELS, SOAP_FIELDS, useClinicianNames, useNotes, useSignNote, type Note } from '../../api/notes';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PatientHeader } from '../../components/PatientHeader';
import { Skeleton } from '../../components/Skeleton';
import { formatDateTime } from '../../lib/time';
import { toastError, toastSuccess } from '../../lib/toast';
import type { Role } from '../../lib/types';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { NoteEditor, type EditorMode } from './NoteEditor';
import { patientPending } from '../../components/PatientPending';

/** Who writes notes, and who signs and amends them (the server enforces the same). */
export const NOTE_WRITERS: readonly Role[] = ['admin', 'dentist', 'hygienist', 'assistant'];
export const NOTE_SIGNERS: readonly Role[] = ['dentist', 'hygienist'];

const ROLE_NAMES: Record<string, string> = {
  admin: 'administrator',
  dentist: 'dentist',
  hygienist: 'hygienist',
  assistant: 'assistant',
};

/** Originals newest first, each with its amendments oldest first. */
export function threadNotes(notes: readonly Note[]): { note: Note; amendments: Note[] }[] {
  const byOriginal = new Map<string, Note[]>();
  for (const n of notes) {
    if (!n.amends) continue;
    const list = byOriginal.get(n.amends) ?? [];
    list.push(n);
    byOriginal.set(n.amends, list);
  }
  const ids = new Set(notes.map((n) => n.id));
  return notes
    .filter((n) => !n.amends || !ids.has(n.amends))
    .map((note) => ({
      note,
      amendments: [...(byOriginal.get(note.id) ?? [])].sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    }));
}

/** `/patients/:id/notes`: write, sign and amend clinical notes. */
export default function NotesPage() {
  const { id = '' } = useParams();
  const user = useSessionStore((s) => s.user);
  const role = user?.role;
  const timeZone = useClinicTimeZone();
  const patient = usePatient(id);
  const notes = useNotes(id);
  const names = useClinicianNames();
  const [editor, setEditor] = useState<EditorMode | null>(null);
  const canWrite = !!role && NOTE_WRITERS.includes(role);
  const canSign = !!role && NOTE_SIGNERS.includes(role);

  const gate = patientPending(patient, 'Notes');
  if (gate || !patient.data) return gate;

  function who(userId: string | null | undefined, role?: string): string {
    if (userId && user && userId === user.id) return `you (${user.firstName} ${user.lastName})`;
    const name = userId ? names.data?.get(userId) : undefined;
    const r = role ? (ROLE_NAMES[role] ?? role) : '';
    if (name) return r ? `${name}, ${r}` : name;
    return r ? `a ${r}` : 'a clinician';
  }

  const threads = threadNotes(notes.data ?? []);
  const editingId = editor && editor.kind !== 'new' ? editor.note.id : null;

  return (
    <main id="main" className="page notes-page">
      <PatientHeader
        patient={patient.data}
        role={role}
        section="Notes"
        actions={
          canWrite && !editor ? (
            <button type="button" className="button-primary" onClick={() => setEditor({ kind: 'new' })}>
              New note
            </button>
          ) : undefined
        }
      />
      {editor?.kind === 'new' && (
        <NoteEditor patientId={id} mode={editor} canSign={canSign} onDone={() => setEditor(null)} onCancel={() => setEditor(null)} />
      )}

      {notes.isError ? (
        <ErrorNotice error={notes.error} title="Could not load the notes" onRetry={() => void notes.refetch()} />
      ) : notes.isPending ? (
        <Skeleton lines={6} label="Loading notes…" />
      ) : threads.length === 0 ? (
        <div className="empty-state">
          <p>No notes for this patient yet.</p>
        </div>
      ) : (
        <ol className="note-list" aria-label="Notes, newest first">
          {threads.map(({ note, amendments }) => (
            <li key={note.id}>
              {editingId === note.id && editor?.kind === 'edit' ? (
                <NoteEditor patientId={id} mode={editor} canSign={canSign} onDone={() => setEditor(null)} onCancel={() => setEditor(null)} />
              ) : (
                <NoteCard
                  note={note}
                  timeZone={timeZone}
                  who={who}
                  actions={
                    note.status === 'draft' ? (
                      note.authorId === user?.id && canWrite ? (
                        <button type="button" className="button-secondary" onClick={() => setEditor({ kind: 'edit', note })}>
                          Edit draft
                        </button>
                      ) : (
                        <>
                          <p className="muted note-card__locked">Only its author can change this draft.</p>
                          {canSign && !NOTE_SIGNERS.includes(note.authorRole as Role) && (
                            <CountersignButton patientId={id} note={note} />
                          )}
                        </>
                      )
                    ) : canSign && !editor ? (
                      <button type="button" className="button-secondary" onClick={() => setEditor({ kind: 'amend', note })}>
                        Amend{' '}<span className="visually-hidden">this note</span>
                      </button>
                    ) : null
                  }
                />
              )}
              {(amendments.length > 0 || (editor?.kind === 'amend' && editingId === note.id)) && (
                <ol className="note-amendments" aria-label="Amendments">
                  {amendments.map((a) => (
                    <li key={a.id}>
                      <NoteCard note={a} timeZone={timeZone} who={who} amendment />
                    </li>
                  ))}
                  {editor?.kind === 'amend' && editingId === note.id && (
                    <li>
                      <NoteEditor patientId={id} mode={editor} canSign={canSign} onDone={() => setEditor(null)} onCancel={() => setEditor(null)} />
                    </li>
                  )}
                </ol>
              )}
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}

function NoteCard({
  note,
  timeZone,
  who,
  actions,
  amendment = false,
}: {
  note: Note;
  timeZone: string;
  who: (userId: string | null | undefined, role?: string) => string;
  actions?: React.ReactNode;
  amendment?: boolean;
}) {
  const id = useId();
  const signed = note.status === 'signed';
  const Heading = amendment ? 'h3' : 'h2';
  const title = amendment ? 'Amendment' : (NOTE_TYPE_LABELS[note.type] ?? note.type);
  const fields =
    note.type === 'soap'
      ? SOAP_FIELDS.map((f) => ({ label: f.label, value: note[f.key] ?? '' }))
      : [{ label: 'Note', value: note.body ?? '' }];
  return (
    <article className={`note-card${signed ? ' note-card--signed' : ' note-card--draft'}${amendment ? ' note-card--amendment' : ''}`} aria-labelledby={`${id}-title`}>
      <header className="note-card__header">
        <Heading id={`${id}-title`} className="note-card__title">
          {title}{' '}
          <span className="note-card__when">{formatDateTime(note.signedAt ?? note.createdAt, timeZone)}</span>
        </Heading>
        <span className={`note-status note-status--${note.status}`}>{signed ? 'Signed' : 'Draft'}</span>
      </header>
      <p className="note-card__meta">
        {signed
          ? `${amendment ? 'Amended and signed' : 'Signed'} by ${who(note.signedBy ?? note.authorId, note.authorRole)} on ${formatDateTime(note.signedAt!, timeZone)}.`
          : `Draft by ${who(note.authorId, note.authorRole)}, last saved ${formatDateTime(note.updatedAt ?? note.createdAt, timeZone)}. Not signed.`}
        {!amendment && (note.amendments?.length ?? 0) > 0 &&
          ` Amended ${note.amendments!.length === 1 ? 'once' : `${note.amendments!.length} times`}: see below; this original is kept as signed.`}
      </p>
      <dl className="note-card__fields">
        {fields.map((f) => (
          <div key={f.label}>
            <dt>{f.label}</dt>
            <dd>{f.value.trim() ? f.value : <span className="muted">(empty)</span>}</dd>
          </div>
        ))}
      </dl>
      {actions && <div className="button-row note-card__actions">{actions}</div>}
    </article>
  );
}

/** A dentist or hygienist signs an assistant's draft as it stands (after the same warning). */
function CountersignButton({ patientId, note }: { patientId: string; note: Note }) {
  const sign = useSignNote(patientId);
  const [open, setOpen] = useState(false);
  async function confirm() {
    try {
      await sign.mutateAsync(note.id);
      toastSuccess('Note signed.');
      setOpen(false);
    } catch (err) {
      toastError(err);
    }
  }
  return (
    <>
      <button type="button" className="button-primary" onClick={() => setOpen(true)}>
        Sign{' '}<span className="visually-hidden">this draft</span>
      </button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        role="alertdialog"
        size="sm"
        title="Sign this draft?"
        description={
          <p>
            <strong>Signed notes cannot be changed.</strong> You sign the {ROLE_NAMES[note.authorRole] ?? note.authorRole}’s draft
            as it is written; corrections are made later as amendments.
          </p>
        }
      >
        <div className="button-row">
          <button type="button" className="button-primary" onClick={() => void confirm()} disabled={sign.isPending}>
            {sign.isPending ? 'Signing…' : 'Sign note'}
          </button>
          <button type="button" className="button-secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </>
  );
}
