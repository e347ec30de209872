import { useId, useRef, useState, type DragEvent } from 'react';
import { ACCEPT_ATTRIBUTE, DOCUMENT_KINDS, DOCUMENT_KIND_LABELS, formatBytes, type DocumentKind } from '../../api/documents';
import type { Numbering } from '../../lib/teeth';
import { ToothOptions } from './teeth';
import { isFinished, useUploadQueue, type UploadRow } from './useUploadQueue';

const STATE_TEXT: Record<UploadRow['state'], string> = {
  checking: 'Checking the file…',
  refused: 'Not uploaded',
  uploading: 'Uploading…',
  finishing: 'Checking the upload…',
  done: 'Uploaded',
  failed: 'Not uploaded',
  cancelled: 'Cancelled',
};

/** Details for the next files, the drop zone (and a file button), and a row per file with its progress and outcome. */
export function UploadPanel({ patientId, numbering, today }: { patientId: string; numbering: Numbering; today: string }) {
  const id = useId();
  const queue = useUploadQueue(patientId);
  const inputRef = useRef<HTMLInputElement>(null);
  const [kind, setKind] = useState<DocumentKind>('xray');
  const [tooth, setTooth] = useState('');
  const [takenOn, setTakenOn] = useState(today);
  const [description, setDescription] = useState('');
  const [dragging, setDragging] = useState(false);

  function addFiles(list: FileList | null) {
    const files = list ? Array.from(list) : [];
    if (files.length === 0) return;
    queue.add(files, { kind, tooth, takenOn, description });
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer?.files ?? null);
  }

  const finished = queue.rows.filter(isFinished).length;

  return (
    <section className="card doc-upload" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        Add documents
      </h2>
      <p className="muted doc-upload__lead">
        Set the details, then add the files: the details go with each of them. JPEG, PNG, PDF or DICOM (.dcm), up to
        25 MB each.
      </p>
      <div className="doc-upload__fields">
        <div className="field">
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as DocumentKind)}>
            {DOCUMENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {DOCUMENT_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-tooth`}>
            Tooth <span className="doc-optional">({numbering === 'fdi' ? 'FDI' : 'Universal'})</span>
          </label>
          <select id={`${id}-tooth`} value={tooth} onChange={(e) => setTooth(e.target.value)}>
            <option value="">None</option>
            <ToothOptions numbering={numbering} />
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-taken`}>
            Date taken <span className="doc-optional">(optional)</span>
          </label>
          <input id={`${id}-taken`} type="date" value={takenOn} max={today} onChange={(e) => setTakenOn(e.target.value)} />
        </div>
        <div className="field doc-upload__description">
          <label htmlFor={`${id}-description`}>
            Description <span className="doc-optional">(optional)</span>
          </label>
          <input
            id={`${id}-description`}
            value={description}
            maxLength={500}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
      </div>

      <div
        className={`doc-drop${dragging ? ' doc-drop--active' : ''}`}
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
        data-testid="doc-drop"
      >
        <p className="doc-drop__text">
          <span aria-hidden="true" className="doc-drop__icon">
            ⇪
          </span>{' '}
          {dragging ? 'Drop to upload' : 'Drag files here, or'}
        </p>
        <button type="button" className="button-primary" onClick={() => inputRef.current?.click()}>
          Choose files…
        </button>
        <input
          ref={inputRef}
          type="file"
          multiple
          hidden
          accept={ACCEPT_ATTRIBUTE}
          aria-label="Files to upload"
          onChange={(e) => {
            addFiles(e.target.files);
            e.target.value = '';
          }}
        />
      </div>

      <p role="status" className="visually-hidden">
        {queue.announcement}
      </p>

      {queue.rows.length > 0 && (
        <div className="doc-queue">
          <div className="doc-queue__header">
            <h3 className="doc-queue__title">Uploads</h3>
            {finished > 0 && (
              <button type="button" className="button-ghost" onClick={queue.clearFinished}>
                Clear finished
              </button>
            )}
          </div>
          <ul className="doc-queue__list" aria-label="Uploads">
            {queue.rows.map((row) => (
              <UploadItem key={row.key} row={row} onCancel={() => queue.cancel(row.key)} onDismiss={() => queue.dismiss(row.key)} />
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function UploadItem({ row, onCancel, onDismiss }: { row: UploadRow; onCancel: () => void; onDismiss: () => void }) {
  const bad = row.state === 'refused' || row.state === 'failed';
  const percent = Math.round(row.progress * 100);
  return (
    <li className={`doc-queue__row doc-queue__row--${row.state}`} data-upload={row.fileName}>
      <div className="doc-queue__main">
        <p className="doc-queue__name">
          <span className="doc-queue__file">{row.fileName}</span> <span className="muted">{formatBytes(row.size)}</span>
        </p>
        <p className={`doc-queue__state${bad ? ' doc-queue__state--bad' : ''}`}>
          <span aria-hidden="true" className="doc-queue__mark">
            {row.state === 'done' ? '✓' : bad ? '✕' : row.state === 'cancelled' ? '–' : '…'}
          </span>{' '}
          <strong>{STATE_TEXT[row.state]}</strong>
          {row.state === 'uploading' && <span> {percent}%</span>}
          {row.message && <span className="doc-queue__message">: {row.message}</span>}
        </p>
        {(row.state === 'uploading' || row.state === 'finishing' || row.state === 'done') && (
          <progress className="doc-progress" max={100} value={percent} aria-label={`Upload of ${row.fileName}`}>
            {percent}%
          </progress>
        )}
      </div>
      {row.state === 'uploading' ? (
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel <span className="visually-hidden">upload of {row.fileName}</span>
        </button>
      ) : isFinished(row) ? (
        <button type="button" className="button-ghost" onClick={onDismiss}>
          Dismiss <span className="visually-hidden">{row.fileName}</span>
        </button>
      ) : null}
    </li>
  );
}
